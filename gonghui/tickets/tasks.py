from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gonghui.tickets import scan


@db_periodic_task(crontab(minute="*/5"))
def scan_ticket_deadlines() -> None:
    """Every 5 minutes, around the clock (urgent orders are signed for within 30 clock minutes): reminders, breaches,
    automatic 督办 and one digest per org (tickets.scan)."""
    scan.sla_scan()
