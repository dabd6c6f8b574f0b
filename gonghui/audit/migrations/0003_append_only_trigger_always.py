"""The append-only trigger fires whatever `session_replication_role` says.

Bulk imports may be granted `SET ON PARAMETER session_replication_role` (decision 0008) so they can pause foreign-key
triggers. A plain ENABLE'd trigger would be paused too, and that session could then rewrite audit rows; ENABLE ALWAYS
keeps it on. Only a table owner can still switch it off (ALTER TABLE … DISABLE TRIGGER), as before.
"""
from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE audit_auditevent ENABLE ALWAYS TRIGGER audit_auditevent_append_only")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]
    operations = [migrations.RunPython(forwards, backwards)]
