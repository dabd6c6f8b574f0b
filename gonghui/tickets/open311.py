"""Open311 GeoReport v2 (decision 0022): the services (our 诉求类别), filing an order from a client with an API key, and
reading orders back.

A keyless read is public and answers only what identifies nobody: the order's number, status, service, dates and the
county-level district it is in — never its description, address, coordinates, photo link or who filed it. A key reads
its own orders (those its integration account entered) in full, inside the key's scope; any other id is missing.
Status is the spec's `open`/`closed`; our detailed state is in `status_notes`.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from gonghui.core.exceptions import ApplicationError, NotFound
from gonghui.members.routing import county_level
from gonghui.orgs.models import REGIONAL_TYPES, Org
from gonghui.tickets import services
from gonghui.tickets.models import (
    OPEN_STATES,
    VIEW,
    Category,
    Channel,
    ClosingKind,
    Open311Request,
    State,
    Ticket,
    Topic,
    Urgency,
)

WINDOW = dt.timedelta(days=90)  # the spec's default and widest date range
MAX_ROWS = 1000  # the spec's default row limit
MAX_IDS = 100
TITLE_LENGTH = 30
GROUP = "职工诉求"
PUBLIC_FIELDS = ("service_request_id", "status", "status_notes", "service_code", "service_name", "requested_datetime",
                 "updated_datetime", "expected_datetime", "district", "district_code")

SERVICE_TEXT = {
    Category.CONSULT: ("劳动法律政策、入会、工会服务等咨询", ["工资", "社保", "劳动合同", "入会"]),
    Category.COMPLAINT: ("用人单位侵害职工权益的投诉：欠薪、未签劳动合同、未缴社保、违法解除等", ["欠薪", "劳动合同", "社保", "解除"]),
    Category.HELP: ("生活困难、大病、工伤后的帮扶救助", ["困难帮扶", "工伤", "大病"]),
    Category.LEGAL_AID: ("劳动争议的法律援助：仲裁、诉讼代理，法律咨询", ["仲裁", "诉讼", "律师"]),
    Category.PETITION: ("按《信访工作条例》办理的来信来访", ["信访"]),
    Category.SUGGESTION: ("对工会工作的意见建议", ["建议"]),
}
# Categories about an employer: the employer is asked for (services.ticket_file refuses them without one).
ABOUT_EMPLOYER = (Category.COMPLAINT, Category.HELP, Category.LEGAL_AID, Category.PETITION)


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str  # string / number / singlevaluelist
    description: str
    values: tuple[tuple[str, str], ...] = ()
    employer_only: bool = False  # only for the categories about an employer

    def definition(self, order: int, category: str) -> dict:
        required = self.code == "employer_name" and category in ABOUT_EMPLOYER
        return {"variable": True, "code": self.code, "datatype": self.datatype, "required": required,
                "datatype_description": "" if self.values else self.description, "order": order, "description": self.description,
                "values": [{"key": key, "name": name} for key, name in self.values]}


NEW_FORM_LABELS = {"food_delivery": "外卖骑手", "courier": "快递员", "ride_hailing": "网约车司机", "trucking": "货车司机",
                   "live_streamer": "网络主播", "domestic": "家政服务员", "other": "其他新就业形态"}
ATTRIBUTES = (
    Attribute("title", "string", f"标题（2–100字）；不填取诉求内容的前{TITLE_LENGTH}个字"),
    Attribute("topic", "singlevaluelist", "问题类型", tuple(Topic.choices)),
    Attribute("urgency", "singlevaluelist", "紧急程度", tuple(Urgency.choices)),
    Attribute("new_form_type", "singlevaluelist", "新就业形态（外卖、快递、网约车等劳动者填写，按行业派给行业工会联合会）",
              tuple(NEW_FORM_LABELS.items())),
    Attribute("employer_name", "string", "用人单位名称", employer_only=True),
    Attribute("employer_uscc", "string", "用人单位统一社会信用代码（18位）", employer_only=True),
    Attribute("affected_count", "number", "涉及人数（1–100000）", employer_only=True),
)


def _attributes(category: str) -> list[Attribute]:
    return [a for a in ATTRIBUTES if not a.employer_only or category in ABOUT_EMPLOYER]


def _fail(message: str, code: str = "bad_request"):
    raise ApplicationError(message, code=f"open311.{code}")


# ---------------------------------------------------------------- services


def service_list() -> list[dict]:
    return [{"service_code": value, "service_name": label, "description": SERVICE_TEXT[value][0], "metadata": True,
             "type": "realtime", "keywords": ",".join(SERVICE_TEXT[value][1]), "group": GROUP}
            for value, label in Category.choices]


def service_definition(code: str) -> dict:
    if code not in Category.values:
        raise NotFound()
    return {"service_code": code,
            "attributes": [attribute.definition(order, code) for order, attribute in enumerate(_attributes(code), start=1)]}


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class RequestFilters:
    numbers: tuple[str, ...] = ()  # service_request_id, comma separated: overrides the other filters
    codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: dt.datetime | None = None
    end: dt.datetime | None = None


def _list_param(params, name: str) -> tuple[str, ...]:
    return tuple(part.strip() for value in params.getlist(name) for part in value.split(",") if part.strip())


def _when(params, name: str) -> dt.datetime | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw.replace(" ", "+"))  # a "+08:00" sent unencoded in a query string arrives as a space
        if value is None and (day := parse_date(raw)) is not None:
            value = dt.datetime.combine(day, dt.time.min)
    except ValueError:
        value = None
    if value is None:
        _fail(f"{name} 不是有效的时间，应为 W3C 格式，如 2026-11-01T00:00:00+08:00", "date_invalid")
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def parse_filters(params) -> RequestFilters:
    """The spec's filters, checked: unknown codes and statuses, bad dates and a range over 90 days are refused."""
    numbers = _list_param(params, "service_request_id")
    if len(numbers) > MAX_IDS:
        _fail(f"service_request_id 一次最多 {MAX_IDS} 个", "too_many_ids")
    codes = _list_param(params, "service_code")
    if unknown := [code for code in codes if code not in Category.values]:
        _fail(f"未知的 service_code：{'、'.join(unknown)}（可用：{'、'.join(Category.values)}）", "service_code_invalid")
    statuses = _list_param(params, "status")
    if unknown := [status for status in statuses if status not in ("open", "closed")]:
        _fail(f"status 只能是 open 或 closed，收到：{'、'.join(unknown)}", "status_invalid")
    start, end = _when(params, "start_date"), _when(params, "end_date")
    if start and end and start > end:
        _fail("start_date 不能晚于 end_date", "date_range")
    if start and end and end - start > WINDOW:
        _fail("start_date 与 end_date 相隔不能超过 90 天", "date_range")
    return RequestFilters(numbers=numbers, codes=codes, statuses=statuses, start=start, end=end)


