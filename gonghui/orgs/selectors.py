"""Every read of orgs and employers; each takes the actor and starts from `restrict(actor, action)`."""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from gonghui.core.exceptions import ApplicationError, NotFound
from gonghui.core.validators import InvalidIdentifier, normalize_uscc
from gonghui.orgs.models import REGIONAL_TYPES, Employer, GuidanceLink, Org, OrgMove

LARGE_EMPLOYER_HEADCOUNT = 25  # 25 人以上 employers are the 建会 drive's first target


def org_get_for(*, actor, org_id) -> Org:
    """Fetch and authorize in one call: missing and forbidden both answer NotFound."""
    return Org.objects.select_related("parent").restrict_get(actor, "orgs.view", org_id)


def org_within(*, actor, org_id) -> Org | None:
    """The area a list is narrowed to (`?within=`): None when none is given, NotFound outside the actor's scope."""
    return org_get_for(actor=actor, org_id=org_id) if org_id else None


def org_roots_for(*, actor) -> QuerySet[Org]:
    """The top of the tree this actor may browse: the tree's roots, or the orgs of their posts."""
    if actor.is_superuser:
        return with_child_flag(Org.objects.filter(parent__isnull=True))
    return with_child_flag(Org.objects.filter(path__in=actor.org_scope_paths()))


def org_children(*, actor, parent: Org, include_inactive: bool = False) -> QuerySet[Org]:
    children = Org.objects.restrict(actor, "orgs.view").filter(parent=parent)
    if not include_inactive:
        children = children.filter(is_active=True)
    return with_child_flag(children).order_by("type", "division_code", "name")


def with_child_flag(orgs: QuerySet[Org]) -> QuerySet[Org]:
    """`has_children` on each org, for trees that expand lazily."""
    return orgs.annotate(has_children=Exists(Org.objects.filter(parent=OuterRef("pk"))))


def org_list(*, actor, q: str = "", type: str = "", within: Org | None = None, include_inactive: bool = False) -> QuerySet[Org]:
    """Search by name, short name, code, full pinyin or pinyin initials (thq → 天河区)."""
    orgs = Org.objects.restrict(actor, "orgs.view")
    if within is not None:
        orgs = orgs.subtree_of(within)
    if type:
        orgs = orgs.filter(type=type)
    if not include_inactive:
        orgs = orgs.filter(is_active=True)
    q = q.strip()
    if q:
        key = q.lower().replace(" ", "")
        orgs = orgs.filter(
            Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__startswith=q)
            | Q(name_initials__startswith=key) | Q(name_pinyin__startswith=key)
        )
    return orgs.select_related("parent").order_by("depth", "path")


def org_ancestors(*, actor, org: Org, include_self: bool = False) -> list[Org]:
    """The chain above `org`, each marked `in_scope` so pages link only to what the actor may open."""
    paths = org.ancestor_paths() + ([org.path] if include_self else [])
    ancestors = list(Org.objects.filter(path__in=paths).order_by("depth"))
    visible = set(Org.objects.restrict(actor, "orgs.view").filter(pk__in=[a.pk for a in ancestors]).values_list("pk", flat=True))
    for ancestor in ancestors:
        ancestor.in_scope = ancestor.pk in visible
    return ancestors


def org_breadcrumbs(*, orgs: list[Org]) -> dict[int, str]:
    """'广东省 › 广州市 › 天河区' for each org, in one query for all of them."""
    paths = {p for org in orgs for p in org.ancestor_paths()}
    names = {path: short or name for path, short, name in Org.objects.filter(path__in=paths).values_list("path", "short_name", "name")}
    return {org.pk: " › ".join(names[p] for p in org.ancestor_paths() if p in names) for org in orgs}


@dataclass(frozen=True)
class SubtreeStats:
    """Counts for an org and everything under it (组织数, 单位数, 建会率)."""

    org_count: int
    orgs_by_type: dict[str, int]
    employer_count: int
    unionized_count: int
    large_employer_count: int
    large_unionized_count: int

    @property
    def unionization_rate(self) -> float | None:
        return self.unionized_count / self.employer_count if self.employer_count else None

    @property
    def large_unionization_rate(self) -> float | None:
        return self.large_unionized_count / self.large_employer_count if self.large_employer_count else None


def org_subtree_stats(*, org: Org) -> SubtreeStats:
    by_type = dict(
        Org.objects.subtree_of(org).filter(is_active=True).exclude(pk=org.pk)
        .values_list("type").annotate(n=Count("id")).order_by()
    )
    large = Q(headcount__gte=LARGE_EMPLOYER_HEADCOUNT)
    employers = Employer.objects.in_subtree(org).aggregate(
        total=Count("id"),
        unionized=Count("id", filter=Q(has_union=True)),
        large=Count("id", filter=large),
        large_unionized=Count("id", filter=large & Q(has_union=True)),
    )
    return SubtreeStats(
        org_count=sum(by_type.values()),
        orgs_by_type=by_type,
        employer_count=employers["total"],
        unionized_count=employers["unionized"],
        large_employer_count=employers["large"],
        large_unionized_count=employers["large_unionized"],
    )


def org_guidance_links(*, org: Org) -> dict[str, list[GuidanceLink]]:
    return {
        "guided_by": list(GuidanceLink.objects.filter(org=org).select_related("guide")),
        "guides": list(GuidanceLink.objects.filter(guide=org).select_related("org")),
    }


