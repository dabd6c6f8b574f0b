"""Every write of 疗休养: bases and their accreditation, routes and departures, group batches, workers' requests and
their approval, the funding of each place, 奖补 claims, budgets and policies, the 劳模名单.

Places are claimed with the departure row locked (`core.locking.lock_row`) and then one conditional UPDATE
(`taken + n <= capacity`); money is booked with the paying org's budget row locked. Every writer takes the departure
first, then the budget, so two writers queue instead of deadlocking. Money is in fen; the 配套 is the 奖补 times a
Decimal ratio, rounded half up to the fen.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from gonghui.audit.services import audit_log
from gonghui.core.access import PATH_STEP, covers, reach
from gonghui.core.exceptions import ApplicationError, PermissionDenied
from gonghui.core.locking import lock_row
from gonghui.core.uploads import display_name, sniff_upload
from gonghui.core.validators import InvalidIdentifier, parse_id_number
from gonghui.members.selectors import membership_list, my_membership
from gonghui.notify.services import notify
from gonghui.trips.selectors import departure_for_booking
from gonghui.trips.models import (
    BOOK,
    GUANGDONG,
    MANAGE,
    VIEW,
    AccreditationStatus,
    Base,
    Batch,
    BatchStatus,
    Budget,
    ClaimStatus,
    Departure,
    Eligibility,
    FundingPolicy,
    Inspection,
    InspectionResult,
    LedgerEntry,
    LedgerKind,
    ModelWorker,
    Participant,
    PlaceStatus,
    Route,
    RouteStatus,
    SubsidyClaim,
    yuan,
)

CLAIM_FILE_KINDS = ("pdf", "jpg", "png", "xlsx")
CLAIM_MAX_BYTES = 10 * 1024 * 1024
MAX_BATCH = 200  # one bus trip's worth of named members, several times over
MAX_IMPORT_ROWS = 5000


def _org_in_reach(actor, org, action: str, message: str) -> None:
    from gonghui.orgs.models import Org

    if not Org.objects.restrict(actor, action).filter(pk=org.pk).exists():
        raise PermissionDenied(message)


def _managed(actor, model, pk, *, action: str = MANAGE):
    """The row if the actor may change it; NotFound when they cannot even read it, PermissionDenied when they only read it."""
    row = model.objects.restrict(actor, action).filter(pk=pk).first() if str(pk).isdecimal() else None
    if row is not None:
        return row
    model.objects.restrict_get(actor, VIEW, pk)
    raise PermissionDenied("只有所属单位的干部可以办理")


def _ancestor_paths(path: str) -> list[str]:
    return [path[:end] for end in range(PATH_STEP, len(path) + 1, PATH_STEP)]


# ---------------------------------------------------------------- bases and accreditation


@dataclass
class BaseInput:
    name: str
    address: str
    accredited_from: dt.date
    accredited_to: dt.date
    province: str = GUANGDONG
    division_id: int | None = None
    description: str = ""


def _clean_base(data: BaseInput) -> dict:
    errors: dict[str, list[str]] = {}
    province = (data.province or GUANGDONG).strip()
    if not data.name.strip():
        errors["name"] = ["请填写基地名称"]
    if not data.address.strip():
        errors["address"] = ["请填写地址"]
    if data.accredited_to < data.accredited_from:
        errors["accredited_to"] = ["不能早于有效期起"]
    if province == GUANGDONG and not data.division_id:
        errors["division"] = ["省内基地请选择所在地区"]
    if province != GUANGDONG and data.division_id:
        errors["division"] = ["省外基地不选省内地区，请只填写地址"]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], code="trips.base_invalid", fields=errors)
    return {"name": data.name.strip(), "address": data.address.strip(), "province": province, "division_id": data.division_id or None,
            "accredited_from": data.accredited_from, "accredited_to": data.accredited_to, "description": data.description.strip()}


@transaction.atomic
def base_create(*, actor, org, data: BaseInput) -> Base:
    """基地认定: the federation `org` accredits a base for a period."""
    _org_in_reach(actor, org, MANAGE, "您在该组织没有认定疗休养基地的权限")
    base = Base.objects.create(org=org, **_clean_base(data))
    audit_log(actor=actor, action="trips.base.accredited", obj=base, org_path=org.path,
              data={"from": str(base.accredited_from), "to": str(base.accredited_to), "province": base.province})
    return base


@transaction.atomic
def base_set_accreditation(*, actor, base_id, status: str, accredited_to: dt.date | None = None, note: str = "") -> Base:
    """续期、暂停或撤销认定. A revocation or suspension needs a reason."""
    base = _managed(actor, Base, base_id)
    if status not in AccreditationStatus.values:
        raise ApplicationError("请选择认定状态", code="trips.base_status", fields={"status": ["请选择认定状态"]})
    if status != AccreditationStatus.ACTIVE and not note.strip():
        raise ApplicationError("暂停或撤销认定请写明原因", code="trips.base_reason", fields={"note": ["请写明原因"]})
    if accredited_to is not None and accredited_to < base.accredited_from:
        raise ApplicationError("有效期止不能早于有效期起", code="trips.base_period", fields={"accredited_to": ["不能早于有效期起"]})
    before = {"status": base.status, "to": str(base.accredited_to)}
    base.status, base.status_note = status, note.strip()[:300]
    base.accredited_to = accredited_to or base.accredited_to
    base.save(update_fields=["status", "status_note", "accredited_to", "updated_at"])
    audit_log(actor=actor, action="trips.base.accreditation_changed", obj=base, org_path=base.org.path,
              data={"before": before, "status": status, "to": str(base.accredited_to), "note": base.status_note})
    return base


@transaction.atomic
def inspection_add(*, actor, base_id, inspected_on: dt.date, result: str, notes: str = "") -> Inspection:
    base = _managed(actor, Base, base_id)
    if result not in InspectionResult.values:
        raise ApplicationError("请选择检查结果", code="trips.inspection_result", fields={"result": ["请选择检查结果"]})
    if inspected_on > timezone.localdate():
        raise ApplicationError("检查日期不能晚于今天", code="trips.inspection_date", fields={"inspected_on": ["不能晚于今天"]})
    inspection = Inspection.objects.create(base=base, inspected_on=inspected_on, result=result, notes=notes.strip(), inspector=actor)
    audit_log(actor=actor, action="trips.base.inspected", obj=base, org_path=base.org.path, data={"result": result, "on": str(inspected_on)})
    return inspection


def _require_accredited(base: Base, on: dt.date, *, what: str) -> None:
    problem = base.accreditation_problem(on)
    if problem:
        raise ApplicationError(f"{problem}，不能{what}", code="trips.base_not_accredited")


# ---------------------------------------------------------------- routes and departures


@dataclass
class RouteInput:
    base_id: int
    title: str
    days: int
    price_fen: int
    eligibility: str = Eligibility.MEMBERS
    eligible_org_ids: tuple[int, ...] = ()
    description: str = ""


@transaction.atomic
def route_create(*, actor, org, data: RouteInput) -> Route:
    """新线路 at a base the actor can read (their federation's or one above); its accreditation must hold today."""
    _org_in_reach(actor, org, MANAGE, "您在该组织没有发布疗休养线路的权限")
    base = Base.objects.restrict(actor, VIEW).filter(pk=data.base_id).first()
    if base is None:
        raise ApplicationError("请选择基地", code="trips.route_base", fields={"base": ["请选择基地"]})
    _require_accredited(base, timezone.localdate(), what="新建线路")
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = ["请填写线路名称"]
    if not 1 <= data.days <= 30:
        errors["days"] = ["天数应在 1–30 天之间"]
    if data.price_fen <= 0:
        errors["price"] = ["请填写每人费用"]
    if data.eligibility not in Eligibility.values:
        errors["eligibility"] = ["请选择参加对象"]
    if data.eligibility == Eligibility.ORGS and not data.eligible_org_ids:
        errors["eligible_orgs"] = ["请选择可参加的组织"]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], code="trips.route_invalid", fields=errors)
    route = Route.objects.create(org=org, base=base, title=data.title.strip(), days=data.days, price_fen=data.price_fen,
                                 eligibility=data.eligibility, description=data.description.strip(), created_by=actor)
    if data.eligibility == Eligibility.ORGS:
        route.eligible_orgs.set(data.eligible_org_ids)
    audit_log(actor=actor, action="trips.route.created", obj=route, org_path=org.path,
              data={"base": base.name, "days": route.days, "price": yuan(route.price_fen), "eligibility": route.eligibility})
    return route


