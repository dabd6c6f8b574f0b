from django.db import migrations

from gonghui.accounts.permissions import DEFAULT_ROLES


def create_roles(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, (name, permissions) in DEFAULT_ROLES.items():
        Role.objects.update_or_create(code=code, defaults={"name": name, "permissions": permissions})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
