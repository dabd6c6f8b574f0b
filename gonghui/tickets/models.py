"""诉求工单: a worker's problem from intake to 办结, with every step, every org that held it and its running time limits.

An order is read by every org that has held it (`TicketHolding`), by the dispatching centre, by the worker who filed it
(owner rows) and by the orgs above them; it is acted on by the current holder (handling), the centre (dispatch, 回访) and
the orgs above the holder (督办, 延期). An order about an employer is withheld from that employer's own union and accounts
at every step, and so is an order from every union, employer and person it names (`TicketParty`, `Access.conflict`).
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from gonghui.core.access import Above, Access, Conflict, ScopedQuerySet
from gonghui.core.fields import BlindIndexField, EncryptedTextField
from gonghui.core.masking import mask_name
from gonghui.core.models import TimeStampedModel
from gonghui.core.validators import InvalidIdentifier, normalize_mobile, normalize_person_name
from gonghui.worktime.deadlines import LimitUnit, RunningLimit

VIEW, DISPATCH, HANDLE = "tickets.view", "tickets.dispatch", "tickets.handle"
SUPERVISE, FOLLOW_UP, ADMIN_SLA = "tickets.supervise", "tickets.follow_up", "tickets.admin_sla"
KNOWLEDGE = "tickets.knowledge"

def about_parties(prefix: str = "") -> Conflict:
    """回避 for an order's rows: the employer it is about and every party it names never reach them."""
    return Conflict(employers=(f"{prefix}employer", f"{prefix}parties__employer"), orgs=(f"{prefix}parties__org",),
                    people=(f"{prefix}parties__person",))


def normalize_caller_phone(value: object) -> str:
    """A mainland mobile as `normalize_mobile` gives it; a landline a hotline caller rang from (020-12345678, 12351) as its
    digits, area code included."""
    try:
        return normalize_mobile(value)
    except InvalidIdentifier:
        digits = "".join(char for char in str(value or "") if char.isascii() and char.isdigit())
        if not 5 <= len(digits) <= 12:
            raise InvalidIdentifier("电话号码格式不正确：手机号为11位，固定电话请带区号，如 020-12345678") from None
        return digits


UNIT_CHOICES = [(unit.value, unit.label) for unit in LimitUnit if unit != LimitUnit.DAYTIME_HOURS]  # SLA limits run in business or clock time


class Channel(models.TextChoices):
    H5 = "h5", "H5表单"
    LETTER = "letter", "网上信箱"
    HOTLINE = "hotline", "12351热线"
    API = "api", "接口接入"


class Category(models.TextChoices):
    """12351 takes 咨询, 帮扶, 信访投诉, 法律援助 and 建议 (DOMAIN-NOTES §1); 投诉 and 信访 are kept apart because 信访 runs on
    the 信访工作条例's calendar-day limits."""

    CONSULT = "consult", "咨询"
    COMPLAINT = "complaint", "投诉"
    HELP = "help", "求助帮扶"
    LEGAL_AID = "legal_aid", "法律援助"
    PETITION = "petition", "信访"
    SUGGESTION = "suggestion", "意见建议"


class Topic(models.TextChoices):
    """What the problem is about (劳动关系态势监测 counts these)."""

    WAGES = "wages", "欠薪"
    SOCIAL_INSURANCE = "social_insurance", "社会保险"
    CONTRACT = "contract", "劳动合同"
    INJURY = "injury", "工伤"
    HOURS = "hours", "工时与休息休假"
    SAFETY = "safety", "劳动安全卫生"
    DISMISSAL = "dismissal", "解除劳动关系"
    PLATFORM = "platform", "平台规则与派单"
    UNION = "union", "工会工作"
    OTHER = "other", "其他"


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"


class Tier(models.TextChoices):
    """12351's three tiers with their own limits (DOMAIN-NOTES §1; the numbers are ours, decision 0019)."""

    GENERAL = "general", "一般"
    DIFFICULT = "difficult", "难点"
    COMPLEX = "complex", "特别复杂"