@transaction.atomic
def route_set_status(*, actor, route_id, status: str) -> Route:
    route = _managed(actor, Route, route_id)
    if status not in RouteStatus.values:
        raise ApplicationError("请选择状态", code="trips.route_status")
    if status == RouteStatus.PUBLISHED:
        _require_accredited(route.base, timezone.localdate(), what="发布线路")
    route.status = status
    route.save(update_fields=["status", "updated_at"])
    audit_log(actor=actor, action=f"trips.route.{status}", obj=route, org_path=route.org.path)
    return route


@transaction.atomic
def departure_add(*, actor, route_id, starts_on: dt.date, capacity: int) -> Departure:
    route = _managed(actor, Route, route_id)
    if starts_on <= timezone.localdate():
        raise ApplicationError("出发日期须晚于今天", code="trips.departure_date", fields={"starts_on": ["须晚于今天"]})
    if capacity < 1:
        raise ApplicationError("名额至少为 1", code="trips.departure_capacity", fields={"capacity": ["至少为 1"]})
    _require_accredited(route.base, starts_on, what="新增团期")
    try:
        with transaction.atomic():
            departure = Departure.objects.create(route=route, starts_on=starts_on, capacity=capacity)
    except IntegrityError:
        raise ApplicationError(f"{starts_on:%Y-%m-%d} 已有团期", code="trips.departure_exists", fields={"starts_on": ["该日已有团期"]}) from None
    audit_log(actor=actor, action="trips.departure.created", obj=departure, org_path=route.org.path,
              data={"starts_on": str(starts_on), "capacity": capacity})
    return departure


