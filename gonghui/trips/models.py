"""疗休养: accredited bases (疗休养基地), their routes (线路) with departures (团期) and places, group batches (批次) booked by a
基层工会 for its own members, places a worker asks for, and the money: the federation's 奖补, the union's 配套 and the
member's own share, booked into a ledger per org and year against that org's budget (decision 0026).

Money is in fen (integers). A departure's places are claimed by one conditional UPDATE (`taken + n <= capacity`) with the
departure row locked first (`core.locking`), so no departure is ever oversold.

Who reads what: a base belongs to the federation that accredited it; a route to the org that publishes it (a published
route is a catalogue entry every cadre who books may read, through `selectors.route_list` and `public_routes`); a batch to the union
that booked it, readable by the route's publisher; a participant to the union that pays for them (the member's own
union), readable by the route's publisher and by the worker who asked.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from gonghui.core.access import Above, Access, ScopedQuerySet
from gonghui.core.fields import BlindIndexField, EncryptedTextField
from gonghui.core.masking import mask_name
from gonghui.core.models import TimeStampedModel
from gonghui.core.validators import normalize_person_name, parse_id_number

VIEW, MANAGE, BOOK = "trips.view", "trips.manage", "trips.book"
GUANGDONG = "广东省"


def id_value(value: str) -> str:
    """An ID number as the blind index reads it (the 18 characters, X upper case)."""
    return parse_id_number(value).value


def yuan(fen: int | None) -> str:
    """Fen as 元 with two decimals (¥1,234.50 is "1,234.50"), for pages and messages."""
    fen = fen or 0
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100:,}.{abs(fen) % 100:02d}"


class AccreditationStatus(models.TextChoices):
    ACTIVE = "active", "认定有效"
    SUSPENDED = "suspended", "暂停（整改中）"
    REVOKED = "revoked", "已撤销"


class Base(TimeStampedModel):
    """疗休养基地 with its 基地认定: the federation that accredited it, the period and the status. Inside Guangdong a base
    lies in a division (its city or county union); outside it only an address in another province."""

    org = models.ForeignKey("orgs.Org", verbose_name="认定单位", on_delete=models.PROTECT, related_name="trip_bases")
    name = models.CharField("基地名称", max_length=100)
    province = models.CharField("所在省份", max_length=20, default=GUANGDONG)
    division = models.ForeignKey("orgs.Org", verbose_name="所在地区（省内）", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    address = models.CharField("地址", max_length=200)
    description = models.TextField("介绍", blank=True)
    accredited_from = models.DateField("认定有效期起")
    accredited_to = models.DateField("认定有效期止")
    status = models.CharField("认定状态", max_length=16, choices=AccreditationStatus.choices, default=AccreditationStatus.ACTIVE)
    status_note = models.CharField("状态说明", max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("org__path",), above=Above(actions=frozenset({VIEW})))

    class Meta:
        verbose_name = verbose_name_plural = "疗休养基地"
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(accredited_to__gte=F("accredited_from")), name="trip_base_period"),
            models.CheckConstraint(condition=Q(province=GUANGDONG, division__isnull=False) | (~Q(province=GUANGDONG) & Q(division__isnull=True)),
                                   name="trip_base_division_in_guangdong_only"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def in_guangdong(self) -> bool:
        return self.province == GUANGDONG

    def accreditation_problem(self, on: dt.date) -> str:
        """Why the base cannot take new routes or batches on `on`, in Chinese; "" when its accreditation holds."""
        if self.status == AccreditationStatus.REVOKED:
            return f"基地“{self.name}”的认定已撤销"
        if self.status == AccreditationStatus.SUSPENDED:
            return f"基地“{self.name}”的认定已暂停（整改中）"
        if on > self.accredited_to:
            return f"基地“{self.name}”的认定已于 {self.accredited_to:%Y-%m-%d} 到期"
        if on < self.accredited_from:
            return f"基地“{self.name}”的认定自 {self.accredited_from:%Y-%m-%d} 起生效"
        return ""


class InspectionResult(models.TextChoices):
    PASSED = "passed", "合格"
    RECTIFY = "rectify", "限期整改"
    FAILED = "failed", "不合格"


class Inspection(models.Model):
    """基地检查: a visit by the accrediting federation, with its result."""

    base = models.ForeignKey(Base, verbose_name="基地", on_delete=models.CASCADE, related_name="inspections")
    inspected_on = models.DateField("检查日期")
    result = models.CharField("结果", max_length=16, choices=InspectionResult.choices)
    notes = models.TextField("情况记录", blank=True)
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("base__org__path",))

    class Meta:
        verbose_name = verbose_name_plural = "基地检查"
        ordering = ["-inspected_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.base} {self.inspected_on:%Y-%m-%d} 检查"


class Eligibility(models.TextChoices):
    MEMBERS = "members", "全体会员"
    MODEL_WORKERS = "model_workers", "仅限劳模（劳模名单）"
    ORGS = "orgs", "指定组织的会员"


class RouteStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    CLOSED = "closed", "已停办"


class Route(TimeStampedModel):
    """疗休养线路: so many days at a base, a price per person, and who may go."""

    org = models.ForeignKey("orgs.Org", verbose_name="发布组织", on_delete=models.PROTECT, related_name="trip_routes")
    base = models.ForeignKey(Base, verbose_name="基地", on_delete=models.PROTECT, related_name="routes")
    title = models.CharField("线路名称", max_length=100)
    days = models.PositiveSmallIntegerField("天数")
    price_fen = models.PositiveIntegerField("每人费用（分）")
    eligibility = models.CharField("参加对象", max_length=16, choices=Eligibility.choices, default=Eligibility.MEMBERS)
    eligible_orgs = models.ManyToManyField("orgs.Org", verbose_name="可参加的组织", blank=True, related_name="+")
    description = models.TextField("行程介绍", blank=True)
    status = models.CharField("状态", max_length=16, choices=RouteStatus.choices, default=RouteStatus.DRAFT, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("org__path",))

    class Meta:
        verbose_name = verbose_name_plural = "疗休养线路"
        ordering = ["-pk"]
        constraints = [models.CheckConstraint(condition=Q(days__gte=1), name="trip_route_days")]

    def __str__(self) -> str:
        return self.title

    @property
    def price(self) -> str:
        return yuan(self.price_fen)


class Departure(TimeStampedModel):
    """团期: one date a route leaves on, with its places."""

    route = models.ForeignKey(Route, verbose_name="线路", on_delete=models.CASCADE, related_name="departures")
    starts_on = models.DateField("出发日期")
    capacity = models.PositiveIntegerField("名额")
    taken = models.PositiveIntegerField("已占用", default=0)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("route__org__path",))

    class Meta:
        verbose_name = verbose_name_plural = "疗休养团期"
        ordering = ["starts_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(taken__lte=F("capacity")), name="trip_departure_not_oversold"),
                       models.UniqueConstraint(fields=["route", "starts_on"], name="trip_departure_one_per_day")]

    def __str__(self) -> str:
        return f"{self.route} {self.starts_on:%Y-%m-%d}"

    @property
    def left(self) -> int:
        return max(self.capacity - self.taken, 0)

    @property
    def ends_on(self) -> dt.date:
        return self.starts_on + dt.timedelta(days=self.route.days - 1)


class BatchStatus(models.TextChoices):
    BOOKED = "booked", "已报名"
    CANCELLED = "cancelled", "已取消"


class Batch(TimeStampedModel):
    """批次: a union's group on one departure; the union pays its members' 配套 from its own funds. A cancelled batch opens
    again when the union books the departure anew."""

    departure = models.ForeignKey(Departure, verbose_name="团期", on_delete=models.PROTECT, related_name="batches")
    org = models.ForeignKey("orgs.Org", verbose_name="组团工会", on_delete=models.PROTECT, related_name="trip_batches")
    status = models.CharField("状态", max_length=16, choices=BatchStatus.choices, default=BatchStatus.BOOKED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cancel_reason = models.CharField("取消原因", max_length=300, blank=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("org__path",), read_paths=("departure__route__org__path",))

    class Meta:
        verbose_name = verbose_name_plural = "疗休养批次"
        ordering = ["-pk"]
        constraints = [models.UniqueConstraint(fields=["departure", "org"], name="trip_batch_one_per_union")]

    def __str__(self) -> str:
        return f"{self.org.name} · {self.departure}"


class PlaceStatus(models.TextChoices):
    REQUESTED = "requested", "待工会审批"
    APPROVED = "approved", "已确认"
    REFUSED = "refused", "未通过"
    CANCELLED = "cancelled", "已取消"


class Participant(TimeStampedModel):
    """参加人员: one member on one departure, named by their union's batch or asked for by the worker; the split of the
    price is fixed when the place is confirmed (奖补 + 配套 + 个人 = 费用)."""

    departure = models.ForeignKey(Departure, verbose_name="团期", on_delete=models.PROTECT, related_name="participants")
    batch = models.ForeignKey(Batch, verbose_name="批次", null=True, blank=True, on_delete=models.PROTECT, related_name="participants")
    person = models.ForeignKey("members.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="+")
    union = models.ForeignKey("orgs.Org", verbose_name="会员所在工会（付款工会）", on_delete=models.PROTECT, related_name="+")
    member_number = models.CharField("会员编号", max_length=20)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请职工", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="trip_requests")
    status = models.CharField("状态", max_length=16, choices=PlaceStatus.choices, db_index=True)
    refuse_reason = models.CharField("未通过原因", max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    price_fen = models.PositiveIntegerField("费用（分）", default=0)
    subsidy_fen = models.PositiveIntegerField("奖补（分）", default=0)
    match_fen = models.PositiveIntegerField("配套（分）", default=0)
    own_fen = models.PositiveIntegerField("个人承担（分）", default=0)
    subsidy_org = models.ForeignKey("orgs.Org", verbose_name="奖补单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cancel_reason = models.CharField("取消原因", max_length=300, blank=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    refund_fen = models.PositiveIntegerField("应退个人部分（分）", default=0, help_text="取消时个人已承担的部分，由组团工会退还")

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("union__path",), read_paths=("departure__route__org__path",), owner="requested_by", owner_actions=frozenset({VIEW}))

    class Meta:
        verbose_name = verbose_name_plural = "疗休养人员"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["departure", "person"], condition=Q(status__in=["requested", "approved"]), name="trip_one_place_per_person"),
            models.CheckConstraint(condition=~Q(status="approved") | Q(price_fen=F("subsidy_fen") + F("match_fen") + F("own_fen")),
                                   name="trip_participant_split_adds_up"),
        ]

    def __str__(self) -> str:
        return f"疗休养人员 {self.member_number}"  # never the name: the audit page and admin show this


class FundingPolicy(models.Model):
    """经费政策 of a federation for a year: its 奖补 per person, and the 配套 the paying union adds per 元 of 奖补."""

    org = models.ForeignKey("orgs.Org", verbose_name="奖补单位", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    subsidy_fen = models.PositiveIntegerField("每人奖补（分）")
    match_ratio = models.DecimalField("配套比例", max_digits=5, decimal_places=2, help_text="配套 = 奖补 × 比例，如 1.00 为 1:1")

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("org__path",), above=Above(actions=frozenset({VIEW})))

    class Meta:
        verbose_name = verbose_name_plural = "疗休养经费政策"
        ordering = ["-year", "org__path"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="trip_policy_one_per_year")]

    def __str__(self) -> str:
        return f"{self.org.name} {self.year}年疗休养经费政策"


class Budget(models.Model):
    """疗休养经费预算 of an org for a year: what its ledger may spend (配套 for a union, 奖补 for a federation)."""

    org = models.ForeignKey("orgs.Org", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    amount_fen = models.PositiveBigIntegerField("预算（分）")

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("org__path",))

    class Meta:
        verbose_name = verbose_name_plural = "疗休养经费预算"
        ordering = ["-year", "org__path"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="trip_budget_one_per_year")]

    def __str__(self) -> str:
        return f"{self.org.name} {self.year}年疗休养预算"


class LedgerKind(models.TextChoices):
    MATCH = "match", "配套"
    MATCH_REVERSAL = "match_reversal", "配套冲销（取消）"
    SUBSIDY = "subsidy", "奖补拨付"


class LedgerEntry(models.Model):
    """经费台账: one amount an org spends in a year (a union's 配套 for one participant, a federation's 奖补 for one claim).
    Rows are never changed or deleted: a cancelled place gets a reversing row of the opposite amount (冲销)."""

    org = models.ForeignKey("orgs.Org", verbose_name="支出单位", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("类别", max_length=16, choices=LedgerKind.choices)
    amount_fen = models.BigIntegerField("金额（分）")
    participant = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger")
    claim = models.ForeignKey("SubsidyClaim", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger")
    at = models.DateTimeField("记账时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("org__path",))

    class Meta:
        verbose_name = verbose_name_plural = "疗休养经费台账"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["org", "year"], name="trip_ledger_org_year")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {yuan(self.amount_fen)} 元"


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "审核通过，待拨付"
    REJECTED = "rejected", "已退回"
    PAID = "paid", "已拨付"


class SubsidyClaim(TimeStampedModel):
    """奖补申领: after the trip the union sends the roster and invoices; the federation checks, then pays."""

    batch = models.ForeignKey(Batch, verbose_name="批次", on_delete=models.PROTECT, related_name="claims")
    org = models.ForeignKey("orgs.Org", verbose_name="申领工会", on_delete=models.PROTECT, related_name="+")
    federation = models.ForeignKey("orgs.Org", verbose_name="奖补单位", on_delete=models.PROTECT, related_name="+")
    people = models.PositiveIntegerField("人数")
    amount_fen = models.PositiveIntegerField("申领金额（分）")
    status = models.CharField("状态", max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED, db_index=True)
    roster = models.FileField("参加人员名单", upload_to="trips/claims/%Y/%m/")
    roster_name = models.CharField("名单文件名", max_length=120)
    invoice = models.FileField("发票", upload_to="trips/claims/%Y/%m/")
    invoice_name = models.CharField("发票文件名", max_length=120)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reject_reason = models.CharField("退回原因", max_length=300, blank=True)
    paid_at = models.DateTimeField("拨付时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("org__path", "federation__path"))

    class Meta:
        verbose_name = verbose_name_plural = "疗休养奖补申领"
        ordering = ["-pk"]
        constraints = [models.UniqueConstraint(fields=["batch"], condition=~Q(status="rejected"), name="trip_one_open_claim_per_batch")]

    def __str__(self) -> str:
        return f"{self.org.name} 奖补申领 {yuan(self.amount_fen)} 元"


class ModelWorker(TimeStampedModel):
    """劳模名单: a person an org's cadres list as a 劳模 (or 先进工作者), found by their ID number's blind index, the same
    index as `members.Person.id_index`."""

    org = models.ForeignKey("orgs.Org", verbose_name="名单单位", on_delete=models.PROTECT, related_name="+")
    name = EncryptedTextField("姓名")
    id_number = EncryptedTextField("身份证号")
    id_index = BlindIndexField(source="id_number", purpose="person_id", normalizer=id_value,
                               null=False, blank=False)
    name_index = BlindIndexField(source="name", purpose="person_name", normalizer=normalize_person_name)
    title = models.CharField("荣誉称号", max_length=50)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("org__path",))

    class Meta:
        verbose_name = verbose_name_plural = "劳模名单"
        ordering = ["-pk"]
        constraints = [models.UniqueConstraint(fields=["org", "id_index"], name="trip_model_worker_once_per_org")]

    def __str__(self) -> str:
        return f"{mask_name(self.name)}（{self.title}）"
