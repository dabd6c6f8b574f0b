"""Verifying a member card becomes an action of its own (members.card_verify). Until now any 工作台 account could verify,
external employer accounts included; the roles that were offered the page (it sat in the menu of members.view) keep it."""
from django.db import migrations

ACTION = "members.card_verify"


def grant(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.all():
        if "members.view" in role.permissions and ACTION not in role.permissions:
            role.permissions = sorted([*role.permissions, ACTION])
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_blind_index_byte_order")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
