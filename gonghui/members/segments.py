"""用户画像: filters over the members in the actor's scope, live counts, saved segments.

One filter definition (`SegmentFilters`) serves the builder page, saved segments and the API. A saved segment's members
come from one selector, `segment_resolve`: the pages, the API and the later features that refer to a segment by id
(notifications, booking eligibility, insurance gifts) all call it, so they agree on who is in it.

A segment belongs to an org (the saver's current org) and covers members of unions under that org, within whatever the
reader may see; the builder counts over the same org, so what it shows is what gets saved.

Tags: choosing several tags selects members carrying **any of** them (at least one; 任一标签).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, ProtectedError, Q, QuerySet, RestrictedError, Subquery
from django.utils import timezone

from gonghui.audit.services import audit_log
from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.core.locking import lock_row
from gonghui.members.ledger import employer_industry_q
from gonghui.members.models import Employment, MemberTag, Membership, MembershipStatus, NewFormType, Person, Segment
from gonghui.members.selectors import MANAGE, VIEW, membership_list
from gonghui.orgs.models import Industry, Org, OrgType

MAX_AGE = 120
AGE_MESSAGE = f"年龄应在 0 到 {MAX_AGE} 岁之间（填整数）"
MAX_TAGS = 20
TAG_LENGTH = MemberTag._meta.get_field("name").max_length
PLATFORM_LENGTH = Employment._meta.get_field("platform_company").max_length
NAME_LENGTH = Segment._meta.get_field("name").max_length
GENDERS = dict(Person._meta.get_field("gender").choices)
# The org picker's tree: places (市/区/街道/社区), not enterprise unions; those are found by searching.
PICKER_TYPES = (OrgType.PROVINCE, OrgType.CITY, OrgType.COUNTY, OrgType.FUNCTION_ZONE, OrgType.TOWN, OrgType.COMMUNITY)
PICKER_TREE_LIMIT = 300
PICKER_SEARCH_LIMIT = 30


@dataclass
class SegmentFilters:
    within: int | None = None  # an org id: members of unions under it
    industry: str = ""
    new_form_type: str = ""
    platform: str = ""
    gender: str = ""
    age_min: int | None = None
    age_max: int | None = None
    joined_from: str = ""
    joined_to: str = ""
    status: str = MembershipStatus.ACTIVE
    tags: list[str] = field(default_factory=list)  # any of: members carrying at least one of these tags

    @classmethod
    def from_params(cls, params) -> SegmentFilters:
        """Parse a query string, a posted form or a JSON dict; refuses malformed or impossible values (ApplicationError)."""
        errors: dict[str, list[str]] = {}

        def number(key, message):
            value = str(params.get(key, "") or "").strip()
            if not value:
                return None
            if value.isdecimal() and len(value) <= 9:
                return int(value)
            errors.setdefault(key, []).append(message)
            return None

        text = {key: str(params.get(key, "") or "").strip()
                for key in ("industry", "new_form_type", "platform", "gender", "joined_from", "joined_to")}
        filters = cls(within=number("within", "请从列表中选择组织"), age_min=number("age_min", AGE_MESSAGE), age_max=number("age_max", AGE_MESSAGE),
                      status=str(params.get("status", MembershipStatus.ACTIVE) or "").strip(), tags=tag_values(params), **text)
        filters.validate(errors)
        return filters

    @classmethod
    def from_saved(cls, data: dict) -> SegmentFilters:
        """A saved segment's filters (segments saved before tags were a list carry a single `tag`)."""
        data = dict(data)
        if "tag" in data:
            legacy = data.pop("tag")
            data.setdefault("tags", [legacy] if legacy else [])
        known = cls.__dataclass_fields__
        return cls(**{key: value for key, value in data.items() if key in known})

    def validate(self, errors: dict[str, list[str]] | None = None) -> None:
        """Every rule in one place, all problems in one Chinese message (`fields` names each input)."""
        errors = dict(errors or {})

        def fail(key, message):
            errors.setdefault(key, []).append(message)

        for key, value, choices, label in (("industry", self.industry, Industry.values, "行业门类"),
                                           ("new_form_type", self.new_form_type, NewFormType.values, "新就业形态"),
                                           ("gender", self.gender, list(GENDERS), "性别"),
                                           ("status", self.status, MembershipStatus.values, "会籍状态")):
            if value and value not in choices:
                fail(key, f"{label}不在可选范围内")
        if len(self.platform) > PLATFORM_LENGTH:
            fail("platform", f"平台企业不能超过 {PLATFORM_LENGTH} 个字")
        for key in ("age_min", "age_max"):
            value = getattr(self, key)
            if value is not None and not 0 <= value <= MAX_AGE and key not in errors:
                fail(key, AGE_MESSAGE)
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max and not errors.get("age_min"):
            fail("age_min", f"年龄下限（{self.age_min} 岁）不能大于上限（{self.age_max} 岁）")
        dates = {}
        for key, label in (("joined_from", "入会日期起"), ("joined_to", "入会日期止")):
            try:
                dates[key] = dt.date.fromisoformat(getattr(self, key)) if getattr(self, key) else None
            except ValueError:
                fail(key, f"{label}格式应为 2026-11-26")
        if dates.get("joined_from") and dates.get("joined_to") and dates["joined_from"] > dates["joined_to"]:
            fail("joined_from", "入会日期起不能晚于入会日期止")
        if len(self.tags) > MAX_TAGS:
            fail("tags", f"最多选择 {MAX_TAGS} 个标签")
        if any(len(tag) > TAG_LENGTH for tag in self.tags):
            fail("tags", f"标签不能超过 {TAG_LENGTH} 个字")
        if errors:
            message = "；".join(dict.fromkeys(m for messages in errors.values() for m in messages))
            raise ApplicationError(message, code="members.segment_filters", fields=errors)

    def as_dict(self) -> dict:
        return asdict(self)

    def as_params(self) -> list[tuple[str, str]]:
        """The builder's query string for these filters (the names its inputs use)."""
        pairs = [(key, str(value)) for key, value in asdict(self).items() if key != "tags" and value not in (None, "")]
        if not self.status:
            pairs.append(("status", ""))  # 不限 is an explicit choice; a missing status means 在会
        return pairs + [("tag", tag) for tag in self.tags]


