"""Message templates of bookings. Reference data: tests reload it after a flush."""
from django.db import migrations

TEMPLATES = [
    ("bookings.booked", "inbox", "预约成功", "您已预约“{title}”（{when}），预约码 {code}。请按时到场，凭“我的预约”中的签到码签到。", True),
    ("bookings.waitlist_offer", "inbox", "候补名额待确认", "“{title}”（{when}）有名额空出，已为您保留。请在 {confirm_by} 前到“我的预约”确认，逾期将顺延给下一位。", True),
    ("bookings.waitlist_offer", "sms", "", "您候补的“{title}”（{when}）有名额，请在{confirm_by}前登录确认，逾期顺延。", True),
    ("bookings.message", "inbox", "“{title}”活动通知", "{text}（场次：{when}）", True),
    ("bookings.suspended", "inbox", "暂停预约提醒", "您在 {days} 天内有 {count} 次预约后未到场，{until} 前暂停预约。", True),
]


def create(apps, schema_editor):
    MessageTemplate = apps.get_model("notify", "MessageTemplate")
    for code, channel, title, body, essential in TEMPLATES:
        MessageTemplate.objects.update_or_create(code=code, channel=channel, defaults={
            "title": title, "body": body, "essential": essential, "provider_template_code": "SMS_BOOKINGS_OFFER" if channel == "sms" else ""})


class Migration(migrations.Migration):
    dependencies = [("bookings", "0001_initial"), ("notify", "0002_default_templates")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
