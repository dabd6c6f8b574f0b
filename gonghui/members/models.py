from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from gonghui.core.access import Above, Access, ScopedQuerySet
from gonghui.core.fields import BlindIndexField, EncryptedTextField
from gonghui.core.masking import mask_name
from gonghui.core.models import TimeStampedModel
from gonghui.core.validators import normalize_mobile, normalize_person_name, parse_id_number


def _normalize_id(value: str) -> str:
    return parse_id_number(value).value


class Education(models.TextChoices):
    BELOW_HIGH_SCHOOL = "below_high_school", "初中及以下"
    HIGH_SCHOOL = "high_school", "高中/中专/技校"
    JUNIOR_COLLEGE = "junior_college", "大专"
    BACHELOR = "bachelor", "本科"
    POSTGRADUATE = "postgraduate", "研究生"


class PoliticalStatus(models.TextChoices):
    CPC = "cpc", "中共党员"
    LEAGUE = "league", "共青团员"
    DEMOCRATIC = "democratic", "民主党派"
    MASSES = "masses", "群众"


class NewFormType(models.TextChoices):
    """新就业形态 occupations; the first four have their own 行业工会联合会 (orgs.Sector)."""

    FOOD_DELIVERY = "food_delivery", "外卖骑手"
    COURIER = "courier", "快递员"
    RIDE_HAILING = "ride_hailing", "网约车司机"
    TRUCKING = "trucking", "货车司机"
    LIVE_STREAMER = "live_streamer", "网络主播"
    DOMESTIC = "domestic", "家政服务员"
    OTHER = "other", "其他新就业形态"


class BulkLoadedModel(TimeStampedModel):
    """A table the member import fills a million rows at a time. Every index is paid for on each imported row, and
    nothing looks these rows up by creation time, so `created_at` has none."""

    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        abstract = True


class Person(BulkLoadedModel):
    """人员: one real person, found by the blind index of the 身份证号 (or of the name, for the member list's name search).

    In clear beside the encrypted ID only what segments and age rules read: gender and the birth month. The birth
    day and the 户籍 region would narrow each ID down to a few hundred candidates (decision 0018)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person")
    name = EncryptedTextField("姓名")
    name_index = BlindIndexField(source="name", purpose="person_name", normalizer=normalize_person_name)
    id_number = EncryptedTextField("身份证号")
    id_index = BlindIndexField(source="id_number", purpose="person_id", normalizer=_normalize_id, null=False, blank=False)
    gender = models.CharField("性别", max_length=8, choices=[("male", "男"), ("female", "女")])
    birth_month = models.DateField("出生年月", help_text="只保存年月（日记为1日），年龄按年月计算")
    phone = EncryptedTextField("手机号", blank=True, default="")
    phone_index = BlindIndexField(source="phone", purpose="person_phone", normalizer=normalize_mobile)
    residence_region = models.CharField("常住地区划代码", max_length=12, blank=True)
    education = models.CharField("学历", max_length=32, choices=Education.choices, blank=True)
    political_status = models.CharField("政治面貌", max_length=16, choices=PoliticalStatus.choices, blank=True)

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        # Declared here rather than with unique=/db_index= on the fields: those also build a LIKE (pattern_ops) index
        # on PostgreSQL, useless for an HMAC and a third of the cost of writing a person in a bulk import.
        constraints = [models.UniqueConstraint(fields=["id_index"], name="person_id_index_unique")]
        indexes = [models.Index(fields=["phone_index"], name="person_phone_index"),
                   models.Index(fields=["name_index"], name="person_name_index")]

    def __str__(self) -> str:
        return mask_name(self.name)


class Employment(BulkLoadedModel):
    """就业: where the person works now (a ledger employer, or a name + USCC not in the ledger)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="employment")
    employer = models.ForeignKey("orgs.Employer", null=True, blank=True, on_delete=models.SET_NULL, related_name="employments", db_index=False)
    employer_name = models.CharField("单位名称", max_length=200, blank=True)
    employer_uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    town = models.ForeignKey("orgs.Org", verbose_name="工作地街道/镇", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             db_index=False)
    new_form_type = models.CharField("新就业形态", max_length=32, choices=NewFormType.choices, blank=True)
    platform_company = models.CharField("平台企业", max_length=100, blank=True)

    class Meta:
        verbose_name = "就业信息"
        verbose_name_plural = "就业信息"
        # Most people, and every imported one, have neither: partial indexes skip the NULLs.
        indexes = [models.Index(fields=["employer"], condition=Q(employer__isnull=False), name="employment_employer"),
                   models.Index(fields=["town"], condition=Q(town__isnull=False), name="employment_town")]


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", "在会"
    TRANSFERRING = "transferring", "转出中"
    TRANSFERRED = "transferred", "已转出"
    LEFT = "left", "退会"
    FROZEN = "frozen", "冒用冻结"