def tag_values(params) -> list[str]:
    """`tag` repeated (the builder's checkboxes), or `tags` as a list (JSON); blanks dropped, order kept, no repeats."""
    values: list = []
    for key in ("tag", "tags"):
        if hasattr(params, "getlist"):
            values += params.getlist(key)
        else:
            raw = params.get(key)
            values += list(raw) if isinstance(raw, (list, tuple)) else [raw]
    return list(dict.fromkeys(str(v).strip() for v in values if v is not None and str(v).strip()))


def segment_members(*, actor, filters: SegmentFilters, org: Org | None = None, today: dt.date | None = None) -> QuerySet[Membership]:
    """Members matching `filters` that the actor may see; with `org`, only members of unions under it."""
    filters.validate()
    members = membership_list(actor=actor, status=filters.status)
    if org is not None:
        members = members.filter(union__path__startswith=org.path)
    if filters.within:
        within = Org.objects.restrict(actor, VIEW).filter(pk=filters.within)
        if org is not None:
            within = within.filter(path__startswith=org.path)
        within = within.first()
        if within is None:
            raise NotFound()
        members = members.filter(union__path__startswith=within.path)
    return _narrowed(members, filters, today or timezone.localdate())


def segment_covers(*, segment: Segment, today: dt.date | None = None) -> QuerySet[Membership]:
    """Every member a saved segment covers, whoever asks (a subquery for a feature that limits something to a segment,
    such as who may book a course: the worker asking holds no posts). Members of unions under the segment's org, as
    `segment_resolve` gives them to a reader whose scope covers that org."""
    filters = segment_filters(segment)
    members = Membership.objects.filter(union__path__startswith=segment.org.path)
    if filters.status:
        members = members.filter(status=filters.status)
    if filters.within:
        members = members.filter(union__path__startswith=Subquery(Org.objects.filter(pk=filters.within).values("path")[:1]))
    return _narrowed(members, filters, today or timezone.localdate())


def _narrowed(members: QuerySet[Membership], filters: SegmentFilters, today: dt.date) -> QuerySet[Membership]:
    if filters.industry:
        members = members.filter(employer_industry_q(filters.industry))
    if filters.new_form_type:
        members = members.filter(person__employment__new_form_type=filters.new_form_type)
    if filters.platform:
        members = members.filter(person__employment__platform_company__icontains=filters.platform)
    if filters.gender:
        members = members.filter(person__gender=filters.gender)
    if filters.tags:  # any of them; Exists, so a member with two of the tags is counted once
        members = members.filter(Exists(MemberTag.objects.filter(membership=OuterRef("pk"), name__in=filters.tags)))
    # Ages count in whole months (only the birth month is kept, decision 0018): N in the month of the Nth birthday
    if filters.age_min is not None:  # at least N years old: born in this month N years ago or earlier
        members = members.filter(person__birth_month__lte=_month_years_before(today, filters.age_min))
    if filters.age_max is not None:  # at most N: born after this month N+1 years ago
        members = members.filter(person__birth_month__gt=_month_years_before(today, filters.age_max + 1))
    if filters.joined_from:
        members = members.filter(joined_on__gte=dt.date.fromisoformat(filters.joined_from))
    if filters.joined_to:
        members = members.filter(joined_on__lte=dt.date.fromisoformat(filters.joined_to))
    return members


