"""Every read of 疗休养. Cadres read through the one access rule (`restrict`); the route catalogue (published routes
and their departures) is open to every cadre who books and to workers, by design: anyone may go anywhere (会员互送)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from gonghui.core.access import reach
from gonghui.core.exceptions import NotFound
from gonghui.trips.models import (
    BOOK,
    GUANGDONG,
    MANAGE,
    VIEW,
    Base,
    Batch,
    Budget,
    ClaimStatus,
    Departure,
    Eligibility,
    FundingPolicy,
    LedgerEntry,
    LedgerKind,
    ModelWorker,
    Participant,
    PlaceStatus,
    Route,
    RouteStatus,
    SubsidyClaim,
)


def _published() -> Q:
    return Q(status=RouteStatus.PUBLISHED)


def route_list(*, actor, q: str = "", city: str = "", outside: str = "", eligibility: str = "", mine: bool = False) -> QuerySet[Route]:
    """The catalogue (published routes) with the actor's own routes in any state. `city`: a Guangdong base's division
    code prefix (e.g. 4418 清远); `outside`: "1" for bases in other provinces."""
    own = Route.objects.restrict(actor, VIEW).values("pk")
    routes = Route.objects.filter(Q(pk__in=own) if mine else (_published() | Q(pk__in=own)))
    if q.strip():
        routes = routes.filter(Q(title__icontains=q.strip()) | Q(base__name__icontains=q.strip()) | Q(base__address__icontains=q.strip()))
    if city:
        routes = routes.filter(base__division__code__startswith=city)
    if outside == "1":
        routes = routes.exclude(base__province=GUANGDONG)
    if eligibility in Eligibility.values:
        routes = routes.filter(eligibility=eligibility)
    today = timezone.localdate()
    return (routes.select_related("org", "base__division")
            .annotate(upcoming=Count("departures", filter=Q(departures__starts_on__gt=today)),
                      places_left=Sum("departures__capacity", filter=Q(departures__starts_on__gt=today)) - Sum("departures__taken", filter=Q(departures__starts_on__gt=today)))
            .order_by("-pk"))


def route_get_for(*, actor, route_id) -> Route:
    """A published route, or one of the actor's own in any state; NotFound otherwise."""
    route = Route.objects.select_related("org", "base__division", "base__org").filter(pk=route_id, status=RouteStatus.PUBLISHED).first() if str(route_id).isdecimal() else None
    return route or Route.objects.select_related("org", "base__division", "base__org").restrict_get(actor, VIEW, route_id)


def route_can_manage(*, actor, route: Route) -> bool:
    return Route.objects.restrict(actor, MANAGE).filter(pk=route.pk).exists()


def public_routes(*, q: str = "") -> QuerySet[Route]:
    routes = Route.objects.filter(_published()).select_related("org", "base__division")
    if q.strip():
        routes = routes.filter(Q(title__icontains=q.strip()) | Q(base__name__icontains=q.strip()))
    return routes.order_by("-pk")


def public_route(*, route_id) -> Route:
    route = Route.objects.select_related("org", "base__division").filter(pk=route_id, status=RouteStatus.PUBLISHED).first() if str(route_id).isdecimal() else None
    if route is None:
        raise NotFound()
    return route


def upcoming_departures(*, route: Route) -> QuerySet[Departure]:
    return route.departures.filter(starts_on__gt=timezone.localdate()).order_by("starts_on")


def departure_for_booking(*, departure_id) -> Departure:
    departure = (Departure.objects.select_related("route__base", "route__org").filter(pk=departure_id, route__status=RouteStatus.PUBLISHED).first()
                 if str(departure_id).isdecimal() else None)
    if departure is None:
        raise NotFound()
    return departure


def base_list(*, actor, q: str = "", status: str = "", outside: str = "", expired: str = "") -> QuerySet[Base]:
    bases = Base.objects.restrict(actor, VIEW).select_related("org", "division")
    if q.strip():
        bases = bases.filter(Q(name__icontains=q.strip()) | Q(address__icontains=q.strip()))
    if status:
        bases = bases.filter(status=status)
    if outside == "1":
        bases = bases.exclude(province=GUANGDONG)
    elif outside == "0":
        bases = bases.filter(province=GUANGDONG)
    if expired == "1":
        bases = bases.filter(accredited_to__lt=timezone.localdate())
    return bases.annotate(route_count=Count("routes")).order_by("name", "pk")


def base_get_for(*, actor, base_id, action: str = VIEW) -> Base:
    return Base.objects.select_related("org", "division").restrict_get(actor, action, base_id)


def base_can_manage(*, actor, base: Base) -> bool:
    return Base.objects.restrict(actor, MANAGE).filter(pk=base.pk).exists()


def base_choices(*, actor) -> QuerySet[Base]:
    return Base.objects.restrict(actor, VIEW).order_by("name")[:200]


def batch_list(*, actor, q: str = "", year: int | None = None) -> QuerySet[Batch]:
    batches = Batch.objects.restrict(actor, VIEW).select_related("org", "departure__route__base")
    if q.strip():
        batches = batches.filter(Q(org__name__icontains=q.strip()) | Q(departure__route__title__icontains=q.strip()))
    if year:
        batches = batches.filter(departure__starts_on__year=year)
    approved = Q(participants__status=PlaceStatus.APPROVED)
    return (batches.annotate(people=Count("participants", filter=approved), subsidy=Sum("participants__subsidy_fen", filter=approved),
                             match=Sum("participants__match_fen", filter=approved), own=Sum("participants__own_fen", filter=approved))
            .order_by("-departure__starts_on", "-pk"))