def _claim_places(departure_id: int, count: int) -> Departure:
    """Take `count` places: the departure row locked, then one conditional UPDATE; `ApplicationError` when too few are
    left (the caller's transaction then undoes everything)."""
    departure = lock_row(Departure.objects.select_related("route__base", "route__org"), departure_id, required=True)
    if not Departure.objects.filter(pk=departure.pk, taken__lte=F("capacity") - count).update(taken=F("taken") + count):
        raise ApplicationError(f"名额不足：该团期剩余 {departure.left} 个名额，本次需要 {count} 个", code="trips.full")
    departure.taken += count
    return departure


# ---------------------------------------------------------------- eligibility and funding


def _is_model_worker(route: Route, id_index: str) -> bool:
    """On a 劳模名单 kept by the route's org, an org above it, or one under it."""
    path = route.org.path
    return ModelWorker.objects.filter(Q(org__path__startswith=path) | Q(org__path__in=_ancestor_paths(path)), id_index=id_index).exists()


def eligibility_problem(*, route: Route, membership) -> str:
    """Why this member may not go on the route ("" when they may)."""
    if membership is None or membership.status != "active":
        return "仅限在册会员参加"
    if route.eligibility == Eligibility.MODEL_WORKERS and not _is_model_worker(route, membership.person.id_index):
        return "该线路为劳模疗休养，仅限劳模名单上的人员参加"
    if route.eligibility == Eligibility.ORGS:
        paths = [o.path for o in route.eligible_orgs.all()]
        if not any(membership.union.path.startswith(p) for p in paths):
            return "该线路仅限指定组织的会员参加"
    return ""


def policy_for(*, payer, year: int) -> FundingPolicy | None:
    """The 奖补 policy that applies to a paying union: the nearest federation at or above it with one for the year."""
    policies = FundingPolicy.objects.filter(org__path__in=_ancestor_paths(payer.path), year=year).select_related("org")
    return max(policies, key=lambda p: len(p.org.path), default=None)


@dataclass(frozen=True)
class Split:
    price_fen: int
    subsidy_fen: int
    match_fen: int
    own_fen: int
    subsidy_org_id: int | None


def funding_split(*, price_fen: int, policy: FundingPolicy | None) -> Split:
    """奖补 up to the price, 配套 = 奖补 × ratio up to what is left, the member pays the rest."""
    if policy is None:
        return Split(price_fen, 0, 0, price_fen, None)
    subsidy = min(policy.subsidy_fen, price_fen)
    match = min(int((Decimal(subsidy) * policy.match_ratio).quantize(Decimal(1), rounding=ROUND_HALF_UP)), price_fen - subsidy)
    return Split(price_fen, subsidy, match, price_fen - subsidy - match, policy.org_id)


def _within_budget(*, org, year: int, amount_fen: int, what: str) -> None:
    """Refuse spending beyond the org's budget for the year, with what is left. Its budget row is locked until the
    caller's transaction ends, so two spenders of one org queue and the second sees the first's entries."""
    budget_id = Budget.objects.filter(org=org, year=year).values_list("pk", flat=True).first()
    budget = lock_row(Budget, budget_id) if budget_id else None
    spent = LedgerEntry.objects.filter(org=org, year=year).aggregate(total=Sum("amount_fen"))["total"] or 0
    left = (budget.amount_fen if budget else 0) - spent
    if amount_fen > left:
        raise ApplicationError(f"{org.name}{year}年疗休养预算不足：本次{what}需 {yuan(amount_fen)} 元，预算剩余 {yuan(max(left, 0))} 元",
                               code="trips.over_budget")


