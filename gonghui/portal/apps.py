from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The two shells: the worker H5 and the cadre 工作台 home. No models, no business rules."""

    name = "gonghui.portal"
    verbose_name = "门户"