def batch_get_for(*, actor, batch_id, action: str = VIEW) -> Batch:
    return Batch.objects.select_related("org", "departure__route__base", "departure__route__org").restrict_get(actor, action, batch_id)


def batch_can_book(*, actor, batch: Batch) -> bool:
    return Batch.objects.restrict(actor, BOOK).filter(pk=batch.pk).exists()


def batch_participants(*, batch: Batch) -> QuerySet[Participant]:
    return batch.participants.filter(status=PlaceStatus.APPROVED).select_related("person").order_by("member_number")


def batch_cancelled_places(*, batch: Batch) -> QuerySet[Participant]:
    return batch.participants.filter(status=PlaceStatus.CANCELLED).select_related("person").order_by("-cancelled_at")


@dataclass(frozen=True)
class Totals:
    people: int
    price_fen: int
    subsidy_fen: int
    match_fen: int
    own_fen: int


def totals(participants: QuerySet[Participant]) -> Totals:
    sums = participants.filter(status=PlaceStatus.APPROVED).aggregate(people=Count("pk"), price=Sum("price_fen"), subsidy=Sum("subsidy_fen"),
                                                                       match=Sum("match_fen"), own=Sum("own_fen"))
    return Totals(sums["people"], sums["price"] or 0, sums["subsidy"] or 0, sums["match"] or 0, sums["own"] or 0)


def request_queue(*, actor, status: str = PlaceStatus.REQUESTED, q: str = "") -> QuerySet[Participant]:
    places = Participant.objects.restrict(actor, BOOK).filter(requested_by__isnull=False).select_related("person", "union", "departure__route")
    if status in PlaceStatus.values:
        places = places.filter(status=status)
    if q.strip():
        places = places.filter(Q(member_number__startswith=q.strip()) | Q(departure__route__title__icontains=q.strip()))
    return places.order_by("departure__starts_on", "pk")


def my_places(*, user) -> QuerySet[Participant]:
    if not user.is_authenticated:
        return Participant.objects.none()
    return (Participant.objects.filter(Q(requested_by=user) | Q(person__user=user)).select_related("departure__route__base", "union")
            .order_by("-pk"))


def claim_list(*, actor, status: str = "", q: str = "") -> QuerySet[SubsidyClaim]:
    claims = SubsidyClaim.objects.restrict(actor, VIEW).select_related("org", "federation", "batch__departure__route")
    if status in ClaimStatus.values:
        claims = claims.filter(status=status)
    if q.strip():
        claims = claims.filter(Q(org__name__icontains=q.strip()) | Q(batch__departure__route__title__icontains=q.strip()))
    return claims.order_by("-pk")


def claim_get_for(*, actor, claim_id) -> SubsidyClaim:
    return SubsidyClaim.objects.select_related("org", "federation", "batch__departure__route", "checked_by").restrict_get(actor, VIEW, claim_id)


def claim_can_check(*, actor, claim: SubsidyClaim) -> bool:
    paths = reach(actor, MANAGE)
    return paths is None or any(claim.federation.path.startswith(p) for p in paths)


@dataclass(frozen=True)
class LedgerRow:
    org_id: int
    org_name: str
    year: int
    budget_fen: int | None
    match_fen: int
    subsidy_fen: int

    @property
    def spent_fen(self) -> int:
        return self.match_fen + self.subsidy_fen

    @property
    def left_fen(self) -> int | None:
        return None if self.budget_fen is None else self.budget_fen - self.spent_fen


def ledger(*, actor, year: int | None = None, q: str = "") -> list[LedgerRow]:
    """经费台账 per org and year in the actor's scope: budget, 配套 and 奖补 spent, what is left."""
    entries = LedgerEntry.objects.restrict(actor, VIEW)
    budgets = Budget.objects.restrict(actor, VIEW)
    if year:
        entries, budgets = entries.filter(year=year), budgets.filter(year=year)
    if q.strip():
        entries, budgets = entries.filter(org__name__icontains=q.strip()), budgets.filter(org__name__icontains=q.strip())
    rows: dict[tuple[int, int], dict] = {}
    for b in budgets.values("org_id", "org__name", "year", "amount_fen"):
        rows[(b["org_id"], b["year"])] = {"org_name": b["org__name"], "budget": b["amount_fen"], "match": 0, "subsidy": 0}
    for e in entries.values("org_id", "org__name", "year", "kind").annotate(total=Sum("amount_fen")):
        row = rows.setdefault((e["org_id"], e["year"]), {"org_name": e["org__name"], "budget": None, "match": 0, "subsidy": 0})
        row["subsidy" if e["kind"] == LedgerKind.SUBSIDY else "match"] += e["total"]  # a reversal (冲销) nets off the 配套
    return sorted((LedgerRow(org_id, r["org_name"], y, r["budget"], r["match"], r["subsidy"]) for (org_id, y), r in rows.items()),
                  key=lambda r: (-r.year, r.org_name))


def policy_list(*, actor) -> QuerySet[FundingPolicy]:
    return FundingPolicy.objects.restrict(actor, VIEW).select_related("org").order_by("-year", "org__path")


def model_worker_list(*, actor, name: str = "") -> QuerySet[ModelWorker]:
    rows = ModelWorker.objects.restrict(actor, VIEW).select_related("org")
    if name.strip():
        rows = rows.filter(name_index=ModelWorker._meta.get_field("name_index").index_for(name))
    return rows.order_by("-pk")


def pending_requests(*, actor) -> QuerySet[Participant]:
    return request_queue(actor=actor)


def years() -> list[int]:
    this = timezone.localdate().year
    return [this + 1, this, this - 1, this - 2]


def today() -> dt.date:
    return timezone.localdate()
