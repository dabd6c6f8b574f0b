"""Background jobs API: the caller's imports and 潜在会员 uploads with their progress, as the job pages show them."""
from __future__ import annotations

import datetime as dt

from django.urls import reverse
from ninja import Field, Path, Router, Schema
from ninja.pagination import paginate

from gonghui.core.api import PageRows, Pages
from gonghui.jobs import registry, selectors
from gonghui.jobs.models import Job
from gonghui.jobs.services import job_percent, job_progress

router = Router(tags=["后台任务"])


class JobProgressOut(Schema):
    done: int = Field(title="已处理")
    total: int = Field(title="总数", description="0：尚未读出总行数")
    percent: int = Field(title="完成百分比", description="0–100；成功完成的任务为 100")


class JobOut(Schema):
    id: int = Field(title="任务 id")
    kind: str = Field(title="任务类型代码")
    kind_label: str = Field(title="任务类型")
    status: str = Field(title="状态", description="queued 排队中，running 处理中，succeeded 已完成，failed 未成功（说明见 summary）")
    status_display: str = Field(title="状态说明")
    input_name: str = Field(title="上传文件名")
    progress: JobProgressOut = Field(title="进度", description="运行中的任务取实时进度")
    summary: str = Field(title="结果说明")
    created_at: dt.datetime = Field(title="提交时间")
    started_at: dt.datetime | None = Field(title="开始时间")
    finished_at: dt.datetime | None = Field(title="结束时间")
    has_result: bool = Field(title="有结果文件", description="结果文件或错误报告可下载")
    result_name: str = Field(title="结果文件名")
    result_url: str | None = Field(title="下载地址", description="工作台的下载页（会话登录），无结果文件时为 null")
    link: str = Field(title="结果页面", description="任务生成的内容所在的工作台页面（如潜在会员名单），没有时为空")


def _job_row(job: Job, *, actor) -> dict:
    done, total = job_progress(job=job)
    # the page offers the file only once the job is over, and only to its owner (job_result_get_for)
    downloadable = job.finished and bool(job.result_file) and job.owner_id == actor.pk
    return {
        "id": job.pk, "kind": job.kind, "kind_label": registry.label(job.kind), "status": job.status,
        "status_display": job.get_status_display(), "input_name": job.input_name,
        "progress": {"done": done, "total": total, "percent": job_percent(job=job, done=done, total=total)},
        "summary": job.summary, "created_at": job.created_at, "started_at": job.started_at, "finished_at": job.finished_at,
        "has_result": downloadable, "result_name": job.result_name if downloadable else "",
        "result_url": reverse("jobs:result", kwargs={"job_id": job.pk}) if downloadable else None, "link": job.link,
    }


@router.get("/jobs", response=list[JobOut],
            summary="我的后台任务", description="调用者提交的导入、导出等后台任务，新的在前（系统管理员看到全部，同“我的任务”页面）。")
@paginate(Pages, page_size=50)
def job_list(request):
    """The caller's jobs, newest first (system administrators see everyone's, as on the 我的任务 page)."""
    return PageRows(selectors.job_list(actor=request.user), lambda jobs: [_job_row(job, actor=request.user) for job in jobs])


@router.get("/jobs/{job_id}", response=JobOut,
            summary="后台任务详情", description="运行中可轮询查看实时进度；别人的任务与不存在的一样返回 404。")
def job_detail(request, job_id: int = Path(description="任务 id")):
    """One job: poll it while it runs. Someone else's job answers 404, as a missing one does."""
    return _job_row(selectors.job_get_for(actor=request.user, job_id=job_id), actor=request.user)
