import logging

from django.core.mail import mail_admins
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gonghui.audit.services import audit_seal_pending, audit_verify

logger = logging.getLogger("gonghui.audit")


@db_periodic_task(crontab(minute="*/5"))
def seal_audit_events() -> None:
    """Catch events whose after-commit sealing did not run (a crash between commit and seal)."""
    audit_seal_pending()


@db_periodic_task(crontab(minute="17", hour="2"))
def verify_audit_chain() -> None:
    """Nightly check of the whole chain; a break alerts the administrators."""
    report = audit_verify()
    if not report.ok:
        message = f"审计日志第 {report.broken_seq} 条（id={report.broken_event_id}）校验失败：{report.reason}"
        logger.critical(message)
        mail_admins("【gonghui】审计日志校验失败", message, fail_silently=True)
