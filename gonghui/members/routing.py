"""Which union receives a join application (一键入会 routing).

1. The employer has a union → its 企业工会.
2. A join code of a 行业工会联合会 → that federation.
3. A 新就业形态 worker → the 行业工会联合会 of that sector in the county (in 东莞/中山, where 镇/街道 sit
   directly under the 市总, in the 镇/街道), else step 4.
4. The 街道/镇 (or 社区) union where the employer sits, or where the worker works.
5. Nothing matches → the 区/县 总工会's 周转库 (holding pool), for a cadre to place.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from gonghui.members.models import NewFormType
from gonghui.orgs.models import Org, OrgType

SECTOR_FOR = {
    NewFormType.FOOD_DELIVERY: "food_delivery", NewFormType.COURIER: "courier",
    NewFormType.RIDE_HAILING: "ride_hailing", NewFormType.TRUCKING: "trucking",
}


@dataclass(frozen=True)
class Route:
    union: Org
    reason: str
    holding_pool: bool = False


def county_level(org: Org) -> Org | None:
    """The org that plays the county's role for `org`: its 区/县 (or 功能区), or in 东莞/中山 its 镇/街道."""
    chain = list(Org.objects.filter(path__in=org.ancestor_paths() + [org.path]).order_by("depth"))
    for node in reversed(chain):
        if node.type in (OrgType.COUNTY, OrgType.FUNCTION_ZONE):
            return node
    for parent, child in pairwise(chain):
        if parent.type == OrgType.CITY and child.type == OrgType.TOWN:
            return child  # a city without a county level
    return None


def _sector_federation(county: Org, new_form_type: str) -> Org | None:
    sector = SECTOR_FOR.get(new_form_type)
    if not sector:
        return None
    return Org.objects.filter(
        path__startswith=county.path, type=OrgType.SECTOR_FEDERATION, sector=sector, is_active=True,
    ).order_by("depth", "pk").first()


def route_application(*, employer=None, town: Org | None = None, new_form_type: str = "", code_org: Org | None = None) -> Route:
    if employer is not None and employer.union_id and employer.union.is_active:
        return Route(employer.union, "所在单位已建会，进入本单位工会")
    if code_org is not None and code_org.type == OrgType.SECTOR_FEDERATION:
        return Route(code_org, f"扫描{code_org.name}入会码")
    place = employer.town if employer is not None else town
    anchor = place or code_org
    county = county_level(anchor) if anchor is not None else None
    if new_form_type and county is not None:
        federation = _sector_federation(county, new_form_type)
        if federation is not None:
            return Route(federation, f"{NewFormType(new_form_type).label}，进入{county.short_name or county.name}行业工会联合会")
    if place is not None and place.type in (OrgType.TOWN, OrgType.COMMUNITY, OrgType.FUNCTION_ZONE):
        return Route(place, "单位未建会，进入所在街道/镇工会" if employer is not None else "进入工作地街道/镇工会")
    if county is not None:
        return Route(county, "未能自动匹配，进入区/县总工会周转库待分配", holding_pool=True)
    raise LookupError("no union matches")