def _fund(participants: list[Participant], *, payer, departure: Departure) -> None:
    """Fix each place's split and book the payer's 配套 (one ledger row per person) against its budget."""
    year = departure.starts_on.year
    split = funding_split(price_fen=departure.route.price_fen, policy=policy_for(payer=payer, year=year))
    total = split.match_fen * len(participants)
    if total:
        _within_budget(org=payer, year=year, amount_fen=total, what="配套")
    for p in participants:
        p.price_fen, p.subsidy_fen, p.match_fen, p.own_fen, p.subsidy_org_id = (split.price_fen, split.subsidy_fen, split.match_fen,
                                                                               split.own_fen, split.subsidy_org_id)
        p.save(update_fields=["price_fen", "subsidy_fen", "match_fen", "own_fen", "subsidy_org", "updated_at"])
    if total:
        LedgerEntry.objects.bulk_create([LedgerEntry(org=payer, year=year, kind=LedgerKind.MATCH, amount_fen=p.match_fen, participant=p)
                                         for p in participants])


# ---------------------------------------------------------------- group batches


def _bookable(departure: Departure) -> None:
    if departure.route.status != RouteStatus.PUBLISHED:
        raise ApplicationError("该线路未发布或已停办", code="trips.route_closed")
    if departure.starts_on <= timezone.localdate():
        raise ApplicationError("该团期已出发，不能再报名", code="trips.departed")
    _require_accredited(departure.route.base, departure.starts_on, what="报名该团期")


@transaction.atomic
def batch_book(*, actor, org, departure_id, membership_ids: list[int]) -> Batch:
    """组团报名: the union `org` books places on a departure for named members of its own (its subtree, read through the
    members selectors in the actor's scope); all of them or none. The union pays their 配套."""
    _org_in_reach(actor, org, BOOK, "您在该组织没有组团报名疗休养的权限")
    departure = departure_for_booking(departure_id=departure_id)
    _bookable(departure)
    ids = sorted({int(i) for i in membership_ids})
    if not ids:
        raise ApplicationError("请选择参加的会员", code="trips.batch_empty", fields={"members": ["请选择参加的会员"]})
    if len(ids) > MAX_BATCH:
        raise ApplicationError(f"一个批次最多 {MAX_BATCH} 人", code="trips.batch_large", fields={"members": [f"最多 {MAX_BATCH} 人"]})
    members = list(membership_list(actor=actor, within=org, for_action=BOOK).filter(pk__in=ids))
    if len(members) != len(ids):
        raise ApplicationError("所选会员中有不属于本工会的人员，请重新选择", code="trips.batch_foreign", fields={"members": ["只能选择本工会会员"]})
    problems = [f"{m.member_number}：{problem}" for m in members if (problem := eligibility_problem(route=departure.route, membership=m))]
    if problems:
        raise ApplicationError("以下会员不符合参加条件：" + "；".join(problems[:10]), code="trips.not_eligible", fields={"members": problems[:10]})
    departure = _claim_places(departure.pk, len(members))
    batch = _open_batch(departure=departure, org=org, actor=actor)
    try:
        with transaction.atomic():
            participants = Participant.objects.bulk_create([
                Participant(departure=departure, batch=batch, person=m.person, union=org, member_number=m.member_number, status=PlaceStatus.APPROVED,
                            decided_by=actor, decided_at=timezone.now()) for m in members])
    except IntegrityError:
        raise ApplicationError("所选会员中有人已报名该团期", code="trips.already") from None
    _fund(participants, payer=org, departure=departure)
    audit_log(actor=actor, action="trips.batch.booked", obj=batch, org_path=org.path,
              data={"departure": str(departure), "count": len(participants), "match": yuan(sum(p.match_fen for p in participants))})
    return batch


# ---------------------------------------------------------------- a worker's request


