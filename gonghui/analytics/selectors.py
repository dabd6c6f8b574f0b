"""Reads of the analytics app, in the actor's scope: alerts (list, one alert with its steps, routes and the orders behind it
as the actor may read them), the desk's open alerts, and the 态势 map's figures per region."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.urls import reverse
from django.utils import timezone

from gonghui.analytics import services
from gonghui.analytics.models import ALERTS, OPEN_ALERT_STATES, RULES, VIEW, Alert, AlertRule, AlertState, Level, RollupMark, RuleKind, TicketDaily
from gonghui.core.access import covers, reach
from gonghui.core.exceptions import NotFound
from gonghui.analytics.rollups import MARK
from gonghui.members.selectors import membership_list
from gonghui.orgs.selectors import org_places_for
from gonghui.orgs.models import PATH_STEP_LENGTH, REGIONAL_TYPES, Org, OrgType
from gonghui.orgs.rollups import by_sub_org
from gonghui.tickets import selectors as ticket_selectors


def within_for(*, actor, org_id: int | None, action: str = VIEW) -> Org:
    """The org whose subtree an API call reads: `org_id` when the actor holds `action` there (else the same NotFound as a
    missing one), by default the top of the actor's reach (a key's own org)."""
    orgs = Org.objects.restrict(actor, action)
    if org_id is not None:
        return Org.objects.restrict_get(actor, action, org_id)
    org = orgs.order_by("path").first()
    if org is None:
        raise NotFound()
    return org


def rollups_refreshed_at() -> dt.datetime | None:
    return RollupMark.objects.filter(name=MARK).values_list("refreshed_from", flat=True).first()


# ---------------------------------------------------------------- alerts


def alert_list(*, actor, state: str = "open", level: str = "", q: str = "") -> QuerySet[Alert]:
    """Alerts routed to the actor's subtree: open ones first, red before yellow, soonest due first."""
    rows = Alert.objects.restrict(actor, ALERTS).select_related("rule", "district", "employer")
    if state == "open":
        rows = rows.filter(state__in=OPEN_ALERT_STATES)
    elif state in AlertState.values:
        rows = rows.filter(state=state)
    if level:
        rows = rows.filter(level=level) if level in Level.values else rows.none()  # an unknown level matches nothing
    q = q.strip()
    if q:
        rows = rows.filter(Q(subject__icontains=q) | Q(subject_key=q.upper()))
    rank = Case(When(level="red", then=Value(0)), When(level="orange", then=Value(1)), default=Value(2), output_field=IntegerField())
    open_first = Case(When(state__in=OPEN_ALERT_STATES, then=Value(0)), default=Value(1), output_field=IntegerField())
    return rows.order_by(open_first, rank, F("due_at").asc(nulls_last=True), "-id")


def alert_get_for(*, actor, alert_id) -> Alert:
    return Alert.objects.select_related("rule", "district", "employer").restrict_get(actor, ALERTS, alert_id)


def alert_page(*, actor, alert: Alert) -> dict:
    """What the alert's page shows: its steps, where it went, the orders behind it that the actor may read (the
    employer's own union reads none of them: the tickets' conflict rule), and what the actor may do."""
    tickets = ticket_selectors.ticket_list(actor=actor).filter(pk__in=alert.tickets.values("pk"))
    steer = services.can_steer(actor, alert)
    return {
        "alert": alert, "summary": services.summary(alert), "notes": list(alert.notes.order_by("at", "id")),
        "routes": list(alert.routes.select_related("org")), "tickets": list(tickets[:100]), "hidden": alert.orders - tickets.count(),
        "can_note": alert.is_open, "can_handle": steer and alert.state == AlertState.JUDGING,
        "can_resolve": steer and alert.state == AlertState.HANDLING,
    }


def open_alerts(*, actor) -> QuerySet[Alert]:
    return alert_list(actor=actor, state="open")


# ---------------------------------------------------------------- rules


def rule_list(*, actor, q: str = "", kind: str = "", active: str = "") -> QuerySet[AlertRule]:
    """预警规则 set by orgs in the actor's rules scope, each with its open alerts counted; `active`: "1" 启用, "0" 停用."""
    rows = AlertRule.objects.restrict(actor, RULES).select_related("org")
    if q.strip():
        rows = rows.filter(Q(name__icontains=q.strip()) | Q(org__name__icontains=q.strip()))
    if kind in RuleKind.values:
        rows = rows.filter(kind=kind)
    if active in ("0", "1"):
        rows = rows.filter(is_active=active == "1")
    return rows.annotate(open_alerts=Count("alerts", filter=Q(alerts__state__in=OPEN_ALERT_STATES))).order_by("org__path", "id")


def rule_get_for(*, actor, rule_id) -> AlertRule:
    return AlertRule.objects.select_related("org").restrict_get(actor, RULES, rule_id)