class State(models.TextChoices):
    RECEIVED = "received", "待派单"  # 受理: at the dispatching centre (also after a 退单)
    ASSIGNED = "assigned", "待签收"  # 派单 / 转办 to an org
    ACCEPTED = "accepted", "已签收"
    IN_PROGRESS = "in_progress", "办理中"  # 办理, and 重新办理 after a 不满意
    WAITING_MATERIAL = "waiting_material", "待补充材料"  # the limit is paused
    REPLIED = "replied", "待回访"  # 回复 given, 回访 by the centre due
    CLOSED = "closed", "已办结"
    WITHDRAWN = "withdrawn", "已撤回"
    MERGED = "merged", "已合并"  # a duplicate linked to the open order


OPEN_STATES = (State.RECEIVED, State.ASSIGNED, State.ACCEPTED, State.IN_PROGRESS, State.WAITING_MATERIAL, State.REPLIED)
HANDLING_STATES = (State.ACCEPTED, State.IN_PROGRESS)
TIMED_STATES = (State.RECEIVED, State.ASSIGNED, State.ACCEPTED, State.IN_PROGRESS, State.REPLIED)


class ClosingKind(models.TextChoices):
    ANSWERED = "answered", "答复办结"
    REFERRED = "referred", "转交有关部门"
    DIRECT = "direct", "直接办结"  # a pure 咨询 answered on the call


class Agency(models.TextChoices):
    LABOUR_INSPECTION = "labour_inspection", "劳动保障监察"
    HRSS = "hrss", "人力资源和社会保障部门"
    ARBITRATION = "arbitration", "劳动人事争议仲裁院"
    COURT = "court", "人民法院"
    OTHER = "other", "其他部门"


class ContactPreference(models.TextChoices):
    PHONE = "phone", "电话联系"
    SMS = "sms", "短信"
    ONLINE = "online", "只在线上查看"


