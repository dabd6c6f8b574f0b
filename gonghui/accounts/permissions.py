"""Actions a role may grant. Apps register their actions here; roles list them as data."""

ACTIONS = {
    "orgs.view": "查看工会组织",
    "orgs.manage": "管理工会组织（新建、编辑、调整上级、导入）",
    "employers.view": "查看用人单位台账",
    "employers.manage": "管理用人单位台账（登记、编辑、导入）",
    "pii.reveal": "查看完整个人信息（需填写理由，留痕）",
    "audit.view": "查看审计日志",
    "accounts.manage": "管理本辖区人员与岗位",
    "calendar.manage": "维护工作日历（节假日、调休、办公时间）",
    "members.view": "查看会员",
    "members.manage": "办理入会审核、会籍转接与冒用申诉",
    "members.card_verify": "验证会员卡（扫码查看会员的脱敏姓名、所属工会与会籍状态）",
}

READ_ACTIONS = frozenset(action for action in ACTIONS if action.endswith(".view"))

# The roles every federation starts with (a data migration creates them; admins may add more).
DEFAULT_ROLES = {
    "admin": ("管理员", sorted(set(ACTIONS) - {"calendar.manage"})),  # members.card_verify too: 0008  # the calendar is province-wide: see 0005
    "handler": ("工单处理员", ["orgs.view", "employers.view"]),
    "lawyer": ("律师", ["orgs.view"]),
    "reviewer": ("审核员", ["orgs.view", "employers.view", "members.view", "members.manage", "members.card_verify"]),
    "analyst": ("只读分析", ["orgs.view", "employers.view", "audit.view", "members.view", "members.card_verify"]),
}


def is_read_action(action: str) -> bool:
    return action in READ_ACTIONS
