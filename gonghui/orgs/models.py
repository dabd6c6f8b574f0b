"""The union org tree and the employer ledger.

Scoping follows the primary parent: every org stores the materialized path of its
ancestors (fixed 4-character steps), so "this org and everything under it" is one
indexed prefix match.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from gonghui.core.access import Above, Access, ScopedQuerySet
from gonghui.core.models import TimeStampedModel

PATH_STEP_LENGTH = 4
PATH_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class OrgType(models.TextChoices):
    PROVINCE = "province", "省总工会"
    CITY = "city", "市总工会"
    COUNTY = "county", "区/县总工会"
    FUNCTION_ZONE = "function_zone", "功能区工会"
    TOWN = "town", "街道/镇总工会"
    COMMUNITY = "community", "社区/村/园区工联会"
    INDUSTRY_UNION = "industry_union", "产业工会"
    SECTOR_FEDERATION = "sector_federation", "行业工会联合会"
    ENTERPRISE = "enterprise", "企业工会"
    BRANCH = "branch", "分会/班组"


# Which primary parents each type may have. Levels are not fixed (DESIGN.md): 东莞 and
# 中山 put 镇/街道 directly under the 市总, an enterprise union may sit under a 市总 or
# an 产业工会, and a group's enterprise union may hold subsidiaries' unions.
ALLOWED_PARENT_TYPES: dict[str, frozenset[str]] = {
    OrgType.PROVINCE: frozenset(),
    OrgType.CITY: frozenset({OrgType.PROVINCE}),
    OrgType.COUNTY: frozenset({OrgType.CITY}),
    OrgType.FUNCTION_ZONE: frozenset({OrgType.PROVINCE, OrgType.CITY, OrgType.COUNTY}),
    OrgType.TOWN: frozenset({OrgType.CITY, OrgType.COUNTY, OrgType.FUNCTION_ZONE}),
    OrgType.COMMUNITY: frozenset({OrgType.COUNTY, OrgType.FUNCTION_ZONE, OrgType.TOWN}),
    OrgType.INDUSTRY_UNION: frozenset({OrgType.PROVINCE, OrgType.CITY, OrgType.COUNTY}),
    OrgType.SECTOR_FEDERATION: frozenset(
        {OrgType.PROVINCE, OrgType.CITY, OrgType.COUNTY, OrgType.FUNCTION_ZONE, OrgType.TOWN, OrgType.INDUSTRY_UNION}
    ),
    OrgType.ENTERPRISE: frozenset(
        {
            OrgType.CITY, OrgType.COUNTY, OrgType.FUNCTION_ZONE, OrgType.TOWN, OrgType.COMMUNITY,
            OrgType.INDUSTRY_UNION, OrgType.SECTOR_FEDERATION, OrgType.ENTERPRISE,
        }
    ),
    OrgType.BRANCH: frozenset({OrgType.ENTERPRISE, OrgType.BRANCH}),
}

# Org types that stand for a place (行政区划) and carry its GB/T 2260 or statistical code.
REGIONAL_TYPES = frozenset({OrgType.PROVINCE, OrgType.CITY, OrgType.COUNTY, OrgType.FUNCTION_ZONE, OrgType.TOWN})


class Sector(models.TextChoices):
    """新就业形态 sectors that have their own 行业工会联合会."""

    FOOD_DELIVERY = "food_delivery", "外卖骑手"
    COURIER = "courier", "快递员"
    RIDE_HAILING = "ride_hailing", "网约车司机"
    TRUCKING = "trucking", "货车司机"
    OTHER = "other", "其他行业"


class OrgQuerySet(ScopedQuerySet):
    def subtree_of(self, org: Org) -> OrgQuerySet:
        return self.filter(path__startswith=org.path)


class Org(TimeStampedModel):
    """工会组织: one node of the union tree."""

    code = models.CharField("组织编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=50, blank=True)
    type = models.CharField("组织类型", max_length=32, choices=OrgType.choices, db_index=True)
    sector = models.CharField("行业", max_length=32, choices=Sector.choices, blank=True)
    division_code = models.CharField(
        "行政区划/统计区划代码", max_length=12, blank=True, db_index=True,
        help_text="GB/T 2260 县级及以上代码，或国家统计局乡级代码（9位）",
    )
    parent = models.ForeignKey(
        "self", verbose_name="上级组织", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField("路径", max_length=255, unique=True)
    depth = models.PositiveSmallIntegerField("层级", default=1)
    is_active = models.BooleanField("有效", default=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    office_hours = models.CharField("办公时间", max_length=100, blank=True, help_text="如：周一至周五 9:00-12:00、14:00-17:30；在“找工会”公开显示")
    founded_on = models.DateField("成立日期", null=True, blank=True)
    name_pinyin = models.CharField("名称拼音", max_length=400, blank=True, editable=False)
    name_initials = models.CharField("拼音首字母", max_length=100, blank=True, editable=False, db_index=True)

    objects = OrgQuerySet.as_manager()
    access = Access(paths=("path",), guided=True)

    class Meta:
        verbose_name = "工会组织"
        verbose_name_plural = "工会组织"
        ordering = ["path"]
        indexes = [
            # LIKE 'prefix%' can use a btree index on PostgreSQL only with pattern ops.
            models.Index(fields=["path"], name="org_path_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["parent", "name"], name="org_parent_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestor_paths(self) -> list[str]:
        return [self.path[:end] for end in range(PATH_STEP_LENGTH, len(self.path), PATH_STEP_LENGTH)]


class GuidanceLink(TimeStampedModel):
    """业务指导关系: an extra, non-primary link (e.g. an enterprise union guided by its 产业工会).

    Scoping follows the primary parent only; a guidance link grants read access where a post says so.
    """

    org = models.ForeignKey(Org, verbose_name="被指导组织", on_delete=models.CASCADE, related_name="guided_by_links")
    guide = models.ForeignKey(Org, verbose_name="指导组织", on_delete=models.CASCADE, related_name="guides_links")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "业务指导关系"
        verbose_name_plural = "业务指导关系"
        constraints = [
            models.UniqueConstraint(fields=["org", "guide"], name="guidance_link_unique"),
            models.CheckConstraint(condition=~Q(org=models.F("guide")), name="guidance_link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.guide} → {self.org}"


class OrgMove(models.Model):
    """组织调整记录: every re-parenting, so history survives division changes."""

    org = models.ForeignKey(Org, verbose_name="组织", on_delete=models.CASCADE, related_name="moves")
    old_parent = models.ForeignKey(Org, verbose_name="原上级", null=True, on_delete=models.SET_NULL, related_name="+")
    new_parent = models.ForeignKey(Org, verbose_name="新上级", null=True, on_delete=models.SET_NULL, related_name="+")
    old_parent_name = models.CharField("原上级名称", max_length=100)
    new_parent_name = models.CharField("新上级名称", max_length=100)
    old_path = models.CharField("原路径", max_length=255)
    new_path = models.CharField("新路径", max_length=255)
    descendants_moved = models.PositiveIntegerField("随迁下级数")
    reason = models.CharField("调整原因", max_length=200)
    moved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL)
    moved_at = models.DateTimeField("调整时间", auto_now_add=True)

    class Meta:
        verbose_name = "组织调整记录"
        verbose_name_plural = "组织调整记录"
        ordering = ["-moved_at", "-id"]

    def __str__(self) -> str:
        return f"{self.old_parent_name} → {self.new_parent_name}（{self.reason}）"


class Industry(models.TextChoices):
    """GB/T 4754-2017 国民经济行业分类 门类."""

    A = "A", "A 农、林、牧、渔业"
    B = "B", "B 采矿业"
    C = "C", "C 制造业"
    D = "D", "D 电力、热力、燃气及水生产和供应业"
    E = "E", "E 建筑业"
    F = "F", "F 批发和零售业"
    G = "G", "G 交通运输、仓储和邮政业"
    H = "H", "H 住宿和餐饮业"
    I = "I", "I 信息传输、软件和信息技术服务业"  # noqa: E741 (the standard's letter)
    J = "J", "J 金融业"
    K = "K", "K 房地产业"
    L = "L", "L 租赁和商务服务业"
    M = "M", "M 科学研究和技术服务业"
    N = "N", "N 水利、环境和公共设施管理业"
    O = "O", "O 居民服务、修理和其他服务业"  # noqa: E741
    P = "P", "P 教育"
    Q = "Q", "Q 卫生和社会工作"
    R = "R", "R 文化、体育和娱乐业"
    S = "S", "S 公共管理、社会保障和社会组织"
    T = "T", "T 国际组织"


class Ownership(models.TextChoices):
    NON_PUBLIC = "non_public", "非公有制企业"
    STATE = "state", "国有企业"
    COLLECTIVE = "collective", "集体企业"
    FOREIGN = "foreign", "外商投资企业"
    HMT = "hmt", "港澳台投资企业"
    PUBLIC_INSTITUTION = "institution", "事业单位"
    GOVERNMENT = "government", "机关"
    SOCIAL_ORG = "social_org", "社会组织"


class EmployerQuerySet(ScopedQuerySet):
    def in_subtree(self, org: Org) -> EmployerQuerySet:
        return self.filter(town__path__startswith=org.path)


class Employer(TimeStampedModel):
    """用人单位台账: one employer, where it sits and whether it has a union (已建会)."""

    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("单位名称", max_length=200, db_index=True)
    industry = models.CharField("行业门类", max_length=1, choices=Industry.choices)
    ownership = models.CharField("经济类型", max_length=32, choices=Ownership.choices)
    town = models.ForeignKey(
        Org, verbose_name="所在街道/镇", on_delete=models.PROTECT, related_name="employers_located",
        help_text="单位所在的街道/镇（或功能区）工会组织",
    )
    address = models.CharField("地址", max_length=200, blank=True)
    headcount = models.PositiveIntegerField("职工人数", default=0)
    has_union = models.BooleanField("已建会", default=False, db_index=True)
    union = models.ForeignKey(
        Org, verbose_name="所属工会", null=True, blank=True, on_delete=models.SET_NULL, related_name="employers",
    )
    name_initials = models.CharField("拼音首字母", max_length=200, blank=True, editable=False, db_index=True)

    objects = EmployerQuerySet.as_manager()
    # Cadres: employers located in their subtree, and for reading those whose union is in it too. An external account bound
    # to an employer reads that employer (its binding is the owner link).
    access = Access(paths=("town__path",), read_paths=("union__path",), guided=True,
                    owner="accounts__user", owner_actions=frozenset({"employers.view"}))

    class Meta:
        verbose_name = "用人单位"
        verbose_name_plural = "用人单位台账"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(union__isnull=True) | Q(has_union=True), name="employer_union_implies_has_union"),
        ]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------- grassroots-union assessment (星级评定)


class AssessmentScheme(TimeStampedModel):
    """评价方案: e.g. 珠海《百人以上非公企业工会评价方案》: dimensions and weighted indicators, who is eligible, grades.

    Built as a draft in the 工作台 and published; unions take part only in published schemes.
    """

    owner = models.ForeignKey(Org, verbose_name="发布组织", on_delete=models.PROTECT, related_name="assessment_schemes")
    name = models.CharField("方案名称", max_length=100)
    year = models.PositiveSmallIntegerField("年度")
    total_points = models.PositiveSmallIntegerField("总分", default=100)
    min_headcount = models.PositiveIntegerField("参评单位最少职工人数", default=100)
    ownerships = models.JSONField("参评经济类型", default=list, blank=True, help_text="为空则不限，如 [\"non_public\"]")
    grades = models.JSONField("等级线", default=list, help_text='从高到低，如 [["优秀", 90], ["良好", 80], ["合格", 60]]，低于最后一档为“不合格”')
    is_open = models.BooleanField("接受申报", default=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    # Unions take part in the published schemes of the orgs above them (上级方案), so those are read upward.
    access = Access(paths=("owner__path",),
                    above=Above(actions=frozenset({"orgs.view"}), when=Q(published_at__isnull=False)))

    class Meta:
        verbose_name = "评价方案"
        verbose_name_plural = "评价方案（星级评定）"
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return f"{self.year}年 {self.name}"

    @property
    def eligibility(self) -> str:
        """参评条件 in words, e.g. 职工 100 人以上的企业工会（非公有制企业）."""
        size = f"职工 {self.min_headcount} 人以上的" if self.min_headcount else ""
        kinds = "、".join(str(Ownership(value).label) for value in self.ownerships if value in Ownership.values)
        return f"{size}企业工会" + (f"（{kinds}）" if kinds else "")


class AssessmentDimension(models.Model):
    """评价维度 (e.g. 思想政治引领, 15 分): its indicators' points add up to its own."""

    scheme = models.ForeignKey(AssessmentScheme, verbose_name="评价方案", on_delete=models.CASCADE, related_name="dimensions")
    name = models.CharField("维度", max_length=50)
    points = models.PositiveSmallIntegerField("分值")
    position = models.PositiveSmallIntegerField("顺序", default=0)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("scheme__owner__path",))

    class Meta:
        verbose_name = "评价维度"
        verbose_name_plural = "评价维度"
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "name"], name="assessment_dimension_unique_name")]

    def __str__(self) -> str:
        return self.name


