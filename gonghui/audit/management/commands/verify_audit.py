from django.core.management.base import BaseCommand, CommandError

from gonghui.audit.checkpoints import CheckpointUnreadable, checkpoint_for_verify
from gonghui.audit.services import audit_seal_pending, audit_verify


class Command(BaseCommand):
    help = "校验审计日志：哈希链、每条记录的签名、未链入的伪造记录，并与最近的检查点比对（发现删除最新记录或清空日志）。"

    def add_arguments(self, parser):
        parser.add_argument("--checkpoint", default="", help="检查点：邮件或 syslog 中的检查点行，或含检查点行的文件（默认取检查点文件中最新一条）")

    def handle(self, *args, **options):
        try:
            checkpoint, origin = checkpoint_for_verify(options["checkpoint"] or None)
        except CheckpointUnreadable as exc:
            raise CommandError(str(exc)) from None
        audit_seal_pending()  # a forged unsealed row is flagged here, not chained
        report = audit_verify(checkpoint=checkpoint)
        if checkpoint is None:
            self.stderr.write("没有检查点：无法发现删除最新记录或清空日志。请用 --checkpoint 给出邮件或 syslog 中的检查点。")
        else:
            self.stdout.write(f"对照{origin}：第 {checkpoint.seq} 条，共 {checkpoint.count} 条（{checkpoint.created_at_display}）。")
        if not report.ok:
            first, *others = report.problems
            lines = [f"审计日志校验失败：{first}；此前 {report.checked} 条完好。", *(f"另：{problem}" for problem in others)]
            raise CommandError("\n".join(lines))
        self.stdout.write(f"审计日志完好：共校验 {report.checked} 条。")
