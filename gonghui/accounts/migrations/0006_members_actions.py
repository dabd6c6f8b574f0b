from django.db import migrations

GRANTS = {"admin": ["members.view", "members.manage"], "reviewer": ["members.view", "members.manage"], "analyst": ["members.view"]}


def grant(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, actions in GRANTS.items():
        for role in Role.objects.filter(code=code):
            role.permissions = sorted(set(role.permissions) | set(actions))
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_calendar_admin_role")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