class Membership(BulkLoadedModel):
    """会籍: one per person; transfers change the union, the history keeps every step."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="membership")
    union = models.ForeignKey("orgs.Org", verbose_name="所在工会", on_delete=models.PROTECT, related_name="memberships")
    status = models.CharField("状态", max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE)
    joined_on = models.DateField("入会日期")
    member_number = models.CharField("会员编号", max_length=20, unique=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("union__path",), guided=True)

    class Meta:
        verbose_name = "会籍"
        verbose_name_plural = "会籍"

    def __str__(self) -> str:
        return self.member_number


class MembershipEvent(models.Model):
    """会籍变动: joined, transferred, frozen, left … in order."""

    # Labels only (not field choices): `kind` is written by several services, and a choices change would be a migration
    KIND_LABELS = {"joined": "入会", "rejoined": "重新入会", "imported": "批量导入入会", "imported_undated": "批量导入（未填入会日期）", "transfer_requested": "申请转接",
                   "transferred": "转接完成", "transfer_rejected": "转接被退回", "left": "退会", "frozen": "冻结（冒用申诉审查中）",
                   "unfrozen": "解除冻结", "revoked_impersonation": "撤销冒用入会"}

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间", auto_now_add=True)
    kind = models.CharField("变动", max_length=32)
    # History is read per membership; nothing looks events up by union, and imports write a million of them.
    from_union = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    to_union = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    status = models.CharField("变动后状态", max_length=16, choices=MembershipStatus.choices)
    note = models.CharField("说明", max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)

    class Meta:
        verbose_name = "会籍变动"
        verbose_name_plural = "会籍变动"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["actor"], condition=Q(actor__isnull=False), name="membershipevent_actor")]

    def __str__(self) -> str:
        return f"{self.kind_label}（{self.at:%Y-%m-%d}）" if self.at else self.kind_label

    @property
    def kind_label(self) -> str:
        return self.KIND_LABELS.get(self.kind, self.kind)


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "未通过"


class JoinApplication(TimeStampedModel):
    """入会申请: routed to a union (or its county's 周转库) and decided there."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="applications")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="join_applications")
    union = models.ForeignKey("orgs.Org", verbose_name="受理工会", on_delete=models.PROTECT, related_name="join_applications")
    in_holding_pool = models.BooleanField("周转库", default=False, help_text="无法自动匹配时暂存于区/县总工会，待干部分配")
    routing_reason = models.CharField("分配依据", max_length=200)
    join_code = models.ForeignKey("JoinCode", null=True, blank=True, on_delete=models.SET_NULL, related_name="applications")
    status = models.CharField("状态", max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    reject_reason = models.CharField("未通过原因", max_length=300, blank=True)
    due_at = models.DateTimeField("办理时限", help_text="提交后15个工作日内联系申请人")
    overdue_flagged_at = models.DateTimeField("超时提醒时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("union__path",), owner="applicant", owner_actions=frozenset({"members.view"}))

    class Meta:
        verbose_name = "入会申请"
        verbose_name_plural = "入会申请"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(status="pending"), name="one_pending_application_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person}的入会申请"


class JoinPolicy(models.Model):
    """Whether a union approves applications itself (manual) or lets them in at once (auto)."""

    org = models.OneToOneField("orgs.Org", on_delete=models.CASCADE, related_name="join_policy")
    auto_approve = models.BooleanField("自动通过入会申请", default=False)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("org__path",))

    class Meta:
        verbose_name = "入会审核设置"
        verbose_name_plural = "入会审核设置"

    def __str__(self) -> str:
        return f"{self.org}（{'自动通过' if self.auto_approve else '人工审核'}）"


def _new_token() -> str:
    return secrets.token_urlsafe(9)


class JoinCode(TimeStampedModel):
    """一县一码: a union's join QR; scanning opens 入会 with that union's context."""

    org = models.OneToOneField("orgs.Org", on_delete=models.CASCADE, related_name="join_code")
    token = models.CharField(max_length=20, unique=True, default=_new_token)
    scan_count = models.PositiveIntegerField("扫码次数", default=0)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("org__path",))

    class Meta:
        verbose_name = "入会码"
        verbose_name_plural = "入会码（一县一码）"

    def __str__(self) -> str:
        return f"{self.org}入会码"


class TransferStatus(models.TextChoices):
    PENDING = "pending", "待接收"
    ACCEPTED = "accepted", "已接收"
    REJECTED = "rejected", "已拒绝"


class Transfer(TimeStampedModel):
    """会籍转接: from the current union to a new one, accepted or rejected by the receiving side."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="transfers")
    from_union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    to_union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="incoming_transfers")
    new_employer_name = models.CharField("新单位", max_length=200, blank=True)
    status = models.CharField("状态", max_length=16, choices=TransferStatus.choices, default=TransferStatus.PENDING, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField("拒绝原因", max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("to_union__path",), owner="membership__person__user", owner_actions=frozenset({"members.view"}))

    class Meta:
        verbose_name = "会籍转接"
        verbose_name_plural = "会籍转接"
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["membership"], condition=Q(status="pending"), name="one_pending_transfer")]

    def __str__(self) -> str:
        return f"{self.membership.person}：{self.from_union} → {self.to_union}"


class AppealStatus(models.TextChoices):
    PENDING = "pending", "审查中"
    UPHELD = "upheld", "属实（已撤销冒用会籍）"
    DISMISSED = "dismissed", "不属实（已解冻）"


class ImpersonationAppeal(TimeStampedModel):
    """冒用申诉: someone says their 身份证号 was used to join without them; the membership is frozen meanwhile."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="appeals")
    appellant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="impersonation_appeals")
    statement = models.TextField("情况说明")
    evidence = models.FileField("证明材料", upload_to="appeals/%Y/%m/", blank=True)
    status = models.CharField("状态", max_length=16, choices=AppealStatus.choices, default=AppealStatus.PENDING, db_index=True)
    previous_status = models.CharField(max_length=16, choices=MembershipStatus.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField("处理意见", max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("membership__union__path",), owner="appellant", owner_actions=frozenset({"members.view"}))

    class Meta:
        verbose_name = "冒用申诉"
        verbose_name_plural = "冒用申诉"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.membership.person}（{self.membership}）的冒用申诉"


