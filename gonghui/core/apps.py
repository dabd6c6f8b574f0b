from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gonghui.core"
    verbose_name = "基础"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from gonghui.core.middleware import stamp_session_at_login

        user_logged_in.connect(stamp_session_at_login, dispatch_uid="gonghui.core.stamp_session_at_login")
