from django.db import migrations

TEMPLATES = [
    ("orgs.improvement_overdue", "inbox", "整改任务已超期",
     "{union}的整改事项“{item}”已超过整改期限（{due}），尚未报完成，请督促办理。"),
    ("orgs.improvement_done", "inbox", "整改任务待确认", "{union}已报告完成整改事项“{item}”，请核实后确认销号或退回。"),
    ("orgs.improvement_reopened", "inbox", "整改任务被退回", "{union}的整改事项“{item}”未通过确认，原因：{reason}。请于{due}前继续整改。"),
]


def create(apps, schema_editor):
    MessageTemplate = apps.get_model("notify", "MessageTemplate")
    for code, channel, title, body in TEMPLATES:
        MessageTemplate.objects.update_or_create(code=code, channel=channel, defaults={"title": title, "body": body, "essential": True})


class Migration(migrations.Migration):
    dependencies = [("orgs", "0006_improvement_task_workflow"), ("notify", "0002_default_templates")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
