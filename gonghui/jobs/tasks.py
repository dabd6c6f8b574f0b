from huey.contrib.djhuey import db_task

from gonghui.jobs import services


@db_task()
def run_job(job_id: int) -> None:
    services.job_run(job_id=job_id)
