"""The roles every federation starts with, as they were when this migration was written. Roles and their grants are
declared by the apps since decision 0012 (accounts.roles.role_defaults_sync); this stays as history."""
from django.db import migrations

ADMIN_ACTIONS = ["accounts.manage", "audit.view", "employers.manage", "employers.view", "members.manage", "members.view", "orgs.manage",
                 "orgs.view", "pii.reveal"]
DEFAULT_ROLES = {
    "admin": ("管理员", ADMIN_ACTIONS),
    "handler": ("工单处理员", ["orgs.view", "employers.view"]),
    "lawyer": ("律师", ["orgs.view"]),
    "reviewer": ("审核员", ["orgs.view", "employers.view", "members.view", "members.manage"]),
    "analyst": ("只读分析", ["orgs.view", "employers.view", "audit.view", "members.view"]),
}


def create_roles(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, (name, permissions) in DEFAULT_ROLES.items():
        Role.objects.update_or_create(code=code, defaults={"name": name, "permissions": permissions})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
