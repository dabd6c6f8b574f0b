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
    "bookings.lottery.created": "设为抽签",
    "bookings.lottery.updated": "修改抽签设置",
    "bookings.lottery.published": "发布抽签（冻结名额与条件）",
    "bookings.lottery.registered": "抽签报名",
    "bookings.lottery.withdrawn": "撤回抽签报名",
    "bookings.lottery.closed": "公示抽签名单",
    "bookings.lottery.numbers_entered": "录入开奖号码",
    "bookings.lottery.drawn": "复核开奖号码并抽签",
    "bookings.lottery.amended": "公示抽签结果变更",
}

FIELDS = {
    "kind": "类型", "orgs": "可报名组织", "capacity": "名额", "reserved": "预留名额", "starts_at": "开始时间", "before": "修改前",
    "sessions": "课次数", "whole_term": "整期报名", "session": "场次", "count": "人数", "bans": "暂停预约人数",
    "max_per_person": "每人最多预约次数", "closes_at": "报名截止", "opens_at": "报名开始", "draw_issue": "双色球期号", "draw_id": "抽签编号",
    "seats": "名额", "quotas": "预留名额", "algorithm": "算法版本", "public_draw": "用于抽签的公开开奖", "draw_format": "号码规范文本",
    "eligibility": "报名条件", "code": "回执码", "list_hash": "名单哈希", "draw_text": "开奖号码", "seed": "随机种子", "winners": "中签人数",
    "waitlist": "候补人数", "entered_by": "录入人", "confirmed_by": "复核人", "reason": "原因", "effect": "结果", "private": "心理咨询（不记录预约人与主题）",
}

VALUES = {
    "kind": {"course": "职工夜校", "activity": "文体活动", "online": "线上课", "custom": "定制课堂", "counselling": "心理咨询", "room": "场地预约"},
}
