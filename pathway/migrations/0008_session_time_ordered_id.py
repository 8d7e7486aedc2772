import config.uuids
from django.db import migrations, models


class Migration(migrations.Migration):
    """New sessions' keys made by config.uuids.uuid7: a Python default, nothing changes in the database.
    State only: on SQLite an AlterField rebuilds the table, which would drop the stored counts' triggers."""

    dependencies = [
        ('pathway', '0007_stored_counts'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='caresession',
                    name='id',
                    field=models.UUIDField(default=config.uuids.uuid7, editable=False, primary_key=True,
                                           serialize=False),
                ),
            ],
            database_operations=[],
        ),
    ]