class Segment(TimeStampedModel):
    """用户画像: a saved filter over members; later features (messages, booking eligibility, gifts) refer to it by id."""

    name = models.CharField("名称", max_length=100)
    org = models.ForeignKey("orgs.Org", verbose_name="所属组织", on_delete=models.CASCADE, related_name="segments")
    filters = models.JSONField("筛选条件", default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("org__path",))

    class Meta:
        verbose_name = "会员分群"
        verbose_name_plural = "会员分群（用户画像）"
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name


class ProspectList(TimeStampedModel):
    """潜在会员名单: a list from a platform company or agency, kept only as blind indexes and masked fields."""

    org = models.ForeignKey("orgs.Org", verbose_name="所属组织", on_delete=models.CASCADE, related_name="prospect_lists")
    source = models.CharField("来源", max_length=100, help_text="如：某平台企业、人社部门")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    purge_on = models.DateField("到期清除日期")
    total = models.PositiveIntegerField("名单人数", default=0)
    already_members = models.PositiveIntegerField("已是会员", default=0)
    purged_at = models.DateTimeField("已清除", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("org__path",))

    class Meta:
        verbose_name = "潜在会员名单"
        verbose_name_plural = "潜在会员名单"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.source}（{self.created_at:%Y-%m-%d}）"

    @property
    def coverage_at_upload(self) -> float | None:
        """Share of the list already members when it was uploaded (None for an empty list)."""
        return self.already_members / self.total if self.total else None


class Prospect(models.Model):
    """One person on a list: no plaintext, only what is needed to match, count and contact through the platform."""

    prospect_list = models.ForeignKey(ProspectList, on_delete=models.CASCADE, related_name="prospects")
    id_index = models.CharField(max_length=64, db_index=True)
    name_masked = models.CharField("姓名", max_length=40)
    id_masked = models.CharField("身份证号", max_length=20)
    phone_masked = models.CharField("手机号", max_length=20, blank=True)
    region_code = models.CharField("户籍区县", max_length=6)
    new_form_type = models.CharField("新就业形态", max_length=32, choices=NewFormType.choices, blank=True)
    is_member = models.BooleanField("已是会员", default=False)

    class Meta:
        verbose_name = "潜在会员"
        verbose_name_plural = "潜在会员"

    def __str__(self) -> str:
        return f"{self.name_masked}（{self.id_masked}）"


