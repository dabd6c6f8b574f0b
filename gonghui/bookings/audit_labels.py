"""How the audit page names this app's audit actions and data keys (gonghui.audit.labels)."""

ACTIONS = {
    "bookings.term.created": "新建预约学期",
    "bookings.offering.created": "新建预约项目",
    "bookings.offering.updated": "修改预约项目",
    "bookings.offering.published": "发布预约项目",
    "bookings.offering.withdrawn": "撤回预约项目",
    "bookings.offering.draft": "预约项目改为草稿",
    "bookings.session.created": "新增预约场次",
    "bookings.session.updated": "修改预约场次",
    "bookings.session.messaged": "通知已预约人员",
    "bookings.booking.created": "预约",
    "bookings.booking.cancelled": "取消预约",
    "bookings.booking.finished": "完成线上课学习",
    "bookings.booking.checked_in": "预约签到",
    "bookings.waitlist.joined": "加入候补",
    "bookings.waitlist.confirmed": "确认候补名额",
    "bookings.waitlist.left": "退出候补",
    "bookings.waitlist.expired": "候补名额超时顺延",
    "bookings.no_shows.recorded": "记录爽约",
    "bookings.roster.exported": "导出预约名单",
    "bookings.demo.seeded": "生成演示预约项目",
}

FIELDS = {
    "kind": "类型", "orgs": "可报名组织", "capacity": "名额", "reserved": "预留名额", "starts_at": "开始时间", "before": "修改前",
    "sessions": "课次数", "whole_term": "整期报名", "session": "场次", "count": "人数", "bans": "暂停预约人数",
    "max_per_person": "每人最多预约次数", "private": "心理咨询（不记录预约人与主题）",
}

VALUES = {
    "kind": {"course": "职工夜校", "activity": "文体活动", "online": "线上课", "custom": "定制课堂", "counselling": "心理咨询", "room": "场地预约"},
}