@transaction.atomic
def place_request(*, actor, departure_id) -> Participant:
    """我要疗休养: a member asks for a place; their own union decides (its funds pay)."""
    departure = departure_for_booking(departure_id=departure_id)
    _bookable(departure)
    membership = my_membership(user=actor)
    problem = eligibility_problem(route=departure.route, membership=membership)
    if problem:
        raise ApplicationError(problem, code="trips.not_eligible")
    if departure.left <= 0:
        raise ApplicationError("该团期名额已满", code="trips.full")
    try:
        with transaction.atomic():
            place = Participant.objects.create(departure=departure, person=membership.person, union=membership.union, requested_by=actor,
                                               member_number=membership.member_number, status=PlaceStatus.REQUESTED)
    except IntegrityError:
        raise ApplicationError("您已申请或已报名该团期", code="trips.already") from None
    audit_log(actor=actor, action="trips.place.requested", obj=place, org_path=membership.union.path, data={"departure": str(departure)})
    return place


@transaction.atomic
def place_decide(*, actor, participant_id, approve: bool, reason: str = "") -> Participant:
    """The member's union approves (a place is claimed and its 配套 booked; the member joins the union's batch) or
    refuses with a reason. The worker is told either way."""
    place, departure = _locked_place(actor, participant_id)
    if place.status != PlaceStatus.REQUESTED:
        raise ApplicationError("该申请已处理", code="trips.decided")
    if not approve and not reason.strip():
        raise ApplicationError("请填写未通过原因", code="trips.reason", fields={"reason": ["请填写原因"]})
    if approve:
        departure = departure_for_booking(departure_id=place.departure_id)
        _bookable(departure)
        departure = _claim_places(departure.pk, 1)
        place.batch = _open_batch(departure=departure, org=place.union, actor=actor)
    place.status = PlaceStatus.APPROVED if approve else PlaceStatus.REFUSED
    place.refuse_reason = "" if approve else reason.strip()[:300]
    place.decided_by, place.decided_at = actor, timezone.now()
    place.save(update_fields=["status", "refuse_reason", "decided_by", "decided_at", "batch", "updated_at"])
    if approve:
        _fund([place], payer=place.union, departure=departure)
    audit_log(actor=actor, action="trips.place.approved" if approve else "trips.place.refused", obj=place, org_path=place.union.path,
              data={"reason": place.refuse_reason} if not approve else {"match": yuan(place.match_fen)})
    _tell_worker(place, departure, "trips.place_approved" if approve else "trips.place_refused", reason=place.refuse_reason)
    return place


def _open_batch(*, departure: Departure, org, actor) -> Batch:
    """The union's batch on the departure (one per union), opened again if it had been cancelled."""
    batch, created = Batch.objects.get_or_create(departure=departure, org=org, defaults={"created_by": actor})
    if not created and batch.status == BatchStatus.CANCELLED:
        batch.status, batch.cancel_reason, batch.cancelled_at = BatchStatus.BOOKED, "", None
        batch.save(update_fields=["status", "cancel_reason", "cancelled_at", "updated_at"])
    return batch


def _locked_place(actor, participant_id) -> tuple[Participant, Departure]:
    """A place the actor's union may decide on or cancel, read again after its departure is locked (and that departure):
    every writer of a departure's places queues on that row, so two cadres never both approve, or both cancel, one place."""
    place = _managed(actor, Participant, participant_id, action=BOOK)
    departure = lock_row(Departure.objects.select_related("route"), place.departure_id, required=True)
    return Participant.objects.select_related("union", "person__user", "requested_by", "batch").get(pk=place.pk), departure


def _tell_worker(place: Participant, departure: Departure, template_code: str, *, reason: str = "") -> None:
    """The worker hears of their union's decision and of a cancellation (inbox and SMS), when they have an account."""
    recipient = place.requested_by or getattr(place.person, "user", None)
    if recipient is None:
        return
    notify(recipient=recipient, template_code=template_code, dedupe_key=f"trips:{template_code}:{place.pk}",
           params={"title": departure.route.title, "starts_on": f"{departure.starts_on:%Y-%m-%d}", "union": place.union.name, "reason": reason,
                   "own": yuan(place.own_fen), "refund": yuan(place.refund_fen)}, link="/h5/trips/mine/")


# ---------------------------------------------------------------- cancellation


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not 2 <= len(reason) <= 300:
        raise ApplicationError("请填写取消原因（2–300 字）", code="trips.reason", fields={"reason": ["请填写取消原因"]})
    return reason


def _cancellable(departure: Departure) -> None:
    """Only before departure; a 奖补 claim comes after the trip, so a claimed or paid batch is never cancelled either."""
    if departure.starts_on <= timezone.localdate():
        raise ApplicationError(f"该团期已于 {departure.starts_on:%Y-%m-%d} 出发，不能再取消", code="trips.departed")


