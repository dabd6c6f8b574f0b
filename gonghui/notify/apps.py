from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "gonghui.notify"
    verbose_name = "消息通知"