class DueKind(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", "受理告知"
    ACCEPT = "accept", "签收"
    RESOLVE = "resolve", "办结"
    FOLLOW_UP = "follow_up", "回访"


class TicketQuerySet(ScopedQuerySet):
    def open(self) -> TicketQuerySet:
        return self.filter(state__in=OPEN_STATES)


class Ticket(TimeStampedModel):
    """诉求工单."""

    number = models.CharField("工单号", max_length=20, unique=True)
    channel = models.CharField("来源渠道", max_length=16, choices=Channel.choices)
    category = models.CharField("诉求类别", max_length=16, choices=Category.choices)
    topic = models.CharField("问题类型", max_length=24, choices=Topic.choices, default=Topic.OTHER)
    urgency = models.CharField("紧急程度", max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    tier = models.CharField("难易程度", max_length=12, choices=Tier.choices, default=Tier.GENERAL)
    title = models.CharField("标题", max_length=100)
    description = models.TextField("诉求内容")
    affected_count = models.PositiveIntegerField("涉及人数", default=1)
    new_form_type = models.CharField("新就业形态", max_length=32, blank=True)

    employer = models.ForeignKey("orgs.Employer", verbose_name="涉及单位", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="tickets")
    employer_name = models.CharField("单位名称", max_length=200, blank=True)
    employer_uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    district = models.ForeignKey("orgs.Org", verbose_name="所在地区", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    centre = models.ForeignKey("orgs.Org", verbose_name="派单中心", on_delete=models.PROTECT, related_name="tickets_dispatched")
    holder = models.ForeignKey("orgs.Org", verbose_name="当前承办单位", on_delete=models.PROTECT, related_name="tickets_held")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="承办人", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="tickets_assigned")
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.RECEIVED)

    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交人账号", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="tickets_filed")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", help_text="热线坐席或接口账号")
    member = models.ForeignKey("members.Membership", verbose_name="会员", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="tickets", db_index=False)
    caller_name = EncryptedTextField("来电人/反映人姓名", blank=True, default="")
    caller_name_index = BlindIndexField(source="caller_name", purpose="ticket_caller_name", normalizer=normalize_person_name)
    caller_phone = EncryptedTextField("联系电话", blank=True, default="")
    caller_phone_index = BlindIndexField(source="caller_phone", purpose="ticket_caller_phone", normalizer=normalize_caller_phone)
    callback_phone = EncryptedTextField("回访电话", blank=True, default="")
    call_ref = models.CharField("来电流水号", max_length=64, blank=True)
    contact_preference = models.CharField("联系方式偏好", max_length=8, choices=ContactPreference.choices, default=ContactPreference.PHONE)
    anonymous = models.BooleanField("对承办单位匿名", default=False, help_text="承办单位看不到反映人的姓名和电话，派单中心可见")
    query_code_index = models.CharField("查询码摘要", max_length=64, blank=True, editable=False)
    form_token = models.CharField("表单令牌", max_length=64, null=True, blank=True, unique=True, editable=False)
    duplicate_of = models.ForeignKey("self", verbose_name="合并至", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="duplicates")

    acknowledged_at = models.DateTimeField("受理告知时间", null=True, blank=True)
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    accepted_at = models.DateTimeField("签收时间", null=True, blank=True)
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closing_kind = models.CharField("办结方式", max_length=16, choices=ClosingKind.choices, blank=True)
    referral_agency = models.CharField("转交部门", max_length=24, choices=Agency.choices, blank=True)
    referral_agency_name = models.CharField("转交部门名称", max_length=100, blank=True)
    referred_on = models.DateField("转交日期", null=True, blank=True)
    satisfaction = models.CharField("回访结果", max_length=16, blank=True)

    reopen_count = models.PositiveSmallIntegerField("重新办理次数", default=0)
    bounce_count = models.PositiveSmallIntegerField("退单次数", default=0)
    transfer_count = models.PositiveSmallIntegerField("转办次数", default=0)
    escalated = models.BooleanField("已提级办理", default=False)
    extended = models.BooleanField("已延期", default=False)
    supervised_at = models.DateTimeField("督办时间", null=True, blank=True)
    auto_supervised_at = models.DateTimeField("超时自动督办时间", null=True, blank=True)
    breach_count = models.PositiveSmallIntegerField("超时次数", default=0)

    # The limit to 办结, a worktime RunningLimit stored when it starts (受理), paused while 待补充材料.
    resolve_unit = models.CharField("办结时限单位", max_length=16, choices=UNIT_CHOICES)
    resolve_amount = models.PositiveSmallIntegerField("办结时限")
    resolve_started_at = models.DateTimeField("办结时限起算")
    resolve_due_at = models.DateTimeField("办结期限")
    paused_at = models.DateTimeField("暂停计时时间", null=True, blank=True)
    paused_days = models.PositiveSmallIntegerField("已暂停自然日", default=0)
    ack_due_at = models.DateTimeField("受理告知期限", null=True, blank=True)
    accept_due_at = models.DateTimeField("签收期限", null=True, blank=True)
    bounce_until = models.DateTimeField("可退单截止", null=True, blank=True)
    follow_up_due_at = models.DateTimeField("回访期限", null=True, blank=True)
    # The deadline the order now runs against (the earliest step limit of its state), what the desk counts down and the
    # breach scan reads: one reminder (warned_at) and one breach mark (breached_at) for each such deadline.
    due_at = models.DateTimeField("当前期限", null=True, blank=True)
    due_kind = models.CharField("当前期限环节", max_length=16, choices=DueKind.choices, blank=True)
    due_unit = models.CharField("当前期限单位", max_length=16, choices=UNIT_CHOICES, blank=True)
    warn_at = models.DateTimeField("临期提醒时间", null=True, blank=True)
    warned_at = models.DateTimeField("已提醒时间", null=True, blank=True)
    breached_at = models.DateTimeField("超时标记时间", null=True, blank=True)

    objects = TicketQuerySet.as_manager()
    access = Access(paths=("holder__path", "centre__path"), read_paths=("holdings__org__path",),
                    owner="filed_by", owner_actions=frozenset({VIEW}), conflict=about_parties())

    class Meta:
        verbose_name = "诉求工单"
        verbose_name_plural = "诉求工单"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["holder", "state"], name="ticket_holder_state"),
            models.Index(fields=["centre", "state"], name="ticket_centre_state"),
            models.Index(fields=["filed_by"], condition=Q(filed_by__isnull=False), name="ticket_filed_by"),
            models.Index(fields=["caller_phone_index", "category"], condition=Q(caller_phone_index__isnull=False),
                         name="ticket_caller_phone"),
            models.Index(fields=["employer"], condition=Q(employer__isnull=False), name="ticket_employer"),
            # the breach scan: unmarked running deadlines, and unsent reminders
            models.Index(fields=["due_at"], condition=Q(breached_at__isnull=True, paused_at__isnull=True, due_at__isnull=False),
                         name="ticket_breach_scan"),
            models.Index(fields=["warn_at"], condition=Q(warned_at__isnull=True, paused_at__isnull=True, warn_at__isnull=False),
                         name="ticket_warn_scan"),
            # what one run marked (the marks are cleared when an order finishes, so these hold open orders only)
            models.Index(fields=["breached_at"], condition=Q(breached_at__isnull=False), name="ticket_breached_mark"),
            models.Index(fields=["warned_at"], condition=Q(warned_at__isnull=False), name="ticket_warned_mark"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(state="merged") | Q(duplicate_of__isnull=False), name="ticket_merged_has_target"),
            models.CheckConstraint(condition=~Q(closing_kind="referred") | Q(referred_on__isnull=False) & ~Q(referral_agency=""),
                                   name="ticket_referral_recorded"),
            models.CheckConstraint(condition=Q(affected_count__gte=1), name="ticket_affected_at_least_one"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def caller_masked(self) -> str:
        return mask_name(self.caller_name) if self.caller_name else ""

    def resolve_limit(self) -> RunningLimit:
        return RunningLimit(unit=LimitUnit(self.resolve_unit), amount=self.resolve_amount, started_at=self.resolve_started_at,
                            due_at=self.resolve_due_at, paused_at=self.paused_at, paused_days=self.paused_days)

    def set_resolve_limit(self, limit: RunningLimit) -> None:
        self.resolve_unit, self.resolve_amount = limit.unit.value, limit.amount
        self.resolve_started_at, self.resolve_due_at = limit.started_at, limit.due_at
        self.paused_at, self.paused_days = limit.paused_at, limit.paused_days

    def is_overdue(self, now: dt.datetime) -> bool:
        return self.due_at is not None and self.paused_at is None and self.due_at < now


class TicketCounter(models.Model):
    """The last number given out on one day (GH-YYYYMMDD-NNNNNN): one row per day, raised in the filing's transaction."""

    day = models.DateField("日期", unique=True)
    last = models.PositiveIntegerField("已用序号", default=0)

    class Meta:
        verbose_name = "工单号计数"
        verbose_name_plural = "工单号计数"

    def __str__(self) -> str:
        return f"{self.day:%Y%m%d}: {self.last}"


class TicketHolding(models.Model):
    """承办记录: every org that has held the order, and how long; each keeps reading the order afterwards."""

    class How(models.TextChoices):
        RECEIVED = "received", "受理"
        DISPATCHED = "dispatched", "派单"
        TRANSFERRED = "transferred", "转办"
        BOUNCED = "bounced", "退单退回"
        ESCALATED = "escalated", "提级办理"
        RECALLED = "recalled", "回避收回"

    ticket = models.ForeignKey(Ticket, verbose_name="工单", on_delete=models.CASCADE, related_name="holdings")
    org = models.ForeignKey("orgs.Org", verbose_name="承办单位", on_delete=models.PROTECT, related_name="+")
    how = models.CharField("方式", max_length=16, choices=How.choices)
    since = models.DateTimeField("起")
    until = models.DateTimeField("止", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("ticket__holder__path", "ticket__centre__path"), read_paths=("org__path",),
                    owner="ticket__filed_by", owner_actions=frozenset({VIEW}), conflict=about_parties("ticket__"))

    class Meta:
        verbose_name = "承办记录"
        verbose_name_plural = "承办记录"
        ordering = ["since", "id"]
        indexes = [models.Index(fields=["org", "ticket"], name="ticket_holding_org")]
        constraints = [models.UniqueConstraint(fields=["ticket"], condition=Q(until__isnull=True), name="ticket_one_current_holding")]

    def __str__(self) -> str:
        return f"{self.ticket} · {self.org}"


class EventKind(models.TextChoices):
    FILED = "filed", "受理"
    MERGED = "merged", "重复反映已合并"
    ACKNOWLEDGED = "acknowledged", "受理告知"
    DISPATCHED = "dispatched", "派单"
    ASSIGNED = "assigned", "指定承办人"
    ACCEPTED = "accepted", "签收"
    NOTE = "note", "办理记录"
    MESSAGE = "message", "内部沟通"
    ATTACHED = "attached", "上传附件"
    MATERIAL_REQUESTED = "material_requested", "请补充材料"
    MATERIAL_ADDED = "material_added", "补充材料"
    REPLIED = "replied", "回复"
    FOLLOWED_UP = "followed_up", "回访"
    CLOSED = "closed", "办结"
    REOPENED = "reopened", "重新办理"
    ESCALATED = "escalated", "提级办理"
    BOUNCED = "bounced", "退单"
    TRANSFERRED = "transferred", "转办"
    EXTENSION_REQUESTED = "extension_requested", "申请延期"
    EXTENSION_APPROVED = "extension_approved", "同意延期"
    EXTENSION_REFUSED = "extension_refused", "不同意延期"
    SUPERVISED = "supervised", "督办"
    PARTY_NAMED = "party_named", "登记被反映对象"
    REVIEW_REQUESTED = "review_requested", "申请复查/复核"
    REVIEW_DECIDED = "review_decided", "复查/复核意见"
    RECALLED = "recalled", "回避收回"
    WARNED = "warned", "临期提醒"
    BREACHED = "breached", "超时"
    WITHDRAWN = "withdrawn", "撤回"


class TicketEvent(models.Model):
    """工单流程记录: one row per step, with who, for which org, and whether the worker sees it."""

    ticket = models.ForeignKey(Ticket, verbose_name="工单", on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间")
    kind = models.CharField("环节", max_length=24, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", db_index=False)
    actor_name = models.CharField("操作人名称", max_length=100, blank=True)
    org = models.ForeignKey("orgs.Org", verbose_name="所在单位", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                            db_index=False)
    note = models.TextField("说明", blank=True)
    visible_to_worker = models.BooleanField("职工可见", default=False)
    data = models.JSONField("详情", default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("ticket__holder__path", "ticket__centre__path"), read_paths=("ticket__holdings__org__path",),
                    owner="ticket__filed_by", owner_actions=frozenset({VIEW}), conflict=about_parties("ticket__"))

    class Meta:
        verbose_name = "工单流程记录"
        verbose_name_plural = "工单流程记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at"], name="ticket_event_timeline")]

    def __str__(self) -> str:
        return f"{self.ticket} · {self.get_kind_display()}"


