"""How the audit page names this app's audit actions and data keys (gonghui.audit.labels)."""

ACTIONS = {
    "worktime.holiday.set": "设置放假/调休",
    "worktime.year.confirmed": "确认全年放假安排",
    # the Django admin's changes (worktime.admin.AuditedAdmin)
    "worktime.holidayoverride.created": "新增放假/调休（后台）",
    "worktime.holidayoverride.updated": "修改放假/调休（后台）",
    "worktime.holidayoverride.deleted": "删除放假/调休（后台）",
    "worktime.holidayyear.created": "新增年度安排（后台）",
    "worktime.holidayyear.updated": "修改年度安排（后台）",
    "worktime.holidayyear.deleted": "删除年度安排（后台）",
    "worktime.workschedule.created": "新增作息时间（后台）",
    "worktime.workschedule.updated": "修改作息时间（后台）",
    "worktime.workschedule.deleted": "删除作息时间（后台）",
}

FIELDS = {"date": "日期", "kind": "类型"}