def _cancel_places(places: list[Participant], *, departure: Departure, reason: str) -> None:
    """Give the places back to the departure, reverse each one's 配套 on its payer's ledger (a row of the opposite amount,
    so the budget has it again) and record the member's own share as to be refunded."""
    if not Departure.objects.filter(pk=departure.pk, taken__gte=len(places)).update(taken=F("taken") - len(places)):
        raise ApplicationError("团期名额记录异常，未取消", code="trips.taken_mismatch")
    now = timezone.now()
    reversals = [LedgerEntry(org=p.union, year=departure.starts_on.year, kind=LedgerKind.MATCH_REVERSAL, amount_fen=-p.match_fen, participant=p)
                 for p in places if p.match_fen]
    LedgerEntry.objects.bulk_create(reversals)
    for place in places:
        place.status, place.cancel_reason, place.cancelled_at, place.refund_fen = PlaceStatus.CANCELLED, reason, now, place.own_fen
        place.save(update_fields=["status", "cancel_reason", "cancelled_at", "refund_fen", "updated_at"])
        _tell_worker(place, departure, "trips.place_cancelled", reason=reason)


@transaction.atomic
def place_cancel(*, actor, participant_id, reason: str) -> Participant:
    """取消名额: the union withdraws one member from its batch before departure (its 配套 reversed, the member's share to be
    refunded, the place back on sale)."""
    reason = _reason(reason)
    place, departure = _locked_place(actor, participant_id)
    if place.status != PlaceStatus.APPROVED:
        raise ApplicationError("只有已确认的名额可以取消", code="trips.not_approved")
    _cancellable(departure)
    _cancel_places([place], departure=departure, reason=reason)
    audit_log(actor=actor, action="trips.place.cancelled", obj=place, org_path=place.union.path,
              data={"reason": reason, "match_reversed": yuan(place.match_fen), "refund": yuan(place.refund_fen)})
    return place


@transaction.atomic
def batch_cancel(*, actor, batch_id, reason: str) -> Batch:
    """取消批次: the whole group before departure; every place as in `place_cancel`."""
    reason = _reason(reason)
    batch = _managed(actor, Batch, batch_id, action=BOOK)
    departure = lock_row(Departure.objects.select_related("route"), batch.departure_id, required=True)
    batch = Batch.objects.select_related("org").get(pk=batch.pk)
    if batch.status != BatchStatus.BOOKED:
        raise ApplicationError("该批次已取消", code="trips.batch_cancelled")
    _cancellable(departure)
    places = list(batch.participants.filter(status=PlaceStatus.APPROVED).select_related("union", "person__user", "requested_by"))
    if places:
        _cancel_places(places, departure=departure, reason=reason)
    batch.status, batch.cancel_reason, batch.cancelled_at = BatchStatus.CANCELLED, reason, timezone.now()
    batch.save(update_fields=["status", "cancel_reason", "cancelled_at", "updated_at"])
    audit_log(actor=actor, action="trips.batch.cancelled", obj=batch, org_path=batch.org.path,
              data={"reason": reason, "places": len(places), "match_reversed": yuan(sum(p.match_fen for p in places)),
                    "refund": yuan(sum(p.refund_fen for p in places))})
    return batch


# ---------------------------------------------------------------- 奖补 claims


@transaction.atomic
def claim_submit(*, actor, batch_id, roster, invoice) -> SubsidyClaim:
    """After the trip the union claims the 奖补 of its batch, with the roster and the invoices (checked uploads)."""
    batch = _managed(actor, Batch, batch_id, action=BOOK)
    departure = Departure.objects.select_related("route").get(pk=batch.departure_id)
    if departure.ends_on >= timezone.localdate():
        raise ApplicationError(f"行程 {departure.ends_on:%Y-%m-%d} 结束后才能申领奖补", code="trips.claim_early")
    places = list(batch.participants.filter(status=PlaceStatus.APPROVED, subsidy_fen__gt=0))
    if not places:
        raise ApplicationError("该批次没有可申领奖补的人员", code="trips.claim_nothing")
    if roster is None or invoice is None:
        raise ApplicationError("请上传参加人员名单和发票", code="trips.claim_files",
                               fields={name: ["请上传"] for name, f in (("roster", roster), ("invoice", invoice)) if f is None})
    roster_kind = sniff_upload(roster, allowed=CLAIM_FILE_KINDS, max_bytes=CLAIM_MAX_BYTES, what="名单", field="roster")
    invoice_kind = sniff_upload(invoice, allowed=("pdf", "jpg", "png"), max_bytes=CLAIM_MAX_BYTES, what="发票", field="invoice")
    claim = SubsidyClaim(batch=batch, org=batch.org, federation_id=places[0].subsidy_org_id, people=len(places),
                         amount_fen=sum(p.subsidy_fen for p in places), submitted_by=actor,
                         roster_name=display_name(roster.name, roster_kind), invoice_name=display_name(invoice.name, invoice_kind))
    claim.roster.save(claim.roster_name, roster, save=False)
    claim.invoice.save(claim.invoice_name, invoice, save=False)
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        raise ApplicationError("该批次已有申领在办理中", code="trips.claim_open") from None
    audit_log(actor=actor, action="trips.claim.submitted", obj=claim, org_path=batch.org.path,
              data={"people": claim.people, "amount": yuan(claim.amount_fen)})
    return claim


