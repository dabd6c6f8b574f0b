from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "gonghui.orgs"
    verbose_name = "工会组织与单位台账"

    def ready(self):
        from gonghui.orgs.jobs import register_jobs

        register_jobs()
