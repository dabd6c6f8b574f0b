"""分析研判: daily rollups of 诉求工单 figures, 群体性 early-warning rules and the alerts they raise.

A rollup row holds the figures of the orders received (受理) on one day, held by one org, of one category × tier ×
channel × employer, as they stood at the last refresh (`tickets.facts` defines each figure). Pages read only these rows.
An alert is routed along the 三道防线 (`AlertRoute`: 企业源头, 行业缓冲, 区街阻截) and reaches the orgs it was routed to
and the orgs above them; its flow is 研判 → 处置 → 解除 (`AlertNote` keeps every step).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from gonghui.core.access import Access, ScopedQuerySet
from gonghui.core.models import TimeStampedModel

VIEW, ALERTS, RULES = "analytics.view", "analytics.alerts", "analytics.rules"

COUNTS = ("received", "open", "dispatched", "accepted", "accepted_on_time", "closed", "closed_on_time", "follow_up_due", "rated",
          "satisfied", "basic", "dissatisfied", "unreached", "repeated")


class TicketDaily(models.Model):
    """工单日汇总: the figures of the orders received on `day` (Asia/Shanghai) held by `org`, per category, tier, channel and
    employer. Rebuilt for a day whenever one of its orders changes (`metrics.refresh_rollups`)."""

    day = models.DateField("受理日期")
    org = models.ForeignKey("orgs.Org", verbose_name="承办单位", on_delete=models.CASCADE, related_name="+")
    category = models.CharField("诉求类别", max_length=16)
    tier = models.CharField("难易程度", max_length=12)
    channel = models.CharField("来源渠道", max_length=16)
    employer = models.ForeignKey("orgs.Employer", verbose_name="涉及单位", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    received = models.PositiveIntegerField("受理量", default=0)
    open = models.PositiveIntegerField("未办结", default=0)
    dispatched = models.PositiveIntegerField("已派单", default=0)
    accepted = models.PositiveIntegerField("已签收", default=0)
    accepted_on_time = models.PositiveIntegerField("按时签收", default=0)
    closed = models.PositiveIntegerField("已办结", default=0)
    closed_on_time = models.PositiveIntegerField("按时办结", default=0)
    follow_up_due = models.PositiveIntegerField("应回访", default=0)
    rated = models.PositiveIntegerField("回访成功", default=0)
    satisfied = models.PositiveIntegerField("满意", default=0)
    basic = models.PositiveIntegerField("基本满意", default=0)
    dissatisfied = models.PositiveIntegerField("不满意", default=0)
    unreached = models.PositiveIntegerField("未回访", default=0)
    repeated = models.PositiveIntegerField("重复诉求", default=0)
    handling_days = models.PositiveIntegerField("办结用时合计（工作日）", default=0)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("org__path",))

    class Meta:
        verbose_name = "工单日汇总"
        verbose_name_plural = "工单日汇总"
        ordering = ["day", "id"]
        # one row per day × org × category × tier × channel × employer: the refresh deletes a day's rows and writes them
        # again under an advisory lock, so no unique constraint over the nullable employer is needed
        indexes = [models.Index(fields=["day", "org"], name="ticket_daily_day_org")]

    def __str__(self) -> str:
        return f"{self.day} · {self.org_id}"


class RollupMark(models.Model):
    """Where the rollup refresh got to: orders changed at or after `refreshed_from` are looked at next time."""

    name = models.CharField(max_length=32, unique=True)
    refreshed_from = models.DateTimeField()

    class Meta:
        verbose_name = "汇总进度"
        verbose_name_plural = "汇总进度"

    def __str__(self) -> str:
        return f"{self.name}: {self.refreshed_from:%Y-%m-%d %H:%M}"


class RuleKind(models.TextChoices):
    EMPLOYER_PEOPLE = "employer_people", "同一单位多人反映"  # distinct callers (blind index) about one employer
    EMPLOYER_WORKERS = "employer_workers", "同一单位涉及人数"  # 涉及人数 about one employer (one order of 30 counts 30)
    INDUSTRY_RISE = "industry_rise", "区域行业诉求上升"  # orders of one industry in one district against the window before


class AlertRule(TimeStampedModel):
    """预警规则: what raises a 群体性 alert, with the counts for 黄/橙/红 within a window of days, set by an org for its
    subtree (the 省总's rules hold everywhere)."""

    org = models.ForeignKey("orgs.Org", verbose_name="制定单位", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("规则名称", max_length=100)
    kind = models.CharField("规则类型", max_length=24, choices=RuleKind.choices)
    topic = models.CharField("问题类型", max_length=24, blank=True, help_text="只计这一类问题（如欠薪）；空为全部")
    window_days = models.PositiveSmallIntegerField("统计天数", default=7)
    yellow = models.PositiveIntegerField("黄色预警阈值")
    orange = models.PositiveIntegerField("橙色预警阈值")
    red = models.PositiveIntegerField("红色预警阈值")
    rise_percent = models.PositiveIntegerField("较上一周期增幅（%）", default=100, help_text="仅“区域行业诉求上升”：本期须比上一周期多出这一比例")
    is_active = models.BooleanField("启用", default=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("org__path",))

    class Meta:
        verbose_name = "预警规则"
        verbose_name_plural = "预警规则"
        ordering = ["org__path", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(yellow__gte=1, orange__gte=models.F("yellow"), red__gte=models.F("orange")),
                                   name="alert_rule_levels_ordered"),
            models.CheckConstraint(condition=Q(window_days__gte=1, window_days__lte=90), name="alert_rule_window_range"),
        ]

    def __str__(self) -> str:
        return self.name


class Level(models.TextChoices):
    YELLOW = "yellow", "黄色"
    ORANGE = "orange", "橙色"
    RED = "red", "红色"


LEVEL_RANK = {Level.YELLOW: 1, Level.ORANGE: 2, Level.RED: 3}


class AlertState(models.TextChoices):
    JUDGING = "judging", "研判中"
    HANDLING = "handling", "处置中"
    RESOLVED = "resolved", "已解除"


OPEN_ALERT_STATES = (AlertState.JUDGING, AlertState.HANDLING)


class Alert(TimeStampedModel):
    """群体性预警: raised once per rule and subject (an employer, or an industry in a district) while open; its level rises
    with the count, never falls."""

    rule = models.ForeignKey(AlertRule, verbose_name="预警规则", on_delete=models.PROTECT, related_name="alerts")
    subject_key = models.CharField("预警对象键", max_length=120, help_text="单位的统一社会信用代码或规范化名称；或 区划:行业")
    subject = models.CharField("预警对象", max_length=200)
    employer = models.ForeignKey("orgs.Employer", verbose_name="涉及单位", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    district = models.ForeignKey("orgs.Org", verbose_name="所在区/县（镇）", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    industry = models.CharField("行业", max_length=40, blank=True)
    level = models.CharField("预警等级", max_length=8, choices=Level.choices)
    state = models.CharField("状态", max_length=12, choices=AlertState.choices, default=AlertState.JUDGING)
    people = models.PositiveIntegerField("反映人数", default=0)
    workers = models.PositiveIntegerField("涉及人数", default=0)
    orders = models.PositiveIntegerField("工单数", default=0)
    count = models.PositiveIntegerField("触发计数", default=0)
    about_union = models.BooleanField("涉及本单位工会", default=False)
    new_form = models.BooleanField("新就业形态", default=False)
    due_at = models.DateTimeField("本环节期限", null=True, blank=True)
    resolved_at = models.DateTimeField("解除时间", null=True, blank=True)
    tickets = models.ManyToManyField("tickets.Ticket", verbose_name="相关工单", related_name="+", blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("routes__org__path",))

    class Meta:
        verbose_name = "群体性预警"
        verbose_name_plural = "群体性预警"
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["rule", "subject_key"], condition=Q(state__in=("judging", "handling")),
                                               name="alert_one_open_per_subject")]

    def __str__(self) -> str:
        return f"{self.get_level_display()}预警 · {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_ALERT_STATES


class Line(models.TextChoices):
    """三道防线."""

    SOURCE = "source", "企业源头"
    SECTOR = "sector", "行业缓冲"
    DISTRICT = "district", "区街阻截"


class AlertRoute(models.Model):
    """Where an alert went: one org on one of the 三道防线; the alert reaches it and the orgs above it."""

    alert = models.ForeignKey(Alert, verbose_name="预警", on_delete=models.CASCADE, related_name="routes")
    org = models.ForeignKey("orgs.Org", verbose_name="接收单位", on_delete=models.PROTECT, related_name="+")
    line = models.CharField("防线", max_length=12, choices=Line.choices)
    reason = models.CharField("说明", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("alert__routes__org__path",))

    class Meta:
        verbose_name = "预警分送"
        verbose_name_plural = "预警分送"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["alert", "org"], name="alert_route_unique")]

    def __str__(self) -> str:
        return f"{self.alert_id} → {self.org}"


class NoteKind(models.TextChoices):
    RAISED = "raised", "发出预警"
    RAISED_LEVEL = "raised_level", "预警升级"
    NOTE = "note", "研判处置记录"
    HANDLING = "handling", "转入处置"
    RESOLVED = "resolved", "解除预警"


class AlertNote(models.Model):
    """预警记录: each step and note, with who and for which org."""

    alert = models.ForeignKey(Alert, verbose_name="预警", on_delete=models.CASCADE, related_name="notes")
    at = models.DateTimeField("时间")
    kind = models.CharField("环节", max_length=16, choices=NoteKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField("操作人名称", max_length=100, blank=True)
    text = models.TextField("内容", blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("alert__routes__org__path",))

    class Meta:
        verbose_name = "预警记录"
        verbose_name_plural = "预警记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.alert_id} · {self.get_kind_display()}"
