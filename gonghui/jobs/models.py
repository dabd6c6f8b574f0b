from django.conf import settings
from django.db import models

from gonghui.core.models import TimeStampedModel
from gonghui.jobs import registry


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "处理中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "未成功"  # refused by the rules (an all-or-nothing file with errors) or stopped by a fault: the summary says which


class Job(TimeStampedModel):
    """One long task run in the background for one person."""

    kind = models.CharField("任务类型", max_length=64)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.CASCADE, related_name="jobs")
    status = models.CharField("状态", max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True)
    progress_done = models.PositiveIntegerField("已处理", default=0)
    progress_total = models.PositiveIntegerField("总数", default=0)
    summary = models.CharField("结果说明", max_length=300, blank=True)
    link = models.CharField("结果页面", max_length=200, blank=True)
    link_label = models.CharField("结果页面名称", max_length=50, blank=True)
    input_file = models.FileField("上传文件", upload_to="jobs/input/%Y/%m/", blank=True)
    input_name = models.CharField("上传文件名", max_length=200, blank=True)
    options = models.JSONField("选项", default=dict, blank=True)
    result_file = models.FileField("结果文件", upload_to="jobs/result/%Y/%m/", blank=True)
    result_name = models.CharField("结果文件名", max_length=200, blank=True)
    # The first rows of an import's error report, PII masked, so the page shows them without the download
    problems = models.JSONField("问题（前若干条）", default=list, blank=True)
    problem_count = models.PositiveIntegerField("问题总数", default=0)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    seen_at = models.DateTimeField("结果查看时间", null=True, blank=True, help_text="发起人看过结束的任务后，它就不再列在工作台待办中")

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{registry.label(self.kind)} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
