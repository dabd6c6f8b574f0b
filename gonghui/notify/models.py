from django.conf import settings
from django.db import models

from gonghui.core.models import TimeStampedModel


class Channel(models.TextChoices):
    INBOX = "inbox", "站内信"
    SMS = "sms", "短信"
    WECHAT = "wechat", "微信模板消息"


class MessageTemplate(TimeStampedModel):
    """消息模板: title and body with {parameters}, per channel; SMS also names the provider's template code."""

    code = models.SlugField("模板代码", max_length=64)
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容", help_text="可用 {参数名} 引用参数")
    provider_template_code = models.CharField("服务商模板编号", max_length=64, blank=True, help_text="短信/微信服务商处备案的模板编号")
    essential = models.BooleanField("必要消息", default=True, help_text="必要消息不受用户“关闭非必要消息”设置影响")

    class Meta:
        verbose_name = "消息模板"
        verbose_name_plural = "消息模板"
        constraints = [models.UniqueConstraint(fields=["code", "channel"], name="template_code_channel_unique")]

    def __str__(self) -> str:
        return f"{self.code} · {self.get_channel_display()}"


class Status(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    SKIPPED = "skipped", "未发送"


class Notification(TimeStampedModel):
    """One message to one person on one channel; the inbox shows the inbox ones."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications")
    template_code = models.CharField("模板", max_length=64)
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容")
    params = models.JSONField("参数", default=dict, blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    dedupe_key = models.CharField("去重键", max_length=200)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.CharField("失败原因", max_length=300, blank=True)
    provider_message_id = models.CharField("服务商消息ID", max_length=100, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息记录"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "channel", "dedupe_key"], name="notification_dedupe"),
        ]
        indexes = [models.Index(fields=["recipient", "channel", "read_at"], name="notification_inbox_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}: {self.title}"


class NotificationPreference(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference")
    receive_non_essential = models.BooleanField("接收非必要消息（活动推荐等）", default=True)

    class Meta:
        verbose_name = "消息设置"
        verbose_name_plural = "消息设置"

    def __str__(self) -> str:
        return "接收非必要消息" if self.receive_non_essential else "不接收非必要消息"