def _month_years_before(day: dt.date, years: int) -> dt.date:
    """The first day of `day`'s month, `years` years earlier (as birth months are stored)."""
    return dt.date(day.year - years, day.month, 1)


def segment_resolve(*, actor, segment: Segment, today: dt.date | None = None) -> QuerySet[Membership]:
    """A saved segment's members as the actor may see them: the one selector for pages, the API and later features.

    Members of unions under the segment's org only, whoever reads it (a 市总 reading a 区总's segment gets that district's
    members, as its saver saw them). If the org picked in its filters has since moved out from under the segment's org,
    the segment is refused with a message rather than read as "nobody"."""
    try:
        return segment_members(actor=actor, filters=segment_filters(segment), org=segment.org, today=today)
    except NotFound:
        raise ApplicationError("分群条件中的组织已不在本分群所属组织之下（组织可能已调整），请按新的组织重新保存分群",
                               code="members.segment_stale") from None


def segment_filters(segment: Segment) -> SegmentFilters:
    return SegmentFilters.from_saved(segment.filters)


def _clean_name(name) -> str:
    name = str(name or "").strip()
    if not name:
        raise ApplicationError("请给分群起个名字", code="members.segment_name", fields={"name": ["必填"]})
    if len(name) > NAME_LENGTH:
        message = f"分群名称不能超过 {NAME_LENGTH} 个字（现为 {len(name)} 个字）"
        raise ApplicationError(message, code="members.segment_name", fields={"name": [message]})
    return name


def _require_manage(*, actor, org: Org, refusal: str) -> None:
    """NotFound when the org is out of the actor's sight, PermissionDenied when they see it but may not change members there."""
    if not Org.objects.restrict(actor, VIEW).filter(pk=org.pk).exists():
        raise NotFound()
    if not Org.objects.restrict(actor, MANAGE).filter(pk=org.pk).exists():
        raise PermissionDenied(refusal)


@transaction.atomic
def segment_save(*, actor, name: str, org: Org, filters: SegmentFilters) -> Segment:
    name = _clean_name(name)
    _require_manage(actor=actor, org=org, refusal="只有具备会员管理权限的干部可以保存分群")
    segment_members(actor=actor, filters=filters, org=org)  # refuses filters the actor could not run
    segment = Segment.objects.create(name=name, org=org, filters=filters.as_dict(), created_by=actor)
    audit_log(actor=actor, action="members.segment.saved", obj=segment, org_path=org.path, data={"filters": segment.filters})
    return segment


@transaction.atomic
def segment_rename(*, actor, segment: Segment, name: str) -> Segment:
    name = _clean_name(name)
    _require_manage(actor=actor, org=segment.org, refusal=_manage_refusal(segment))
    segment = lock_row(Segment.objects.select_related("org"), segment.pk, required=True)
    old = segment.name
    if name != old:
        segment.name = name
        segment.save(update_fields=["name", "updated_at"])
        audit_log(actor=actor, action="members.segment.renamed", obj=segment, org_path=segment.org.path, data={"from": old, "to": name})
    return segment


@transaction.atomic
def segment_delete(*, actor, segment: Segment) -> None:
    """Refused while another record refers to the segment (later features point at it with PROTECT/RESTRICT keys)."""
    _require_manage(actor=actor, org=segment.org, refusal=_manage_refusal(segment))
    segment = lock_row(Segment.objects.select_related("org"), segment.pk, required=True)
    audit_log(actor=actor, action="members.segment.deleted", obj=segment, org_path=segment.org.path,
              data={"name": segment.name, "filters": segment.filters})
    try:
        segment.delete()
    except (ProtectedError, RestrictedError) as exc:
        users = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        kinds = "、".join(sorted({str(obj._meta.verbose_name) for obj in users})) or "其他记录"
        raise ApplicationError(f"分群“{segment.name}”正被{kinds}使用，不能删除", code="members.segment_in_use") from None


def _manage_refusal(segment: Segment) -> str:
    return f"本分群属于{segment.org.name}，只有该组织（或其上级）具备会员管理权限的干部可以修改或删除"


def segment_list(*, actor, q: str = "") -> QuerySet[Segment]:
    segments = Segment.objects.restrict(actor, VIEW).select_related("org", "created_by")
    q = str(q or "").strip()
    if q:
        segments = segments.filter(name__icontains=q)
    return segments.order_by("-id")


