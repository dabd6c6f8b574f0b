from django.db import migrations

TEMPLATES = [
    ("member.application_received", "inbox", "入会申请已提交", "您的入会申请已转至{union}，工会将在15个工作日内与您联系。"),
    ("member.approved", "inbox", "入会成功", "欢迎加入{union}！您的会员编号为{member_number}，可在“我的”中出示电子会员卡。"),
    ("member.approved", "sms", "入会成功", "【广东工会】您已成功加入{union}，会员编号{member_number}。"),
    ("member.rejected", "inbox", "入会申请未通过", "{union}未通过您的入会申请，原因：{reason}。如有疑问请联系该工会。"),
    ("member.application_overdue", "inbox", "入会申请超时提醒", "{union}有入会申请超过15个工作日未处理（应于{due}前联系申请人），请督促办理。"),
    ("member.transfer_incoming", "inbox", "待接收的会籍转接", "有会员申请从{from_union}转入本工会，请及时接收或说明原因。"),
    ("member.transfer_accepted", "inbox", "会籍转接完成", "会籍已从{from_union}转入{to_union}。"),
    ("member.transfer_rejected", "inbox", "会籍转接未被接收", "{to_union}未接收从{from_union}的会籍转接，原因：{reason}。会籍仍在{from_union}。"),
    ("member.frozen", "inbox", "会籍已冻结", "有人申诉您在{union}的会籍冒用了其身份证号，审查期间会籍冻结。如有异议请联系工会。"),
    ("member.appeal_filed", "inbox", "新的冒用申诉", "{union}有一条冒用身份证号入会的申诉待审查。"),
    ("member.appeal_decided", "inbox", "冒用申诉处理结果", "申诉结果：{outcome}。处理意见：{note}"),
]


def create(apps, schema_editor):
    MessageTemplate = apps.get_model("notify", "MessageTemplate")
    for code, channel, title, body in TEMPLATES:
        MessageTemplate.objects.update_or_create(code=code, channel=channel, defaults={"title": title, "body": body, "essential": True})


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial"), ("notify", "0002_default_templates")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
