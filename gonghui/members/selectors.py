"""Reads of the members app; cadres see only memberships and applications of unions in their subtree."""
from __future__ import annotations

import re

from django.db.models import Count, QuerySet

from gonghui.accounts.selectors import current_post_for
from gonghui.core.exceptions import NotFound
from gonghui.core.masking import mask_name
from gonghui.core.validators import InvalidIdentifier
from gonghui.members.models import (
    ApplicationStatus,
    AppealStatus,
    ImpersonationAppeal,
    JoinApplication,
    JoinCode,
    MemberStarAward,
    Membership,
    Person,
    Transfer,
    TransferStatus,
)
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import org_roots_for

VIEW, MANAGE = "members.view", "members.manage"


def acting_org_for(*, actor, session) -> Org:
    """The org the cadre is working for: their current post's (the org switcher), or for an administrator without posts the top
    of the tree. Pages and API calls that act "here" (save a segment, start a drive, open the ledger) start from it."""
    post = current_post_for(user=actor, session=session)
    org = post.org if post else org_roots_for(actor=actor).first()
    if org is None:
        raise NotFound("您没有工会岗位，无法使用此功能")
    return org


def membership_list(*, actor, q: str = "", status: str = "", within: Org | None = None,
                    id_index: str | None = None) -> QuerySet[Membership]:
    """`q`: a member-number prefix or a full ID number. `id_index`: an ID number's blind index instead, as a background
    export keeps the search (`membership_search_to_keep`)."""
    memberships = Membership.objects.restrict(actor, VIEW).select_related("person", "union")
    if within is not None:
        memberships = memberships.filter(union__path__startswith=within.path)
    if status:
        memberships = memberships.filter(status=status)
    q = q.strip()
    if id_index is None and len(q) == 18:  # names are encrypted: search by member number, or the exact ID number's blind index
        try:
            id_index = Person._meta.get_field("id_index").index_for(q)
        except InvalidIdentifier:
            return memberships.none()  # 18 characters but not a valid ID number: nobody matches
    if id_index is not None:
        memberships = memberships.filter(person__id_index=id_index)
    elif q:
        memberships = memberships.filter(member_number__startswith=q)
    return memberships.order_by("-joined_on", "-pk")


def membership_search_to_keep(q: str) -> dict[str, str]:
    """The search box's text as `membership_list` arguments a background job may store: an ID number never in clear,
    only its blind index."""
    q = q.strip()
    if len(q) != 18:
        return {"q": q}
    try:
        return {"id_index": Person._meta.get_field("id_index").index_for(q)}
    except InvalidIdentifier:
        return {"id_index": ""}  # not a valid ID number: like the list, it matches nobody (no blind index is empty)


def membership_get_for(*, actor, membership_id) -> Membership:
    return membership_list(actor=actor).prefetch_related("events__from_union", "events__to_union").restrict_get(actor, VIEW, membership_id)


def application_queue(*, actor, status: str = ApplicationStatus.PENDING, holding_pool: bool | None = None,
                      union: Org | None = None) -> QuerySet[JoinApplication]:
    applications = JoinApplication.objects.restrict(actor, MANAGE).select_related("person", "union", "join_code__org")
    if status:
        applications = applications.filter(status=status)
    if holding_pool is not None:
        applications = applications.filter(in_holding_pool=holding_pool)
    if union is not None:
        applications = applications.filter(union=union)
    return applications.order_by("due_at", "pk")


def application_get_for(*, actor, application_id) -> JoinApplication:
    return application_queue(actor=actor, status="").select_related("person__employment").restrict_get(actor, MANAGE, application_id)


def transfer_queue(*, actor, status: str = TransferStatus.PENDING) -> QuerySet[Transfer]:
    transfers = Transfer.objects.restrict(actor, MANAGE).select_related("membership__person", "from_union", "to_union")
    return transfers.filter(status=status) if status else transfers


def appeal_queue(*, actor, status: str = AppealStatus.PENDING) -> QuerySet[ImpersonationAppeal]:
    appeals = ImpersonationAppeal.objects.restrict(actor, MANAGE).select_related("membership__union", "membership__person")
    return appeals.filter(status=status) if status else appeals


def join_codes_for(*, actor) -> QuerySet[JoinCode]:
    return JoinCode.objects.restrict(actor, VIEW).select_related("org").order_by("org__path")


def my_membership(*, user) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.select_related("union", "person").filter(person__user=user).first()


def my_applications(*, user) -> QuerySet[JoinApplication]:
    """The worker's own applications: the owner rule of the one access rule (a worker holds no posts)."""
    return JoinApplication.objects.restrict(user, VIEW).filter(applicant=user).select_related("union").order_by("-pk")


def my_transfers(*, user) -> QuerySet[Transfer]:
    return Transfer.objects.restrict(user, VIEW).filter(membership__person__user=user).select_related("from_union", "to_union").order_by("-pk")


_NAME_QUERY = re.compile(r"[\u3400-\u9fff*＊]")


def star_award_list(*, actor, year: int | None = None, stars: int | None = None, q: str = "", within: Org | None = None
                    ) -> QuerySet[MemberStarAward]:
    """星级会员 of unions in the actor's subtree: newest year first, most stars first.

    `q` is what the member list takes (a member number's start, or a full ID number), or a name as the list shows it.
    Names are encrypted, so a name is compared in its masked form (张小三 and 张*三 both find 张*三; one character finds
    the surname) against the awards the other filters leave, decrypted here rather than in the database.
    """
    awards = (MemberStarAward.objects.restrict(actor, VIEW)
              .select_related("membership__person", "membership__union", "awarded_by"))
    if within is not None:
        awards = awards.filter(membership__union__path__startswith=within.path)
    if year:
        awards = awards.filter(year=year)
    if stars:
        awards = awards.filter(stars=stars)
    q = q.strip().replace("＊", "*")
    if q and _NAME_QUERY.search(q):
        wanted = q if "*" in q else mask_name(q)
        matches = (lambda name: name.startswith(q)) if len(q) == 1 else (lambda name: mask_name(name) == wanted)
        awards = awards.filter(pk__in=[pk for pk, name in awards.values_list("pk", "membership__person__name") if matches(name)])
    elif q:
        awards = awards.filter(membership__in=membership_list(actor=actor, q=q))
    return awards.order_by("-year", "-stars", "membership__member_number")


def star_award_counts(*, awards: QuerySet[MemberStarAward]) -> dict[int, int]:
    """How many of these awards carry each star level, 5★ first."""
    return dict(awards.order_by("-stars").values_list("stars").annotate(n=Count("pk")))


def star_award_years(*, actor) -> list[int]:
    return list(MemberStarAward.objects.restrict(actor, VIEW).order_by("-year")
                .values_list("year", flat=True).distinct())
