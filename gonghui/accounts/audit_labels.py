"""How the audit page names this app's audit actions and data keys (gonghui.audit.labels)."""

ACTIONS = {
    "accounts.worker.registered": "职工注册账号",
    "accounts.user.pii_revealed": "查看完整个人信息",
    "accounts.totp.enrolled": "绑定动态口令",
    "accounts.sessions.ended_everywhere": "退出所有设备",
    "accounts.post.granted": "授予岗位",
    "accounts.post.revoked": "撤销岗位",
    "accounts.role.created": "新建角色",
    "accounts.role.updated": "修改角色权限",
    "accounts.role.defaults_given": "角色获得新功能的默认权限",
    "accounts.api_key.issued": "签发接口密钥",
    "accounts.api_key.revoked": "吊销接口密钥",
    "accounts.object_grant.given": "授予对象权限",
    "accounts.object_grant.revoked": "撤销对象权限",
}

FIELDS = {"field": "字段", "field_label": "查看内容", "grantee": "被授权人", "object": "对象", "actions": "可执行的操作",
          "since": "生效时间", "until": "失效时间", "client_name": "调用方", "prefix": "密钥前缀", "org": "组织"}


class _ActionLabels(dict):
    """Action codes by their labels, read from the registry when the audit page first asks (after every app is ready)."""

    def get(self, key, default=None):
        from gonghui.core.registry import action_labels

        return action_labels().get(key, default)


VALUES = {"actions": _ActionLabels()}