def _federation_claim(actor, claim_id) -> SubsidyClaim:
    """A claim the actor may check and pay: one whose paying federation lies in their 管理 scope (the claiming union's
    own cadres read it, and get 403)."""
    claim = _managed(actor, SubsidyClaim, claim_id)
    if not covers(reach(actor, MANAGE), claim.federation.path):
        raise PermissionDenied("只有奖补单位的干部可以审核和拨付")
    return claim


@transaction.atomic
def claim_check(*, actor, claim_id, approve: bool, reason: str = "") -> SubsidyClaim:
    """审核: the federation checks the roster and invoices; approves, or sends the claim back with a reason."""
    claim = _federation_claim(actor, claim_id)
    if claim.status != ClaimStatus.SUBMITTED:
        raise ApplicationError("该申领已审核", code="trips.claim_checked")
    if not approve and not reason.strip():
        raise ApplicationError("请填写退回原因", code="trips.reason", fields={"reason": ["请填写原因"]})
    claim.status = ClaimStatus.APPROVED if approve else ClaimStatus.REJECTED
    claim.reject_reason = "" if approve else reason.strip()[:300]
    claim.checked_by = actor
    claim.save(update_fields=["status", "reject_reason", "checked_by", "updated_at"])
    audit_log(actor=actor, action="trips.claim.approved" if approve else "trips.claim.rejected", obj=claim, org_path=claim.federation.path,
              data={"reason": claim.reject_reason} if not approve else {"amount": yuan(claim.amount_fen)})
    return claim


@transaction.atomic
def claim_pay(*, actor, claim_id) -> SubsidyClaim:
    """拨付: the 奖补 goes on the federation's ledger for the trip's year, within its budget."""
    claim = _federation_claim(actor, claim_id)
    if claim.status != ClaimStatus.APPROVED:
        raise ApplicationError("只有审核通过的申领可以拨付", code="trips.claim_not_approved")
    year = claim.batch.departure.starts_on.year
    _within_budget(org=claim.federation, year=year, amount_fen=claim.amount_fen, what="奖补")
    LedgerEntry.objects.create(org=claim.federation, year=year, kind=LedgerKind.SUBSIDY, amount_fen=claim.amount_fen, claim=claim)
    claim.status, claim.paid_at = ClaimStatus.PAID, timezone.now()
    claim.save(update_fields=["status", "paid_at", "updated_at"])
    audit_log(actor=actor, action="trips.claim.paid", obj=claim, org_path=claim.federation.path, data={"amount": yuan(claim.amount_fen), "year": year})
    return claim


# ---------------------------------------------------------------- budgets and policies


@transaction.atomic
def budget_set(*, actor, org, year: int, amount_fen: int) -> Budget:
    """An org's 疗休养 budget for a year; never below what its ledger already spent."""
    _org_in_reach(actor, org, MANAGE, "您在该组织没有设置疗休养预算的权限")
    if not 2000 <= year <= 2100 or amount_fen < 0:
        raise ApplicationError("请填写正确的年度和金额", code="trips.budget_invalid", fields={"amount": ["请填写正确的金额"]})
    spent = LedgerEntry.objects.filter(org=org, year=year).aggregate(total=Sum("amount_fen"))["total"] or 0
    if amount_fen < spent:
        raise ApplicationError(f"预算不能低于已支出的 {yuan(spent)} 元", code="trips.budget_below_spent", fields={"amount": ["低于已支出金额"]})
    existing = Budget.objects.filter(org=org, year=year).values_list("pk", flat=True).first()
    budget = lock_row(Budget, existing) if existing else None
    before = budget.amount_fen if budget else None
    if budget is None:
        budget = Budget.objects.create(org=org, year=year, amount_fen=amount_fen)
    else:
        budget.amount_fen = amount_fen
        budget.save(update_fields=["amount_fen"])
    audit_log(actor=actor, action="trips.budget.set", obj=budget, org_path=org.path,
              data={"year": year, "amount": yuan(amount_fen), "before": yuan(before) if before is not None else ""})
    return budget


