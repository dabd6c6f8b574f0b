"""How the audit page names this app's audit actions and data keys (gonghui.audit.labels)."""

ACTIONS = {
    "trips.base.accredited": "认定疗休养基地",
    "trips.base.accreditation_changed": "变更基地认定",
    "trips.base.inspected": "记录基地检查",
    "trips.route.created": "新建疗休养线路",
    "trips.route.published": "发布疗休养线路",
    "trips.route.closed": "停办疗休养线路",
    "trips.route.draft": "疗休养线路改为草稿",
    "trips.departure.created": "新增疗休养团期",
    "trips.batch.booked": "组团报名疗休养",
    "trips.place.requested": "职工申请疗休养",
    "trips.place.approved": "同意职工疗休养申请",
    "trips.place.refused": "不同意职工疗休养申请",
    "trips.place.cancelled": "取消疗休养名额",
    "trips.batch.cancelled": "取消疗休养批次",
    "trips.claim.submitted": "申领疗休养奖补",
    "trips.claim.approved": "审核通过奖补申领",
    "trips.claim.rejected": "退回奖补申领",
    "trips.claim.paid": "拨付疗休养奖补",
    "trips.claim.file_opened": "查看奖补申领材料",
    "trips.budget.set": "设置疗休养预算",
    "trips.policy.set": "设置疗休养经费政策",
    "trips.model_worker.added": "添加劳模名单",
    "trips.model_worker.imported": "导入劳模名单",
    "trips.demo.seeded": "生成演示疗休养数据",
}

FIELDS = {
    "from": "有效期起", "to": "有效期止", "province": "省份", "status": "状态", "note": "说明", "before": "修改前", "result": "检查结果",
    "on": "日期", "base": "基地", "days": "天数", "price": "每人费用（元）", "eligibility": "参加对象", "starts_on": "出发日期",
    "capacity": "名额", "departure": "团期", "count": "人数", "match": "配套（元）", "reason": "原因", "people": "人数",
    "amount": "金额（元）", "year": "年度", "subsidy": "每人奖补（元）", "ratio": "配套比例", "title": "荣誉称号", "file": "文件",
    "match_reversed": "冲销配套（元）", "refund": "应退个人部分（元）", "places": "取消名额数",
}

VALUES = {
    "eligibility": {"members": "全体会员", "model_workers": "仅限劳模", "orgs": "指定组织的会员"},
    "result": {"passed": "合格", "rectify": "限期整改", "failed": "不合格"},
    "status": {"active": "认定有效", "suspended": "暂停", "revoked": "已撤销"},
}
