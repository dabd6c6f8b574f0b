from django.http import FileResponse
from django.shortcuts import render

from gonghui.core.exceptions import NotFound
from gonghui.core.permissions import workbench_required
from gonghui.core.views import is_htmx, paginate
from gonghui.jobs import registry
from gonghui.jobs.selectors import job_get_for, job_list, job_result_get_for
from gonghui.jobs.services import RESULT_KEEP, job_mark_seen, job_percent, job_progress


def _context(request, job) -> dict:
    done, total = job_progress(job=job)
    return {"job": job, "done": done, "total": total, "percent": job_percent(job=job, done=done, total=total), "label": registry.label(job.kind),
            "keep_days": RESULT_KEEP.days, "may_download": job.owner_id == request.user.pk}


@workbench_required
def job_detail(request, job_id: int):
    job = job_get_for(actor=request.user, job_id=job_id)
    job_mark_seen(actor=request.user, job=job)
    template = "jobs/_progress.html" if is_htmx(request) else "jobs/job_detail.html"
    return render(request, template, _context(request, job))


@workbench_required
def job_result(request, job_id: int):
    job = job_result_get_for(actor=request.user, job_id=job_id)
    if not job.result_file:
        raise NotFound()
    return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=job.result_name or f"任务{job.pk}结果.xlsx")


@workbench_required
def job_index(request):
    page = paginate(request, job_list(actor=request.user), per_page=20)
    return render(request, "jobs/job_list.html", {"page": page, "labels": {j.pk: registry.label(j.kind) for j in page}})
