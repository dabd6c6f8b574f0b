"""Administrators also manage the working calendar (worktime app)."""
from django.db import migrations

NEW_ACTIONS = ["calendar.manage"]


def grant(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code="admin"):
        role.permissions = sorted(set(role.permissions) | set(NEW_ACTIONS))
        role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_smscode")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