@transaction.atomic
def policy_set(*, actor, org, year: int, subsidy_fen: int, match_ratio) -> FundingPolicy:
    """A federation's 奖补 per person and 配套 ratio for a year; places already confirmed keep their split."""
    _org_in_reach(actor, org, MANAGE, "您在该组织没有设置疗休养经费政策的权限")
    try:
        ratio = Decimal(str(match_ratio)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ApplicationError("配套比例应为数字，如 1 或 1.5", code="trips.policy_ratio", fields={"match_ratio": ["应为数字"]}) from None
    if not Decimal(0) <= ratio <= Decimal(100) or subsidy_fen < 0 or not 2000 <= year <= 2100:
        raise ApplicationError("请填写正确的年度、奖补金额和配套比例（0–100）", code="trips.policy_invalid")
    policy, _ = FundingPolicy.objects.update_or_create(org=org, year=year, defaults={"subsidy_fen": subsidy_fen, "match_ratio": ratio})
    audit_log(actor=actor, action="trips.policy.set", obj=policy, org_path=org.path,
              data={"year": year, "subsidy": yuan(subsidy_fen), "ratio": str(ratio)})
    return policy


# ---------------------------------------------------------------- 劳模名单


@transaction.atomic
def model_worker_add(*, actor, org, name: str, id_number: str, title: str) -> ModelWorker:
    _org_in_reach(actor, org, MANAGE, "您在该组织没有维护劳模名单的权限")
    return _model_worker(actor, org, name, id_number, title, audit=True)


def _model_worker(actor, org, name: str, id_number: str, title: str, *, audit: bool) -> ModelWorker:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["请填写姓名"]
    try:
        id_number = parse_id_number(id_number).value
    except InvalidIdentifier:
        errors["id_number"] = ["身份证号不正确"]
    if not title.strip():
        errors["title"] = ["请填写荣誉称号，如 全国劳动模范"]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], code="trips.model_worker_invalid", fields=errors)
    try:
        with transaction.atomic():
            row = ModelWorker.objects.create(org=org, name=name.strip(), id_number=id_number, title=title.strip()[:50], added_by=actor)
    except IntegrityError:
        raise ApplicationError("此人已在本单位劳模名单中", code="trips.model_worker_exists", fields={"id_number": ["已在名单中"]}) from None
    if audit:
        audit_log(actor=actor, action="trips.model_worker.added", obj=row, org_path=org.path, data={"title": row.title})
    return row


@transaction.atomic
def model_workers_import(*, actor, org, upload) -> int:
    """A csv of 姓名,身份证号,荣誉称号 (UTF-8 or GB18030, a header row); all rows or none, errors named by row number."""
    _org_in_reach(actor, org, MANAGE, "您在该组织没有维护劳模名单的权限")
    if upload is None:
        raise ApplicationError("请选择文件", code="trips.import_file", fields={"file": ["请选择文件"]})
    if upload.size > 2 * 1024 * 1024:
        raise ApplicationError("文件超过 2 MB", code="trips.import_large", fields={"file": ["文件过大"]})
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030", errors="replace")
    rows = list(csv.reader(io.StringIO(text)))[1:]
    if not rows or len(rows) > MAX_IMPORT_ROWS:
        raise ApplicationError(f"文件应有 1–{MAX_IMPORT_ROWS} 行数据（第一行为表头：姓名,身份证号,荣誉称号）", code="trips.import_rows")
    errors, count = [], 0
    for number, row in enumerate(rows, start=2):
        cells = [c.strip() for c in row] + ["", "", ""]
        try:
            with transaction.atomic():
                _model_worker(actor, org, cells[0], cells[1], cells[2], audit=False)
            count += 1
        except ApplicationError as exc:
            errors.append(f"第 {number} 行：{exc.message}")
    if errors:
        raise ApplicationError("导入未完成，请改正后重新上传：" + "；".join(errors[:10]), code="trips.import_errors")
    audit_log(actor=actor, action="trips.model_worker.imported", org_path=org.path, data={"count": count})
    return count
