"""JSON API of the org tree and employer ledger: parse, call one selector/service, serialise."""
from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.core.api import BodyIn, Pages
from gonghui.orgs import selectors, services
from gonghui.orgs.models import Industry, OrgType, Ownership

router = Router(tags=["组织与单位台账"])


class OrgOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    type: str
    type_display: str = Field(alias="get_type_display")
    parent_id: int | None
    depth: int
    division_code: str
    is_active: bool
    contact_name: str
    address: str
    founded_on: dt.date | None


class OrgTreeNodeOut(OrgOut):
    has_children: bool


class StatsOut(Schema):
    org_count: int
    orgs_by_type: dict[str, int]
    employer_count: int
    unionized_count: int
    unionization_rate: float | None
    large_employer_count: int
    large_unionized_count: int
    large_unionization_rate: float | None


class OrgCreateIn(BodyIn):
    name: str
    type: OrgType
    parent_id: int
    code: str = ""
    short_name: str = ""
    division_code: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    address: str = ""
    founded_on: dt.date | None = None


class OrgUpdateIn(BodyIn):
    name: str = None
    short_name: str = None
    contact_name: str = None
    contact_phone: str = None
    address: str = None
    founded_on: dt.date | None = None
    is_active: bool = None


class OrgMoveIn(BodyIn):
    new_parent_id: int
    reason: str


class OrgMoveOut(Schema):
    org_id: int
    old_path: str
    new_path: str
    descendants_moved: int


class EmployerOut(Schema):
    id: int
    uscc: str
    name: str
    industry: str
    industry_display: str = Field(alias="get_industry_display")
    ownership: str
    ownership_display: str = Field(alias="get_ownership_display")
    town_id: int
    town_name: str = Field(alias="town.name")
    address: str
    headcount: int
    has_union: bool
    union_id: int | None


class EmployerIn(BodyIn):
    uscc: str
    name: str
    industry: Industry
    ownership: Ownership
    town_id: int
    address: str = ""
    headcount: int = Field(0, ge=0)
    has_union: bool = False
    union_id: int | None = None


@router.get("/orgs", response=list[OrgOut])
@paginate(Pages, page_size=50)
def org_list(request, q: str = "", type: str = "", within: int | None = None):
    parent = selectors.org_get_for(actor=request.user, org_id=within) if within else None
    return selectors.org_list(actor=request.user, q=q, type=type, within=parent)


@router.get("/orgs/roots", response=list[OrgTreeNodeOut])
def org_roots(request):
    return list(selectors.org_roots_for(actor=request.user))


@router.get("/orgs/{org_id}", response=OrgOut)
def org_detail(request, org_id: int):
    return selectors.org_get_for(actor=request.user, org_id=org_id)


@router.get("/orgs/{org_id}/children", response=list[OrgTreeNodeOut])
def org_children(request, org_id: int):
    parent = selectors.org_get_for(actor=request.user, org_id=org_id)
    return list(selectors.org_children(actor=request.user, parent=parent))


@router.get("/orgs/{org_id}/stats", response=StatsOut)
def org_stats(request, org_id: int):
    stats = selectors.org_subtree_stats(org=selectors.org_get_for(actor=request.user, org_id=org_id))
    return {**stats.__dict__, "unionization_rate": stats.unionization_rate, "large_unionization_rate": stats.large_unionization_rate}


@router.post("/orgs", response={201: OrgOut})
def org_create(request, payload: OrgCreateIn):
    parent = selectors.org_get_for(actor=request.user, org_id=payload.parent_id)
    fields = payload.dict(exclude={"parent_id"})
    return Status(201, services.org_create(actor=request.user, parent=parent, **fields))


@router.patch("/orgs/{org_id}", response=OrgOut)
def org_update(request, org_id: int, payload: OrgUpdateIn):
    org = selectors.org_get_for(actor=request.user, org_id=org_id)
    return services.org_update(actor=request.user, org=org, **payload.dict(exclude_unset=True))


@router.post("/orgs/{org_id}/move", response=OrgMoveOut)
def org_move(request, org_id: int, payload: OrgMoveIn):
    org = selectors.org_get_for(actor=request.user, org_id=org_id)
    new_parent = selectors.org_get_for(actor=request.user, org_id=payload.new_parent_id)
    record = services.org_move(actor=request.user, org=org, new_parent=new_parent, reason=payload.reason)
    return {"org_id": org.pk, "old_path": record.old_path, "new_path": record.new_path, "descendants_moved": record.descendants_moved}


@router.get("/employers", response=list[EmployerOut])
@paginate(Pages, page_size=50)
def employer_list(
    request, q: str = "", within: int | None = None, industry: str = "", ownership: str = "",
    has_union: bool | None = None, min_headcount: int | None = None,
):
    org = selectors.org_get_for(actor=request.user, org_id=within) if within else None
    return selectors.employer_list(
        actor=request.user, q=q, within=org, industry=industry, ownership=ownership,
        has_union=has_union, min_headcount=min_headcount,
    )


@router.get("/employers/{employer_id}", response=EmployerOut)
def employer_detail(request, employer_id: int):
    return selectors.employer_get_for(actor=request.user, employer_id=employer_id)


def _employer_input(request, payload: EmployerIn) -> services.EmployerInput:
    town = selectors.org_get_for(actor=request.user, org_id=payload.town_id)
    union = selectors.org_get_for(actor=request.user, org_id=payload.union_id) if payload.union_id else None
    fields = payload.dict(exclude={"town_id", "union_id"})
    return services.EmployerInput(**fields, town=town, union=union)


@router.post("/employers", response={201: EmployerOut})
def employer_create(request, payload: EmployerIn):
    return Status(201, services.employer_create(actor=request.user, data=_employer_input(request, payload)))


@router.put("/employers/{employer_id}", response=EmployerOut)
def employer_update(request, employer_id: int, payload: EmployerIn):
    employer = selectors.employer_get_for(actor=request.user, employer_id=employer_id)
    return services.employer_update(actor=request.user, employer=employer, data=_employer_input(request, payload))
