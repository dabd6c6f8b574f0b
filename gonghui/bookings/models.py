"""预约: one booking engine for 职工夜校 courses, 文体活动, online classes, 定制课堂, 心理咨询 slots and rooms at a 工人文化宫.

An `Offering` is what an org publishes; its `Session`s are what people book. A seat is claimed by one conditional UPDATE
of the session row (`taken < capacity`) in the booking's transaction, and a person holds at most one active booking per
session (a partial unique constraint: cancelling and booking again works). Limits per person per term are counter rows
(`TermCounter`) updated in the same transaction, after the seats; every writer takes sessions in id order, then their
quotas, then the counter, so two writers never wait on each other crosswise.

Who reads what: the publishing org's cadres (and those above) read offerings, sessions and every booking; the cadres of
an org whose members may book (`eligible_orgs`) read the offering and their own members' bookings only; a worker reads
their own bookings; a counsellor (an external account) reads their own slots through object grants.
"""
from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from gonghui.core.access import Access, ScopedQuerySet
from gonghui.core.fields import EncryptedTextField
from gonghui.core.models import TimeStampedModel

VIEW, MANAGE, CHECKIN = "bookings.view", "bookings.manage", "bookings.checkin"


class Kind(models.TextChoices):
    COURSE = "course", "职工夜校"
    ACTIVITY = "activity", "文体活动"
    ONLINE = "online", "线上课"
    CUSTOM = "custom", "定制课堂"
    COUNSELLING = "counselling", "心理咨询"
    ROOM = "room", "场地预约"


class OfferingStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"


class Term(TimeStampedModel):
    """学期 / 预约周期 of an org, with its per-person limit ("每人每期最多预约 N 次")."""

    org = models.ForeignKey("orgs.Org", verbose_name="所属组织", on_delete=models.PROTECT, related_name="booking_terms")
    name = models.CharField("名称", max_length=100)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    max_per_person = models.PositiveSmallIntegerField("每人最多预约次数")

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("org__path",))

    class Meta:
        verbose_name = verbose_name_plural = "预约学期"
        ordering = ["-starts_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="booking_term_dates")]

    def __str__(self) -> str:
        return self.name


class Offering(TimeStampedModel):
    """课程/活动/场地: what an org publishes for booking."""

    org = models.ForeignKey("orgs.Org", verbose_name="发布组织", on_delete=models.PROTECT, related_name="offerings")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    title = models.CharField("名称", max_length=100)
    description = models.TextField("介绍", blank=True)
    place = models.CharField("地点", max_length=200, blank=True)
    status = models.CharField("状态", max_length=16, choices=OfferingStatus.choices, default=OfferingStatus.DRAFT, db_index=True)
    term = models.ForeignKey(Term, verbose_name="所属学期", null=True, blank=True, on_delete=models.PROTECT, related_name="offerings")
    whole_term = models.BooleanField("整期报名", default=False, help_text="报名即预约全部课次，全部有名额才成功")
    completion_percent = models.PositiveSmallIntegerField("结业出勤率（%）", null=True, blank=True, help_text="如 80：出勤达到八成即可结业")
    members_only = models.BooleanField("仅限会员", default=True)
    eligible_orgs = models.ManyToManyField("orgs.Org", verbose_name="可报名的组织", blank=True, related_name="+",
                                           help_text="这些组织（含下级）的会员可报名；不选则为发布组织及下级")
    segment = models.ForeignKey("members.Segment", verbose_name="限定分群", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    min_age = models.PositiveSmallIntegerField("最小年龄", null=True, blank=True)
    max_age = models.PositiveSmallIntegerField("最大年龄", null=True, blank=True)
    requested_by = models.ForeignKey("orgs.Org", verbose_name="申请单位（定制课堂）", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    opens_at = models.DateTimeField("开放报名时间")
    cancel_hours = models.PositiveSmallIntegerField("开始前多少小时停止取消", default=2)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("org__path",), read_paths=("eligible_orgs__path",))

    class Meta:
        verbose_name = verbose_name_plural = "预约项目"
        ordering = ["-opens_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(completion_percent__isnull=True) | Q(completion_percent__lte=100), name="offering_completion_percent")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_private(self) -> bool:
        """心理咨询: who booked and why stays out of rosters, messages, exports and the audit log."""
        return self.kind == Kind.COUNSELLING


class Session(TimeStampedModel):
    """课次 / 时段: one bookable occasion with its seats. `capacity` None: no seat limit (online classes).

    `taken` counts active bookings and seats held for a waitlisted person who has been offered one; `reserved` is the
    sum of the quotas' seats, and `general_taken` the seats taken outside them."""

    offering = models.ForeignKey(Offering, verbose_name="所属项目", on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    capacity = models.PositiveIntegerField("名额", null=True, blank=True, help_text="不填为不限名额（线上课）")
    taken = models.PositiveIntegerField("已占用", default=0)
    reserved = models.PositiveIntegerField("预留名额", default=0)
    general_taken = models.PositiveIntegerField("非预留已占用", default=0)
    counsellor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="咨询师", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    no_shows_recorded_at = models.DateTimeField("爽约已记录", null=True, blank=True)
    by_lottery = models.BooleanField("抽签分配名额", default=False, help_text="名额由公开可验证的抽签分配，不能直接预约（见 lottery.py）")

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("offering__org__path",), read_paths=("offering__eligible_orgs__path",))

    class Meta:
        verbose_name = verbose_name_plural = "预约场次"
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__isnull=True) | Q(taken__lte=F("capacity")), name="session_not_oversold"),
            models.CheckConstraint(condition=Q(capacity__isnull=True) | Q(reserved__lte=F("capacity")), name="session_reserved_within"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"),
        ]
        indexes = [models.Index(fields=["ends_at"], name="session_ends_idx")]

    def __str__(self) -> str:
        return f"{self.offering} {self.starts_at:%m-%d %H:%M}"

    @property
    def left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.taken, 0)


