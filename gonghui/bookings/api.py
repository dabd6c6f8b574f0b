"""预约 API for cadres and integrations: offerings, their sessions and a session's roster, read through the selectors the
pages use and in the same scope (a participating org's cadres: their own members only; counselling: booking codes only)."""
from __future__ import annotations

import datetime as dt

from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from gonghui.bookings import lottery as lottery_services
from gonghui.bookings import selectors, services
from gonghui.bookings.models import Kind, LotteryStatus, OfferingStatus
from gonghui.core.api import BodyIn, PageRows, Pages, WorkerSessionAuth

router = Router(tags=["预约服务"])


def _codes(choices) -> str:
    return "、".join(f"{value} {label}" for value, label in choices.choices)


class OfferingOut(Schema):
    id: int = Field(title="项目 id")
    kind: str = Field(title="类型", description=_codes(Kind))
    title: str = Field(title="名称")
    org_id: int = Field(title="发布组织 id")
    org_name: str = Field(title="发布组织")
    place: str = Field(title="地点")
    status: str = Field(title="状态", description=_codes(OfferingStatus))
    opens_at: dt.datetime = Field(title="开放报名时间")
    whole_term: bool = Field(title="整期报名")
    members_only: bool = Field(title="仅限会员")


class SessionOut(Schema):
    id: int = Field(title="场次 id")
    starts_at: dt.datetime = Field(title="开始时间")
    ends_at: dt.datetime = Field(title="结束时间")
    capacity: int | None = Field(None, title="名额", description="空为不限名额（线上课）")
    taken: int = Field(title="已占用", description="有效预约和为候补者保留的名额")
    reserved: int = Field(title="预留名额")
    seats_left: int | None = Field(None, title="剩余名额", description="空为不限名额")

    @staticmethod
    def resolve_seats_left(session) -> int | None:
        return None if session.capacity is None else max(session.capacity - session.taken, 0)


class SessionListOut(SessionOut):
    offering_id: int = Field(title="项目 id")
    title: str = Field(title="项目名称")

    @staticmethod
    def resolve_title(session) -> str:
        return session.offering.title


class OfferingDetailOut(OfferingOut):
    sessions: list[SessionOut] = Field(title="场次")
    eligible_orgs: list[str] = Field(title="可报名组织编码", description="为空时为发布组织及下级")


class RosterOut(Schema):
    code: str = Field(title="预约码")
    name: str = Field(title="姓名（脱敏）", description="心理咨询为“—”")
    union: str = Field(title="所在工会", description="心理咨询为“—”")
    status: str = Field(title="状态")
    checked_in_at: dt.datetime | None = Field(None, title="签到时间")
    no_show: bool = Field(title="爽约")


def _row(offering) -> dict:
    return {"id": offering.pk, "kind": offering.kind, "title": offering.title, "org_id": offering.org_id, "org_name": offering.org.name,
            "place": offering.place, "status": offering.status, "opens_at": offering.opens_at, "whole_term": offering.whole_term,
            "members_only": offering.members_only}


@router.get("/booking-offerings", response=list[OfferingOut], summary="预约项目列表",
            description="调用者可查看的课程、活动、心理咨询与场地：本组织及下级发布的，以及向本组织会员开放的。")
@paginate(Pages, page_size=50)
def offering_list(request, q: str = Query("", description="名称或地点（包含）"), kind: str = Query("", description=_codes(Kind)),
                  status: str = Query("", description=_codes(OfferingStatus)), when: str = Query("", description="upcoming 未结束、past 已结束；空为全部")):
    return [_row(o) for o in selectors.offering_list(actor=request.user, q=q, kind=kind, status=status, when=when)]


@router.get("/booking-offerings/{offering_id}", response=OfferingDetailOut, summary="预约项目详情",
            description="含全部场次与名额；管辖范围外的与不存在的一样返回 404。")
def offering_detail(request, offering_id: int = Path(description="项目 id")):
    offering = selectors.offering_get_for(actor=request.user, offering_id=offering_id)
    return {**_row(offering), "sessions": list(offering.sessions.order_by("starts_at", "pk")),
            "eligible_orgs": [o.code for o in offering.eligible_orgs.all()]}


@router.get("/booking-sessions", response=list[SessionListOut], summary="场次列表",
            description="调用者可查看的项目的场次，按开始时间排序，含剩余名额。")
