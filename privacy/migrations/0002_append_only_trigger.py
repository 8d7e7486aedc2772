"""PostgreSQL refuses UPDATE and DELETE of the access log, whoever asks (the app, a shell, raw SQL).

One exception, for the purge of old traces (`manage.py purge_access_log`): a DELETE is let through
when the transaction set `privacy.purge` to 'on' and the row is a read or write trace older than
180 days (privacy.retention.TRIGGER_FLOOR_DAYS, written here as a literal: a migration must not
change when the module does). Erasure traces are never deleted.

Not blocked: TRUNCATE (Django's test runner empties tables with it) and a superuser who drops the
trigger; the database's own privileges are the wall there. SQLite (`make run`) has no trigger.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION privacy_access_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('privacy.purge', true) = 'on'
       AND OLD.action IN ('read', 'write')
       AND OLD.at < now() - interval '180 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'privacy_accesslogentry is append-only: % refused', TG_OP;
END;
$$;
CREATE TRIGGER privacy_access_log_append_only
    BEFORE UPDATE OR DELETE ON privacy_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION privacy_access_log_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS privacy_access_log_append_only ON privacy_accesslogentry;
DROP FUNCTION IF EXISTS privacy_access_log_append_only();
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no placeholders: the % in RAISE stays as is
    return run


class Migration(migrations.Migration):

    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP))]
