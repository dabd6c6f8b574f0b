"""Sending notifications: recorded in the transaction, delivered after commit, retried with backoff."""
from __future__ import annotations

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.core.exceptions import ApplicationError, NotFound
from gonghui.core.masking import scrub_pii
from gonghui.notify.models import Channel, MessageTemplate, Notification, NotificationPreference, Status
from gonghui.notify.sms import SmsError, sms_send
from gonghui.notify.wechat import WechatError, openid_for, wechat_backend

logger = logging.getLogger("gonghui.notify")
MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 30  # 30 s, 1 min, 2 min, 4 min between tries


class _Missing(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def _render(text: str, params: dict) -> str:
    return text.format_map(_Missing(params))


def notify(*, recipient, template_code: str, params: dict | None = None, dedupe_key: str, link: str = "",
           channels: list[str] | None = None) -> list[Notification]:
    """Record a message per channel of the template; deliver after commit. The same key twice sends once.

    Call it inside the service's transaction: if that rolls back, nothing is recorded and nothing is sent.
    """
    params = params or {}
    templates = MessageTemplate.objects.filter(code=template_code)
    if channels:
        templates = templates.filter(channel__in=channels)
    if not templates:
        raise ApplicationError(f"消息模板 {template_code} 不存在", code="notify.template_missing")
    allow_optional = NotificationPreference.objects.filter(user=recipient).values_list("receive_non_essential", flat=True).first()
    created = []
    for template in templates:
        notification = _record(recipient, template, params, dedupe_key, link, skip=(allow_optional is False and not template.essential))
        if notification is not None:
            created.append(notification)
    return created


def _record(recipient, template: MessageTemplate, params: dict, dedupe_key: str, link: str, *, skip: bool) -> Notification | None:
    now = timezone.now()
    inbox = template.channel == Channel.INBOX
    status = Status.SKIPPED if skip else (Status.SENT if inbox else Status.PENDING)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient, template_code=template.code, channel=template.channel,
                title=_render(template.title, params), body=_render(template.body, params), params=params, link=link,
                dedupe_key=dedupe_key, status=status, sent_at=now if status == Status.SENT else None,
                last_error="用户已关闭非必要消息" if skip else "",
            )
    except IntegrityError:
        return None  # already recorded under this key: deduplicated
    if status == Status.PENDING:
        transaction.on_commit(lambda: _enqueue(notification.pk))
    return notification


def _enqueue(notification_id: int, delay: int = 0) -> None:
    from gonghui.notify.tasks import deliver_notification  # tasks.py imports this module


    if delay:
        deliver_notification.schedule((notification_id,), delay=delay)
    else:
        deliver_notification(notification_id)


def notification_deliver(*, notification_id: int) -> Notification:
    """One delivery attempt; on failure record why and schedule the next try, up to MAX_ATTEMPTS."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().select_related("recipient").get(pk=notification_id)
        template = MessageTemplate.objects.filter(code=notification.template_code, channel=notification.channel).first()
        if notification.status != Status.PENDING:
            return notification
        notification.attempts += 1
        try:
            notification.provider_message_id = _send(notification, template)
        except _NotDeliverable as exc:
            notification.status, notification.last_error = Status.SKIPPED, str(exc)
        except (SmsError, WechatError, OSError) as exc:
            notification.last_error = scrub_pii(str(exc))[:300]
            if notification.attempts >= MAX_ATTEMPTS:
                notification.status = Status.FAILED
            else:
                delay = RETRY_BASE_SECONDS * 2 ** (notification.attempts - 1)
                transaction.on_commit(lambda: _enqueue(notification.pk, delay=delay))
            logger.warning("notification %s attempt %s failed: %s", notification.pk, notification.attempts, notification.last_error)
        else:
            notification.status, notification.sent_at, notification.last_error = Status.SENT, timezone.now(), ""
        notification.save()
        return notification


class _NotDeliverable(Exception):
    pass


def _send(notification: Notification, template: MessageTemplate | None) -> str:
    provider_code = (template.provider_template_code if template else "") or notification.template_code
    if notification.channel == Channel.SMS:
        if not notification.recipient.phone:
            raise _NotDeliverable("用户未绑定手机号")
        return sms_send(phone=notification.recipient.phone, template_code=provider_code, params=notification.params,
                        text=notification.body)
    openid = openid_for(notification.recipient)
    if not openid:
        raise _NotDeliverable("用户未绑定微信")
    return wechat_backend().send(openid=openid, template_code=provider_code, params=notification.params, text=notification.body)


def notification_retry(*, notification_id: int) -> None:
    """An administrator's manual retry of a failed message."""
    updated = Notification.objects.filter(pk=notification_id, status=Status.FAILED).update(status=Status.PENDING, attempts=0)
    if updated:
        transaction.on_commit(lambda: _enqueue(notification_id))


def inbox_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one message (or, without an id, all of them) read for this user only."""
    unread = Notification.objects.filter(recipient=user, channel=Channel.INBOX, read_at__isnull=True)
    if notification_id is not None:
        if not Notification.objects.filter(recipient=user, pk=notification_id).exists():
            raise NotFound()
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())


def preference_set(*, user, receive_non_essential: bool) -> NotificationPreference:
    preference, _ = NotificationPreference.objects.update_or_create(user=user, defaults={"receive_non_essential": receive_non_essential})
    return preference


def stale_pending_requeue(*, older_than: timedelta = timedelta(minutes=15)) -> int:
    """Requeue messages whose delivery task was lost (a crash between commit and enqueue)."""
    stale = list(Notification.objects.filter(status=Status.PENDING, updated_at__lt=timezone.now() - older_than).values_list("pk", flat=True))
    for notification_id in stale:
        _enqueue(notification_id)
    return len(stale)