@paginate(Pages, page_size=50)
def session_list(request, offering_id: int | None = Query(None, description="项目 id"), kind: str = Query("", description=_codes(Kind)),
                 when: str = Query("", description="upcoming 未结束、past 已结束；空为全部")):
    return selectors.session_list(actor=request.user, offering_id=offering_id, kind=kind, when=when)


@router.get("/booking-sessions/{session_id}", response=SessionListOut, summary="场次详情与剩余名额",
            description="管辖范围外的与不存在的一样返回 404。")
def session_detail(request, session_id: int = Path(description="场次 id")):
    return selectors.session_get_for(actor=request.user, session_id=session_id)


class StatusIn(BodyIn):
    status: str = Field(title="状态", description=_codes(OfferingStatus))


@router.post("/booking-offerings/{offering_id}/status", response=OfferingOut, summary="发布或撤回预约项目",
             description="发布组织的干部发布（至少有一个场次）、撤回或改回草稿。")
def offering_status(request, payload: StatusIn, offering_id: int = Path(description="项目 id")):
    return _row(services.offering_set_status(actor=request.user, offering_id=offering_id, status=payload.status))


@router.get("/booking-sessions/{session_id}/bookings", response=list[RosterOut], summary="场次预约名单",
            description="发布组织的干部看到全部预约；参与组织的干部只看到本组织会员；心理咨询只有预约码，没有姓名、工会和咨询主题。")
@paginate(Pages, page_size=100)
def session_roster(request, session_id: int = Path(description="场次 id")):
    session = selectors.session_get_for(actor=request.user, session_id=session_id)
    return [vars(row) for row in selectors.roster(actor=request.user, session=session)]


class LotteryOut(Schema):
    id: int = Field(title="抽签 id")
    session_id: int = Field(title="场次 id")
    title: str = Field(title="项目名称")
    status: str = Field(title="状态", description=_codes(LotteryStatus))
    opens_at: dt.datetime = Field(title="报名开始")
    closes_at: dt.datetime = Field(title="报名截止")
    draw_issue: str = Field(title="双色球期号")
    registrations: int = Field(title="有效报名人数")
    published: dict = Field(title="公示数据", description="开奖后与公示页 JSON 相同，可用 core/public_draw.py 独立核验；不含姓名")


class NumbersIn(BodyIn):
    reds: list[int] = Field(title="红球", description="6 个不重复的 1–33")
    blue: int = Field(title="蓝球", description="1–16")


def _lottery(lottery) -> dict:
    return {"id": lottery.pk, "session_id": lottery.session_id, "title": lottery.session.offering.title, "status": lottery.status,
            "opens_at": lottery.opens_at, "closes_at": lottery.closes_at, "draw_issue": lottery.draw_issue,
            "registrations": lottery.registrations.filter(status="active").count(), "published": lottery_services.published_json(lottery=lottery)}


@router.get("/lotteries/{lottery_id}", response=LotteryOut, summary="抽签详情",
            description="发布组织及参与组织的干部可查看；管辖范围外的与不存在的一样返回 404。")
def lottery_detail(request, lottery_id: int = Path(description="抽签 id")):
    return _lottery(selectors.lottery_get_for(actor=request.user, lottery_id=lottery_id))


@router.post("/lotteries/{lottery_id}/numbers", response=LotteryOut, summary="录入双色球开奖号码",
             description="名单公示且该期开奖后，由发布组织的一位干部录入；须由另一位干部复核后才抽签。")
def lottery_numbers(request, payload: NumbersIn, lottery_id: int = Path(description="抽签 id")):
    return _lottery(lottery_services.lottery_enter_numbers(actor=request.user, lottery_id=lottery_id, reds=payload.reds, blue=payload.blue))


@router.post("/lotteries/{lottery_id}/confirm", response=LotteryOut, summary="复核开奖号码并抽签",
             description="另一位干部输入相同号码：一致则抽签（只进行一次），不一致或同一人复核则拒绝，不做任何改动。")
def lottery_confirm(request, payload: NumbersIn, lottery_id: int = Path(description="抽签 id")):
    return _lottery(lottery_services.lottery_confirm_numbers(actor=request.user, lottery_id=lottery_id, reds=payload.reds, blue=payload.blue))


# ---------------------------------------------------------------- the signed-in worker's own bookings (H5 session)


