from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from gonghui.notify import services


@db_task()
def deliver_notification(notification_id: int) -> None:
    services.notification_deliver(notification_id=notification_id)


@db_periodic_task(crontab(minute="*/10"))
def requeue_stale_notifications() -> None:
    services.stale_pending_requeue()
