from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """审计事件: who did what to which object, in which org, when. Rows are only ever added."""

    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField("操作", max_length=100, db_index=True)  # dotted: orgs.org.moved
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    org_path = models.CharField("所属组织路径", max_length=255, blank=True, db_index=True)
    data = models.JSONField("变更内容", default=dict, blank=True)

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"
