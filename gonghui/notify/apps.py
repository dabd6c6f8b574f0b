from gonghui.core.registry import DeclaringApp, UrlInclude


class NotifyConfig(DeclaringApp):
    name = "gonghui.notify"
    verbose_name = "消息通知"

    # The inbox sits in both shells' headers, not in a menu.
    urls = (UrlInclude("workbench/", "gonghui.notify.urls", namespace="notify"), UrlInclude("h5/", "gonghui.notify.urls", namespace="h5_notify"))
    reference_data = ("gonghui.notify.migrations.0002_default_templates.create",)
