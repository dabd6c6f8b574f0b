"""Periodic housekeeping run by the one consumer that schedules periodic tasks."""
from django.core.cache import cache
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

HEARTBEAT_KEY = "gonghui:worker-heartbeat"


@db_periodic_task(crontab(minute="*"))
def worker_heartbeat() -> None:
    """Lets /healthz tell whether the background worker is alive."""
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)
