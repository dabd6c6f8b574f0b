import logging

from django.core.mail import mail_admins
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gonghui.audit.checkpoints import CheckpointUnreadable, checkpoint_for_verify
from gonghui.audit.services import audit_checkpoint_write, audit_seal_pending, audit_verify

logger = logging.getLogger("gonghui.audit")


@db_periodic_task(crontab(minute="*/5"))
def seal_audit_events() -> None:
    """Catch events whose after-commit sealing did not run (a crash between commit and seal)."""
    audit_seal_pending()


@db_periodic_task(crontab(minute="7"))
def write_audit_checkpoint() -> None:
    """Hourly: sign the chain's head and send it off the host. Rows deleted from the end of the log after the last
    checkpoint are what an attacker could still hide, so this interval is that window (decision 0014)."""
    audit_checkpoint_write()


@db_periodic_task(crontab(minute="17", hour="2"))
def verify_audit_chain() -> None:
    """Nightly check of the whole chain against the latest checkpoint; a problem alerts the administrators."""
    audit_seal_pending()
    try:
        checkpoint, _ = checkpoint_for_verify()
    except CheckpointUnreadable as exc:  # a damaged checkpoint file is itself a finding; check the chain anyway
        checkpoint, problems = None, [f"检查点文件无法读取：{exc}"]
    else:
        problems = []
    report = audit_verify(checkpoint=checkpoint)
    problems += [str(problem) for problem in report.problems]
    if problems:
        message = "审计日志校验失败：\n" + "\n".join(problems)
        logger.critical(message)
        mail_admins("【gonghui】审计日志校验失败", message, fail_silently=True)