def segment_get_for(*, actor, segment_id) -> Segment:
    try:
        return segment_list(actor=actor).get(pk=int(segment_id))
    except (Segment.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def segment_can_manage(*, actor, segment: Segment) -> bool:
    return Org.objects.restrict(actor, MANAGE).filter(pk=segment.org_id).exists()


def segment_conditions(*, actor, filters: SegmentFilters) -> list[dict]:
    """The filters in words, for people and for the API: [{"field", "label", "value"}], 会籍状态 always included."""
    rows = []

    def add(key, label, value):
        rows.append({"field": key, "label": label, "value": value})

    if filters.within:
        org = Org.objects.restrict(actor, VIEW).filter(pk=filters.within).first()
        add("within", "组织", org.name if org else "（组织已不在您的管辖范围内）")
    if filters.industry:
        add("industry", "行业门类", Industry(filters.industry).label)
    if filters.new_form_type:
        add("new_form_type", "新就业形态", NewFormType(filters.new_form_type).label)
    if filters.platform:
        add("platform", "平台企业", f"名称含“{filters.platform}”")
    if filters.gender:
        add("gender", "性别", GENDERS[filters.gender])
    if filters.age_min is not None or filters.age_max is not None:
        if filters.age_max is None:
            add("age", "年龄", f"{filters.age_min} 岁及以上")
        elif filters.age_min is None:
            add("age", "年龄", f"{filters.age_max} 岁及以下")
        else:
            add("age", "年龄", f"{filters.age_min} 至 {filters.age_max} 岁")
    if filters.joined_from or filters.joined_to:
        add("joined", "入会日期", f"{filters.joined_from or '不限'} 至 {filters.joined_to or '不限'}")
    add("status", "会籍状态", MembershipStatus(filters.status).label if filters.status else "不限")
    if filters.tags:
        add("tags", "标签（任一）", "、".join(filters.tags))
    return rows


def segment_tag_choices(*, actor, org: Org, limit: int = 60) -> list[str]:
    """Tags used on members under `org` that the actor sees, most used first (the builder's checkboxes)."""
    tags = (MemberTag.objects.restrict(actor, VIEW).filter(membership__union__path__startswith=org.path)
            .values("name").annotate(n=Count("id")).order_by("-n", "name")[:limit])
    return [row["name"] for row in tags]


def segment_org_choices(*, actor, org: Org, q: str = "") -> tuple[list[Org], bool]:
    """Orgs the builder may filter by, all under `org` and in the actor's sight: without `q`, the tree of places
    (市/区/街道/社区) in path order, as deep as fits in PICKER_TREE_LIMIT; with `q`, any org matching name, short name,
    code or pinyin. Each org gets `indent` (levels below `org`) and `picker_label` (the name indented with full-width
    spaces, which a <select> does not collapse; a search result is named with its code). Returns (orgs, more: whether some orgs were left out)."""
    orgs = Org.objects.restrict(actor, VIEW).filter(path__startswith=org.path, is_active=True)
    q = str(q or "").strip()
    if q:
        key = q.lower().replace(" ", "")
        found = list(orgs.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__startswith=q)
                                 | Q(name_initials__startswith=key) | Q(name_pinyin__startswith=key))
                     .order_by("depth", "path")[:PICKER_SEARCH_LIMIT + 1])
        chosen, more = found[:PICKER_SEARCH_LIMIT], len(found) > PICKER_SEARCH_LIMIT
        chosen.sort(key=lambda o: o.path)
    else:
        places = orgs.filter(Q(type__in=PICKER_TYPES) | Q(pk=org.pk))
        by_depth = dict(places.values_list("depth").annotate(n=Count("id")).order_by())
        deepest, total = org.depth, 0
        for depth in sorted(by_depth):
            if total + by_depth[depth] > PICKER_TREE_LIMIT:
                break
            total, deepest = total + by_depth[depth], depth
        chosen = list(places.filter(depth__lte=deepest).order_by("path"))
        more = deepest < max(by_depth, default=org.depth)
    for each in chosen:
        each.indent = max(each.depth - org.depth, 0)
        each.picker_label = f"{each.name}（{each.code}）" if q else "\u3000" * each.indent + each.name
    return chosen, more


def segment_org_chosen(*, actor, org: Org, org_id) -> Org | None:
    """The org picked in the builder, if it is one the picker could offer (else None: nothing about it is shown)."""
    try:
        return Org.objects.restrict(actor, VIEW).filter(path__startswith=org.path).get(pk=int(org_id))
    except (Org.DoesNotExist, ValueError, TypeError, OverflowError):
        return None
