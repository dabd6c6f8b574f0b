from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "gonghui.orgs"
    verbose_name = "工会组织与单位台账"
