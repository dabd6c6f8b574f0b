"""用户画像: filters over the members in the actor's scope, live counts, saved segments."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from gonghui.audit.services import audit_log
from gonghui.core.exceptions import ApplicationError, NotFound
from gonghui.members.ledger import employer_industry_q
from gonghui.members.models import Membership, MembershipStatus, Segment
from gonghui.members.selectors import membership_list
from gonghui.orgs.models import Org, subtree_q


MAX_AGE = 120


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
    tag: str = ""

    @classmethod
    def from_params(cls, params) -> SegmentFilters:
        def number(key):
            value = str(params.get(key, "") or "").strip()
            return int(value) if value.isdecimal() and len(value) <= 9 else None

        text = {key: str(params.get(key, "") or "").strip()
                for key in ("industry", "new_form_type", "platform", "gender", "joined_from", "joined_to", "tag")}
        return cls(within=number("within"), age_min=number("age_min"), age_max=number("age_max"),
                   status=str(params.get("status", MembershipStatus.ACTIVE) or ""), **text)


def _date(value: str, label: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ApplicationError(f"{label}格式应为 2026-11-26", code="members.segment_date") from None


def segment_members(*, actor, filters: SegmentFilters, today: dt.date | None = None) -> QuerySet[Membership]:
    today = today or timezone.localdate()
    members = membership_list(actor=actor, status=filters.status)
    if filters.within:
        within = Org.objects.filter(subtree_q(actor, "members.view", "path"), pk=filters.within).first()
        if within is None:
            raise NotFound("组织不存在或不在您的管辖范围内")
        members = members.filter(union__path__startswith=within.path)
    if filters.industry:
        members = members.filter(employer_industry_q(filters.industry))
    if filters.new_form_type:
        members = members.filter(person__employment__new_form_type=filters.new_form_type)
    if filters.platform:
        members = members.filter(person__employment__platform_company__icontains=filters.platform)
    if filters.gender:
        members = members.filter(person__gender=filters.gender)
    if filters.tag:
        members = members.filter(tags__name=filters.tag)
    for age in (filters.age_min, filters.age_max):
        if age is not None and not 0 <= age <= MAX_AGE:
            raise ApplicationError(f"年龄应在 0 到 {MAX_AGE} 岁之间", code="members.segment_age")
    if filters.age_min is not None:  # at least N years old: born on or before today N years ago
        members = members.filter(person__birth_date__lte=_years_before(today, filters.age_min))
    if filters.age_max is not None:  # at most N: born after today N+1 years ago
        members = members.filter(person__birth_date__gt=_years_before(today, filters.age_max + 1))
    joined_from, joined_to = _date(filters.joined_from, "入会日期起"), _date(filters.joined_to, "入会日期止")
    if joined_from:
        members = members.filter(joined_on__gte=joined_from)
    if joined_to:
        members = members.filter(joined_on__lte=joined_to)
    return members


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@transaction.atomic
def segment_save(*, actor, name: str, org: Org, filters: SegmentFilters) -> Segment:
    name = name.strip()
    if not name:
        raise ApplicationError("请给分群起个名字", code="members.segment_name", fields={"name": ["必填"]})
    if not Org.objects.filter(subtree_q(actor, "members.manage", "path"), pk=org.pk).exists():
        raise NotFound("组织不存在或不在您的管辖范围内")
    segment_members(actor=actor, filters=filters)  # refuses filters the actor could not run
    segment = Segment.objects.create(name=name, org=org, filters=asdict(filters), created_by=actor)
    audit_log(actor=actor, action="members.segment.saved", obj=segment, org_path=org.path, data={"filters": segment.filters})
    return segment


def segment_list(*, actor) -> QuerySet[Segment]:
    return Segment.objects.filter(subtree_q(actor, "members.view", "org__path")).select_related("org", "created_by")


def segment_get_for(*, actor, segment_id) -> Segment:
    try:
        return segment_list(actor=actor).get(pk=int(segment_id))
    except (Segment.DoesNotExist, ValueError, TypeError):
        raise NotFound("分群不存在或不在您的管辖范围内") from None


def segment_filters(segment: Segment) -> SegmentFilters:
    return SegmentFilters(**segment.filters)