def _filtered(rows: QuerySet, filters: RequestFilters, now: dt.datetime) -> QuerySet:
    if filters.numbers:
        return rows.filter(number__in=filters.numbers)
    if filters.codes:
        rows = rows.filter(category__in=filters.codes)
    if filters.statuses == ("open",):
        rows = rows.filter(state__in=OPEN_STATES)
    elif filters.statuses == ("closed",):
        rows = rows.exclude(state__in=OPEN_STATES)
    start, end = filters.start, filters.end
    if start is None and end is None:
        start = now - WINDOW
    elif start is None:
        start = end - WINDOW
    elif end is None:
        end = start + WINDOW
    rows = rows.filter(created_at__gte=start)
    return rows.filter(created_at__lte=end) if end is not None else rows


def _public_rows() -> QuerySet:
    """Every order, for the public view's fields only: the one read not limited to a scope, so it names nobody."""
    return Ticket.objects.select_related("district", "employer__town", "duplicate_of")


def _own_rows(actor) -> QuerySet:
    return (Ticket.objects.restrict(actor, VIEW).filter(entered_by=actor)
            .select_related("district", "employer__town", "centre", "holder", "duplicate_of", "open311"))


def requests_public(filters: RequestFilters) -> list[dict]:
    rows = list(_filtered(_public_rows(), filters, timezone.now()).order_by("-created_at", "-pk")[:MAX_ROWS])
    return _records(rows, full=False)


def requests_own(*, actor, filters: RequestFilters) -> list[dict]:
    rows = list(_filtered(_own_rows(actor), filters, timezone.now()).order_by("-created_at", "-pk")[:MAX_ROWS])
    return _records(rows, full=True)


def request_public(number: str) -> dict:
    ticket = _public_rows().filter(number=number).first()
    if ticket is None:
        raise NotFound()
    return _records([ticket], full=False)[0]


