"""How the audit page names this app's own audit actions (gonghui.audit.labels)."""

ACTIONS = {"audit.key.rotated": "轮换审计密钥"}

FIELDS = {"active": "启用的密钥", "rows_by_key": "各密钥下的记录数", "checkpoint_seq": "检查点链序号"}
