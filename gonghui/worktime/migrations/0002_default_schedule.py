from django.db import migrations


def create_default(apps, schema_editor):
    WorkSchedule = apps.get_model("worktime", "WorkSchedule")
    WorkSchedule.objects.get_or_create(
        code="standard", defaults={"name": "标准办公时间", "periods": [["09:00", "12:00"], ["13:30", "18:00"]], "is_default": True}
    )


class Migration(migrations.Migration):
    dependencies = [("worktime", "0001_initial")]
    operations = [migrations.RunPython(create_default, migrations.RunPython.noop)]
