from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gonghui.analytics import rollups, services


@db_periodic_task(crontab(minute="*/10"))
def refresh_ticket_rollups() -> None:
    """Every 10 minutes: the daily rollups of the days whose orders changed, then the early-warning rules over them."""
    rollups.refresh_rollups()
    services.alerts_evaluate()


@db_periodic_task(crontab(hour="2", minute="30"))
def rebuild_recent_rollups() -> None:
    """Nightly: the last 90 days again from scratch, a safety net under the incremental refresh."""
    import datetime as dt

    from django.utils import timezone

    rollups.rebuild_rollups(first=timezone.localdate() - dt.timedelta(days=90))
