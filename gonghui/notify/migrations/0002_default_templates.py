from django.db import migrations

TEMPLATES = [
    # code, channel, title, body, provider code, essential
    ("job.finished", "inbox", "{kind}已完成", "{summary}", "", True),
    ("job.failed", "inbox", "{kind}未完成", "{summary}", "", True),
    ("account.welcome", "inbox", "欢迎使用广东工会服务", "您已用手机号登录。可在“办事”中找工会、查询单位是否建会，更多服务陆续上线。", "", False),
    ("account.welcome", "sms", "欢迎使用广东工会服务", "【广东工会】欢迎使用广东工会服务，职工服务热线12351。", "SMS_WELCOME", False),
]


def create(apps, schema_editor):
    MessageTemplate = apps.get_model("notify", "MessageTemplate")
    for code, channel, title, body, provider, essential in TEMPLATES:
        MessageTemplate.objects.update_or_create(
            code=code, channel=channel,
            defaults={"title": title, "body": body, "provider_template_code": provider, "essential": essential},
        )


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
