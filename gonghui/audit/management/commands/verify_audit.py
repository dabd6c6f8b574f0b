from django.core.management.base import BaseCommand, CommandError

from gonghui.audit.services import audit_seal_pending, audit_verify


class Command(BaseCommand):
    help = "校验审计日志哈希链，报告第一条断链或被篡改的记录。"

    def handle(self, *args, **options):
        audit_seal_pending()
        report = audit_verify()
        if not report.ok:
            raise CommandError(
                f"审计日志校验失败：第 {report.broken_seq} 条（id={report.broken_event_id}）{report.reason}；"
                f"此前 {report.checked} 条完好。"
            )
        self.stdout.write(f"审计日志完好：共校验 {report.checked} 条。")
