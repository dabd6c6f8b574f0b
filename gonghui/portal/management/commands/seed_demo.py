from django.core.management.base import BaseCommand

from gonghui.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_logins
from gonghui.core import registry


class Command(BaseCommand):
    help = "载入广东演示数据（真实行政区划、工会组织、用人单位、演示账号，以及各应用的演示数据）。可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument("--employers", type=int, default=4000, help="演示用人单位数量")
        parser.add_argument("--logins-only", action="store_true", help="只打印演示账号，不写数据")

    def handle(self, *args, employers: int, logins_only: bool, **options):
        if not logins_only:
            demo_options = registry.DemoOptions(employers=employers)
            for run in registry.demo_step_list():  # each app's steps, in their declared order
                self.stdout.write(run(options=demo_options))
        self.stdout.write("演示账号（用户名 / 密码 / 可见范围）：")
        for username, scope in demo_logins() + registry.demo_login_list():
            self.stdout.write(f"  {username} / {DEMO_PASSWORD} / {scope}")
        self.stdout.write(f"动态口令：验证器添加密钥 {DEMO_TOTP_SECRET}，或运行 .venv/bin/python manage.py demo_totp <用户名>")
        self.stdout.write("职工登录：/accounts/h5-login/ 输入任意手机号，验证码见终端输出或 var/sms-outbox.log")
