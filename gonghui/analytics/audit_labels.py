"""How the audit page names this app's audit actions and data keys (gonghui.audit.labels)."""

ACTIONS = {
    "analytics.alert.raised": "发出群体性预警",
    "analytics.alert.escalated": "群体性预警升级",
    "analytics.alert.noted": "填写预警研判处置记录",
    "analytics.alert.handling": "预警转入处置",
    "analytics.alert.resolved": "解除群体性预警",
    "analytics.metrics.exported": "导出工单统计",
    "analytics.rule.created": "新建预警规则",
    "analytics.rule.updated": "修改预警规则",
    "analytics.rule.enabled": "启用预警规则",
    "analytics.rule.disabled": "停用预警规则",
}
FIELDS = {
    "level": "预警等级", "before": "原等级", "count": "触发计数", "rule": "预警规则", "routes": "分送单位", "due": "期限",
    "org": "统计单位", "from": "开始日期", "to": "结束日期", "by": "分组", "rows": "行数",
    "name": "规则名称", "kind": "规则类型", "topic": "问题类型", "window": "统计天数", "levels": "黄/橙/红阈值", "active": "启用",
}
VALUES = {"level": {"yellow": "黄色", "orange": "橙色", "red": "红色"}, "before": {"yellow": "黄色", "orange": "橙色", "red": "红色"},
          "by": {"org": "下级组织", "category": "诉求类别", "tier": "难易程度", "channel": "来源渠道", "employer": "涉及单位"}}
