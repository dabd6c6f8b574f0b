from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gonghui.core"
    verbose_name = "基础"
