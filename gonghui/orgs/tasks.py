from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gonghui.orgs import improvements


@db_periodic_task(crontab(minute="20", hour="1"))
def flag_overdue_improvements() -> None:
    """Daily at 09:20 Asia/Shanghai (huey reckons crontabs in UTC), when cadres are at work: 整改 tasks still open after
    their last day are flagged once to the union and its reviewers."""
    improvements.improvements_flag_overdue()