def rule_orgs(*, actor) -> list[Org]:
    """The orgs a cadre may set a rule for from the page: the top of their rules scope and the 市/区/街道 right below."""
    paths = reach(actor, RULES)
    return [org for org in org_places_for(actor=actor) if covers(paths, org.path)]


# ---------------------------------------------------------------- the 态势 map


PER_MEMBERS = 10_000
RECENT_DAYS = 30


@dataclass
class Region:
    org_id: int
    name: str
    code: str
    open_orders: int
    alerts: int
    received: int
    members: int
    per_10k: float | None
    url: str  # the drill-down (figures of the orgs under this one), empty when there is nothing below
    orders_url: str


@dataclass
class MapView:
    within: Org
    geo: str  # the boundary file to draw (the province "44" or a city "4401"); empty: none
    focus: str  # a district's code when the map shows one district of its city (its towns as markers around it)
    parent_id: int | None  # where "back" goes, when the actor reads it
    regions: list[Region]

    def as_json(self) -> dict:
        return {"org": {"id": self.within.pk, "name": self.within.name, "code": self.within.division_code},
                "geo": self.geo, "focus": self.focus, "parent": self.parent_id, "regions": [asdict(region) for region in self.regions],
                "recent_days": RECENT_DAYS}


def _geo_for(org: Org) -> tuple[str, str]:
    """(boundary file, focus): the province's cities, a city's districts, or a district inside its city's file."""
    code = org.division_code or ""
    if org.type == OrgType.PROVINCE and code[:2] == "44":
        return "44", ""
    if org.type == OrgType.CITY and len(code) >= 4 and code.startswith("44"):
        return code[:4], ""
    if org.type in (OrgType.COUNTY, OrgType.FUNCTION_ZONE) and len(code) == 6 and code.startswith("44"):
        return code[:4], code
    return "", ""


def _member_counts(actor, within: Org) -> dict[str, int]:
    rows = membership_list(actor=actor, status="active", within=within).order_by().annotate(org_path=F("union__path"))
    return {prefix: row["n"] for prefix, row in by_sub_org(rows, within=within, n=Count("pk")).items()}


def map_view(*, actor, within: Org) -> MapView:
    """The regions directly under `within` (cities under the province; 区/县, 功能区 and, in 东莞/中山, 镇/街道 under a city),
    each with its open orders, open alerts, orders received in the last 30 days and those per 10,000 members."""
    regions = list(Org.objects.filter(parent=within, type__in=REGIONAL_TYPES, is_active=True).order_by("division_code", "name"))
    rollups = TicketDaily.objects.restrict(actor, VIEW).annotate(org_path=F("org__path"))
    since = timezone.localdate() - dt.timedelta(days=RECENT_DAYS - 1)
    open_orders = by_sub_org(rollups, within=within, n=Sum("open"))
    recent = by_sub_org(rollups.filter(day__gte=since), within=within, n=Sum("received"))
    alerts = _alert_counts(actor, within)
    members = _member_counts(actor, within)
    listing = reverse("tickets:list")
    out = []
    for org in regions:
        received, people = recent.get(org.path, {}).get("n") or 0, members.get(org.path, 0)
        drill = org.type in (OrgType.CITY, OrgType.COUNTY, OrgType.FUNCTION_ZONE)  # a district shows its towns as markers
        out.append(Region(org_id=org.pk, name=org.short_name or org.name.removesuffix("总工会"), code=org.division_code,
                          open_orders=open_orders.get(org.path, {}).get("n") or 0, alerts=alerts.get(org.path, 0),
                          received=received, members=people, per_10k=round(received * PER_MEMBERS / people, 1) if people else None,
                          url=f"{reverse('analytics:map_data')}?org={org.pk}" if drill else "",
                          orders_url=f"{listing}?org={org.pk}&received_from={since.isoformat()}"))
    geo, focus = _geo_for(within)
    parent = within.parent_id if within.parent_id and Org.objects.restrict(actor, "orgs.view").filter(pk=within.parent_id).exists() else None
    return MapView(within=within, geo=geo, focus=focus, parent_id=parent, regions=out)


def _alert_counts(actor, within: Org) -> dict[str, int]:
    """Open alerts per region, by the district an alert belongs to (an actor reading the map reads these counts with
    analytics.view)."""
    rows = (Alert.objects.restrict(actor, VIEW).filter(state__in=OPEN_ALERT_STATES, district__path__startswith=within.path)
            .values_list("pk", "district__path").distinct())
    counts: dict[str, int] = {}
    step = len(within.path) + PATH_STEP_LENGTH
    for _pk, path in rows:
        counts[path[:step]] = counts.get(path[:step], 0) + 1
    return counts