class Quota(models.Model):
    """名额预留 inside a session: seats for the members of one org (and below), or for 新就业形态 workers."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="quotas")
    org = models.ForeignKey("orgs.Org", verbose_name="预留给组织", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    new_form = models.BooleanField("预留给新就业形态劳动者", default=False)
    seats = models.PositiveIntegerField("预留名额")
    taken = models.PositiveIntegerField("已占用", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "名额预留"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(taken__lte=F("seats")), name="quota_not_oversold"),
            models.CheckConstraint(condition=Q(org__isnull=False, new_form=False) | Q(org__isnull=True, new_form=True), name="quota_one_kind"),
        ]

    def __str__(self) -> str:
        return f"预留 {self.seats} 个名额"


class BookingStatus(models.TextChoices):
    ACTIVE = "active", "已预约"
    CANCELLED = "cancelled", "已取消"


def _new_code() -> str:
    return secrets.token_hex(4).upper()


class Booking(TimeStampedModel):
    """预约: one person on one session. A term booking is one row per session sharing `group`."""

    session = models.ForeignKey(Session, verbose_name="场次", on_delete=models.PROTECT, related_name="bookings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="预约人", on_delete=models.PROTECT, related_name="bookings")
    person = models.ForeignKey("members.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    member_union = models.ForeignKey("orgs.Org", verbose_name="会员所在工会", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    quota = models.ForeignKey(Quota, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    group = models.UUIDField("预约批次", default=uuid.uuid4, db_index=True)
    code = models.CharField("预约码", max_length=8, unique=True, default=_new_code)
    status = models.CharField("状态", max_length=16, choices=BookingStatus.choices, default=BookingStatus.ACTIVE)
    counted = models.BooleanField("计入学期限额", default=False)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    no_show = models.BooleanField("爽约", default=False)
    finished_at = models.DateTimeField("完成学习时间", null=True, blank=True)
    topic = EncryptedTextField("咨询主题", blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("session__offering__org__path",), read_paths=("member_union__path",), owner="user", owner_actions=frozenset({VIEW}))

    class Meta:
        verbose_name = verbose_name_plural = "预约记录"
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["session", "user"], condition=Q(status="active"), name="booking_one_active_per_person")]
        indexes = [models.Index(fields=["user", "status"], name="booking_user_status_idx")]

    def __str__(self) -> str:
        return f"预约 {self.code}"  # never the person's name: the audit page and admin show this


class WaitStatus(models.TextChoices):
    WAITING = "waiting", "候补中"
    OFFERED = "offered", "待确认"
    CONFIRMED = "confirmed", "已确认"
    EXPIRED = "expired", "超时未确认"
    LEFT = "left", "已退出候补"


class WaitlistEntry(TimeStampedModel):
    """候补: in line for a full session. When a seat frees it is held for the first in line (`offered`) until `confirm_by`."""

    session = models.ForeignKey(Session, verbose_name="场次", on_delete=models.CASCADE, related_name="waitlist")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="候补人", on_delete=models.CASCADE, related_name="booking_waits")
    member_union = models.ForeignKey("orgs.Org", verbose_name="会员所在工会", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=16, choices=WaitStatus.choices, default=WaitStatus.WAITING)
    quota = models.ForeignKey(Quota, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    offered_at = models.DateTimeField("通知时间", null=True, blank=True)
    confirm_by = models.DateTimeField("确认截止", null=True, blank=True)
    topic = EncryptedTextField("咨询主题", blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("session__offering__org__path",), read_paths=("member_union__path",), owner="user", owner_actions=frozenset({VIEW}))

    class Meta:
        verbose_name = verbose_name_plural = "候补"
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "user"], condition=Q(status__in=["waiting", "offered"]), name="waitlist_once_per_person")]
        indexes = [models.Index(fields=["status", "confirm_by"], name="waitlist_offer_idx")]

    def __str__(self) -> str:
        return f"候补 #{self.pk}"


class TermCounter(models.Model):
    """How many bookings a person holds in a term: the limit is this row's conditional UPDATE, not a uniqueness trick."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="counters")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "学期预约计数"
        constraints = [models.UniqueConstraint(fields=["term", "user"], name="term_counter_once")]

    def __str__(self) -> str:
        return f"已预约 {self.count} 次"


