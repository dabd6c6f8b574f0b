from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gonghui.members import prospects, services


@db_periodic_task(crontab(minute="5", hour="*/1"))
def flag_overdue_applications() -> None:
    """Hourly: applications nobody handled within 15 working days are flagged to the union above."""
    services.applications_flag_overdue()


@db_periodic_task(crontab(minute="30", hour="3"))
def purge_prospect_lists() -> None:
    """Nightly: 潜在会员 lists past their keep date lose their people (the counts stay), audited."""
    prospects.prospects_purge()
