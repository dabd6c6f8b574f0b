"""How the audit page names this app's audit actions and data keys (gonghui.audit.labels)."""

ACTIONS = {
    "tickets.ticket.filed": "受理诉求工单",
    "tickets.ticket.exported": "导出诉求工单清单",
    "tickets.ticket.merged": "重复诉求合并",
    "tickets.ticket.acknowledged": "发出受理告知",
    "tickets.ticket.dispatched": "派单",
    "tickets.ticket.assigned": "指定承办人",
    "tickets.ticket.accepted": "签收工单",
    "tickets.ticket.noted": "填写办理记录",
    "tickets.ticket.message": "工单内部沟通",
    "tickets.ticket.attached": "上传工单附件",
    "tickets.ticket.material_requested": "请反映人补充材料",
    "tickets.ticket.material_added": "补充材料",
    "tickets.ticket.replied": "回复反映人",
    "tickets.ticket.followed_up": "回访",
    "tickets.ticket.closed": "办结工单",
    "tickets.ticket.reopened": "重新办理",
    "tickets.ticket.escalated": "提级办理",
    "tickets.ticket.bounced": "退单",
    "tickets.ticket.transferred": "转办",
    "tickets.ticket.extension_requested": "申请延期",
    "tickets.ticket.extension_approved": "同意延期",
    "tickets.ticket.extension_refused": "不同意延期",
    "tickets.ticket.supervised": "督办",
    "tickets.ticket.withdrawn": "撤回诉求",
    "tickets.ticket.party_named": "登记被反映对象（回避）",
    "tickets.attachment.viewed": "查看工单附件",
    "tickets.sla_policy.updated": "修改时限标准",
    "tickets.sla.scanned": "工单时限扫描",
    "tickets.duty_shift.created": "安排值班",
    "tickets.demo.seeded": "生成演示工单",
}

FIELDS = {
    "number": "工单号", "kind": "类型", "party": "被反映对象", "state": "状态", "channel": "来源渠道", "category": "诉求类别", "urgency": "紧急程度", "employer": "涉及单位",
    "attachments": "附件数", "into": "合并至", "to": "交至", "by_org": "单位", "count": "次数", "bounces": "累计退单", "late": "超时",
    "closing_kind": "办结方式", "agency": "转交部门", "referred_on": "转交日期", "result": "回访结果", "by_worker": "职工自评",
    "satisfaction": "回访结果", "amount": "延长", "unit": "单位", "new_due": "新期限", "resumed_due": "恢复计时后的期限",
    "what": "需补充的材料", "from_org": "原承办单位", "assignee": "承办人", "warned": "临期提醒", "breached": "新增超时",
    "supervised": "自动督办", "orgs": "涉及单位数", "digests": "汇总提醒条数", "no_escalation": "无上级可提级",
}

VALUES = {
    "state": {"received": "待派单", "assigned": "待签收", "accepted": "已签收", "in_progress": "办理中", "waiting_material": "待补充材料",
              "replied": "待回访", "closed": "已办结", "withdrawn": "已撤回", "merged": "已合并"},
    "channel": {"h5": "H5表单", "letter": "网上信箱", "hotline": "12351热线", "api": "接口接入"},
    "category": {"consult": "咨询", "complaint": "投诉", "help": "求助帮扶", "legal_aid": "法律援助", "petition": "信访", "suggestion": "意见建议"},
    "urgency": {"normal": "一般", "urgent": "紧急"},
    "closing_kind": {"answered": "答复办结", "referred": "转交有关部门", "direct": "直接办结"},
    "result": {"satisfied": "满意", "basic": "基本满意", "dissatisfied": "不满意", "unreached": "未回访"},
    "satisfaction": {"satisfied": "满意", "basic": "基本满意", "dissatisfied": "不满意", "unreached": "未回访"},
}
