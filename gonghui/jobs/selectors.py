from django.db.models import QuerySet

from gonghui.core.exceptions import NotFound
from gonghui.jobs.models import Job, JobStatus


def job_list(*, actor) -> QuerySet[Job]:
    """Jobs are visible to their owner and to system administrators only."""
    jobs = Job.objects.select_related("owner")
    return jobs if actor.is_superuser else jobs.filter(owner=actor)


def job_get_for(*, actor, job_id) -> Job:
    try:
        return job_list(actor=actor).get(pk=int(job_id))
    except (Job.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def job_result_get_for(*, actor, job_id) -> Job:
    """A job whose result the actor may download: their own only. A result can hold personal data its owner was allowed
    to see (a full export, for which they gave a reason), so administrators see the job but not its file."""
    try:
        return Job.objects.get(pk=int(job_id), owner=actor)
    except (Job.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def job_unseen_finished(*, actor) -> QuerySet[Job]:
    """The actor's own jobs that ended since they last looked (administrators too: their own only), latest first."""
    return Job.objects.filter(owner=actor, status__in=(JobStatus.SUCCEEDED, JobStatus.FAILED), seen_at__isnull=True).order_by("-finished_at", "-pk")
