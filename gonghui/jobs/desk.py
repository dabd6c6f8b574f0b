"""The jobs app's part of the cadre's desk (declared in JobsConfig): results of their background jobs not yet looked at."""
from django.urls import reverse

from gonghui.core.registry import TodoItem, TodoList
from gonghui.jobs import registry
from gonghui.jobs.selectors import job_unseen_finished


def finished_jobs(*, actor, limit: int) -> TodoList:
    jobs = job_unseen_finished(actor=actor)
    items = [TodoItem(title=f"{registry.label(job.kind)}：{job.get_status_display()}", url=reverse("jobs:detail", kwargs={"job_id": job.pk}),
                      waiting_since=job.finished_at, note=job.summary) for job in jobs[:limit]]
    return TodoList(count=jobs.count(), items=items, url=reverse("jobs:list"))
