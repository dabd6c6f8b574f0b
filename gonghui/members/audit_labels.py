"""How the audit page names this app's audit actions and data keys (gonghui.audit.labels)."""
from gonghui.members.imports import MODES

ACTIONS = {
    "members.application.submitted": "提交入会申请",
    "members.person.verified": "实名认证",
    "members.application.approved": "批准入会申请",
    "members.application.rejected": "驳回入会申请",
    "members.application.rerouted": "转交入会申请",
    "members.application.overdue_flagged": "入会申请超期提醒",
    "members.join_policy.set": "设置入会审核方式",
    "members.join_codes.created": "生成入会码",
    "members.membership.imported_batch": "批量导入会员",
    "members.membership.export_requested": "申请导出会员（完整信息）",
    "members.membership.exported_full": "导出会员（完整信息）",
    "members.membership.exported": "导出会员（脱敏）",
    "members.membership.left": "退会",
    "members.transfer.requested": "申请会籍转接",
    "members.transfer.accepted": "接收会籍转接",
    "members.transfer.rejected": "退回会籍转接",
    "members.appeal.filed": "提交冒用申诉",
    "members.appeal.upheld": "冒用申诉属实",
    "members.appeal.dismissed": "冒用申诉不属实",
    "members.appeal.evidence_viewed": "查看申诉材料",
    "members.star.awarded": "评定星级会员",
    "members.tags.changed": "修改会员标签",
    "members.segment.saved": "保存会员分群",
    "members.segment.renamed": "重命名会员分群",
    "members.segment.deleted": "删除会员分群",
    "members.prospects.uploaded": "上传潜在会员名单",
    "members.prospects.purged": "清除到期潜在会员名单",
    "members.drive.created": "新建入会行动",
    "members.drive.targets_set": "分解行动目标",
    "members.visit.logged": "登记走访",
}

FIELDS = {
    "union": "工会编码", "holding_pool": "进入周转库", "member_number": "会员编号", "auto_approve": "自动通过", "orgs": "组织",
    "skipped": "跳过", "problems": "问题数", "metric": "指标", "target": "目标", "targets": "分解目标", "met": "接触人数",
    "joined": "现场入会", "drive": "入会行动编号", "added": "添加", "removed": "移除", "stars": "星级",
}

VALUES = {"mode": MODES}
