"""How the audit page names this app's audit actions and data keys (gonghui.audit.labels)."""

ACTIONS = {"core.pii.keys_rotated": "轮换个人信息密钥"}