class DriveMetric(models.TextChoices):
    NEW_MEMBERS = "new_members", "新增会员"
    NEW_FORM_MEMBERS = "new_form_members", "新增新就业形态会员"
    NEW_UNIONS = "new_unions", "新建企业工会"


class Drive(TimeStampedModel):
    """入会/建会行动: a target for an org's subtree over a period, tracked weekly (周调度) and monthly (月分析)."""

    org = models.ForeignKey("orgs.Org", verbose_name="组织", on_delete=models.CASCADE, related_name="drives")
    name = models.CharField("行动名称", max_length=100)
    metric = models.CharField("指标", max_length=32, choices=DriveMetric.choices)
    new_form_type = models.CharField("新就业形态", max_length=32, choices=NewFormType.choices, blank=True)
    target = models.PositiveIntegerField("目标数")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    # A 区总 follows the 市总's drive that covers it (上级行动), as its own slice (drives.drive_scope_for).
    access = Access(paths=("org__path",), above=Above(actions=frozenset({"members.view"})))

    class Meta:
        verbose_name = "入会/建会行动"
        verbose_name_plural = "入会/建会行动"
        ordering = ["-starts_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="drive_period_order")]

    def __str__(self) -> str:
        return self.name


class DriveTarget(TimeStampedModel):
    """分解目标: the share of a drive's target given to an org under the drive's org (a 区 of a 市总's drive, a 街道 of a 区's)."""

    drive = models.ForeignKey(Drive, verbose_name="所属行动", on_delete=models.CASCADE, related_name="targets")
    org = models.ForeignKey("orgs.Org", verbose_name="承担组织", on_delete=models.CASCADE, related_name="+")
    target = models.PositiveIntegerField("分解目标数")

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("drive__org__path",))

    class Meta:
        verbose_name = "行动分解目标"
        verbose_name_plural = "行动分解目标"
        constraints = [models.UniqueConstraint(fields=["drive", "org"], name="drive_target_one_per_org"),
                       models.CheckConstraint(condition=Q(target__gt=0), name="drive_target_positive")]

    def __str__(self) -> str:
        return f"{self.drive} · {self.org_id}: {self.target}"


class VisitLog(TimeStampedModel):
    """走访记录 (e.g. 平安夜访): where cadres went, whom they met, who joined on the spot."""

    org = models.ForeignKey("orgs.Org", verbose_name="组织", on_delete=models.CASCADE, related_name="visit_logs")
    drive = models.ForeignKey(Drive, verbose_name="所属行动", null=True, blank=True, on_delete=models.SET_NULL, related_name="visits")
    visited_on = models.DateField("走访日期")
    place = models.CharField("地点", max_length=200)
    people_met = models.PositiveIntegerField("接触人数")
    joined_on_spot = models.PositiveIntegerField("现场入会人数", default=0)
    note = models.TextField("情况记录", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("org__path",))

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        ordering = ["-visited_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(joined_on_spot__lte=models.F("people_met")), name="visit_joined_le_met")]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.place}"


class MemberStarAward(TimeStampedModel):
    """星级会员: a member's stars for a year, awarded by their union or one above it."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="star_awards")
    year = models.PositiveSmallIntegerField("年度")
    stars = models.PositiveSmallIntegerField("星级")
    reason = models.CharField("事迹", max_length=300)
    awarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("membership__union__path",), guided=True)

    class Meta:
        verbose_name = "星级会员"
        verbose_name_plural = "星级会员"
        ordering = ["-year", "-stars"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "year"], name="one_star_award_per_year"),
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="stars_one_to_five"),
        ]


class MemberTag(models.Model):
    """标签: a cadre's label on members (e.g. 夜访入会, 劳模候选), usable as a segment filter."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField("标签", max_length=20)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("membership__union__path",), guided=True)

    class Meta:
        verbose_name = "会员标签"
        verbose_name_plural = "会员标签"
        constraints = [models.UniqueConstraint(fields=["membership", "name"], name="tag_once_per_member")]
        indexes = [models.Index(fields=["name"], name="member_tag_name_idx")]

    def __str__(self) -> str:
        return self.name
