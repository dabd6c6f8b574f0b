"""建会台账: every employer located in an org's subtree with its staff, its members and member coverage, worst first; and the
rule for which members count towards an employer, which the 用户画像 industry filter shares.

A member counts towards an employer when either
- their 就业 names the employer (一键入会 through the employer, or a cadre's record), or
- their membership is held by the employer's 企业工会 (`Employer.union`, which the ledger only lets be a 企业工会), or by a
  分会/班组 under it, up to BRANCH_LEVELS levels down. A bulk import writes no employer into 就业, so this is how imported
  members reach their employer.
Someone who is both is counted once. An enterprise union under another one (a group's subsidiary) is its own employer's union:
its members and its 分会 do not count towards the group's employer.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Exists, F, FloatField, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Greatest, NullIf

from gonghui.core.exceptions import NotFound
from gonghui.core.spreadsheets import Column, write_xlsx
from gonghui.members.models import Membership
from gonghui.members.selectors import acting_org_for
from gonghui.members.services import LIVE_STATUSES
from gonghui.orgs.models import REGIONAL_TYPES, Employer, Org, OrgType
from gonghui.orgs.selectors import org_get_for

VIEW = "members.view"
LARGE_HEADCOUNT = 25  # 25 人以上: the employers a 建会 drive must reach first
BRANCH_LEVELS = 3  # 分会 → 车间工会 → 班组; a 分会/班组 deeper than this under its 企业工会 is not traced back to the employer


def _enterprise_union_levels() -> list[tuple[str, Q]]:
    """For a membership: (the lookup naming its 企业工会's id, the condition for that lookup to name it), one pair per level: the
    membership's union itself (level 0), or the org `level` steps above it when every org from the union up to there is a 分会/班组.
    Org types allow only 分会/班组 under a 分会/班组, so the first non-分会 above a 分会 is the 企业工会 it belongs to."""
    levels, lookup, chain = [("union_id", Q())], "union", Q()
    for _ in range(BRANCH_LEVELS):
        chain &= Q(**{f"{lookup}__type": OrgType.BRANCH})
        levels.append((f"{lookup}__parent_id", chain))
        lookup += "__parent"
    return levels


def _in_enterprise_union(union_id) -> Q:
    """Memberships held by the 企业工会 `union_id` (an id or an expression) or by its 分会/班组."""
    condition = Q(pk__in=[])
    for lookup, chain in _enterprise_union_levels():
        condition |= chain & Q(**{lookup: union_id})
    return condition


def _count(rows: QuerySet) -> Subquery:
    """COUNT(*) of `rows` as a scalar subquery (no GROUP BY: one row, 0 when none match)."""
    return Subquery(rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"), output_field=IntegerField())


def with_members(employers: QuerySet[Employer]) -> QuerySet[Employer]:
    """`members` (live members who count towards each employer, see the module's docstring), `rate` (members / headcount, None
    when the headcount is 0) and `uncovered` (staff not yet members, never below 0) on each employer.

    One scalar subquery per level of the union and one for the 就业 link, each driven by an index (memberships by union, orgs by
    parent, 就业 by employer): adding the parts rather than OR-ing them keeps every lookup indexed."""
    # 0 is no org's id: employers without a union match no membership by union, and the negated 就业 part below is never NULL
    employers = employers.annotate(own_union=Coalesce(F("union_id"), Value(0)))
    live = Membership.objects.filter(status__in=LIVE_STATUSES)
    parts = [_count(live.filter(chain, **{lookup: OuterRef("own_union")})) for lookup, chain in _enterprise_union_levels()]
    parts.append(_count(live.filter(person__employment__employer_id=OuterRef("pk")).exclude(_in_enterprise_union(OuterRef("own_union")))))
    members = sum(parts[1:], parts[0])
    return employers.annotate(members=members).annotate(
        rate=Cast(F("members"), FloatField()) / Cast(NullIf(F("headcount"), Value(0)), FloatField()),
        uncovered=Greatest(F("headcount") - F("members"), Value(0)),
    )


def employer_industry_q(industry: str) -> Q:
    """Memberships counting towards an employer of `industry` (GB/T 4754 门类): by their 就业, or by the 企业工会 holding them."""
    condition = Q(person__employment__employer__industry=industry)
    for lookup, chain in _enterprise_union_levels():
        of_industry = Employer.objects.filter(industry=industry, union_id=OuterRef(lookup))
        condition |= chain & Q(Exists(of_industry))
    return condition


# ---------------------------------------------------------------- the ledger page

SORTS = {
    "rate": ("覆盖率由低到高", (F("rate").asc(nulls_last=True), F("headcount").desc(), "pk")),
    "-rate": ("覆盖率由高到低", (F("rate").desc(nulls_last=True), F("headcount").desc(), "pk")),
    "uncovered": ("未入会职工由多到少", (F("uncovered").desc(), F("rate").asc(nulls_last=True), "pk")),
    "headcount": ("职工人数由多到少", (F("headcount").desc(), F("rate").asc(nulls_last=True), "pk")),
    "name": ("单位名称", ("name", "pk")),
}
DEFAULT_SORT = "rate"


@dataclass(frozen=True)
class LedgerFilters:
    q: str = ""  # name, start of the USCC, or pinyin initials
    has_union: bool | None = None
    large: bool = False  # only employers with LARGE_HEADCOUNT staff or more
    sort: str = DEFAULT_SORT

    @classmethod
    def from_params(cls, params) -> LedgerFilters:
        """From a query string; values no form offers (an edited URL) fall back to "any" and the default order."""
        sort = params.get("sort", "")
        return cls(q=str(params.get("q", "")).strip()[:100], has_union={"1": True, "0": False}.get(params.get("has_union", "")),
                   large=params.get("large") == "1", sort=sort if sort in SORTS else DEFAULT_SORT)


def _require(actor, org: Org) -> None:
    if not Org.objects.restrict(actor, VIEW).filter(pk=org.pk).exists():
        raise NotFound()


def ledger_org(*, actor, session, org_id=None) -> Org:
    """The org whose ledger is asked for: `org_id` (NotFound outside the actor's scope), or the org the cadre acts for."""
    return org_get_for(actor=actor, org_id=org_id) if org_id else acting_org_for(actor=actor, session=session)


def employer_coverage(*, actor, org: Org, filters: LedgerFilters = LedgerFilters()) -> QuerySet[Employer]:
    """Every employer located in `org`'s subtree (its 街道/镇 under it) with `members`, `rate` and `uncovered` (with_members),
    filtered and in the chosen order: by default the lowest coverage first, and among equals the most staff first. Employers
    without a headcount have no rate and come last."""
    _require(actor, org)
    employers = Employer.objects.in_subtree(org)
    if filters.q:
        employers = employers.filter(Q(name__icontains=filters.q) | Q(uscc__startswith=filters.q.upper())
                                     | Q(name_initials__startswith=filters.q.lower()))
    if filters.has_union is not None:
        employers = employers.filter(has_union=filters.has_union)
    if filters.large:
        employers = employers.filter(headcount__gte=LARGE_HEADCOUNT)
    return with_members(employers).select_related("town", "union").order_by(*SORTS[filters.sort][1])


def coverage_page(*, employers: QuerySet[Employer], number, per_page: int = 25) -> Page:
    """One page of employer_coverage's list (`number` as given in the query string: anything else gives the first or last)."""
    page = Paginator(employers, per_page).get_page(number)
    page.object_list = list(page.object_list)
    return page


def large_without_union_count(*, org: Org) -> int:
    """25 人以上未建会 employers in `org`'s subtree (the caller has checked the actor may see `org`)."""
    return Employer.objects.in_subtree(org).filter(has_union=False, headcount__gte=LARGE_HEADCOUNT).count()


@dataclass(frozen=True)
class LedgerPlaces:
    """Where the ledger can move to from `org`: the orgs above it that the actor may see (up to their own), and the 市/区/街道
    directly under it."""

    above: list[Org]
    below: list[Org]


def ledger_places(*, actor, org: Org) -> LedgerPlaces:
    visible = Org.objects.restrict(actor, VIEW).filter(is_active=True)
    above = list(visible.filter(path__in=org.ancestor_paths()).order_by("depth"))
    below = list(visible.filter(parent=org, type__in=REGIONAL_TYPES).order_by("division_code", "name"))
    return LedgerPlaces(above=above, below=below)


COVERAGE_EXPORT = (
    Column("name", "单位名称", width=36), Column("uscc", "统一社会信用代码", text=True, width=22), Column("town", "所在街道/镇", width=20),
    Column("headcount", "职工人数"), Column("has_union", "已建会", width=8), Column("union", "所属工会", width=30),
    Column("members", "会员数"), Column("rate", "会员覆盖率（%）"), Column("uncovered", "未入会职工"),
)


def coverage_xlsx(*, employers: QuerySet[Employer]) -> bytes:
    """The list as shown (employer_coverage's rows, in its order), every page of it."""
    rows = ({"name": e.name, "uscc": e.uscc, "town": e.town.name, "headcount": e.headcount, "has_union": e.has_union,
             "union": e.union.name if e.union else "", "members": e.members,
             "rate": None if e.rate is None else round(e.rate * 100, 1), "uncovered": e.uncovered}
            for e in employers.iterator(chunk_size=2000))
    return write_xlsx(columns=COVERAGE_EXPORT, rows=rows, sheet_name="单位会员覆盖")
