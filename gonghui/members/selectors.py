"""Reads of the members app; cadres see only memberships and applications of unions in their subtree."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse

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
from gonghui.members.services import MEMBER_UNION_TYPES, join_code_eligible_q
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import org_list, org_roots_for

VIEW, MANAGE = "members.view", "members.manage"


def acting_org_for(*, actor, session) -> Org:
    """The org the cadre is working for: their current post's (the org switcher), or for an administrator without posts the top
    of the tree. Pages and API calls that act "here" (save a segment, start a drive, open the ledger) start from it."""
    post = current_post_for(user=actor, session=session)
    org = post.org if post else org_roots_for(actor=actor).first()
    if org is None:
        raise NotFound()
    return org


def membership_list(*, actor, q: str = "", status: str = "", within: Org | None = None,
                    id_index: str | None = None, name: str = "", name_index: str | None = None, for_action: str = VIEW) -> QuerySet[Membership]:
    """`for_action`: the action the rows are read for, when another app picks members for its own work (trips.book: a
    union names its members for a group trip without holding members.view).
    `q`: a member-number prefix or a full ID number. `id_index`: an ID number's blind index instead, as a background
    export keeps the search (`membership_search_to_keep`). `name`: a whole name, found through its blind index (spaces
    and middle dots aside: `normalize_person_name`); `name_index`: that index, as an export keeps it."""
    memberships = Membership.objects.restrict(actor, for_action).select_related("person", "union")
    if within is not None:
        memberships = memberships.filter(union__path__startswith=within.path)
    if status:
        memberships = memberships.filter(status=status)
    if name_index is None and name.strip():
        name_index = Person._meta.get_field("name_index").index_for(name)
    if name_index is not None:
        memberships = memberships.filter(person__name_index=name_index)
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


def membership_search_to_keep(q: str, name: str = "") -> dict[str, str]:
    """The search boxes' text as `membership_list` arguments a background job may store: an ID number or a name never
    in clear, only its blind index."""
    kept = {"name_index": Person._meta.get_field("name_index").index_for(name)} if name.strip() else {}
    q = q.strip()
    if len(q) != 18:
        return {"q": q, **kept}
    try:
        return {"id_index": Person._meta.get_field("id_index").index_for(q), **kept}
    except InvalidIdentifier:
        return {"id_index": "", **kept}  # not a valid ID number: like the list, it matches nobody (no blind index is empty)


def membership_get_for(*, actor, membership_id) -> Membership:
    return membership_list(actor=actor).prefetch_related("events__from_union", "events__to_union").restrict_get(actor, VIEW, membership_id)


def application_queue(*, actor, status: str = ApplicationStatus.PENDING, holding_pool: bool | None = None,
                      union: Org | None = None, q: str = "") -> QuerySet[JoinApplication]:
    """`q`: an applicant's name (as the queue shows it, 张小三 or 张*三), full ID number or mobile number, or part of the
    receiving union's name."""
    applications = JoinApplication.objects.restrict(actor, MANAGE).select_related("person", "union", "join_code__org")
    if status:
        applications = applications.filter(status=status)
    if holding_pool is not None:
        applications = applications.filter(in_holding_pool=holding_pool)
    if union is not None:
        applications = applications.filter(union=union)
    q = q.strip().replace("＊", "*")
    if q:
        applications = applications.filter(_application_search(applications, q))
    return applications.order_by("due_at", "pk")


def _application_search(applications: QuerySet[JoinApplication], q: str) -> Q:
    if _NAME_QUERY.search(q):
        matches = _name_matcher(q)
        named = [pk for pk, name in applications.values_list("pk", "person__name") if matches(name)]
        return Q(pk__in=named) | Q(union__name__icontains=q)
    for field_name in ("id_index", "phone_index"):
        try:
            return Q(**{f"person__{field_name}": Person._meta.get_field(field_name).index_for(q)})
        except InvalidIdentifier:
            continue
    return Q(pk__in=[])  # neither a name nor a valid ID or mobile number: nobody matches


def application_counts(*, actor, within: Org, since: dt.datetime) -> dict[str, int]:
    """Join applications made since `since` to unions under `within` that the actor may see, by status."""
    applications = JoinApplication.objects.restrict(actor, VIEW).filter(union__path__startswith=within.path, created_at__gte=since)
    return dict(applications.values_list("status").annotate(n=Count("pk")).order_by())


def application_get_for(*, actor, application_id) -> JoinApplication:
    return application_queue(actor=actor, status="").select_related("person__employment").restrict_get(actor, MANAGE, application_id)


