"""Creating, running and reporting on background jobs."""
from __future__ import annotations

import logging
import time
from datetime import timedelta
from pathlib import Path

from django.core.cache import cache
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone

from gonghui.core.exceptions import ApplicationError
from gonghui.core.masking import scrub_pii
from gonghui.jobs import registry
from gonghui.jobs.models import Job, JobStatus
from gonghui.notify.services import notify

logger = logging.getLogger("gonghui.jobs")
PROGRESS_KEY = "gonghui:job-progress:{}"
PROGRESS_MIN_INTERVAL = 0.3  # seconds between progress writes
RESULT_KEEP = timedelta(days=7)  # result files (an export may hold full personal data) are deleted after this
PROBLEMS_SHOWN = 20  # rows of an error report shown on the job's page


@transaction.atomic
def job_create(*, owner, kind: str, data: bytes = b"", file_name: str = "", options: dict | None = None) -> Job:
    """Store the upload (if the job has one: an export does not) and queue the job after commit."""
    registry.kind(kind)  # unknown kinds fail here, not in the worker
    job = Job.objects.create(kind=kind, owner=owner, input_name=file_name[:200], options=options or {})
    if data:
        job.input_file.save(f"job-{job.pk}.bin", ContentFile(data), save=True)
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from gonghui.jobs.tasks import run_job  # tasks.py imports this module

    run_job(job_id)


class ProgressReporter:
    """Writes progress to the cache (not the database), so it shows while the job's own transaction is open."""

    def __init__(self, job_id: int):
        self.job_id, self._last = job_id, 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self._last >= PROGRESS_MIN_INTERVAL:
            cache.set(PROGRESS_KEY.format(self.job_id), (done, total), timeout=24 * 3600)
            self._last = now


def job_progress(*, job: Job) -> tuple[int, int]:
    if job.finished:
        return job.progress_done, job.progress_total
    return cache.get(PROGRESS_KEY.format(job.pk)) or (job.progress_done, job.progress_total)


def job_percent(*, job: Job, done: int, total: int) -> int:
    """Whole percent of `done` (job_progress) of `total`; 100 once the job succeeded, whatever the handler last reported."""
    if job.status == JobStatus.SUCCEEDED:
        return 100
    return int(done * 100 / total) if total else 0


def job_run(*, job_id: int) -> Job:
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(status=JobStatus.RUNNING, started_at=timezone.now())
    job = Job.objects.select_related("owner").get(pk=job_id)
    if not claimed:
        return job  # another worker has it, or it already ran
    try:
        data = _take_input(job)
        outcome = registry.kind(job.kind).handler(job=job, data=data, progress=ProgressReporter(job.pk))
    except ApplicationError as exc:
        outcome = registry.JobOutcome(ok=False, summary=exc.message)
    except Exception:  # the worker must record every failure, whatever raised it
        logger.exception("job %s (%s) crashed", job.pk, job.kind)
        outcome = registry.JobOutcome(ok=False, summary="处理时发生意外错误，请稍后重试；如仍失败请联系管理员")
    return _finish(job, outcome)


def _take_input(job: Job) -> bytes:
    """Read the upload and delete it at once: uploads carry personal data (names, ID numbers) and must not linger."""
    if not job.input_file:
        return b""
    try:
        with job.input_file.open("rb") as handle:
            return handle.read()
    finally:
        job.input_file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(input_file="")


def jobs_expire_stale(*, older_than: timedelta = timedelta(hours=6)) -> int:
    """Jobs never picked up (a lost enqueue, a stopped worker) fail with a message, and their uploads are deleted."""
    stale = Job.objects.filter(status=JobStatus.QUEUED, created_at__lt=timezone.now() - older_than)
    for job in stale:
        if job.input_file:
            job.input_file.delete(save=False)
    return stale.update(status=JobStatus.FAILED, input_file="", finished_at=timezone.now(),
                        summary="任务长时间未能开始处理，已取消，上传的文件已删除。请重新上传。")


def jobs_purge_results(*, older_than: timedelta = RESULT_KEEP) -> int:
    """Delete the result files of jobs finished longer ago than `older_than`; the job keeps its summary and the file's name."""
    expired = Job.objects.filter(finished_at__lt=timezone.now() - older_than).exclude(result_file="")
    purged = 0
    for job in expired:
        job.result_file.delete(save=False)
        purged += Job.objects.filter(pk=job.pk).update(result_file="")
    return purged


@transaction.atomic
def _finish(job: Job, outcome: registry.JobOutcome) -> Job:
    done, total = cache.get(PROGRESS_KEY.format(job.pk)) or (0, 0)
    job.status = JobStatus.SUCCEEDED if outcome.ok else JobStatus.FAILED
    job.summary, job.finished_at = outcome.summary[:300], timezone.now()
    job.link, job.link_label = outcome.link, outcome.link_label
    job.problem_count = len(outcome.problems)
    job.problems = [{"row": problem.row, "column": problem.column, "message": scrub_pii(problem.message)}
                    for problem in outcome.problems[:PROBLEMS_SHOWN]]
    job.progress_done, job.progress_total = (total, total) if outcome.ok else (done, total)
    if outcome.result:
        job.result_name = outcome.result_name
        _store_result(job, outcome.result)
    job.save()
    notify(
        recipient=job.owner, template_code="job.finished" if outcome.ok else "job.failed",
        params={"kind": registry.label(job.kind), "summary": job.summary}, dedupe_key=f"job:{job.pk}", link=f"/workbench/jobs/{job.pk}/",
    )
    return job


def _store_result(job: Job, result: bytes | Path) -> None:
    """Bytes, or a temporary file the handler wrote (a large result), which is copied into storage and deleted."""
    name = f"job-{job.pk}-result{Path(job.result_name).suffix or '.xlsx'}"
    if isinstance(result, bytes):
        job.result_file.save(name, ContentFile(result), save=False)
        return
    try:
        with result.open("rb") as handle:
            job.result_file.save(name, File(handle), save=False)
    finally:
        result.unlink(missing_ok=True)


def job_mark_seen(*, actor, job: Job) -> None:
    """The owner has looked at a finished job: it leaves their 待办. Not audited: it changes what the desk lists, nothing else."""
    if job.owner_id == actor.pk and job.finished and job.seen_at is None:
        Job.objects.filter(pk=job.pk, seen_at__isnull=True).update(seen_at=timezone.now())
