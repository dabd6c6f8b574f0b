from django.contrib import admin, messages

from gonghui.core.admin import OneNotFound, SuperuserOnlyAdmin
from gonghui.notify.models import MessageTemplate, Notification, Status
from gonghui.notify.services import notification_retry


@admin.register(MessageTemplate)
class MessageTemplateAdmin(OneNotFound, admin.ModelAdmin):
    list_display = ("code", "channel", "title", "provider_template_code", "essential")
    list_filter = ("channel", "essential")
    search_fields = ("code", "title", "body")


@admin.register(Notification)
class NotificationAdmin(SuperuserOnlyAdmin):
    list_display = ("created_at", "recipient", "channel", "title", "status", "attempts", "last_error", "sent_at", "read_at")
    list_filter = ("status", "channel", "template_code")
    search_fields = ("title", "dedupe_key", "recipient__username")
    actions = ["retry"]

    @admin.action(description="重新发送所选的失败消息")
    def retry(self, request, queryset):
        failed = list(queryset.filter(status=Status.FAILED).values_list("pk", flat=True))
        for notification_id in failed:
            notification_retry(notification_id=notification_id)
        messages.success(request, f"已重新排队 {len(failed)} 条消息")
