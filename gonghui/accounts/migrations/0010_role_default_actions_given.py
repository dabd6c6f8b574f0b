"""Roles remember which actions they were given by default (decision 0012), so a grant an administrator took away is not
given back by the next migrate. Roles made before this get the grants of migrations 0003, 0005, 0006 and 0008 as given."""
from django.db import migrations, models

GIVEN = {
    "admin": ["accounts.manage", "audit.view", "employers.manage", "employers.view", "members.card_verify", "members.manage", "members.view",
              "orgs.manage", "orgs.view", "pii.reveal"],
    "handler": ["employers.view", "orgs.view"],
    "lawyer": ["orgs.view"],
    "reviewer": ["employers.view", "members.card_verify", "members.manage", "members.view", "orgs.view"],
    "analyst": ["audit.view", "employers.view", "members.card_verify", "members.view", "orgs.view"],
    "calendar_admin": ["calendar.manage"],
}


def mark_given(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, actions in GIVEN.items():
        Role.objects.filter(code=code).update(default_actions_given=actions)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0009_api_keys")]
    operations = [
        migrations.AddField(
            model_name="role", name="default_actions_given",
            field=models.JSONField(default=list, editable=False, help_text="应用声明的默认授权只授予一次；管理员之后去掉的操作不会再被加回（决策 0012）",
                                   verbose_name="已按默认授予的操作"),
        ),
        migrations.RunPython(mark_given, migrations.RunPython.noop),
    ]