def transfer_queue(*, actor, status: str = TransferStatus.PENDING) -> QuerySet[Transfer]:
    transfers = Transfer.objects.restrict(actor, MANAGE).select_related("membership__person", "from_union", "to_union")
    return transfers.filter(status=status) if status else transfers


def appeal_queue(*, actor, status: str = AppealStatus.PENDING) -> QuerySet[ImpersonationAppeal]:
    appeals = ImpersonationAppeal.objects.restrict(actor, MANAGE).select_related("membership__union", "membership__person")
    return appeals.filter(status=status) if status else appeals


def join_code_orgs(*, actor, q: str = "") -> QuerySet[Org]:
    """The unions in the actor's scope that have a join code or should have one (`join_code_eligible_q`), in tree order;
    `q` finds them by name, short name, code or pinyin as `org_list` does."""
    return (org_list(actor=actor, q=q).filter(join_code_eligible_q()).select_related("parent", "join_code", "join_policy")
            .order_by("path"))


def join_codes_for(*, actor) -> QuerySet[JoinCode]:
    return JoinCode.objects.restrict(actor, VIEW).select_related("org").order_by("org__path")


def my_membership(*, user) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.select_related("union", "person").filter(person__user=user).first()


def my_pending_application(*, user) -> JoinApplication | None:
    """The worker's 入会 application still waiting for a decision (at most one: a partial unique index)."""
    if not user.is_authenticated:
        return None
    return JoinApplication.objects.select_related("union").filter(applicant=user, status=ApplicationStatus.PENDING).first()


def my_person(*, user) -> Person | None:
    """The person a worker's account is bound to (by 一键入会), if any."""
    if not user.is_authenticated:
        return None
    return Person.objects.filter(user=user).first()


def person_facts(*, user) -> QuerySet[Person]:
    """The worker's person (实名) with what other apps decide on, in one row: the membership's union and status, the
    新就业形态 type and the birth month (ages in whole months, decision 0018). A queryset, so the caller can add its own
    annotations and read everything in one query (the booking button's light path)."""
    return (Person.objects.filter(user=user)
            .annotate(union_id=F("membership__union_id"), union_path=F("membership__union__path"),
                      member_status=F("membership__status"), membership_pk=F("membership__pk"),
                      new_form=F("employment__new_form_type")))


def my_applications(*, user) -> QuerySet[JoinApplication]:
    """The worker's own applications: the owner rule of the one access rule (a worker holds no posts)."""
    return JoinApplication.objects.restrict(user, VIEW).filter(applicant=user).select_related("union").order_by("-pk")


def my_transfers(*, user) -> QuerySet[Transfer]:
    return Transfer.objects.restrict(user, VIEW).filter(membership__person__user=user).select_related("from_union", "to_union").order_by("-pk")


@dataclass(frozen=True)
class UnionService:
    """Something a worker can do with a union, as its public page (找工会 → 工会主页) offers it."""

    title: str
    description: str
    url: str


def union_public_services(*, org: Org) -> list[UnionService]:
    """What the members app offers at `org` to anyone who finds it: joining (through its 入会码 when it has one, so the
    application starts from this union), and bringing a membership over (会籍转接) where it holds members."""
    offered = []
    code = JoinCode.objects.filter(org=org).only("token").first()
    holds_members = org.type in MEMBER_UNION_TYPES
    if code is not None:
        offered.append(UnionService("扫码入会", "用本工会的入会码一键入会：手机号登录，填写实名信息，按工作单位分配到对应工会",
                                    reverse("members_h5:code", args=[code.token])))
    elif holds_members:
        offered.append(UnionService("一键入会", "手机号登录，填写实名信息，系统按您的工作单位或工作地分配到对应工会", reverse("members_h5:join")))
    if holds_members:
        offered.append(UnionService("会籍转接", "已是会员、换到本工会辖区工作的，可把会籍转入", reverse("members_h5:transfer")))
    return offered


_NAME_QUERY = re.compile(r"[\u3400-\u9fff*＊]")


def _name_matcher(q: str):
    """Names are encrypted, so a name is compared in its masked form, decrypted here rather than in the database:
    张小三 and 张*三 both find 张*三; one character finds the surname."""
    wanted = q if "*" in q else mask_name(q)
    return (lambda name: name.startswith(q)) if len(q) == 1 else (lambda name: mask_name(name) == wanted)


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
        matches = _name_matcher(q)
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