def org_move_history(*, org: Org) -> QuerySet[OrgMove]:
    return OrgMove.objects.filter(org=org).select_related("moved_by")


def employer_list(
    *,
    actor,
    q: str = "",
    within: Org | None = None,
    industry: str = "",
    ownership: str = "",
    has_union: bool | None = None,
    min_headcount: int | None = None,
) -> QuerySet[Employer]:
    employers = Employer.objects.restrict(actor, "employers.view")
    if within is not None:
        employers = employers.in_subtree(within)
    q = q.strip()
    if q:
        employers = employers.filter(
            Q(name__icontains=q) | Q(uscc__startswith=q.upper()) | Q(name_initials__startswith=q.lower())
        )
    if industry:
        employers = employers.filter(industry=industry)
    if ownership:
        employers = employers.filter(ownership=ownership)
    if has_union is not None:
        employers = employers.filter(has_union=has_union)
    if min_headcount is not None:
        employers = employers.filter(headcount__gte=min_headcount)
    return employers.select_related("town", "union").order_by("name", "pk")


def employer_get_for(*, actor, employer_id) -> Employer:
    return Employer.objects.select_related("town", "union").restrict_get(actor, "employers.view", employer_id)


def employer_public_search(*, q: str, limit: int = 20) -> list[Employer]:
    """The worker-facing 单位建会查询: name or full USCC; shows only whether a union exists."""
    q = q.strip()
    if len(q) < 2:
        return []
    return list(
        Employer.objects.filter(Q(name__icontains=q) | Q(uscc=q.upper()))
        .select_related("town", "union").order_by("name")[:limit]
    )


def employer_public_name(*, employer_id) -> str:
    """An employer's name, as the public employer search shows it ("" for no such employer)."""
    return Employer.objects.filter(pk=employer_id).values_list("name", flat=True).first() or ""


def employer_by_uscc(*, uscc: str) -> Employer:
    """An employer of the ledger by its typed USCC (names and codes are public, as the employer search shows them); an
    invalid or unknown code is an input error."""
    try:
        code = normalize_uscc(uscc)
    except InvalidIdentifier as exc:
        raise ApplicationError(f"统一社会信用代码不正确：{exc}", code="orgs.uscc_invalid") from None
    employer = Employer.objects.filter(uscc=code).first()
    if employer is None:
        raise ApplicationError(f"用人单位台账中没有统一社会信用代码为 {code} 的单位", code="orgs.employer_unknown")
    return employer


def org_public_get(*, org_id) -> Org:
    """An active union for the public union page (找工会 → 工会主页): by design the one org page open to anyone by id,
    since 找工会 lists any union. Only its public fields may be shown (`PUBLIC_ORG_FIELDS`); inactive or missing: NotFound."""
    org = Org.objects.filter(pk=org_id, is_active=True).only(*PUBLIC_ORG_FIELDS).first()
    if org is None:
        raise NotFound()
    return org


# What a union shows the public: no contact person's name, no internal codes beyond what 找工会 already shows.
PUBLIC_ORG_FIELDS = ("id", "name", "short_name", "type", "sector", "path", "depth", "parent", "address", "contact_phone", "office_hours")


def org_public_search(*, q: str, limit: int = 20) -> list[Org]:
    """The worker-facing 找工会: active orgs by name or pinyin initials."""
    q = q.strip()
    if not q:
        return []
    key = q.lower()
    return list(
        Org.objects.filter(is_active=True)
        .filter(Q(name__icontains=q) | Q(name_initials__startswith=key) | Q(name_pinyin__startswith=key))
        .select_related("parent").order_by("depth", "path")[:limit]
    )


def org_get_by_code_for(*, actor, code: str) -> Org:
    """An org code typed into a form: an unknown one and one out of reach get the same refusal, as typed input (400), not
    the not-found answer of an id in a path."""
    org = Org.objects.restrict(actor, "orgs.view").filter(code=(code or "").strip()).first()
    if org is None:
        raise ApplicationError(f"找不到组织编码“{code}”，或它不在您的管辖范围内", code="orgs.code_unknown")
    return org


def org_by_code_unscoped(*, code: str) -> Org:
    """For system jobs only (seeding, imports run by the system): no actor, no scoping."""
    return Org.objects.get(code=code)


def orgs_by_codes(*, codes) -> QuerySet[Org]:
    """Active orgs named by code in a form that may name any org (who may book a course: other districts' members too)."""
    return Org.objects.filter(code__in=[c.strip() for c in codes if c.strip()], is_active=True)


def org_names_by_path(*, paths) -> dict[str, str]:
    """path → name, for records that keep an org by its path (audit events). Callers pass paths they already show."""
    return dict(Org.objects.filter(path__in=set(paths)).values_list("path", "name"))


def org_places_for(*, actor) -> list[Org]:
    """Places a list can be narrowed to: the orgs at the top of the actor's tree and the 市/区/街道 directly under them."""
    roots = list(org_roots_for(actor=actor).filter(is_active=True).order_by("path"))
    below = Org.objects.restrict(actor, "orgs.view").filter(parent__in=roots, type__in=REGIONAL_TYPES, is_active=True)
    return sorted([*roots, *below], key=lambda org: org.path)
