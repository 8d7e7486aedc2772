"""Accent- and case-insensitive patient search: a normalised column, and on PostgreSQL a trigram index.

SQLite (the `make run` default) gets the column only: a plain LIKE on a few hundred rows is fine.
"""

from django.db import migrations, models

BATCH = 2000


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that does nothing on another database."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def fill_search_names(apps, schema_editor):
    from pathway.models import SEARCH_NAME_LENGTH, search_key

    Patient = apps.get_model("pathway", "Patient")
    batch = []
    for patient in Patient.objects.only("id", "last_name", "first_name").iterator(chunk_size=BATCH):
        patient.search_name = search_key(f"{patient.last_name} {patient.first_name}")[:SEARCH_NAME_LENGTH]
        batch.append(patient)
        if len(batch) == BATCH:
            Patient.objects.bulk_update(batch, ["search_name"])
            batch = []
    Patient.objects.bulk_update(batch, ["search_name"])


class Migration(migrations.Migration):

    dependencies = [
        ("pathway", "0002_alter_pathwayevent_action"),
    ]

    operations = [
        migrations.AddField(
            model_name="patient",
            name="search_name",
            field=models.CharField(default="", editable=False, max_length=255),
        ),
        migrations.RunPython(fill_search_names, migrations.RunPython.noop),
        PostgresOnlySQL("CREATE EXTENSION IF NOT EXISTS pg_trgm", migrations.RunSQL.noop),
        PostgresOnlySQL(
            "CREATE INDEX pathway_patient_search_trgm ON pathway_patient USING gin (search_name gin_trgm_ops)",
            "DROP INDEX pathway_patient_search_trgm",
        ),
    ]
