"""On PostgreSQL a trigger refuses UPDATE and DELETE of audit events even through raw SQL.

The only update let through fills the chain columns (seq, prev_hash, hash) of a row not yet
sealed. TRUNCATE is not covered by row triggers: production revokes it from the app's role.
"""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_auditevent_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit log is append-only: DELETE refused (审计日志只能追加，不能删除)';
    END IF;
    IF OLD.seq IS NOT NULL
       OR (to_jsonb(NEW) - 'seq' - 'prev_hash' - 'hash') IS DISTINCT FROM (to_jsonb(OLD) - 'seq' - 'prev_hash' - 'hash') THEN
        RAISE EXCEPTION 'audit log is append-only: UPDATE refused (审计日志只能追加，不能修改)';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_guard();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_auditevent_guard();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
