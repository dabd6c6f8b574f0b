from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from gonghui.audit.checkpoints import checkpoint_for_verify
from gonghui.audit.keys import audit_keyring
from gonghui.audit.models import AuditEvent
from gonghui.audit.services import audit_checkpoint_write, audit_log, audit_seal_pending, audit_verify


class Command(BaseCommand):
    help = ("轮换审计密钥：先把新密钥加入 AUDIT_KEYS 并设为 AUDIT_ACTIVE_KEY_ID（旧密钥保留，用于校验旧记录），再运行本命令。"
            "它校验整条链，记录一次轮换，并用新密钥写一个检查点。")

    def handle(self, *args, **options):
        ring = audit_keyring()
        audit_seal_pending()
        checkpoint, _ = checkpoint_for_verify()
        report = audit_verify(checkpoint=checkpoint)
        if not report.ok:
            raise CommandError("审计日志校验未通过，先查明原因再轮换密钥：" + "；".join(str(p) for p in report.problems))
        by_key = {row["key_id"] or "（旧版无签名）": row["n"] for row in AuditEvent.objects.values("key_id").annotate(n=Count("id")).order_by()}
        audit_log(actor=None, action="audit.key.rotated", data={"active": ring.active_key_id, "rows_by_key": by_key})
        written = audit_checkpoint_write(force=True)
        for key_id, rows in sorted(by_key.items()):
            self.stdout.write(f"密钥 {key_id}：{rows} 条记录（该密钥须留在 AUDIT_KEYS 中，旧记录才能校验）")
        self.stdout.write(f"新记录和检查点已改用密钥 {ring.active_key_id}；检查点：第 {written.seq} 条，共 {written.count} 条。")