class AssessmentIndicator(models.Model):
    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="indicators")
    dimension = models.ForeignKey(AssessmentDimension, verbose_name="维度", on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField("指标", max_length=200)
    weight = models.PositiveSmallIntegerField("分值")
    position = models.PositiveSmallIntegerField("顺序", default=0)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("scheme__owner__path",))

    class Meta:
        verbose_name = "评价指标"
        verbose_name_plural = "评价指标"
        ordering = ["dimension__position", "dimension_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.dimension}：{self.name}"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "填写中"
    SELF_SUBMITTED = "self_submitted", "已自主申报"
    RECOMMENDED = "recommended", "区总已推优"
    RETURNED = "returned", "退回修改"
    NOT_RECOMMENDED = "not_recommended", "区总未推荐"
    AWARDED = "awarded", "市总已评定"


class CultivationLevel(models.TextChoices):
    """分级培育 (南沙): where the union stands on the way up."""

    BASIC = "basic", "初级"
    INTERMEDIATE = "intermediate", "中级"
    ADVANCED = "advanced", "高级"


class Assessment(TimeStampedModel):
    """One enterprise union's assessment: 自主申报 → 区总推优 → 市总评先 → 激励整改."""

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.PROTECT, related_name="assessments")
    union = models.ForeignKey(Org, verbose_name="企业工会", on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField("状态", max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT, db_index=True)
    self_scores = models.JSONField("自评分", default=dict)
    evidence = models.TextField("佐证说明", blank=True)
    review_scores = models.JSONField("审核分", default=dict)
    total = models.DecimalField("得分", max_digits=5, decimal_places=1, null=True, blank=True)
    district_comment = models.CharField("区总意见", max_length=300, blank=True)
    grade = models.CharField("等级", max_length=20, blank=True)
    stars = models.PositiveSmallIntegerField("星级", null=True, blank=True)
    level = models.CharField("培育等级", max_length=16, choices=CultivationLevel.choices, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recommended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    awarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("union__path",))

    class Meta:
        verbose_name = "工会评价"
        verbose_name_plural = "工会评价"
        ordering = [models.F("total").desc(nulls_last=True), "pk"]  # drafts have no total yet: last, on every database
        constraints = [models.UniqueConstraint(fields=["scheme", "union"], name="one_assessment_per_scheme")]

    def __str__(self) -> str:
        return f"{self.union} · {self.scheme}"


class ImprovementStatus(models.TextChoices):
    OPEN = "open", "待整改"
    DONE = "done", "已报完成，待确认"
    CONFIRMED = "confirmed", "已确认销号"


class ImprovementTask(TimeStampedModel):
    """激励整改: what a union must improve after its assessment, by when (calendar days, the end of `due_on`).

    待整改 → the union's own cadre reports it done with a note and, if they like, a file (待确认) → a 区/县 reviewer
    confirms it (已确认销号) or reopens it with a reason (back to 待整改, same deadline).
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="tasks")
    indicator = models.ForeignKey(AssessmentIndicator, null=True, on_delete=models.SET_NULL, related_name="+")
    description = models.CharField("整改事项", max_length=300)
    due_on = models.DateField("整改期限")
    status = models.CharField("状态", max_length=16, choices=ImprovementStatus.choices, default=ImprovementStatus.OPEN, db_index=True)
    done_on = models.DateField("完成日期", null=True, blank=True)
    done_note = models.CharField("整改情况", max_length=500, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报完成人", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    evidence = models.FileField("整改佐证", upload_to="improvements/%Y/%m/", blank=True)
    evidence_name = models.CharField("佐证文件名", max_length=100, blank=True)
    review_note = models.CharField("确认/退回意见", max_length=300, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField("确认/退回时间", null=True, blank=True)
    overdue_flagged_at = models.DateTimeField("超期提醒时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("assessment__union__path",))

    class Meta:
        verbose_name = "整改任务"
        verbose_name_plural = "整改任务"
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=ImprovementStatus.OPEN, done_on__isnull=True)
                | Q(status__in=[ImprovementStatus.DONE, ImprovementStatus.CONFIRMED], done_on__isnull=False),
                name="improvement_done_on_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return self.description


class AssessmentEvidence(TimeStampedModel):
    """佐证材料: a file the union attaches to its 自主申报, for the whole assessment or one indicator.

    Stored under a generated name and served only through an access-checked, audited view.
    """

    assessment = models.ForeignKey(Assessment, verbose_name="工会评价", on_delete=models.CASCADE, related_name="files")
    indicator = models.ForeignKey(AssessmentIndicator, verbose_name="对应指标", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    file = models.FileField("文件", upload_to="assessments/%Y/%m/")
    name = models.CharField("文件名", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("assessment__union__path",))

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------- 分级培育 (cultivation plans)


class CultivationPlan(TimeStampedModel):
    """分级培育计划 (南沙 "分级培育+星级评定"): the unions an org picks to cultivate in a year and how many it means to
    bring to each level by year end (e.g. 36 家初级、18 家中级)."""

    org = models.ForeignKey(Org, verbose_name="实施组织", on_delete=models.PROTECT, related_name="cultivation_plans")
    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("计划名称", max_length=100)
    target_primary = models.PositiveIntegerField("年底目标（初级）", default=0)
    target_intermediate = models.PositiveIntegerField("年底目标（中级）", default=0)
    target_advanced = models.PositiveIntegerField("年底目标（高级）", default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("org__path",))

    class Meta:
        verbose_name = "分级培育计划"
        verbose_name_plural = "分级培育计划"
        ordering = ["-year", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["org", "year", "name"], name="cultivation_plan_unique_name")]

    def __str__(self) -> str:
        return f"{self.year}年 {self.name}"

    def target_for(self, level: str) -> int:
        return {CultivationLevel.BASIC: self.target_primary, CultivationLevel.INTERMEDIATE: self.target_intermediate,
                CultivationLevel.ADVANCED: self.target_advanced}[level]


class CultivationCandidate(TimeStampedModel):
    """培育对象: one enterprise union in a plan; `reached_level` stays blank until the union passes 验收."""

    plan = models.ForeignKey(CultivationPlan, verbose_name="培育计划", on_delete=models.CASCADE, related_name="candidates")
    union = models.ForeignKey(Org, verbose_name="企业工会", on_delete=models.PROTECT, related_name="cultivations")
    aimed_level = models.CharField("培育目标等级", max_length=16, choices=CultivationLevel.choices)
    reached_level = models.CharField("验收达标等级", max_length=16, choices=CultivationLevel.choices, blank=True)
    accepted_at = models.DateTimeField("验收时间", null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="验收人", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    note = models.CharField("验收意见", max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("plan__org__path",))

    class Meta:
        verbose_name = "培育对象"
        verbose_name_plural = "培育对象"
        ordering = ["union__name", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "union"], name="cultivation_candidate_once_per_plan")]

    def __str__(self) -> str:
        return f"{self.union} · {self.plan}"
