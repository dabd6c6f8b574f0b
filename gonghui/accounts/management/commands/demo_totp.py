import pyotp
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gonghui.accounts.demo import DEMO_TOTP_SECRET
from gonghui.accounts.models import User


class Command(BaseCommand):
    help = "演示环境：显示演示账号当前的动态口令（仅 DEBUG 模式、仅演示密钥可用）。"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        if not settings.DEBUG:
            raise CommandError("生产模式下不可用")
        user = User.objects.filter(username=username).first()
        if user is None or user.totp_secret != DEMO_TOTP_SECRET:
            raise CommandError("只能显示使用演示密钥的演示账号的动态口令")
        self.stdout.write(pyotp.TOTP(user.totp_secret).now())
