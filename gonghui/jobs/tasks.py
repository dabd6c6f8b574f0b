from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from gonghui.jobs import services


@db_task()
def run_job(job_id: int) -> None:
    services.job_run(job_id=job_id)


@db_periodic_task(crontab(minute="20"))
def expire_stale_jobs() -> None:
    services.jobs_expire_stale()


@db_periodic_task(crontab(minute="40"))
def purge_job_results() -> None:
    services.jobs_purge_results()