class MyBookingOut(Schema):
    id: int = Field(title="预约 id")
    code: str = Field(title="预约码")
    session_id: int = Field(title="场次 id")
    offering_id: int = Field(title="项目 id")
    title: str = Field(title="项目名称")
    starts_at: dt.datetime = Field(title="开始时间")
    ends_at: dt.datetime = Field(title="结束时间")
    status: str = Field(title="状态", description="active 有效、cancelled 已取消")
    checked_in_at: dt.datetime | None = Field(None, title="签到时间")


class WaitOut(Schema):
    id: int = Field(title="候补 id")
    session_id: int = Field(title="场次 id")
    title: str = Field(title="项目名称")
    starts_at: dt.datetime = Field(title="开始时间")
    status: str = Field(title="状态", description="waiting 候补中、offered 已为您保留名额（须在 confirm_by 前确认）")
    confirm_by: dt.datetime | None = Field(None, title="确认截止")


class BookIn(BodyIn):
    session_id: int = Field(title="场次 id", description="整期课程报名任一课次即预约全部剩余课次")
    topic: str = Field("", max_length=500, title="咨询主题", description="仅心理咨询，加密保存，只有咨询师可见")


def _mine(booking) -> dict:
    return {"id": booking.pk, "code": booking.code, "session_id": booking.session_id, "offering_id": booking.session.offering_id,
            "title": booking.session.offering.title, "starts_at": booking.session.starts_at, "ends_at": booking.session.ends_at,
            "status": booking.status, "checked_in_at": booking.checked_in_at}


def _wait(entry) -> dict:
    return {"id": entry.pk, "session_id": entry.session_id, "title": entry.session.offering.title, "starts_at": entry.session.starts_at,
            "status": entry.status, "confirm_by": entry.confirm_by}


@router.get("/my/bookings", response=list[MyBookingOut], auth=WorkerSessionAuth(), summary="我的预约",
            description="登录的职工本人的预约（H5 登录会话），最近的在前。")
@paginate(Pages, page_size=50)
def my_bookings(request):
    return PageRows(selectors.my_bookings(user=request.user), lambda rows: [_mine(b) for b in rows])


@router.post("/my/bookings", response={201: list[MyBookingOut]}, auth=WorkerSessionAuth(), summary="预约",
             description="与 H5 的“预约”按钮相同：名额已满、不符合条件、尚未开放、已预约都以中文说明拒绝，不做任何改动。"
                         "整期课程全部课次都有名额才成功。可带 Idempotency-Key 头安全重试。")
def book(request, payload: BookIn):
    return 201, [_mine(b) for b in services.booking_create(actor=request.user, session_id=payload.session_id, topic=payload.topic)]


@router.post("/my/bookings/{booking_id}/cancel", response=list[MyBookingOut], auth=WorkerSessionAuth(), summary="取消预约",
             description="整期课程整体取消；空出的名额先留给候补的第一位。")
def cancel(request, booking_id: int = Path(description="预约 id")):
    return [_mine(b) for b in services.booking_cancel(actor=request.user, booking_id=booking_id)]


@router.get("/my/waitlist", response=list[WaitOut], auth=WorkerSessionAuth(), summary="我的候补",
            description="登录职工自己的候补：排在第几位；为您保留名额时含确认截止时间。")
@paginate(Pages, page_size=50)
def my_waits(request):
    return PageRows(selectors.my_waits(user=request.user), lambda rows: [_wait(e) for e in rows])


@router.post("/my/waitlist", response={201: WaitOut}, auth=WorkerSessionAuth(), summary="加入候补",
             description="仅限名额已满的场次，条件与预约相同。可带 Idempotency-Key 头安全重试。")
def wait(request, payload: BookIn):
    entry = services.waitlist_join(actor=request.user, session_id=payload.session_id, topic=payload.topic)
    return 201, _wait(selectors.my_wait(user=request.user, entry_id=entry.pk))


@router.post("/my/waitlist/{entry_id}/confirm", response=MyBookingOut, auth=WorkerSessionAuth(), summary="确认候补名额",
             description="在确认截止前确认为您保留的名额，成为您的预约。")
def confirm(request, entry_id: int = Path(description="候补 id")):
    return _mine(services.waitlist_confirm(actor=request.user, entry_id=entry_id))
