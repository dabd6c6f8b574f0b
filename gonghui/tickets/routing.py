"""Where an order goes (派单) and which orgs it must never reach.

Auto-routing, in order:
1. a 新就业形态 worker of a sector with a 行业工会联合会 in the employer's (or the chosen) county → that federation
   (an order from a rider goes to the district's 外卖配送行业工会联合会);
2. 求助帮扶 and 法律援助 → the county-level union (区/县总工会; in 东莞/中山 the 镇/街道), which runs 帮扶 and the lawyers;
3. other categories with a ledger employer → the 街道/镇 union where the employer sits (区街阻截);
4. otherwise the chosen district's union.
The target must lie under the dispatching centre and must not be a union the order is about (回避), nor anything under it:
the employer's own union, a named employer's union, or a union the complaint names (`TicketParty`).
"""
from __future__ import annotations

from dataclasses import dataclass

from gonghui.members.routing import SECTOR_FOR, county_level
from gonghui.orgs.models import Org, OrgType
from gonghui.tickets.models import Category, Ticket

COUNTY_CATEGORIES = (Category.HELP, Category.LEGAL_AID)


@dataclass(frozen=True)
class Route:
    org: Org
    reason: str


def conflict_paths(ticket: Ticket) -> list[str]:
    """The paths of the unions the order is about: it must reach none of them nor anything under them."""
    paths = [ticket.employer.union.path] if ticket.employer_id and ticket.employer.union_id else []
    for party in ticket.parties.select_related("org", "employer__union"):
        if party.org_id:
            paths.append(party.org.path)
        elif party.employer_id and party.employer.union_id:
            paths.append(party.employer.union.path)
    return paths


def conflicted(ticket: Ticket, org: Org, paths: list[str] | None = None) -> bool:
    """Whether `org` is, or lies under, a union the order is about (it would be judging a complaint about itself)."""
    return any(org.path.startswith(path) for path in (conflict_paths(ticket) if paths is None else paths))


def _sector_federation(county: Org, new_form_type: str) -> Org | None:
    sector = SECTOR_FOR.get(new_form_type)
    if not sector:
        return None
    return (Org.objects.filter(path__startswith=county.path, type=OrgType.SECTOR_FEDERATION, sector=sector, is_active=True)
            .order_by("depth", "pk").first())


def _candidates(ticket: Ticket) -> list[Route]:
    place = ticket.employer.town if ticket.employer_id else None
    anchor = place or ticket.district
    county = county_level(anchor) if anchor is not None else None
    routes: list[Route] = []
    if county is not None and ticket.new_form_type:
        federation = _sector_federation(county, ticket.new_form_type)
        if federation is not None:
            routes.append(Route(federation, f"新就业形态诉求，派{federation.name}"))
    if ticket.category in COUNTY_CATEGORIES and county is not None:
        routes.append(Route(county, f"{ticket.get_category_display()}由区/县级工会办理"))
    if place is not None and place.type in (OrgType.TOWN, OrgType.COMMUNITY, OrgType.FUNCTION_ZONE):
        routes.append(Route(place, "按用人单位所在街道/镇派单"))
    if ticket.district is not None:
        routes.append(Route(ticket.district, "按反映人选择的地区派单"))
    if county is not None:
        routes.append(Route(county, "按所在区/县派单"))
    return routes


def auto_route(ticket: Ticket) -> Route | None:
    """The first candidate that is active, under the centre (not the centre itself) and about nobody the order is about."""
    paths = conflict_paths(ticket)
    for route in _candidates(ticket):
        org = route.org
        if (org.is_active and org.pk != ticket.centre_id and org.path.startswith(ticket.centre.path)
                and not conflicted(ticket, org, paths)):
            return route
    return None
