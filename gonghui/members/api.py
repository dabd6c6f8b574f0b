"""Members API for cadres: scoped lists and details (masked), the review queue, card verification, saved segments (用户画像)."""
from __future__ import annotations

import datetime as dt

from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from gonghui.core.masking import mask_id_number, mask_name
from gonghui.members import segments, selectors, services

router = Router(tags=["会员"])


class MemberOut(Schema):
    id: int
    member_number: str
    name_masked: str
    id_number_masked: str
    union_id: int
    union_name: str
    status: str
    joined_on: dt.date

    @staticmethod
    def resolve_name_masked(membership) -> str:
        return mask_name(membership.person.name)

    @staticmethod
    def resolve_id_number_masked(membership) -> str:
        return mask_id_number(membership.person.id_number)

    @staticmethod
    def resolve_union_name(membership) -> str:
        return membership.union.name


class ApplicationOut(Schema):
    id: int
    union_id: int
    in_holding_pool: bool
    routing_reason: str
    status: str
    due_at: dt.datetime


class CardIn(Schema):
    token: str


class SegmentOut(Schema):
    id: int
    name: str
    org_id: int
    org_name: str
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_org_name(segment) -> str:
        return segment.org.name

    @staticmethod
    def resolve_created_by(segment) -> str:
        return str(segment.created_by)


class SegmentConditionOut(Schema):
    field: str
    label: str
    value: str


class SegmentDetailOut(SegmentOut):
    filters: dict
    conditions: list[SegmentConditionOut]
    count: int


class SegmentCountOut(Schema):
    id: int
    count: int


@router.get("/members", response=list[MemberOut])
@paginate(PageNumberPagination, page_size=50)
def member_list(request, q: str = "", status: str = ""):
    return selectors.membership_list(actor=request.user, q=q, status=status)


@router.get("/members/{membership_id}", response=MemberOut)
def member_detail(request, membership_id: int):
    return selectors.membership_get_for(actor=request.user, membership_id=membership_id)


@router.get("/member-applications", response=list[ApplicationOut])
@paginate(PageNumberPagination, page_size=50)
def application_list(request, status: str = "pending"):
    return selectors.application_queue(actor=request.user, status=status)


@router.post("/member-cards/verify", response=MemberOut)
def card_verify(request, payload: CardIn):
    return services.card_verify(actor=request.user, token=payload.token)


@router.get("/member-segments", response=list[SegmentOut])
@paginate(PageNumberPagination, page_size=50)
def segment_list(request, q: str = ""):
    """Saved segments of the orgs in the caller's scope, newest first; `q` searches names."""
    return segments.segment_list(actor=request.user, q=q)


@router.get("/member-segments/{segment_id}", response=SegmentDetailOut)
def segment_detail(request, segment_id: int):
    """One segment: its filters as saved (`filters`) and in words (`conditions`), and how many members it covers now."""
    segment = segments.segment_get_for(actor=request.user, segment_id=segment_id)
    filters = segments.segment_filters(segment)
    segment.filters = filters.as_dict()
    segment.conditions = segments.segment_conditions(actor=request.user, filters=filters)
    segment.count = segments.segment_resolve(actor=request.user, segment=segment).count()
    return segment


@router.get("/member-segments/{segment_id}/count", response=SegmentCountOut)
def segment_count(request, segment_id: int):
    """The segment's members counted now, as the caller may see them (the same selector the pages use)."""
    segment = segments.segment_get_for(actor=request.user, segment_id=segment_id)
    return {"id": segment.pk, "count": segments.segment_resolve(actor=request.user, segment=segment).count()}
