from django.db.models.signals import post_migrate

from gonghui.core.registry import Action, DeclaringApp, DefaultRole, MenuEntry, UrlInclude


class AccountsConfig(DeclaringApp):
    name = "gonghui.accounts"
    verbose_name = "账号与岗位"

    actions = (
        Action("accounts.manage", "管理本辖区人员与岗位", default_roles=("admin",)),
        Action("pii.reveal", "查看完整个人信息（需填写理由，留痕）", default_roles=("admin",)),
    )
    default_roles = (
        DefaultRole("admin", "管理员"),
        DefaultRole("handler", "工单处理员"),
        DefaultRole("lawyer", "律师"),
        DefaultRole("reviewer", "审核员"),
        DefaultRole("analyst", "只读分析"),
    )
    menu = (
        MenuEntry("安全与审计", "人员与岗位", "staff:list", actions=("accounts.manage",), current=("staff:list", "staff:detail", "staff:reveal"), order=800),
        MenuEntry("安全与审计", "岗位管理", "staff:posts", actions=("accounts.manage",), current=("staff:posts", "staff:post_grant", "staff:post_revoke"),
                  order=801),
        MenuEntry("安全与审计", "角色与权限", "staff:roles", actions=("accounts.manage",),
                  current=("staff:roles", "staff:role_create", "staff:role_edit"), order=802),
        MenuEntry("安全与审计", "接口密钥", "staff:api_keys", actions=("accounts.manage",), current=("staff:api_keys", "staff:api_key_issue", "staff:api_key_revoke"),
                  order=803),
        MenuEntry("安全与审计", "对象授权", "staff:object_grants", actions=("accounts.manage",),
                  current=("staff:object_grants", "staff:object_grant_give", "staff:object_grant_revoke"), order=804),
        MenuEntry("系统", "账号安全", "accounts:security", current=("accounts:security", "accounts:password_change"), order=920),
    )
    urls = (UrlInclude("accounts/", "gonghui.accounts.urls"),
            UrlInclude("workbench/", "gonghui.accounts.urls", "workbench_urlpatterns", namespace="staff"))
    api_routers = ("gonghui.accounts.api.router",)
    reference_data = ("gonghui.accounts.roles.load_default_roles",)

    def ready(self):
        from gonghui.accounts.roles import sync_after_migrate

        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="gonghui.accounts.role_defaults_sync")
