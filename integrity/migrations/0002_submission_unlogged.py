"""The submissions table unlogged on PostgreSQL: its rows live ten minutes and protect against a form
sent twice within seconds. An unlogged table's writes skip the write-ahead log, so the two writes of
every form (the claim, then the answer) wait for no disk flush; after a crash PostgreSQL empties the
table (and a standby does not have it), which only forgets which recent forms were answered."""

from django.db import migrations


def set_persistence(persistence):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE integrity_submission SET {persistence}")
    return run


class Migration(migrations.Migration):
    dependencies = [("integrity", "0001_initial")]

    operations = [migrations.RunPython(set_persistence("UNLOGGED"), set_persistence("LOGGED"))]
