from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gonghui.accounts"
    verbose_name = "账号与岗位"
