"""Members API for cadres: scoped lists and details (masked), the review queue, card verification."""
from __future__ import annotations

import datetime as dt

from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from gonghui.core.masking import mask_id_number, mask_name
from gonghui.members import selectors, services

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
    return services.card_verify(token=payload.token)
