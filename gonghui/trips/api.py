"""疗休养 API for cadres and integrations (API keys like every app): the route catalogue with departures and places
left, and the batches in the caller's scope with their funding split, read through the selectors the pages use."""
from __future__ import annotations

import datetime as dt

from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from gonghui.core.api import BodyIn, Pages
from gonghui.core.exceptions import ApplicationError
from gonghui.orgs.selectors import orgs_by_codes
from gonghui.trips import selectors, services
from gonghui.trips.models import Eligibility

router = Router(tags=["职工疗休养"])


class RouteOut(Schema):
    id: int = Field(title="线路 id")
    title: str = Field(title="线路名称")
    org_name: str = Field(title="发布组织")
    base_name: str = Field(title="基地")
    province: str = Field(title="基地所在省份")
    days: int = Field(title="天数")
    price_fen: int = Field(title="每人费用（分）")
    eligibility: str = Field(title="参加对象", description="、".join(f"{v} {label}" for v, label in Eligibility.choices))
    status: str = Field(title="状态")


class DepartureOut(Schema):
    id: int = Field(title="团期 id")
    starts_on: dt.date = Field(title="出发日期")
    capacity: int = Field(title="名额")
    taken: int = Field(title="已占用")


class RouteDetailOut(RouteOut):
    departures: list[DepartureOut] = Field(title="未出发的团期")


class BatchOut(Schema):
    id: int = Field(title="批次 id")
    org_name: str = Field(title="组团工会")
    route_title: str = Field(title="线路")
    starts_on: dt.date = Field(title="出发日期")
    people: int = Field(title="人数")
    subsidy_fen: int = Field(title="奖补合计（分）")
    match_fen: int = Field(title="配套合计（分）")
    own_fen: int = Field(title="个人承担合计（分）")
    status: str = Field(title="状态", description="booked 已报名、cancelled 已取消")


def _route(route) -> dict:
    return {"id": route.pk, "title": route.title, "org_name": route.org.name, "base_name": route.base.name, "province": route.base.province,
            "days": route.days, "price_fen": route.price_fen, "eligibility": route.eligibility, "status": route.status}


def _batch(batch) -> dict:
    return {"id": batch.pk, "org_name": batch.org.name, "route_title": batch.departure.route.title, "starts_on": batch.departure.starts_on,
            "people": batch.people, "subsidy_fen": batch.subsidy or 0, "match_fen": batch.match or 0, "own_fen": batch.own or 0,
            "status": batch.status}


@router.get("/trip-routes", response=list[RouteOut], summary="疗休养线路", description="已发布的线路（全省互通，会员互送）和本组织的线路。")
@paginate(Pages, page_size=50)
def route_list(request, q: str = Query("", description="线路、基地名称或地址（包含）"), city: str = Query("", description="省内基地所在地区编码前缀，如 4418"),
               outside: str = Query("", description="1：只看省外基地")):
    return [_route(r) for r in selectors.route_list(actor=request.user, q=q, city=city, outside=outside)]


@router.get("/trip-routes/{route_id}", response=RouteDetailOut, summary="疗休养线路详情", description="含未出发的团期与名额。")
def route_detail(request, route_id: int = Path(description="线路 id")):
    route = selectors.route_get_for(actor=request.user, route_id=route_id)
    return {**_route(route), "departures": list(selectors.upcoming_departures(route=route))}


@router.get("/trip-batches", response=list[BatchOut], summary="疗休养批次", description="管辖范围内工会的批次及经费构成（奖补、配套、个人）。")
@paginate(Pages, page_size=50)
def batch_list(request, year: int | None = Query(None, ge=2000, le=2100, description="出发年度")):
    return [_batch(b) for b in selectors.batch_list(actor=request.user, year=year)]


class BatchIn(BodyIn):
    org_code: str = Field(title="组团工会编码", description="调用者有组团报名权限的工会")
    departure_id: int = Field(title="团期 id")
    membership_ids: list[int] = Field(title="参加会员（会员 id）", description="只能是调用者当前组织的会员")


def _booking_org(code: str):
    """The union named by code; whether the caller may book for it is the service's question (403)."""
    org = orgs_by_codes(codes=[code.strip()]).first()
    if org is None:
        raise ApplicationError(f"找不到组织编码“{code}”", code="trips.org_unknown", fields={"org_code": ["找不到该组织"]})
    return org


@router.post("/trip-batches", response=BatchOut, summary="组团报名", description="为本工会的会员报名某一团期；全部成功或全部不报。")
def batch_book(request, payload: BatchIn):
    batch = services.batch_book(actor=request.user, org=_booking_org(payload.org_code), departure_id=payload.departure_id, membership_ids=payload.membership_ids)
    return _batch(selectors.batch_list(actor=request.user).get(pk=batch.pk))


class CancelIn(BodyIn):
    reason: str = Field(title="取消原因", description="2–300 字，将通知参加人员")


@router.post("/trip-batches/{batch_id}/cancel", response=BatchOut, summary="取消批次",
             description="出发前取消整个批次：名额退回团期，配套冲销回预算，个人已交部分记为应退，通知参加人员。")
def batch_cancel(request, payload: CancelIn, batch_id: int = Path(description="批次 id")):
    services.batch_cancel(actor=request.user, batch_id=batch_id, reason=payload.reason)
    return _batch(selectors.batch_list(actor=request.user).get(pk=batch_id))