class TicketParty(TimeStampedModel):
    """被反映对象: a union, an employer or a person the complaint names besides its employer. Like the employer, they never
    hold the order nor read it (回避); naming the current holder takes the order back to the centre."""

    class Kind(models.TextChoices):
        ORG = "org", "工会组织"
        EMPLOYER = "employer", "用人单位"
        PERSON = "person", "人员"

    ticket = models.ForeignKey(Ticket, verbose_name="工单", on_delete=models.CASCADE, related_name="parties")
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    org = models.ForeignKey("orgs.Org", verbose_name="工会组织", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    employer = models.ForeignKey("orgs.Employer", verbose_name="用人单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="人员", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField("说明", max_length=200, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("ticket__holder__path", "ticket__centre__path"), read_paths=("ticket__holdings__org__path",),
                    conflict=about_parties("ticket__"))

    class Meta:
        verbose_name = "被反映对象"
        verbose_name_plural = "被反映对象"
        ordering = ["id"]
        constraints = [models.CheckConstraint(
            condition=(Q(kind="org", org__isnull=False, employer__isnull=True, person__isnull=True)
                       | Q(kind="employer", org__isnull=True, employer__isnull=False, person__isnull=True)
                       | Q(kind="person", org__isnull=True, employer__isnull=True, person__isnull=False)),
            name="ticket_party_one_kind")]

    def __str__(self) -> str:
        return f"{self.ticket} · {self.get_kind_display()} {self.named}"

    @property
    def named(self) -> str:
        return str(self.org or self.employer or self.person or "")


class Review(TimeStampedModel):
    """信访复查/复核 (信访工作条例 §35, §36): a petitioner who does not accept the 处理意见 asks the org above the one that
    gave it to look again (复查) within 30 days; a 复查意见 not accepted goes once more, to the org above that (复核),
    also within 30 days; each is answered within 30 days. After 复核 the same matter is not accepted again."""

    class Stage(models.TextChoices):
        RECHECK = "recheck", "复查"
        REVIEW = "review", "复核"

    class Outcome(models.TextChoices):
        UPHELD = "upheld", "维持原处理意见"
        CHANGED = "changed", "撤销或变更原处理意见"

    REQUEST_DAYS = ANSWER_DAYS = 30  # calendar days, §35/§36

    ticket = models.ForeignKey(Ticket, verbose_name="工单", on_delete=models.CASCADE, related_name="reviews")
    stage = models.CharField("环节", max_length=8, choices=Stage.choices)
    org = models.ForeignKey("orgs.Org", verbose_name="复查/复核单位", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("不服理由", max_length=1000)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请登记人", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    due_at = models.DateTimeField("答复期限")
    decided_at = models.DateTimeField("答复时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="答复人", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    outcome = models.CharField("结论", max_length=8, choices=Outcome.choices, blank=True)
    opinion = models.TextField("复查/复核意见", blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("org__path",), read_paths=("ticket__holdings__org__path", "ticket__centre__path"),
                    owner="ticket__filed_by", owner_actions=frozenset({VIEW}), conflict=about_parties("ticket__"))

    class Meta:
        verbose_name = "信访复查/复核"
        verbose_name_plural = "信访复查/复核"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["ticket", "stage"], name="review_once_per_stage")]

    def __str__(self) -> str:
        return f"{self.ticket} · {self.get_stage_display()}"


class Attachment(TimeStampedModel):
    """工单附件: photos (EXIF stripped) and PDFs, checked by core.uploads, opened only through an audited view."""

    ticket = models.ForeignKey(Ticket, verbose_name="工单", on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(TicketEvent, verbose_name="所属环节", null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments")
    file = models.FileField("文件", upload_to="tickets/%Y/%m/")
    name = models.CharField("文件名", max_length=120)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    from_worker = models.BooleanField("职工提交", default=False)
    visible_to_worker = models.BooleanField("职工可见", default=False)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("ticket__holder__path", "ticket__centre__path"), read_paths=("ticket__holdings__org__path",),
                    owner="ticket__filed_by", owner_actions=frozenset({VIEW}), conflict=about_parties("ticket__"))

    class Meta:
        verbose_name = "工单附件"
        verbose_name_plural = "工单附件"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已同意"
    REFUSED = "refused", "不同意"


class Extension(TimeStampedModel):
    """延期申请: asked by the holder before the 办结 limit ends, decided by the org above; one approved per order."""

    ticket = models.ForeignKey(Ticket, verbose_name="工单", on_delete=models.CASCADE, related_name="extensions")
    org = models.ForeignKey("orgs.Org", verbose_name="申请单位", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveSmallIntegerField("延长")
    unit = models.CharField("单位", max_length=16, choices=UNIT_CHOICES)
    reason = models.CharField("理由", max_length=300)
    status = models.CharField("状态", max_length=16, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_org = models.ForeignKey("orgs.Org", verbose_name="审批单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)
    old_due_at = models.DateTimeField("原期限")
    new_due_at = models.DateTimeField("新期限", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("ticket__holder__path",), read_paths=("ticket__holdings__org__path", "ticket__centre__path"),
                    conflict=about_parties("ticket__"))

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket"], condition=Q(status="pending"), name="extension_one_pending"),
            models.UniqueConstraint(fields=["ticket"], condition=Q(status="approved"), name="extension_one_approved"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket} 延期{self.amount}{LimitUnit(self.unit).label}"


class Supervision(TimeStampedModel):
    """督办: by an org above the holder, or raised automatically once when the order first runs past a deadline."""

    class Kind(models.TextChoices):
        MANUAL = "manual", "上级督办"
        AUTO = "auto", "超时自动督办"

    ticket = models.ForeignKey(Ticket, verbose_name="工单", on_delete=models.CASCADE, related_name="supervisions")
    kind = models.CharField("方式", max_length=8, choices=Kind.choices)
    org = models.ForeignKey("orgs.Org", verbose_name="督办单位", on_delete=models.PROTECT, related_name="+")
    holder = models.ForeignKey("orgs.Org", verbose_name="被督办单位", on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="督办人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField("督办意见", max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("org__path", "holder__path"), read_paths=("ticket__holdings__org__path", "ticket__centre__path"),
                    conflict=about_parties("ticket__"))

    class Meta:
        verbose_name = "督办"
        verbose_name_plural = "督办"
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["ticket"], condition=Q(kind="auto"), name="supervision_one_auto")]

    def __str__(self) -> str:
        return f"{self.ticket} · {self.get_kind_display()}"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"
    UNREACHED = "unreached", "未回访"  # nobody answered: never counted as 满意


class FollowUp(TimeStampedModel):
    """回访: by the dispatching centre (an agent by phone) or by the worker in H5."""

    ticket = models.ForeignKey(Ticket, verbose_name="工单", on_delete=models.CASCADE, related_name="follow_ups")
    result = models.CharField("结果", max_length=16, choices=Satisfaction.choices)
    comment = models.CharField("意见", max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="回访人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_worker = models.BooleanField("职工自评", default=False)
    holder = models.ForeignKey("orgs.Org", verbose_name="被评价单位", on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("ticket__centre__path",), read_paths=("ticket__holdings__org__path",),
                    owner="ticket__filed_by", owner_actions=frozenset({VIEW}), conflict=about_parties("ticket__"))

    class Meta:
        verbose_name = "回访"
        verbose_name_plural = "回访"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.ticket} · {self.get_result_display()}"


class SlaPolicy(TimeStampedModel):
    """时限标准: per category, urgency and tier, editable by administrators (defaults and their sources: decision 0019).
    Every limit names its unit."""

    category = models.CharField("诉求类别", max_length=16, choices=Category.choices)
    urgency = models.CharField("紧急程度", max_length=8, choices=Urgency.choices)
    tier = models.CharField("难易程度", max_length=12, choices=Tier.choices)
    ack_amount = models.PositiveSmallIntegerField("受理告知时限", help_text="网上信箱来信（信访件为任何渠道）的受理告知")
    ack_unit = models.CharField("受理告知单位", max_length=16, choices=UNIT_CHOICES)
    accept_amount = models.PositiveSmallIntegerField("签收时限")
    accept_unit = models.CharField("签收时限单位", max_length=16, choices=UNIT_CHOICES)
    resolve_amount = models.PositiveSmallIntegerField("办结时限")
    resolve_unit = models.CharField("办结时限单位", max_length=16, choices=UNIT_CHOICES)
    bounce_amount = models.PositiveSmallIntegerField("退单时限", help_text="派单后多久内可以退单")
    bounce_unit = models.CharField("退单时限单位", max_length=16, choices=UNIT_CHOICES)
    extension_max = models.PositiveSmallIntegerField("延期上限", help_text="一次延期最多延长多少（单位同办结时限）")
    follow_up_amount = models.PositiveSmallIntegerField("回访时限")
    follow_up_unit = models.CharField("回访时限单位", max_length=16, choices=UNIT_CHOICES)

    class Meta:
        verbose_name = "时限标准"
        verbose_name_plural = "时限标准"
        ordering = ["category", "urgency", "tier"]
        constraints = [models.UniqueConstraint(fields=["category", "urgency", "tier"], name="sla_policy_unique")]

    def __str__(self) -> str:
        return f"{self.get_category_display()}·{self.get_urgency_display()}·{self.get_tier_display()}"


class DutyShift(TimeStampedModel):
    """值班: who takes urgent orders for an org, and when (around the clock, so nights and holidays too)."""

    org = models.ForeignKey("orgs.Org", verbose_name="值班单位", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="值班人", on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField("开始")
    ends_at = models.DateTimeField("结束")

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("org__path",))

    class Meta:
        verbose_name = "值班安排"
        verbose_name_plural = "值班安排"
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["org", "ends_at"], name="duty_shift_org_end")]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="duty_shift_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.org} · {self.user}"


class Open311Request(TimeStampedModel):
    """Open311 提交记录: what a GeoReport v2 client sent with an order beyond the order's own fields (where, the client's
    own ids, a photo link), the key it came with, and the token the spec's `tokens/{token}` resolves."""

    ticket = models.OneToOneField(Ticket, verbose_name="工单", on_delete=models.CASCADE, related_name="open311")
    api_key = models.ForeignKey("accounts.ApiKey", verbose_name="接口密钥", on_delete=models.PROTECT, related_name="+")
    token = models.CharField("令牌", max_length=32, unique=True)
    address = EncryptedTextField("地址", blank=True, default="")
    address_id = models.CharField("地址编码", max_length=64, blank=True, help_text="行政区划代码（GB/T 2260 或乡级统计代码）")
    lat = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    email = EncryptedTextField("电子邮箱", blank=True, default="")
    device_id = models.CharField("设备编号", max_length=100, blank=True)
    account_id = models.CharField("调用方账号", max_length=100, blank=True)
    media_url = models.URLField("图片链接", max_length=500, blank=True, help_text="只记录，不下载")
    attributes = models.JSONField("附加属性", default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("ticket__holder__path", "ticket__centre__path"), read_paths=("ticket__holdings__org__path",),
                    conflict=about_parties("ticket__"))

    class Meta:
        verbose_name = "Open311 提交记录"
        verbose_name_plural = "Open311 提交记录"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.ticket} · {self.token}"


class AnswerStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    RETIRED = "retired", "已停用"


class KnowledgeAnswer(TimeStampedModel):
    """知识库: a standard answer to a common question, for one 诉求类别 and one region (a city's rules differ; the province
    org's answers hold province-wide), kept true by its owner by the review date. Searched by stored jieba tokens
    (`knowledge_search`)."""

    title = models.CharField("问题", max_length=200)
    answer = models.TextField("解答")
    category = models.CharField("诉求类别", max_length=16, choices=Category.choices)
    topic = models.CharField("问题类型", max_length=24, choices=Topic.choices, default=Topic.OTHER)
    region = models.ForeignKey("orgs.Org", verbose_name="适用地区", on_delete=models.PROTECT, related_name="+",
                               help_text="省总工会：全省通用；市、区的答复只对该地区的来电和干部显示")
    basis = models.CharField("依据", max_length=300, blank=True, help_text="法律法规、政策文件及条款")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="负责人", on_delete=models.PROTECT, related_name="+")
    review_on = models.DateField("复核日期", help_text="到期前由负责人核对内容是否仍然有效")
    status = models.CharField("状态", max_length=16, choices=AnswerStatus.choices, default=AnswerStatus.DRAFT)
    search_tokens = models.TextField("检索词", blank=True, editable=False)
    title_tokens = models.TextField("标题检索词", blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    # Read in the subtree, and upward once published: a 区 cadre answers with its city's and the province's answers.
    access = Access(paths=("region__path",), above=Above(actions=frozenset({VIEW}), when=Q(status="published")))

    class Meta:
        verbose_name = "知识库答复"
        verbose_name_plural = "知识库答复"
        ordering = ["-review_on", "-id"]
        indexes = [models.Index(fields=["status", "review_on"], name="knowledge_status_review")]

    def __str__(self) -> str:
        return self.title
