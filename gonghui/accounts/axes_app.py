"""django-axes (login lockouts) under a Chinese name in the admin. Its models, fields and admin labels are translated by
the project's catalogue (locale/zh_Hans), since the package ships no Chinese; the app's own name needs a config."""
from axes.apps import AppConfig


class AxesConfig(AppConfig):
    verbose_name = "登录锁定（访问记录）"