def request_own(*, actor, number: str) -> dict:
    """One of the key's own orders; any other number, in scope or not, answers as a missing one."""
    ticket = _own_rows(actor).filter(number=number).first()
    if ticket is None:
        raise NotFound()
    return _records([ticket], full=True)[0]


def token_lookup(token: str) -> dict:
    row = Open311Request.objects.select_related("ticket").filter(token=token).first()
    if row is None:
        raise NotFound()
    return {"service_request_id": row.ticket.number, "token": row.token}


def w3c(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).replace(microsecond=0).isoformat() if value else None


def status_notes(ticket: Ticket) -> str:
    if ticket.state == State.CLOSED and ticket.closing_kind:
        how = ticket.get_closing_kind_display()
        if ticket.closing_kind == ClosingKind.REFERRED:
            how += f"：{ticket.referral_agency_name or ticket.get_referral_agency_display()}"
        return f"{ticket.get_state_display()}（{how}）"
    if ticket.state == State.MERGED and ticket.duplicate_of_id:
        return f"{ticket.get_state_display()}（同一问题并入 {ticket.duplicate_of.number} 办理）"
    return ticket.get_state_display()


def _district(ticket: Ticket, counties: dict) -> Org | None:
    """The county-level org (区/县; 东莞/中山 the 镇/街道) where the order's problem is: a place coarse enough to name nobody."""
    anchor = ticket.district or (ticket.employer.town if ticket.employer_id else None)
    if anchor is None:
        return None
    if anchor.pk not in counties:
        counties[anchor.pk] = county_level(anchor)
    return counties[anchor.pk]


def _records(tickets: list[Ticket], *, full: bool) -> list[dict]:
    counties: dict = {}
    return [_record(ticket, _district(ticket, counties), full=full) for ticket in tickets]


def _record(ticket: Ticket, district: Org | None, *, full: bool) -> dict:
    record = {
        "service_request_id": ticket.number, "status": "open" if ticket.state in OPEN_STATES else "closed",
        "status_notes": status_notes(ticket), "service_code": ticket.category, "service_name": ticket.get_category_display(),
        "requested_datetime": w3c(ticket.created_at), "updated_datetime": w3c(ticket.updated_at),
        "expected_datetime": w3c(ticket.resolve_due_at), "district": district.name if district else None,
        "district_code": (district.division_code or None) if district else None,
    }
    if not full:
        return record
    extra = getattr(ticket, "open311", None)
    return {
        **record, "description": ticket.description, "agency_responsible": ticket.holder.name, "service_notice": "",
        "address": extra.address or None if extra else None, "address_id": extra.address_id or None if extra else None,
        "zipcode": None, "lat": float(extra.lat) if extra and extra.lat is not None else None,
        "long": float(extra.long) if extra and extra.long is not None else None,
        "media_url": extra.media_url or None if extra else None,
    }


# ---------------------------------------------------------------- filing


def _place_name(org: Org) -> str:
    for suffix in ("总工会", "工联会", "工会"):
        if org.name.endswith(suffix):
            return org.name[: -len(suffix)]
    return org.name


def _district_from(*, key, address_id: str, address: str) -> int | None:
    """The org for the place: `address_id` is a division code (GB/T 2260, or a 9-digit 乡级 code); otherwise the deepest
    place under the key's org whose name the address string contains (广州市天河区石牌街道… → 石牌街道)."""
    if address_id:
        org = Org.objects.filter(division_code=address_id, type__in=REGIONAL_TYPES, is_active=True).order_by("depth").first()
        if org is None:
            _fail(f"address_id 不是已知的行政区划代码：{address_id}", "address_id_unknown")
        return org.pk
    if not address:
        return None
    places = Org.objects.filter(path__startswith=key.org.path, type__in=REGIONAL_TYPES, is_active=True).only("pk", "name", "depth")
    found = [org for org in places if len(_place_name(org)) >= 2 and _place_name(org) in address]
    return max(found, key=lambda org: org.depth).pk if found else None


def _coordinate(params, name: str, bound: int) -> Decimal | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or abs(value) > bound:
        _fail(f"{name} 应为 -{bound} 到 {bound} 之间的数", "coordinate_invalid")
    return value.quantize(Decimal("0.000001"))