class NoShowBan(models.Model):
    """暂停预约: after too many no-shows in a period a person cannot book until `until`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="booking_bans")
    until = models.DateTimeField("暂停至")
    no_shows = models.PositiveSmallIntegerField("期间爽约次数")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "爽约暂停预约"
        indexes = [models.Index(fields=["user", "until"], name="noshow_ban_idx")]

    def __str__(self) -> str:
        return f"暂停预约至 {self.until:%Y-%m-%d}"


class LotteryStatus(models.TextChoices):
    DRAFT = "draft", "未发布"
    OPEN = "open", "报名中"
    CLOSED = "closed", "已截止，名单已公示"
    DRAWN = "drawn", "已开奖"


class Lottery(TimeStampedModel):
    """抽签: the seats of one session are drawn among registrants instead of going to the fastest click.

    At publication the session's seats and quotas and the offering's eligibility freeze, and the row records the public
    draw that will seed it (福彩双色球 第 `draw_issue` 期, drawn on `draw_date` after registration closes). At close the
    sorted receipt codes (`entries`, with the quotas each may take), their count and `list_hash` are published; after the
    public draw two cadres enter the same numbers and the draw runs once (`result`: exactly what `core.public_draw.verify`
    reads)."""

    session = models.OneToOneField(Session, verbose_name="场次", on_delete=models.PROTECT, related_name="lottery")
    status = models.CharField("状态", max_length=16, choices=LotteryStatus.choices, default=LotteryStatus.DRAFT, db_index=True)
    opens_at = models.DateTimeField("报名开始")
    closes_at = models.DateTimeField("报名截止", db_index=True)
    draw_issue = models.CharField("双色球期号", max_length=7, help_text="如 2026140：报名截止后开奖的一期")
    draw_date = models.DateField("双色球开奖日期")
    draw_id = models.CharField("抽签编号", max_length=100, blank=True)
    algorithm = models.CharField("算法版本", max_length=40, blank=True)
    seats = models.PositiveIntegerField("冻结的名额", null=True, blank=True)
    quotas = models.JSONField("冻结的预留名额", default=dict, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    closed_at = models.DateTimeField("名单公示时间", null=True, blank=True)
    entries = models.JSONField("公示的回执码", default=list, blank=True)
    list_hash = models.CharField("名单哈希", max_length=64, blank=True)
    entered_reds = models.JSONField("录入的红球", default=list, blank=True)
    entered_blue = models.PositiveSmallIntegerField("录入的蓝球", null=True, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField("录入时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="复核人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    draw_text = models.CharField("开奖号码（规范文本）", max_length=60, blank=True)
    drawn_at = models.DateTimeField("抽签时间", null=True, blank=True)
    result = models.JSONField("抽签结果", default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("session__offering__org__path",), read_paths=("session__offering__eligible_orgs__path",))

    class Meta:
        verbose_name = verbose_name_plural = "抽签"
        ordering = ["-closes_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="lottery_closes_after_open"),
            models.CheckConstraint(condition=~Q(confirmed_by=F("entered_by")), name="lottery_two_cadres"),
        ]

    def __str__(self) -> str:
        return f"抽签 #{self.pk}"


class RegistrationStatus(models.TextChoices):
    ACTIVE = "active", "已登记"
    WITHDRAWN = "withdrawn", "已撤回"


class Outcome(models.TextChoices):
    PENDING = "", "待抽签"
    WON = "won", "中签"
    WAITLISTED = "waitlisted", "候补"


class Registration(TimeStampedModel):
    """抽签报名 (not a booking): one person once per lottery, with a random receipt code (登记回执码) that is all the public
    ever sees of them. `tags`: the quotas this person may take a seat in, fixed at registration."""

    lottery = models.ForeignKey(Lottery, verbose_name="抽签", on_delete=models.PROTECT, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报名人", on_delete=models.PROTECT, related_name="lottery_registrations")
    person = models.ForeignKey("members.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    member_union = models.ForeignKey("orgs.Org", verbose_name="会员所在工会", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    code = models.CharField("回执码", max_length=12)
    tags = models.JSONField("可用的预留名额", default=list, blank=True)
    status = models.CharField("状态", max_length=16, choices=RegistrationStatus.choices, default=RegistrationStatus.ACTIVE)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    outcome = models.CharField("抽签结果", max_length=16, choices=Outcome.choices, default=Outcome.PENDING, blank=True)
    position = models.PositiveIntegerField("中签或候补顺位", null=True, blank=True)
    booking = models.ForeignKey(Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("lottery__session__offering__org__path",), read_paths=("member_union__path",), owner="user",
                    owner_actions=frozenset({VIEW}))

    class Meta:
        verbose_name = verbose_name_plural = "抽签报名"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["lottery", "user"], condition=Q(status="active"), name="lottery_one_registration_per_person"),
            models.UniqueConstraint(fields=["lottery", "code"], name="lottery_code_unique"),
        ]

    def __str__(self) -> str:
        return f"回执码 {self.code}"


class AmendmentKind(models.TextChoices):
    DISQUALIFIED = "disqualified", "中签者取消资格"
    SEAT_ADDED = "seat_added", "增加名额"


class Amendment(models.Model):
    """开奖后的变更 (a winner disqualified, a seat added), published with its reason beside the draw it changes."""

    lottery = models.ForeignKey(Lottery, verbose_name="抽签", on_delete=models.PROTECT, related_name="amendments")
    kind = models.CharField("变更类型", max_length=16, choices=AmendmentKind.choices)
    code = models.CharField("涉及回执码", max_length=12, blank=True)
    reason = models.CharField("原因", max_length=200)
    effect = models.CharField("结果", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("公示时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("lottery__session__offering__org__path",), read_paths=("lottery__session__offering__eligible_orgs__path",))

    class Meta:
        verbose_name = verbose_name_plural = "抽签结果变更"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code}"
