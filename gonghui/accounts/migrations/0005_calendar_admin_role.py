"""The working calendar is shared by the whole province, so its editors get a role of their own
(given at the 省总), instead of every district administrator."""
from django.db import migrations


def grant(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    Role.objects.update_or_create(
        code="calendar_admin",
        defaults={"name": "工作日历管理员", "permissions": ["calendar.manage"], "description": "维护全省节假日、调休与办公时间"},
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_smscode")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