def _attribute_values(params, category: str) -> dict[str, str]:
    allowed = {attribute.code for attribute in _attributes(category)}
    values = {}
    for name in params:
        if name.startswith("attribute[") and name.endswith("]"):
            code = name[len("attribute["):-1]
            if code not in allowed:
                _fail(f"服务 {category} 没有属性 {code}（见 services/{category}.json）", "attribute_unknown")
            values[code] = params.get(name, "").strip()
    return values


def _count(raw: str) -> int:
    if not raw:
        return 1
    if not raw.isdecimal():
        _fail("attribute[affected_count] 应为 1 到 100000 之间的整数", "attribute_invalid")
    return int(raw)


def _checked(value: str, check, message: str) -> str:
    if value:
        try:
            check(value)
        except ValidationError:
            _fail(message, "field_invalid")
    return value


@transaction.atomic
def open311_file(*, actor, params) -> dict:
    """POST requests: an order filed through `services.ticket_file` like any integration's (at the key's 12351 centre,
    in the district the location names, then dispatched and auto-routed as every order), with what Open311 adds kept
    beside it. Answers the spec's response row."""
    key = actor.api_key
    category = (params.get("service_code") or "").strip()
    if category not in Category.values:
        _fail(f"请填写有效的 service_code（可用：{'、'.join(Category.values)}）", "service_code_invalid")
    lat, long = _coordinate(params, "lat", 90), _coordinate(params, "long", 180)
    if (lat is None) != (long is None):
        _fail("lat 和 long 须同时填写", "coordinate_invalid")
    address, address_id = (params.get("address_string") or "").strip()[:500], (params.get("address_id") or "").strip()[:64]
    if lat is None and not address and not address_id:
        _fail("请提供位置：lat 和 long、address_string 或 address_id 其中之一", "location_missing")
    description = (params.get("description") or "").strip()
    if len(description) < 5:  # checked here: a title taken from a too short description would be refused first, by its name
        _fail("请填写 description（诉求内容，5–4000字）", "description_missing")
    phone = (params.get("phone") or "").strip()
    if not phone:
        _fail("请填写 phone（反映人联系电话，用于发送查询码和回访）", "phone_missing")
    attributes = _attribute_values(params, category)
    email = _checked((params.get("email") or "").strip()[:254], validate_email, "email 格式不正确")
    media_url = _checked((params.get("media_url") or "").strip(), URLValidator(schemes=["http", "https"]),
                         "media_url 应为 http(s) 链接，不超过500个字符")
    if len(media_url) > 500:
        _fail("media_url 应为 http(s) 链接，不超过500个字符", "field_invalid")
    name = f"{(params.get('last_name') or '').strip()}{(params.get('first_name') or '').strip()}"
    data = services.TicketInput(
        channel=Channel.API, category=category, description=description,
        title=attributes.get("title") or description.splitlines()[0][:TITLE_LENGTH],
        topic=attributes.get("topic") or Topic.OTHER, urgency=attributes.get("urgency") or Urgency.NORMAL,
        new_form_type=attributes.get("new_form_type", ""), employer_name=attributes.get("employer_name", ""),
        employer_uscc=attributes.get("employer_uscc", ""), affected_count=_count(attributes.get("affected_count", "")),
        district_id=_district_from(key=key, address_id=address_id, address=address), caller_name=name, caller_phone=phone,
        call_ref=(params.get("account_id") or "").strip()[:64])
    filing = services.ticket_file(actor=actor, data=data)
    ticket = filing.ticket
    token = secrets.token_hex(16)
    Open311Request.objects.create(ticket=ticket, api_key=key, token=token, address=address, address_id=address_id, lat=lat,
                                  long=long, email=email, device_id=(params.get("device_id") or "").strip()[:100],
                                  account_id=(params.get("account_id") or "").strip()[:100], media_url=media_url,
                                  attributes=attributes)
    return {"service_request_id": ticket.number, "token": token, "service_notice": _notice(filing),
            "account_id": (params.get("account_id") or "").strip() or None}


def _notice(filing: services.Filing) -> str:
    ticket = filing.ticket
    if filing.merged_into is not None:
        return f"同一问题一周内已反映（{filing.merged_into.number}），本次并入该工单办理。"
    where = f"，所在地区：{ticket.district.name}" if ticket.district_id else "，未能确定所在地区，将由派单中心人工派单"
    code = "；查询码已短信发送给反映人" if filing.query_code else ""
    return f"已受理，由{ticket.centre.name}派单办理{where}；办结期限 {timezone.localtime(ticket.resolve_due_at):%Y-%m-%d}{code}。"
