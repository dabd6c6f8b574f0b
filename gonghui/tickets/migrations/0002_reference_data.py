"""Message templates and the default 时限标准 (decision 0019). Reference data: tests reload it after a flush."""
from django.db import migrations

TEMPLATES = [
    ("tickets.for_org", "inbox", "诉求工单 {number}", "工单 {number}“{title}”：{what}。"),
    ("tickets.for_worker", "inbox", "您的诉求有新进展", "您反映的问题（工单号 {number}）{what}。"),
    ("tickets.digest", "inbox", "诉求工单时限提醒",
     "{org}：{warned} 件工单即将到期，{breached} 件工单已超时（本次新增）。请到诉求工单列表查看并及时办理。"),
]


def create(apps, schema_editor):
    from gonghui.tickets.sla import default_policy_rows

    MessageTemplate = apps.get_model("notify", "MessageTemplate")
    for code, channel, title, body in TEMPLATES:
        MessageTemplate.objects.update_or_create(code=code, channel=channel, defaults={"title": title, "body": body, "essential": True})
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    for row in default_policy_rows():
        keys = {name: row.pop(name) for name in ("category", "urgency", "tier")}
        SlaPolicy.objects.get_or_create(**keys, defaults=row)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial"), ("notify", "0002_default_templates")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
