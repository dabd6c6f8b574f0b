import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from gonghui.analytics.rollups import rebuild_rollups


class Command(BaseCommand):
    help = "重建诉求工单日汇总（默认从第一件工单至今天）"

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", help="开始日期 YYYY-MM-DD")
        parser.add_argument("--to", dest="last", help="结束日期 YYYY-MM-DD")

    def handle(self, *args, first=None, last=None, **options):
        try:
            start = dt.date.fromisoformat(first) if first else None
            end = dt.date.fromisoformat(last) if last else None
        except ValueError:
            raise CommandError("日期格式不正确，请用 YYYY-MM-DD") from None
        rows = rebuild_rollups(first=start, last=end)
        self.stdout.write(f"已重建工单日汇总：{rows} 行")
