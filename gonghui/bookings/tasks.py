from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gonghui.bookings import lottery, services


@db_periodic_task(crontab(minute="*/5"))
def expire_waitlist_offers() -> None:
    """Every 5 minutes: held seats not confirmed in time pass to the next in line (idempotent)."""
    services.waitlist_expire()


@db_periodic_task(crontab(minute="15"))
def record_no_shows() -> None:
    """Hourly: bookings of ended sessions never checked in become no-shows; repeat no-shows are suspended."""
    services.no_shows_record()


@db_periodic_task(crontab(minute="*"))
def close_due_lotteries() -> None:
    """Every minute: lotteries whose registration has ended publish their list and text every registrant (idempotent)."""
    lottery.lotteries_close_due()
