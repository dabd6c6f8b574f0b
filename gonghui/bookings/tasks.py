from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gonghui.bookings import services


@db_periodic_task(crontab(minute="*/5"))
def expire_waitlist_offers() -> None:
    """Every 5 minutes: held seats not confirmed in time pass to the next in line (idempotent)."""
    services.waitlist_expire()


@db_periodic_task(crontab(minute="15"))
def record_no_shows() -> None:
    """Hourly: bookings of ended sessions never checked in become no-shows; repeat no-shows are suspended."""
    services.no_shows_record()
