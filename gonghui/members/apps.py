from django.apps import AppConfig


class MembersConfig(AppConfig):
    """会员: people, memberships, 一键入会 with routing, 一县一码, member cards, 会籍转接, 冒用 appeals."""

    name = "gonghui.members"
    verbose_name = "会员"

    def ready(self):
        from gonghui.members.jobs import register_jobs

        register_jobs()
