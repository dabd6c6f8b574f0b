from django.core.management.base import BaseCommand

from gonghui.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_logins, seed_demo_extra_users, seed_demo_users
from gonghui.accounts.models import User
from gonghui.members.demo import seed_drives_demo, seed_members_demo
from gonghui.orgs.demo import demo_bound_employer, seed_cultivation_demo, seed_orgs_demo
from gonghui.orgs.selectors import org_by_code_unscoped


class Command(BaseCommand):
    help = "载入广东演示数据（真实行政区划、工会组织、用人单位、演示账号）。可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument("--employers", type=int, default=4000, help="演示用人单位数量")
        parser.add_argument("--logins-only", action="store_true", help="只打印演示账号，不写数据")

    def handle(self, *args, employers: int, logins_only: bool, **options):
        if not logins_only:
            counts = seed_orgs_demo(employers=employers)
            self.stdout.write("演示数据：" + "，".join(f"{k} 新增 {v}" for k, v in counts.items()))
            seed_demo_users(org_lookup=lambda code: org_by_code_unscoped(code=code))
            seed_demo_extra_users(org_lookup=lambda code: org_by_code_unscoped(code=code), employer=demo_bound_employer())
            self.stdout.write(f"演示会员：新增 {seed_members_demo()} 人（天河区、东莞市，部分待审核）")
            added = seed_cultivation_demo(actor=User.objects.get(username="ns_cadre"))
            self.stdout.write(f"演示分级培育计划：南沙区总 2026 年一项，新增培育对象 {added} 家（首两家已验收；南沙无企业工会时计划为空，可加大 --employers）")
            self.stdout.write(f"演示入会行动：广州市总、天河区总各一项，导入会员 {seed_drives_demo()} 人（近五个月入会，含分解目标和走访记录）")
        self.stdout.write("演示账号（用户名 / 密码 / 可见范围）：")
        for username, scope in demo_logins():
            self.stdout.write(f"  {username} / {DEMO_PASSWORD} / {scope}")
        self.stdout.write(f"动态口令：验证器添加密钥 {DEMO_TOTP_SECRET}，或运行 .venv/bin/python manage.py demo_totp <用户名>")
        self.stdout.write("职工登录：/accounts/h5-login/ 输入任意手机号，验证码见终端输出或 var/sms-outbox.log")

