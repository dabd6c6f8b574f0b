from django.db.models import QuerySet

from gonghui.notify.models import Channel, Notification, NotificationPreference


def inbox_list(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    messages = Notification.objects.filter(recipient=user, channel=Channel.INBOX).exclude(status="skipped")
    return messages.filter(read_at__isnull=True) if unread_only else messages


def inbox_unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return inbox_list(user=user, unread_only=True).count()


def preference_for(*, user) -> bool:
    value = NotificationPreference.objects.filter(user=user).values_list("receive_non_essential", flat=True).first()
    return True if value is None else value
