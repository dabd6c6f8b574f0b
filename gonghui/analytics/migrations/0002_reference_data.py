"""The alert message template. Reference data: tests reload it after a flush."""
from django.db import migrations

TEMPLATES = [
    ("analytics.alert", "inbox", "{level}群体性预警：{subject}",
     "{subject}：{summary}。预警已{what}（{line}），本环节期限 {due}。请到“群体性预警”研判处置。"),
]


def create(apps, schema_editor):
    MessageTemplate = apps.get_model("notify", "MessageTemplate")
    for code, channel, title, body in TEMPLATES:
        MessageTemplate.objects.update_or_create(code=code, channel=channel, defaults={"title": title, "body": body, "essential": True})


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial"), ("notify", "0002_default_templates")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
