"""How the audit page names this app's audit actions and data keys (gonghui.audit.labels)."""

ACTIONS = {
    "accounts.worker.registered": "职工注册账号",
    "accounts.user.pii_revealed": "查看完整个人信息",
    "accounts.totp.enrolled": "绑定动态口令",
    "accounts.sessions.ended_everywhere": "退出所有设备",
}

FIELDS = {"field": "字段", "field_label": "查看内容"}
