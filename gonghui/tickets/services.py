"""Every write of an order: intake, 派单, 签收, 办理, 回复, 回访, 办结 and the side paths (退单, 转办, 延期, 督办, 重新办理, 撤回).

Each service is keyword-only with the actor first, runs in one transaction with the order's row locked (core.locking),
checks the state and who may act, writes a timeline step (`TicketEvent`) and an audit event, and tells the people it
concerns after commit. A step the state does not allow is refused with a Chinese message and changes nothing.

Who acts: the dispatching centre (`tickets.dispatch`: 派单, 直接办结, 受理告知; `tickets.follow_up`: 回访), the handlers of the
current holder (`tickets.handle` at that org itself, or the person the order is assigned to there), the orgs above the
holder (`tickets.supervise`: 督办, 延期审批), and the worker who filed it (补充材料, 回访 in H5, 撤回). Earlier holders keep
reading the order but act on nothing.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from gonghui.audit.services import audit_log
from gonghui.core.access import active_posts, covers, reach
from gonghui.core.crypto import blind_index
from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.core.locking import advisory_lock, lock_row
from gonghui.core.uploads import display_name, sniff_upload
from gonghui.core.validators import InvalidIdentifier, normalize_uscc
from gonghui.notify.services import notify
from gonghui.notify.sms import sms_send
from gonghui.orgs.models import PATH_STEP_LENGTH, Employer, Org
from gonghui.tickets import routing, sla
from gonghui.tickets.models import (
    ADMIN_SLA,
    DISPATCH,
    FOLLOW_UP,
    HANDLE,
    HANDLING_STATES,
    OPEN_STATES,
    SUPERVISE,
    VIEW,
    Agency,
    Attachment,
    Category,
    Channel,
    ClosingKind,
    ContactPreference,
    DutyShift,
    EventKind,
    Extension,
    ExtensionStatus,
    FollowUp,
    Satisfaction,
    SlaPolicy,
    State,
    Supervision,
    Ticket,
    TicketEvent,
    TicketHolding,
    TicketParty,
    Review,
    Tier,
    Topic,
    Urgency,
    normalize_caller_phone,
)
from gonghui.worktime.calendar import WorkCalendar, work_calendar
from gonghui.worktime.deadlines import LimitUnit, RunningLimit, deadline

PREFIX = "tickets"
DUPLICATE_DAYS = 7  # the same worker, employer and category within a week is the same matter
ATTACHMENT_KINDS = ("jpg", "png", "pdf")
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 9
QUERY_CODE_DIGITS = 8
WORKER_KINDS = ("worker",)
NEW_FORM_TYPES = ("food_delivery", "courier", "ride_hailing", "trucking", "live_streamer", "domestic", "other")
QUERY_CODE_SMS = "【广东工会】您反映的问题已受理，工单号{number}，查询码{code}。可凭工单号和查询码查看办理进度和答复。"
UPDATE_SMS = "【广东工会】您的工单{number}{what}。可凭工单号和查询码查看详情。"


def _fail(message: str, code: str, field_name: str | None = None):
    raise ApplicationError(message, code=f"{PREFIX}.{code}", fields={field_name: [message]} if field_name else None)


def _text(value: str, *, label: str, field_name: str, minimum: int = 1, limit: int = 500) -> str:
    text = (value or "").strip()
    if len(text) < minimum:
        _fail(f"请填写{label}" + (f"（至少{minimum}个字）" if minimum > 1 else ""), f"{field_name}_missing", field_name)
    if len(text) > limit:
        _fail(f"{label}不能超过 {limit} 个字", f"{field_name}_too_long", field_name)
    return text


def _choice(value: str, choices, *, label: str, field_name: str) -> str:
    if value not in choices.values:
        _fail(f"{label}不正确，应为：{'、'.join(str(c) for c in choices.labels)}", f"{field_name}_invalid", field_name)
    return value


# ---------------------------------------------------------------- who may act


def _is_worker(actor) -> bool:
    return actor is not None and actor.is_authenticated and actor.kind in WORKER_KINDS


def _posted_at(actor, action: str, org: Org) -> bool:
    """A post of the actor with `action` at this very org (not above it): a handler of that org."""
    return actor.is_superuser or any(post.org_id == org.pk and action in post.role.permissions for post in active_posts(actor))


def _reaches(actor, action: str, org: Org) -> bool:
    return covers(reach(actor, action), org.path)


def supervising_org(actor, action: str, org: Org) -> Org | None:
    """The nearest org strictly above `org` where the actor holds `action` (督办, 延期审批), or None."""
    if actor.is_superuser:
        return Org.objects.filter(path=org.path[:-PATH_STEP_LENGTH]).first() or org
    above = [post.org for post in active_posts(actor)
             if action in post.role.permissions and org.path.startswith(post.org.path) and post.org.path != org.path]
    return max(above, key=lambda o: len(o.path)) if above else None


def is_handler(actor, ticket: Ticket) -> bool:
    """A handler of the current holder: its own cadre with the order actions, or the person assigned inside it."""
    return ticket.assignee_id == actor.pk or _posted_at(actor, HANDLE, ticket.holder)


def is_dispatcher(actor, ticket: Ticket) -> bool:
    return _reaches(actor, DISPATCH, ticket.centre)


def is_follow_up_agent(actor, ticket: Ticket) -> bool:
    return _reaches(actor, FOLLOW_UP, ticket.centre)


def is_owner(actor, ticket: Ticket) -> bool:
    return actor is not None and ticket.filed_by_id is not None and ticket.filed_by_id == actor.pk


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _require_state(ticket: Ticket, states, doing: str) -> None:
    if ticket.state not in states:
        _fail(f"工单当前为“{ticket.get_state_display()}”，不能{doing}", "state")


def _locked(actor, ticket_id) -> Ticket:
    """The order, locked, if the actor may read it (else the one NotFound); each service then says who may act, so an
    earlier holder who still reads the order is told why they cannot act rather than that it does not exist."""
    rows = Ticket.objects.restrict(actor, VIEW).select_related("holder", "centre", "employer__union", "district")
    ticket = lock_row(rows, ticket_id) if str(ticket_id).isdecimal() else None
    if ticket is None:
        raise NotFound()
    return ticket


def _acting_org(actor, ticket: Ticket, action: str) -> Org | None:
    """The org on whose behalf the actor takes this step (for the timeline): the deepest of their posts covering it."""
    target = ticket.holder if action == HANDLE else ticket.centre
    posts = [post.org for post in active_posts(actor) if action in post.role.permissions and target.path.startswith(post.org.path)]
    return max(posts, key=lambda o: len(o.path)) if posts else None


# ---------------------------------------------------------------- timeline, holders, messages


def _event(ticket: Ticket, kind: str, *, actor=None, org: Org | None = None, note: str = "", visible: bool = False,
           at: dt.datetime | None = None, **data) -> TicketEvent:
    name = ""
    if actor is not None and getattr(actor, "pk", None):
        name = str(actor) if not _is_worker(actor) else "反映人"
    return TicketEvent.objects.create(ticket=ticket, kind=kind, at=at or timezone.now(), actor=actor if name else None,
                                      actor_name=name or ("系统" if actor is None else ""), org=org, note=note,
                                      visible_to_worker=visible, data=data)


def _audit(actor, verb: str, ticket: Ticket, **data) -> None:
    audit_log(actor=actor if getattr(actor, "pk", None) else None, action=f"tickets.ticket.{verb}", obj=ticket,
              org_path=ticket.holder.path, data={"number": ticket.number, "state": ticket.state, **data})


def _hand_to(ticket: Ticket, org: Org, *, how: str, at: dt.datetime) -> None:
    TicketHolding.objects.filter(ticket=ticket, until__isnull=True).update(until=at)
    TicketHolding.objects.create(ticket=ticket, org=org, how=how, since=at)
    ticket.holder, ticket.assignee = org, None


def _org_users(org: Org, action: str) -> list:
    """Active users with a post granting `action` at this org (the org's own handlers, not those above)."""
    return [post.user for post in org.posts.filter(user__is_active=True).select_related("user", "role")
            if action in post.role.permissions]


def _on_duty(org: Org, at: dt.datetime) -> list:
    return [shift.user for shift in DutyShift.objects.filter(org=org, starts_at__lte=at, ends_at__gt=at).select_related("user")]


def _link(url_name: str, ticket: Ticket) -> str:
    """The order's page, once the app's pages are installed; messages go out without a link until then."""
    try:
        return reverse(url_name, kwargs={"ticket_id": ticket.pk})
    except NoReverseMatch:
        return ""


def _tell_org(org: Org, ticket: Ticket, *, key: str, what: str, users: list | None = None) -> None:
    named = set(ticket.parties.filter(person__isnull=False).values_list("person_id", flat=True))  # 回避: never told of it
    for user in users if users is not None else _org_users(org, HANDLE):
        if user.pk in named:
            continue
        notify(recipient=user, template_code="tickets.for_org", dedupe_key=f"ticket:{ticket.pk}:{key}:{user.pk}",
               params={"number": ticket.number, "title": ticket.title, "org": org.name, "what": what},
               link=_link("tickets:detail", ticket))


def _tell_worker(ticket: Ticket, *, key: str, what: str) -> None:
    """The worker hears of every step that concerns them: in their inbox with an account, by SMS without one."""
    if ticket.filed_by_id:
        notify(recipient=ticket.filed_by, template_code="tickets.for_worker", dedupe_key=f"ticket:{ticket.pk}:{key}",
               params={"number": ticket.number, "title": ticket.title, "what": what}, link=_link("tickets_h5:detail", ticket))
    elif ticket.caller_phone and ticket.contact_preference != ContactPreference.ONLINE:
        phone, text = ticket.caller_phone, UPDATE_SMS.format(number=ticket.number, what=what)
        transaction.on_commit(lambda: sms_send(phone=phone, template_code="TICKET_UPDATE", params={"number": ticket.number, "what": what},
                                               text=text))


def _save(ticket: Ticket, calendar: WorkCalendar) -> None:
    sla.refresh_due(ticket, calendar)
    ticket.save()


# ---------------------------------------------------------------- intake


@dataclass
class TicketInput:
    """What an intake form, the hotline screen or an integration sends."""

    channel: str
    category: str
    title: str
    description: str
    topic: str = Topic.OTHER
    urgency: str = Urgency.NORMAL
    tier: str = Tier.GENERAL
    affected_count: int = 1
    district_id: int | None = None
    employer_id: int | None = None
    employer_name: str = ""
    employer_uscc: str = ""
    new_form_type: str = ""
    caller_name: str = ""
    caller_phone: str = ""
    callback_phone: str = ""
    call_ref: str = ""
    contact_preference: str = ContactPreference.PHONE
    anonymous: bool = False
    quick_answer: str = ""  # hotline: a pure 咨询 answered on the call is closed at once (直接办结)
    uploads: list = field(default_factory=list)


@dataclass(frozen=True)
class Filing:
    ticket: Ticket
    created: bool  # False: the same form token came again, this is the order it made
    merged_into: Ticket | None = None  # a duplicate of this open order
    query_code: str = ""  # given once, to a caller without an account (also sent by SMS)


def form_token_issue() -> str:
    """A one-time token for an intake form: submitting the form twice with it files one order."""
    return secrets.token_urlsafe(24)


def _token_digest(token: str) -> str:
    if not 16 <= len(token) <= 64 or not all(c.isalnum() or c in "-_" for c in token):
        _fail("表单已失效，请刷新页面后重新提交", "form_token_invalid")
    return hashlib.sha256(token.encode()).hexdigest()


def query_code_digest(number: str, code: str) -> str:
    return blind_index(f"{number}:{code}", purpose="ticket_query_code")


def _next_number(at: dt.datetime) -> str:
    """GH-YYYYMMDD-NNNNNN. The day's counter row is raised in the filing's transaction (one upsert), so two filings never
    share a number; a filing that rolls back gives its number back."""
    day = timezone.localtime(at).date()
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO tickets_ticketcounter (day, last) VALUES (%s, 1) "
                       "ON CONFLICT (day) DO UPDATE SET last = tickets_ticketcounter.last + 1 RETURNING last", [day.isoformat()])
        (last,) = cursor.fetchone()
    return f"GH-{day:%Y%m%d}-{last:06d}"


def _centre_for(actor, district: Org | None) -> Org:
    """Cadres and integrations file at the outermost org where they dispatch (the 12351 centre they sit in); a worker's
    order goes to the 市总 above the district they chose (各省集中、分级主办: the city centre dispatches down)."""
    if actor is not None and actor.is_authenticated and not _is_worker(actor):
        posts = sorted((post.org for post in active_posts(actor) if DISPATCH in post.role.permissions), key=lambda o: len(o.path))
        if not posts:
            raise PermissionDenied("您没有受理诉求工单的权限")
        centre = posts[0]
        if district is not None and not district.path.startswith(centre.path):
            _fail("所选地区不在本中心的受理范围内", "district_out_of_scope", "district_id")
        return centre
    if district is None:
        _fail("请选择问题发生的地区", "district_missing", "district_id")
    city_path = district.path[: 2 * PATH_STEP_LENGTH]
    return Org.objects.filter(path=city_path, is_active=True).first() or district


def _employer(data: TicketInput) -> tuple[Employer | None, str, str]:
    employer, uscc = None, ""
    if data.employer_uscc.strip():
        try:
            uscc = normalize_uscc(data.employer_uscc)
        except InvalidIdentifier as error:
            _fail(str(error), "employer_uscc", "employer_uscc")
        employer = Employer.objects.select_related("union", "town").filter(uscc=uscc).first()
    if data.employer_id is not None:
        employer = Employer.objects.select_related("union", "town").filter(pk=data.employer_id).first()
        if employer is None:
            _fail("所选用人单位不存在，请重新选择", "employer_missing", "employer_id")
        uscc = employer.uscc
    name = data.employer_name.strip()[:200] or (employer.name if employer else "")
    if data.category != Category.CONSULT and data.category != Category.SUGGESTION and not (name or employer):
        _fail("请填写涉及的用人单位名称或统一社会信用代码", "employer_required", "employer_name")
    return employer, name, uscc


def _clean(actor, data: TicketInput) -> dict:
    worker_side = actor is None or not actor.is_authenticated or _is_worker(actor)
    allowed = (Channel.H5, Channel.LETTER) if worker_side else (Channel.HOTLINE, Channel.API, Channel.LETTER)
    if data.channel not in allowed:
        _fail("来源渠道不正确", "channel_invalid", "channel")
    _choice(data.category, Category, label="诉求类别", field_name="category")
    _choice(data.topic, Topic, label="问题类型", field_name="topic")
    _choice(data.urgency, Urgency, label="紧急程度", field_name="urgency")
    _choice(data.tier, Tier, label="难易程度", field_name="tier")
    _choice(data.contact_preference, ContactPreference, label="联系方式偏好", field_name="contact_preference")
    if data.new_form_type and data.new_form_type not in NEW_FORM_TYPES:
        _fail("新就业形态类型不正确", "new_form_type_invalid", "new_form_type")
    if isinstance(data.affected_count, bool) or not isinstance(data.affected_count, int) or not 1 <= data.affected_count <= 100000:
        _fail("涉及人数应为 1 到 100000 之间的整数", "affected_count_invalid", "affected_count")
    if len(data.uploads) > MAX_ATTACHMENTS:
        _fail(f"附件最多 {MAX_ATTACHMENTS} 个", "too_many_files", "files")
    district = None
    if data.district_id is not None:
        district = Org.objects.filter(pk=data.district_id, is_active=True).first() if str(data.district_id).isdecimal() else None
        if district is None:
            _fail("所选地区不存在", "district_missing", "district_id")
    phone = data.caller_phone.strip()
    if not phone and _is_worker(actor):
        phone = actor.phone or ""
    if phone:
        try:
            phone = normalize_caller_phone(phone)
        except InvalidIdentifier as error:
            _fail(str(error), "caller_phone", "caller_phone")
    elif not worker_side or actor is None or not actor.is_authenticated:
        _fail("请填写联系电话（用于接收查询码和回访）" if worker_side else "请填写来电号码", "caller_phone_missing", "caller_phone")
    callback = data.callback_phone.strip()
    if callback:
        try:
            callback = normalize_caller_phone(callback)
        except InvalidIdentifier as error:
            _fail(str(error), "callback_phone", "callback_phone")
    name = data.caller_name.strip()[:50] or (actor.display_name if _is_worker(actor) else "")
    if data.quick_answer.strip() and (data.channel != Channel.HOTLINE or data.category != Category.CONSULT):
        _fail("只有热线来电的咨询可以当场答复、直接办结", "quick_answer_not_allowed", "quick_answer")
    employer, employer_name, uscc = _employer(data)
    return {
        "channel": data.channel, "category": data.category, "topic": data.topic, "urgency": data.urgency, "tier": data.tier,
        "title": _text(data.title, label="标题", field_name="title", minimum=2, limit=100),
        "description": _text(data.description, label="诉求内容", field_name="description", minimum=5, limit=4000),
        "affected_count": data.affected_count, "district": district, "employer": employer, "employer_name": employer_name,
        "employer_uscc": uscc, "new_form_type": data.new_form_type, "caller_name": name, "caller_phone": phone,
        "callback_phone": callback, "call_ref": data.call_ref.strip()[:64], "contact_preference": data.contact_preference,
        "anonymous": bool(data.anonymous),
    }


def _duplicate_of(actor, fields: dict, now: dt.datetime) -> Ticket | None:
    """The same worker (by account, or by phone) about the same employer and category, still open, filed this week."""
    same_person = None
    if _is_worker(actor):
        same_person = {"filed_by": actor}
    elif fields["caller_phone"]:
        same_person = {"caller_phone_index": Ticket._meta.get_field("caller_phone_index").index_for(fields["caller_phone"])}
    if same_person is None or fields["category"] == Category.CONSULT:
        return None
    candidates = Ticket.objects.filter(state__in=OPEN_STATES, category=fields["category"], created_at__gte=now - dt.timedelta(days=DUPLICATE_DAYS),
                                       duplicate_of__isnull=True, **same_person)
    if fields["employer"] is not None:
        candidates = candidates.filter(employer=fields["employer"])
    elif fields["employer_uscc"]:
        candidates = candidates.filter(employer_uscc=fields["employer_uscc"])
    elif fields["employer_name"]:
        candidates = candidates.filter(employer_name=fields["employer_name"])
    else:
        return None
    return candidates.order_by("created_at").first()


@transaction.atomic
def ticket_file(*, actor, data: TicketInput, form_token: str = "") -> Filing:
    """受理: a worker (H5, 网上信箱), an anonymous caller, a hotline agent or an integration files an order.

    The same form token twice gives back the first order. The same matter from the same person within a week is filed as
    a duplicate linked to the open order (state 已合并) instead of a second order. A caller without an account gets a
    查询码 (only its keyed hash is kept)."""
    digest = _token_digest(form_token) if form_token else None
    if digest:
        existing = Ticket.objects.select_related("holder", "centre").filter(form_token=digest).first()
        if existing is not None:
            return _repeated(actor, existing)
    fields = _clean(actor, data)
    centre = _centre_for(actor, fields["district"])
    now = timezone.now()
    who = f"user:{actor.pk}" if _is_worker(actor) else f"phone:{fields['caller_phone']}"
    advisory_lock(f"tickets.file:{hashlib.sha256(who.encode()).hexdigest()}")
    original = _duplicate_of(actor, fields, now)
    uploads = [(upload, sniff_upload(upload, allowed=ATTACHMENT_KINDS, max_bytes=ATTACHMENT_MAX_BYTES, what="附件", field="files"))
               for upload in data.uploads]
    calendar = work_calendar()
    ticket = Ticket(**fields, centre=centre, holder=centre, state=State.RECEIVED, form_token=digest,
                    filed_by=actor if _is_worker(actor) else None,
                    entered_by=actor if actor is not None and actor.is_authenticated and not _is_worker(actor) else None)
    sla.start_limits(ticket, calendar, at=now)
    if original is not None:
        ticket.state, ticket.duplicate_of = State.MERGED, original
    try:
        with transaction.atomic():
            ticket.number = _next_number(now)
            _save(ticket, calendar)
    except IntegrityError:
        if digest and (existing := Ticket.objects.select_related("holder", "centre").filter(form_token=digest).first()):
            return _repeated(actor, existing)  # the same form, sent twice at once: the other request filed it
        raise
    TicketHolding.objects.create(ticket=ticket, org=centre, how=TicketHolding.How.RECEIVED, since=now,
                                 until=now if original is not None else None)
    code = ""
    if ticket.filed_by_id is None and ticket.caller_phone:
        code = "".join(secrets.choice("0123456789") for _ in range(QUERY_CODE_DIGITS))
        ticket.query_code_index = query_code_digest(ticket.number, code)
        ticket.save(update_fields=["query_code_index"])
    filed = _event(ticket, EventKind.FILED, actor=actor if getattr(actor, "pk", None) else None, org=centre, visible=True,
                   note=f"诉求已受理（{ticket.get_channel_display()}）", at=now)
    for upload, kind in uploads:
        _store(ticket, upload, kind, actor=actor, event=filed, from_worker=ticket.entered_by_id is None)
    if original is not None:
        _event(original, EventKind.MERGED, org=centre, visible=True, note=f"同一问题再次反映（{ticket.number}），已合并办理", merged=ticket.number)
        _audit(actor, "merged", ticket, into=original.number)
    else:
        _audit(actor, "filed", ticket, channel=ticket.channel, category=ticket.category, urgency=ticket.urgency,
               employer=ticket.employer_name, attachments=len(uploads))
    if code:
        phone, number = ticket.caller_phone, ticket.number
        transaction.on_commit(lambda: sms_send(phone=phone, template_code="TICKET_QUERY_CODE", params={"number": number, "code": code},
                                               text=QUERY_CODE_SMS.format(number=number, code=code)))
    if data.quick_answer.strip() and original is None:
        _close(ticket, actor=actor, kind=ClosingKind.DIRECT, answer=_text(data.quick_answer, label="答复内容", field_name="quick_answer",
                                                                          minimum=5, limit=2000), calendar=calendar)
    elif original is None and ticket.urgency == Urgency.URGENT:
        duty = _on_duty(centre, now) or _org_users(centre, DISPATCH)
        _tell_org(centre, ticket, key="urgent_received", what="紧急诉求待派单（30分钟内）", users=duty)
    return Filing(ticket=ticket, created=True, merged_into=original, query_code=code)


def _repeated(actor, existing: Ticket) -> Filing:
    same = (existing.filed_by_id == actor.pk) if _is_worker(actor) else (
        existing.filed_by_id is None and (existing.entered_by_id == getattr(actor, "pk", None)))
    if not same:
        _fail("表单已失效，请刷新页面后重新提交", "form_token_used")
    return Filing(ticket=existing, created=False, merged_into=existing.duplicate_of)


# ---------------------------------------------------------------- attachments


def _store(ticket: Ticket, upload, kind, *, actor, event: TicketEvent | None, from_worker: bool, visible: bool = True) -> Attachment:
    item = Attachment(ticket=ticket, event=event, name=display_name(upload.name, kind), size=upload.size,
                      uploaded_by=actor if getattr(actor, "pk", None) else None, from_worker=from_worker,
                      visible_to_worker=visible or from_worker)
    item.file.save(f"ticket-{ticket.pk}-{uuid.uuid4().hex}.{kind.extension}", upload, save=True)
    return item


@transaction.atomic
def ticket_attach(*, actor, ticket_id, uploads: list, visible_to_worker: bool = False) -> list[Attachment]:
    """附件 added by the holder's handler while handling, or by the worker who filed it (always visible to them)."""
    ticket = _locked(actor, ticket_id)
    owner = is_owner(actor, ticket)
    _require(owner or is_handler(actor, ticket), "只有承办单位的办理人员或反映人本人可以上传附件")
    _require_state(ticket, OPEN_STATES, "上传附件")
    if not uploads:
        _fail("请选择要上传的文件", "files_missing", "files")
    if len(uploads) + ticket.attachments.count() > MAX_ATTACHMENTS * 3:
        _fail("该工单的附件已达上限", "too_many_files", "files")
    kinds = [sniff_upload(upload, allowed=ATTACHMENT_KINDS, max_bytes=ATTACHMENT_MAX_BYTES, what="附件", field="files") for upload in uploads]
    event = _event(ticket, EventKind.ATTACHED, actor=actor, org=None if owner else ticket.holder, visible=owner or visible_to_worker,
                   note="、".join(display_name(u.name, k) for u, k in zip(uploads, kinds, strict=True)))
    items = [_store(ticket, upload, kind, actor=actor, event=event, from_worker=owner, visible=visible_to_worker)
             for upload, kind in zip(uploads, kinds, strict=True)]
    _audit(actor, "attached", ticket, files=[item.name for item in items])
    return items


def attachment_open(*, actor, attachment_id) -> Attachment:
    """One attachment for download (the audited view serves it): readers of the order see the handlers' files; a worker
    only those visible to them."""
    rows = Attachment.objects.restrict(actor, VIEW).select_related("ticket__holder")
    if _is_worker(actor):
        rows = rows.filter(visible_to_worker=True)
    item = rows.filter(pk=attachment_id).first() if str(attachment_id).isdecimal() else None
    if item is None:
        raise NotFound()
    audit_log(actor=actor, action="tickets.attachment.viewed", obj=item, org_path=item.ticket.holder.path,
              data={"number": item.ticket.number, "name": item.name})
    return item


# ---------------------------------------------------------------- centre: 受理告知, 派单, 直接办结


@transaction.atomic
def ticket_acknowledge(*, actor, ticket_id, note: str = "") -> Ticket:
    """受理告知: the centre tells the writer of a letter (within 24 hours) or a 信访 matter (written notice, 15 days)."""
    ticket = _locked(actor, ticket_id)
    _require(is_dispatcher(actor, ticket), "只有派单中心可以发出受理告知")
    _require_state(ticket, (State.RECEIVED,), "发出受理告知")
    if ticket.acknowledged_at is not None:
        _fail("该工单已发出过受理告知", "already_acknowledged")
    note = _text(note or "您反映的问题已受理，我们将尽快办理。", label="告知内容", field_name="note", limit=500)
    ticket.acknowledged_at = timezone.now()
    _save(ticket, work_calendar())
    _event(ticket, EventKind.ACKNOWLEDGED, actor=actor, org=ticket.centre, note=note, visible=True)
    _audit(actor, "acknowledged", ticket)
    _tell_worker(ticket, key="acknowledged", what="已受理")
    return ticket


def _check_target(ticket: Ticket, org: Org | None) -> Org:
    if org is None or not org.is_active:
        _fail("承办单位不存在或已撤销", "target_missing", "org_id")
    if not org.path.startswith(ticket.centre.path):
        _fail("承办单位须在派单中心的管辖范围内", "target_out_of_scope", "org_id")
    if routing.conflicted(ticket, org):
        _fail("该诉求涉及的用人单位与所选工会存在关联（本单位工会或其下级），按回避规定不能交其办理", "target_conflicted", "org_id")
    return org


def _start_assignment(ticket: Ticket, org: Org, *, how: str, now: dt.datetime, calendar: WorkCalendar) -> list:
    """Hand the order to `org` to be signed for; returns who to tell. Urgent orders go to whoever is on duty (值班) there,
    and when nobody is, to the org above as well."""
    _hand_to(ticket, org, how=how, at=now)
    ticket.state = State.ASSIGNED
    sla.start_dispatch_limits(ticket, calendar, at=now)
    if ticket.urgency != Urgency.URGENT:
        return _org_users(org, HANDLE)
    duty = _on_duty(org, now)
    if duty:
        return duty
    parent = org.parent if org.parent_id and org.parent.is_active else None
    above = (_on_duty(parent, now) or _org_users(parent, HANDLE)) if parent is not None and not routing.conflicted(ticket, parent) else []
    return _org_users(org, HANDLE) + above


@transaction.atomic
def ticket_dispatch(*, actor, ticket_id, org: Org | None = None, note: str = "") -> Ticket:
    """派单: the centre sends a received (or bounced) order to an org under it, chosen by hand or by `routing.auto_route`."""
    ticket = _locked(actor, ticket_id)
    _require(is_dispatcher(actor, ticket), "只有派单中心可以派单")
    _require_state(ticket, (State.RECEIVED,), "派单")
    reason = "人工派单"
    if org is None:
        route = routing.auto_route(ticket)
        if route is None:
            _fail("无法自动确定承办单位，请手动选择", "route_missing", "org_id")
        org, reason = route.org, route.reason
    target = _check_target(ticket, org)
    if target.pk == ticket.centre_id:
        _fail("请派给派单中心下属的承办单位", "target_is_centre", "org_id")
    now, calendar = timezone.now(), work_calendar()
    tell = _start_assignment(ticket, target, how=TicketHolding.How.DISPATCHED, now=now, calendar=calendar)
    ticket.dispatched_at = now
    first_ack = ticket.acknowledged_at is None
    ticket.acknowledged_at = ticket.acknowledged_at or now
    _save(ticket, calendar)
    _event(ticket, EventKind.DISPATCHED, actor=actor, org=ticket.centre, visible=True, note=(note or "").strip()[:300] or reason,
           to=target.name, reason=reason)
    _audit(actor, "dispatched", ticket, to=target.name, reason=reason, bounces=ticket.bounce_count)
    _tell_org(target, ticket, key=f"assigned:{now.timestamp()}", what="新派工单待签收", users=tell)
    _tell_worker(ticket, key=f"dispatched:{now.timestamp()}", what="已受理并交办" if first_ack else "已重新交办")
    return ticket


def _close(ticket: Ticket, *, actor, kind: str, answer: str, calendar: WorkCalendar, agency: str = "", agency_name: str = "",
           referred_on: dt.date | None = None) -> None:
    now = timezone.now()
    ticket.state, ticket.closed_at, ticket.closing_kind = State.CLOSED, now, kind
    ticket.replied_at = ticket.replied_at or now
    ticket.acknowledged_at = ticket.acknowledged_at or now
    ticket.referral_agency, ticket.referral_agency_name, ticket.referred_on = agency, agency_name, referred_on
    TicketHolding.objects.filter(ticket=ticket, until__isnull=True).update(until=now)
    _save(ticket, calendar)
    _event(ticket, EventKind.REPLIED, actor=actor, org=ticket.holder, note=answer, visible=True, at=now)
    _event(ticket, EventKind.CLOSED, actor=actor, org=ticket.holder, visible=True, at=now, closing_kind=kind,
           note=f"{ClosingKind(kind).label}" + (f"：已转交{agency_name or Agency(agency).label}（{referred_on}）" if agency else ""))
    _audit(actor, "closed", ticket, closing_kind=kind, agency=agency or None, referred_on=referred_on)
    _tell_worker(ticket, key="closed", what="已办结")


def _referral(agency: str, agency_name: str, referred_on: dt.date | None) -> tuple[str, str, dt.date]:
    _choice(agency, Agency, label="转交部门", field_name="agency")
    name = (agency_name or "").strip()[:100]
    if agency == Agency.OTHER and not name:
        _fail("请填写转交部门的名称", "agency_name_missing", "agency_name")
    if not isinstance(referred_on, dt.date) or referred_on > timezone.localdate():
        _fail("请填写转交日期（不能晚于今天）", "referred_on_invalid", "referred_on")
    return agency, name, referred_on


@transaction.atomic
def ticket_close(*, actor, ticket_id, answer: str, kind: str = ClosingKind.DIRECT, agency: str = "", agency_name: str = "",
                 referred_on: dt.date | None = None) -> Ticket:
    """办结 at the centre without 派单: a pure 咨询 answered directly (直接办结), or a matter for another body documented as a
    referral (转交有关部门: 劳动监察, 人社, 仲裁院, 法院) with the agency and the date."""
    ticket = _locked(actor, ticket_id)
    _require(is_dispatcher(actor, ticket), "只有派单中心可以直接办结")
    _require_state(ticket, (State.RECEIVED,), "直接办结")
    answer = _text(answer, label="答复内容", field_name="answer", minimum=5, limit=2000)
    if kind == ClosingKind.DIRECT:
        if ticket.category != Category.CONSULT:
            _fail("只有咨询类诉求可以直接答复办结；其他诉求请派单，或转交有关部门", "direct_not_consult", "kind")
        _close(ticket, actor=actor, kind=kind, answer=answer, calendar=work_calendar())
    elif kind == ClosingKind.REFERRED:
        agency, agency_name, referred_on = _referral(agency, agency_name, referred_on)
        _close(ticket, actor=actor, kind=kind, answer=answer, calendar=work_calendar(), agency=agency, agency_name=agency_name,
               referred_on=referred_on)
    else:
        _fail("办结方式不正确", "kind_invalid", "kind")
    return ticket


# ---------------------------------------------------------------- the holder: 签收, 办理, 补充材料, 回复


@transaction.atomic
def ticket_assign(*, actor, ticket_id, user) -> Ticket:
    """指定承办人: a handler of the holder gives the order to a colleague with the order actions at that org."""
    ticket = _locked(actor, ticket_id)
    _require(_posted_at(actor, HANDLE, ticket.holder), "只有承办单位的干部可以指定承办人")
    _require_state(ticket, (State.ASSIGNED, *HANDLING_STATES, State.WAITING_MATERIAL), "指定承办人")
    if user is None or not user.is_active or not _posted_at(user, HANDLE, ticket.holder):
        _fail("承办人须是本单位有工单办理权限的干部", "assignee_invalid", "user_id")
    ticket.assignee = user
    ticket.save(update_fields=["assignee", "updated_at"])
    _event(ticket, EventKind.ASSIGNED, actor=actor, org=ticket.holder, note=f"承办人：{user}")
    _audit(actor, "assigned", ticket, assignee=str(user))
    if user.pk != actor.pk:
        _tell_org(ticket.holder, ticket, key=f"assignee:{user.pk}:{timezone.now().timestamp()}", what="指定您为承办人", users=[user])
    return ticket


@transaction.atomic
def ticket_accept(*, actor, ticket_id) -> Ticket:
    """签收 by a handler of the holder. Two handlers at once: the row lock orders them and the second is told who signed."""
    ticket = _locked(actor, ticket_id)
    _require(is_handler(actor, ticket), f"只有承办单位（{ticket.holder.name}）的办理人员可以签收")
    if ticket.state == State.ACCEPTED:
        _fail(f"该工单已由{ticket.assignee or '他人'}签收", "already_accepted")
    _require_state(ticket, (State.ASSIGNED,), "签收")
    now = timezone.now()
    ticket.state, ticket.assignee, ticket.accepted_at = State.ACCEPTED, actor, now
    _save(ticket, work_calendar())
    _event(ticket, EventKind.ACCEPTED, actor=actor, org=ticket.holder, visible=True, note=f"{ticket.holder.name}已签收", at=now)
    _audit(actor, "accepted", ticket, late=bool(ticket.accept_due_at and now > ticket.accept_due_at))
    _tell_worker(ticket, key=f"accepted:{now.timestamp()}", what=f"已由{ticket.holder.name}签收办理")
    return ticket


def _start_handling(ticket: Ticket) -> None:
    if ticket.state == State.ACCEPTED:
        ticket.state = State.IN_PROGRESS


@transaction.atomic
def ticket_note(*, actor, ticket_id, text: str, internal_message: bool = False) -> TicketEvent:
    """办理记录 by the holder's handler (the order is then 办理中), or an internal message (内部沟通) between the holder, the
    centre and the orgs above; neither is shown to the worker."""
    ticket = _locked(actor, ticket_id)
    handler = is_handler(actor, ticket)
    if internal_message:
        _require(handler or is_dispatcher(actor, ticket) or supervising_org(actor, SUPERVISE, ticket.holder) is not None,
                 "只有承办单位、派单中心和上级工会可以发内部沟通")
    else:
        _require(handler, "只有承办单位的办理人员可以填写办理记录")
    _require_state(ticket, OPEN_STATES if internal_message else (*HANDLING_STATES, State.WAITING_MATERIAL), "填写办理记录")
    text = _text(text, label="内容", field_name="text", minimum=2, limit=2000)
    if not internal_message and ticket.state == State.ACCEPTED:
        _start_handling(ticket)
        ticket.save(update_fields=["state", "updated_at"])
    org = ticket.holder if handler else _acting_org(actor, ticket, DISPATCH) or supervising_org(actor, SUPERVISE, ticket.holder)
    event = _event(ticket, EventKind.MESSAGE if internal_message else EventKind.NOTE, actor=actor, org=org, note=text)
    _audit(actor, "message" if internal_message else "noted", ticket)
    return event


@transaction.atomic
def ticket_request_material(*, actor, ticket_id, what: str) -> Ticket:
    """请补充材料: the limit pauses while the order waits on the worker (待补充材料)."""
    ticket = _locked(actor, ticket_id)
    _require(is_handler(actor, ticket), "只有承办单位的办理人员可以请反映人补充材料")
    _require_state(ticket, HANDLING_STATES, "请补充材料")
    if not ticket.filed_by_id and not ticket.caller_phone:
        _fail("反映人未留联系方式，无法请其补充材料", "no_contact")
    what = _text(what, label="需补充的材料", field_name="what", minimum=4, limit=500)
    now = timezone.now()
    ticket.set_resolve_limit(ticket.resolve_limit().pause(at=now))
    ticket.state = State.WAITING_MATERIAL
    _save(ticket, work_calendar())
    _event(ticket, EventKind.MATERIAL_REQUESTED, actor=actor, org=ticket.holder, note=what, visible=True, at=now)
    _audit(actor, "material_requested", ticket, what=what)
    _tell_worker(ticket, key=f"material:{now.timestamp()}", what=f"需要您补充材料：{what}")
    return ticket


def _material_added(ticket: Ticket, *, actor, text: str, uploads: list, from_worker: bool) -> Ticket:
    text = _text(text, label="补充说明", field_name="text", minimum=2, limit=2000)
    kinds = [sniff_upload(upload, allowed=ATTACHMENT_KINDS, max_bytes=ATTACHMENT_MAX_BYTES, what="附件", field="files") for upload in uploads]
    now, calendar = timezone.now(), work_calendar()
    ticket.set_resolve_limit(ticket.resolve_limit().resume(calendar, at=now))
    ticket.state = State.IN_PROGRESS
    _save(ticket, calendar)
    event = _event(ticket, EventKind.MATERIAL_ADDED, actor=actor, org=None if from_worker else ticket.holder, note=text, visible=True, at=now,
                   new_due=timezone.localtime(ticket.resolve_due_at).isoformat())
    for upload, kind in zip(uploads, kinds, strict=True):
        _store(ticket, upload, kind, actor=actor, event=event, from_worker=from_worker)
    _audit(actor, "material_added", ticket, files=len(uploads), resumed_due=ticket.resolve_due_at)
    users = [ticket.assignee] if ticket.assignee_id else None
    _tell_org(ticket.holder, ticket, key=f"material_added:{now.timestamp()}", what="反映人已补充材料，办理时限恢复计时", users=users)
    return ticket


@transaction.atomic
def ticket_material_add(*, actor, ticket_id, text: str, uploads: list | None = None) -> Ticket:
    """补充材料 by the worker in H5, or taken down by the holder's handler or a centre agent on the phone; the limit runs on."""
    ticket = _locked(actor, ticket_id)
    owner = is_owner(actor, ticket)
    _require(owner or is_handler(actor, ticket) or is_dispatcher(actor, ticket), "只有反映人本人或办理人员可以补充材料")
    _require_state(ticket, (State.WAITING_MATERIAL,), "补充材料")
    return _material_added(ticket, actor=actor, text=text, uploads=uploads or [], from_worker=owner)


def query_code_ticket(*, number: str, query_code: str, lock: bool = False) -> Ticket:
    """The order with this number when the 查询码 matches (compared in constant time); a wrong code and an unknown number
    raise the same NotFound."""
    number, code = (number or "").strip().upper(), (query_code or "").strip()
    rows = Ticket.objects.select_related("duplicate_of", "holder")
    ticket = (rows.select_for_update(of=("self",)) if lock else rows).filter(number=number).first() if number and code.isdigit() else None
    if ticket is None or not ticket.query_code_index or not hmac.compare_digest(ticket.query_code_index, query_code_digest(number, code)):
        raise NotFound()
    return ticket


@transaction.atomic
def ticket_material_add_by_code(*, number: str, query_code: str, text: str, uploads: list | None = None) -> Ticket:
    """补充材料 on the public 查询码 page: a caller without an account answers the handler's request; the limit runs on."""
    ticket = query_code_ticket(number=number, query_code=query_code, lock=True)
    _require_state(ticket, (State.WAITING_MATERIAL,), "补充材料")
    return _material_added(ticket, actor=None, text=text, uploads=uploads or [], from_worker=True)


@transaction.atomic
def ticket_reply(*, actor, ticket_id, text: str, agency: str = "", agency_name: str = "", referred_on: dt.date | None = None) -> Ticket:
    """回复 to the worker: a substantive answer, or a documented referral (转交有关部门 with the agency and the date). The
    centre's 回访 follows, then 办结."""
    ticket = _locked(actor, ticket_id)
    _require(is_handler(actor, ticket), "只有承办单位的办理人员可以回复")
    _require_state(ticket, HANDLING_STATES, "回复")
    text = _text(text, label="答复内容", field_name="text", minimum=10, limit=4000)
    kind = ClosingKind.ANSWERED
    if agency:
        agency, agency_name, referred_on = _referral(agency, agency_name, referred_on)
        kind = ClosingKind.REFERRED
    now, calendar = timezone.now(), work_calendar()
    ticket.state, ticket.replied_at, ticket.closing_kind = State.REPLIED, now, kind
    ticket.referral_agency, ticket.referral_agency_name, ticket.referred_on = agency, agency_name, referred_on
    sla.start_follow_up_limit(ticket, calendar, at=now)
    _save(ticket, calendar)
    _event(ticket, EventKind.REPLIED, actor=actor, org=ticket.holder, note=text, visible=True, at=now, closing_kind=kind,
           agency=agency or None, referred_on=referred_on.isoformat() if referred_on else None)
    _audit(actor, "replied", ticket, closing_kind=kind, agency=agency or None, late=now > ticket.resolve_due_at)
    _tell_worker(ticket, key=f"replied:{now.timestamp()}", what="已答复，请查看并评价")
    return ticket


# ---------------------------------------------------------------- 回访, 重新办理, 提级


@transaction.atomic
def ticket_follow_up(*, actor, ticket_id, result: str, comment: str = "") -> Ticket:
    """回访 by the centre (an agent by phone, who may record 未回访 when nobody answers) or by the worker in H5.
    满意/基本满意/未回访 close the order; 不满意 reopens it once (重新办理) and after that sends it to the org above."""
    ticket = _locked(actor, ticket_id)
    owner = is_owner(actor, ticket)
    _require(owner or is_follow_up_agent(actor, ticket), "回访由派单中心或反映人本人进行")
    _require_state(ticket, (State.REPLIED,), "回访")
    _choice(result, Satisfaction, label="回访结果", field_name="result")
    if owner and result == Satisfaction.UNREACHED:
        _fail("请选择满意、基本满意或不满意", "result_invalid", "result")
    comment = (comment or "").strip()
    if result == Satisfaction.DISSATISFIED:
        comment = _text(comment, label="不满意的原因", field_name="comment", minimum=2, limit=500)
    elif len(comment) > 500:
        _fail("意见不能超过 500 个字", "comment_too_long", "comment")
    now, calendar = timezone.now(), work_calendar()
    FollowUp.objects.create(ticket=ticket, result=result, comment=comment, by=actor, by_worker=owner, holder=ticket.holder)
    ticket.satisfaction = result
    label = Satisfaction(result).label
    _event(ticket, EventKind.FOLLOWED_UP, actor=actor, org=None if owner else ticket.centre, visible=True, at=now,
           note=f"{label}" + (f"：{comment}" if comment else ""), result=result)
    _audit(actor, "followed_up", ticket, result=result, by_worker=owner)
    if result != Satisfaction.DISSATISFIED:
        ticket.state, ticket.closed_at = State.CLOSED, now
        TicketHolding.objects.filter(ticket=ticket, until__isnull=True).update(until=now)
        _save(ticket, calendar)
        _event(ticket, EventKind.CLOSED, actor=actor, org=ticket.centre, visible=True, at=now, note=ticket.get_closing_kind_display())
        _audit(actor, "closed", ticket, closing_kind=ticket.closing_kind, satisfaction=result)
        _tell_worker(ticket, key="closed", what="已办结")
        return ticket
    _restart_resolve(ticket, calendar, now)
    ticket.closing_kind, ticket.referral_agency, ticket.referral_agency_name, ticket.referred_on = "", "", "", None
    if ticket.reopen_count == 0:
        ticket.reopen_count, ticket.state = 1, State.IN_PROGRESS
        _save(ticket, calendar)
        _event(ticket, EventKind.REOPENED, actor=actor, org=ticket.holder, visible=True, at=now, note="反映人不满意，重新办理")
        _audit(actor, "reopened", ticket)
        _tell_org(ticket.holder, ticket, key="reopened", what="反映人不满意，工单重新办理",
                  users=[ticket.assignee] if ticket.assignee_id else None)
        return ticket
    parent = ticket.holder.parent
    if parent is None or not parent.is_active or routing.conflicted(ticket, parent):
        ticket.state, ticket.closed_at = State.CLOSED, now
        TicketHolding.objects.filter(ticket=ticket, until__isnull=True).update(until=now)
        _save(ticket, calendar)
        _event(ticket, EventKind.CLOSED, actor=actor, visible=True, at=now, note="重新办理后仍不满意，已无上级可提级，按不满意办结")
        _audit(actor, "closed", ticket, satisfaction=result, no_escalation=True)
        return ticket
    tell = _start_assignment(ticket, parent, how=TicketHolding.How.ESCALATED, now=now, calendar=calendar)
    ticket.escalated = True
    _save(ticket, calendar)
    _event(ticket, EventKind.ESCALATED, actor=actor, org=ticket.centre, visible=True, at=now, note=f"重新办理后仍不满意，提级由{parent.name}办理",
           to=parent.name)
    _audit(actor, "escalated", ticket, to=parent.name)
    _tell_org(parent, ticket, key="escalated", what="重新办理后仍不满意，提级办理", users=tell)
    return ticket


def _restart_resolve(ticket: Ticket, calendar: WorkCalendar, now: dt.datetime) -> None:
    """重新办理 and 提级 run a fresh 办结 limit of the order's policy from now."""
    amount, unit = sla.ticket_limits(ticket).resolve
    ticket.set_resolve_limit(RunningLimit.start(calendar, at=now, amount=amount, unit=unit))
    ticket.replied_at = ticket.follow_up_due_at = None


# ---------------------------------------------------------------- 退单, 转办


@transaction.atomic
def ticket_bounce(*, actor, ticket_id, reason: str) -> Ticket:
    """退单: the holder returns an order that is not theirs to the centre, with a reason, only within the 退单 window after
    派单 (2 working days by default); counted, so the centre sees repeat bounces."""
    ticket = _locked(actor, ticket_id)
    _require(is_handler(actor, ticket), "只有承办单位的办理人员可以退单")
    _require_state(ticket, (State.ASSIGNED, State.ACCEPTED), "退单（已开始办理的工单请转办）")
    if ticket.escalated and ticket.holder.pk == ticket.centre_id:
        _fail("提级办理的工单不能退单", "bounce_escalated")
    now = timezone.now()
    if ticket.bounce_until is None or now > ticket.bounce_until:
        amount, unit = sla.ticket_limits(ticket).bounce
        _fail(f"派单后 {amount} 个{unit.label}内才能退单，已超过退单期限；如确非本单位职责，请转办", "bounce_too_late")
    reason = _text(reason, label="退单理由", field_name="reason", minimum=5, limit=300)
    leaving = ticket.holder
    _hand_to(ticket, ticket.centre, how=TicketHolding.How.BOUNCED, at=now)
    ticket.state, ticket.bounce_count = State.RECEIVED, ticket.bounce_count + 1
    ticket.accept_due_at = ticket.bounce_until = None
    _save(ticket, work_calendar())
    _event(ticket, EventKind.BOUNCED, actor=actor, org=leaving, note=reason, at=now, count=ticket.bounce_count)
    _audit(actor, "bounced", ticket, reason=reason, by_org=leaving.name, count=ticket.bounce_count)
    what = f"{leaving.name}退单（第{ticket.bounce_count}次）：{reason}"
    _tell_org(ticket.centre, ticket, key=f"bounced:{ticket.bounce_count}", what=what, users=_org_users(ticket.centre, DISPATCH))
    return ticket


@transaction.atomic
def ticket_transfer(*, actor, ticket_id, org: Org, reason: str) -> Ticket:
    """转办: the holder (or the centre) passes the order to another org under the centre; it is signed for again there.
    Every earlier holder keeps reading it."""
    ticket = _locked(actor, ticket_id)
    _require(is_handler(actor, ticket) or is_dispatcher(actor, ticket), "只有当前承办单位或派单中心可以转办")
    _require_state(ticket, (State.ASSIGNED, *HANDLING_STATES), "转办")
    target = _check_target(ticket, org)
    if target.pk == ticket.holder_id:
        _fail("不能转给当前承办单位自己", "target_is_holder", "org_id")
    reason = _text(reason, label="转办理由", field_name="reason", minimum=5, limit=300)
    now, calendar = timezone.now(), work_calendar()
    leaving = ticket.holder
    tell = _start_assignment(ticket, target, how=TicketHolding.How.TRANSFERRED, now=now, calendar=calendar)
    ticket.transfer_count += 1
    _save(ticket, calendar)
    _event(ticket, EventKind.TRANSFERRED, actor=actor, org=leaving, visible=True, at=now, note=f"转{target.name}办理：{reason}", to=target.name)
    _audit(actor, "transferred", ticket, from_org=leaving.name, to=target.name, reason=reason)
    _tell_org(target, ticket, key=f"transferred:{now.timestamp()}", what=f"{leaving.name}转来工单待签收", users=tell)
    _tell_worker(ticket, key=f"transferred:{now.timestamp()}", what=f"已转{target.name}办理")
    return ticket


# ---------------------------------------------------------------- 延期, 督办


@transaction.atomic
def extension_request(*, actor, ticket_id, amount: int, reason: str) -> Extension:
    """延期申请 by the holder before the 办结 limit ends: at most the policy's maximum (10 working days; 信访 30 days), once."""
    ticket = _locked(actor, ticket_id)
    _require(is_handler(actor, ticket), "只有承办单位的办理人员可以申请延期")
    _require_state(ticket, (*HANDLING_STATES, State.WAITING_MATERIAL), "申请延期")
    if ticket.extended:
        _fail("该工单已延期过一次，不能再次延期", "already_extended")
    if ticket.extensions.filter(status=ExtensionStatus.PENDING).exists():
        _fail("已有一份延期申请在等待审批", "extension_pending")
    now = timezone.now()
    if ticket.paused_at is None and now >= ticket.resolve_due_at:
        _fail("办结期限已过，不能再申请延期", "extension_too_late")
    limit = sla.ticket_limits(ticket)
    unit = LimitUnit(ticket.resolve_unit)
    if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= limit.extension_max:
        _fail(f"延长时间应为 1 到 {limit.extension_max} 个{unit.label}", "amount_invalid", "amount")
    reason = _text(reason, label="延期理由", field_name="reason", minimum=5, limit=300)
    extension = Extension.objects.create(ticket=ticket, org=ticket.holder, requested_by=actor, amount=amount, unit=unit.value, reason=reason,
                                         old_due_at=ticket.resolve_due_at)
    _event(ticket, EventKind.EXTENSION_REQUESTED, actor=actor, org=ticket.holder, note=f"申请延长{amount}个{unit.label}：{reason}")
    _audit(actor, "extension_requested", ticket, amount=amount, unit=unit.value, reason=reason)
    parent = ticket.holder.parent
    if parent is not None:
        _tell_org(parent, ticket, key=f"extension:{extension.pk}", what=f"{ticket.holder.name}申请延期，待审批",
                  users=_org_users(parent, SUPERVISE))
    return extension


@transaction.atomic
def extension_decide(*, actor, extension_id, approve: bool, note: str = "") -> Extension:
    """延期审批 by an org above the holder: approved, the 办结 limit moves by the amount from its current due time."""
    rows = Extension.objects.restrict(actor, SUPERVISE)
    extension = rows.filter(pk=extension_id).first() if str(extension_id).isdecimal() else None
    if extension is None:
        raise NotFound()
    ticket = _locked(actor, extension.ticket_id)
    extension = lock_row(Extension, extension.pk, required=True)
    org = supervising_org(actor, SUPERVISE, ticket.holder)
    _require(org is not None, "延期由承办单位的上级工会审批")
    if extension.status != ExtensionStatus.PENDING:
        _fail(f"该延期申请已{extension.get_status_display()}", "extension_decided")
    if extension.org_id != ticket.holder_id or ticket.state not in (*HANDLING_STATES, State.WAITING_MATERIAL):
        _fail("工单已转出或已回复，该延期申请不再适用", "extension_stale")
    note = (note or "").strip()[:300]
    if not approve and len(note) < 2:
        _fail("请填写不同意的理由", "note_missing", "note")
    now, calendar = timezone.now(), work_calendar()
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    extension.decided_by, extension.decided_org, extension.decided_at, extension.decision_note = actor, org, now, note
    if approve:
        ticket.set_resolve_limit(ticket.resolve_limit().extend(calendar, amount=extension.amount, unit=LimitUnit(extension.unit)))
        ticket.extended = True
        extension.new_due_at = ticket.resolve_due_at
        _save(ticket, calendar)
    extension.save()
    due = timezone.localtime(ticket.resolve_due_at)
    _event(ticket, EventKind.EXTENSION_APPROVED if approve else EventKind.EXTENSION_REFUSED, actor=actor, org=org, at=now, visible=approve,
           note=(f"办理期限延长至{due:%Y-%m-%d %H:%M}" if approve else f"不同意延期：{note}"))
    _audit(actor, "extension_approved" if approve else "extension_refused", ticket, new_due=ticket.resolve_due_at if approve else None,
           note=note)
    _tell_org(ticket.holder, ticket, key=f"extension_decided:{extension.pk}", what="延期申请已审批：" + ("同意" if approve else "不同意"),
              users=[extension.requested_by])
    if approve:
        _tell_worker(ticket, key=f"extended:{extension.pk}", what=f"办理期限延长至{due:%Y-%m-%d}")
    return extension


@transaction.atomic
def ticket_supervise(*, actor, ticket_id, note: str) -> Supervision:
    """督办 by an org above the holder (any level up the tree)."""
    ticket = _locked(actor, ticket_id)
    org = supervising_org(actor, SUPERVISE, ticket.holder)
    _require(org is not None, "督办由承办单位的上级工会发起")
    _require_state(ticket, OPEN_STATES, "督办")
    note = _text(note, label="督办意见", field_name="note", minimum=5, limit=300)
    now = timezone.now()
    supervision = Supervision.objects.create(ticket=ticket, kind=Supervision.Kind.MANUAL, org=org, holder=ticket.holder, by=actor, note=note)
    ticket.supervised_at = now
    ticket.save(update_fields=["supervised_at", "updated_at"])
    _event(ticket, EventKind.SUPERVISED, actor=actor, org=org, note=note, at=now)
    _audit(actor, "supervised", ticket, by_org=org.name, note=note)
    _tell_org(ticket.holder, ticket, key=f"supervised:{supervision.pk}", what=f"{org.name}督办：{note}")
    return supervision


# ---------------------------------------------------------------- the worker: 撤回


@transaction.atomic
def ticket_withdraw(*, actor, ticket_id, reason: str = "") -> Ticket:
    """撤回 by the worker who filed it, any time before 办结."""
    ticket = _locked(actor, ticket_id)
    _require(is_owner(actor, ticket), "只有反映人本人可以撤回诉求")
    _require_state(ticket, OPEN_STATES, "撤回")
    reason = (reason or "").strip()[:300]
    now = timezone.now()
    ticket.state, ticket.closed_at = State.WITHDRAWN, now
    TicketHolding.objects.filter(ticket=ticket, until__isnull=True).update(until=now)
    _save(ticket, work_calendar())
    _event(ticket, EventKind.WITHDRAWN, actor=actor, visible=True, at=now, note=reason or "反映人撤回诉求")
    _audit(actor, "withdrawn", ticket, reason=reason)
    _tell_org(ticket.holder, ticket, key="withdrawn", what="反映人已撤回诉求")
    return ticket


# ---------------------------------------------------------------- 回避: the parties a complaint names


def _party(*, org: Org | None, employer: Employer | None, person) -> dict:
    given = {key: value for key, value in (("org", org), ("employer", employer), ("person", person)) if value is not None}
    if len(given) != 1:
        _fail("请填写一个被反映对象：工会组织、用人单位或人员", "party_missing")
    (kind, value), = given.items()
    return {"kind": kind, kind: value}


@transaction.atomic
def ticket_party_add(*, actor, ticket_id, org: Org | None = None, employer: Employer | None = None, person=None,
                     note: str = "") -> TicketParty:
    """登记被反映对象: the centre or the holder records a union, employer or person the complaint names. From then on the order
    never goes to them nor shows to them; when the current holder is one of them, the order goes back to the centre to be
    dispatched elsewhere, and a named assignee is taken off it."""
    ticket = _locked(actor, ticket_id)
    _require(is_dispatcher(actor, ticket) or is_handler(actor, ticket), "只有派单中心或承办单位可以登记被反映对象")
    _require_state(ticket, OPEN_STATES, "登记被反映对象")
    fields = _party(org=org, employer=employer, person=person)
    if org is not None and ticket.centre.path.startswith(org.path):
        _fail("被反映的是派单中心本身或其上级工会，请报更上一级工会受理", "party_is_centre", "org_code")
    if ticket.parties.filter(**{fields["kind"]: fields[fields["kind"]]}).exists():
        _fail("该对象已登记", "party_exists")
    party = TicketParty.objects.create(ticket=ticket, note=(note or "").strip()[:200], added_by=actor, **fields)
    now = timezone.now()
    _event(ticket, EventKind.PARTY_NAMED, actor=actor, org=_acting_org(actor, ticket, DISPATCH) or ticket.holder, at=now,
           note=f"{party.get_kind_display()}：{party.named}" + (f"（{party.note}）" if party.note else ""))
    _audit(actor, "party_named", ticket, kind=party.kind, party=party.named)
    if ticket.assignee_id and ticket.assignee_id == getattr(person, "pk", None):
        ticket.assignee = None
    if ticket.holder_id != ticket.centre_id and routing.conflicted(ticket, ticket.holder):
        _recall(ticket, now=now)
    ticket.save()
    return party


def _recall(ticket: Ticket, *, now: dt.datetime) -> None:
    """The holder turned out to be a party: the order leaves it at once for the centre, which dispatches it again."""
    leaving = ticket.holder
    _hand_to(ticket, ticket.centre, how=TicketHolding.How.RECALLED, at=now)
    ticket.state = State.RECEIVED
    ticket.accept_due_at = ticket.bounce_until = None
    sla.refresh_due(ticket, work_calendar())
    _event(ticket, EventKind.RECALLED, org=ticket.centre, at=now, note=f"{leaving.name}须回避，工单收回派单中心重新派单")
    _tell_org(ticket.centre, ticket, key=f"recalled:{now.timestamp()}", what=f"{leaving.name}须回避，工单已收回待重新派单",
              users=_org_users(ticket.centre, DISPATCH))


# ---------------------------------------------------------------- 信访复查/复核


def review_next(ticket: Ticket) -> tuple[str, dt.datetime, Org] | None:
    """The 复查 or 复核 a closed 信访 matter may still ask for: (stage, since when the 30 days run, the org whose opinion it
    contests); None when there is none (not 信访, not closed, one pending, or 复核 done)."""
    if ticket.category != Category.PETITION or ticket.state != State.CLOSED:
        return None
    reviews = list(ticket.reviews.select_related("org").order_by("id"))
    if not reviews:
        return Review.Stage.RECHECK, ticket.closed_at, ticket.holder
    last = reviews[-1]
    if last.decided_at is None or last.stage == Review.Stage.REVIEW:
        return None
    return Review.Stage.REVIEW, last.decided_at, last.org


def review_window_end(since: dt.datetime) -> dt.datetime:
    return deadline(work_calendar(), since, Review.REQUEST_DAYS, LimitUnit.CALENDAR_DAYS)


def _review_org(ticket: Ticket, below: Org) -> Org | None:
    """The org above `below` that looks again: the nearest active one that the matter is not about (回避)."""
    paths = routing.conflict_paths(ticket)
    org = below.parent
    while org is not None and (not org.is_active or routing.conflicted(ticket, org, paths)):
        org = org.parent
    return org


def _review_refusal(ticket: Ticket) -> None:
    if ticket.category != Category.PETITION:
        _fail("只有信访事项可以申请复查、复核", "review_not_petition")
    _require_state(ticket, (State.CLOSED,), "申请复查、复核")
    if ticket.reviews.filter(decided_at__isnull=True).exists():
        _fail("复查（复核）正在办理中，请等待答复", "review_pending")
    _fail("已经复核，同一信访事项不再受理", "review_final")


@transaction.atomic
def review_request(*, actor, ticket_id, reason: str) -> Review:
    """申请复查/复核: the petitioner in H5, or the centre recording a request made by letter or phone, within 30 days of the
    opinion contested; the org above the one that gave it answers within 30 days."""
    ticket = _locked(actor, ticket_id)
    _require(is_owner(actor, ticket) or is_dispatcher(actor, ticket), "只有信访人本人或派单中心可以申请复查、复核")
    step = review_next(ticket)
    if step is None:
        _review_refusal(ticket)
    stage, since, below = step
    now, label = timezone.now(), Review.Stage(stage).label
    window_end = review_window_end(since)
    if now > window_end:
        _fail(f"应在收到{'处理意见' if stage == Review.Stage.RECHECK else '复查意见'}之日起30日内申请{label}，"
              f"已于 {timezone.localtime(window_end):%Y-%m-%d %H:%M} 截止", "review_too_late")
    org = _review_org(ticket, below)
    if org is None:
        _fail(f"没有可以受理{label}的上级工会", "review_no_org")
    reason = _text(reason, label="不服理由", field_name="reason", minimum=10, limit=1000)
    review = Review.objects.create(ticket=ticket, stage=stage, org=org, reason=reason, requested_by=actor, due_at=deadline(
        work_calendar(), now, Review.ANSWER_DAYS, LimitUnit.CALENDAR_DAYS))
    _event(ticket, EventKind.REVIEW_REQUESTED, actor=actor, org=org, visible=True, at=now,
           note=f"申请{label}，由{org.name}在30日内答复：{reason}")
    _audit(actor, "review_requested", ticket, stage=stage, to=org.name)
    _tell_org(org, ticket, key=f"review:{stage}", what=f"信访{label}申请待答复（30日内）", users=_org_users(org, SUPERVISE))
    _tell_worker(ticket, key=f"review:{stage}", what=f"{label}申请已受理，{org.name}将在30日内答复")
    return review


@transaction.atomic
def review_decide(*, actor, review_id, outcome: str, opinion: str) -> Review:
    """复查/复核意见 by the reviewing org's cadres with 督办 rights: uphold or change the opinion, with reasons."""
    if not str(review_id).isdecimal():
        raise NotFound()
    review = lock_row(Review.objects.restrict(actor, VIEW).select_related("org", "ticket"), review_id, required=True)
    _require(_reaches(actor, SUPERVISE, review.org), f"只有{review.org.name}可以答复这件{review.get_stage_display()}")
    if review.decided_at is not None:
        _fail(f"这件{review.get_stage_display()}已经答复", "review_decided")
    outcome = _choice(outcome, Review.Outcome, label="结论", field_name="outcome")
    review.opinion = _text(opinion, label=f"{review.get_stage_display()}意见", field_name="opinion", minimum=10, limit=4000)
    review.outcome, review.decided_at, review.decided_by = outcome, timezone.now(), actor
    review.save()
    ticket, label = review.ticket, review.get_stage_display()
    late = "（超过答复期限）" if review.decided_at > review.due_at else ""
    _event(ticket, EventKind.REVIEW_DECIDED, actor=actor, org=review.org, visible=True, at=review.decided_at,
           note=f"{label}意见：{review.get_outcome_display()}{late}。{review.opinion}")
    _audit(actor, "review_decided", ticket, stage=review.stage, result=outcome, late=bool(late))
    following = "如不服，可在30日内申请复核" if review.stage == Review.Stage.RECHECK else "复核为终结，同一事项不再受理"
    _tell_worker(ticket, key=f"review_decided:{review.stage}", what=f"{label}已答复：{review.get_outcome_display()}。{following}")
    return review


# ---------------------------------------------------------------- administration


POLICY_FIELDS = ("ack", "accept", "resolve", "bounce", "follow_up")


def sla_admin(actor) -> bool:
    return actor.is_superuser or any(ADMIN_SLA in post.role.permissions and len(post.org.path) == PATH_STEP_LENGTH
                                     for post in active_posts(actor))


@transaction.atomic
def sla_policy_set(*, actor, policy_id, limits: dict) -> SlaPolicy:
    """时限标准 changed by a province-level administrator (`tickets.admin_sla` at the root org). `limits` maps
    ack/accept/resolve/bounce/follow_up to (amount, unit), and extension_max to a number. Orders already running keep the
    deadlines stored when their steps started."""
    if not sla_admin(actor):
        raise PermissionDenied("只有省总工会的时限标准管理员可以修改时限标准")
    policy = lock_row(SlaPolicy, policy_id, required=True) if str(policy_id).isdecimal() else None
    if policy is None:
        raise NotFound()
    before, after = {}, {}
    for name, value in limits.items():
        if name == "extension_max":
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 365:
                _fail("延期上限应为 1 到 365 之间的整数", "extension_max_invalid", "extension_max")
            before[name], after[name] = policy.extension_max, value
            policy.extension_max = value
            continue
        if name not in POLICY_FIELDS:
            _fail(f"未知的时限项：{name}", "limit_unknown", name)
        amount, unit = value
        if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= 999:
            _fail("时限应为 1 到 999 之间的整数", "amount_invalid", name)
        if unit not in LimitUnit._value2member_map_:
            _fail("时限单位不正确", "unit_invalid", name)
        before[name] = [getattr(policy, f"{name}_amount"), getattr(policy, f"{name}_unit")]
        after[name] = [amount, unit]
        setattr(policy, f"{name}_amount", amount)
        setattr(policy, f"{name}_unit", unit)
    policy.save()
    audit_log(actor=actor, action="tickets.sla_policy.updated", obj=policy, data={"before": before, "after": after})
    return policy


@transaction.atomic
def duty_shift_add(*, actor, org: Org, user, starts_at: dt.datetime, ends_at: dt.datetime) -> DutyShift:
    """值班安排: a handler of the org (or one above it) puts one of the org's handlers on duty for urgent orders."""
    _require(_reaches(actor, HANDLE, org), "只能为本单位及下级单位安排值班")
    if user is None or not _posted_at(user, HANDLE, org):
        _fail("值班人须是该单位有工单办理权限的干部", "duty_user_invalid", "user_id")
    if ends_at <= starts_at:
        _fail("值班结束时间须晚于开始时间", "duty_times_invalid", "ends_at")
    if ends_at - starts_at > dt.timedelta(days=7):
        _fail("一次值班安排不能超过 7 天", "duty_too_long", "ends_at")
    shift = DutyShift.objects.create(org=org, user=user, starts_at=starts_at, ends_at=ends_at)
    audit_log(actor=actor, action="tickets.duty_shift.created", obj=shift, org_path=org.path,
              data={"user": str(user), "from": starts_at, "to": ends_at})
    return shift


@transaction.atomic
def duty_shift_remove(*, actor, shift_id) -> None:
    """取消值班 that has not ended yet (an ended one is the record of who was on duty, kept)."""
    if not str(shift_id).isdecimal():
        raise NotFound()
    shift = lock_row(DutyShift.objects.restrict(actor, HANDLE).select_related("org", "user"), shift_id, required=True)
    if shift.ends_at <= timezone.now():
        _fail("已结束的值班是值班记录，不能删除", "duty_ended")
    audit_log(actor=actor, action="tickets.duty_shift.removed", obj=shift, org_path=shift.org.path,
              data={"user": str(shift.user), "from": shift.starts_at, "to": shift.ends_at})
    shift.delete()


def tickets_exported(*, actor, rows: int, filters: dict) -> None:
    """An xlsx of the desk's filtered list left the system: who, how many, which filters (caller data is not in it)."""
    paths = reach(actor, "tickets.view")
    audit_log(actor=actor, action="tickets.ticket.exported", obj=None, org_path=paths[0] if paths and len(paths) == 1 else "",
              data={"rows": rows, "filters": {key: value for key, value in filters.items() if key != "export"}})


BULK_AT_ONCE = 100  # the desk shows 25 a page; more than a few pages at once is a mistake, not a workload


@dataclass(frozen=True)
class BulkOutcome:
    done: int
    refused: list[tuple[int, str]]  # (ticket id, why)


def tickets_bulk(*, actor, op: str, ticket_ids: list[int]) -> BulkOutcome:
    """批量签收 ("accept") or 批量派单 ("dispatch", auto-routed): each order in its own transaction through its own service,
    so one refusal (wrong state, out of reach) neither stops nor undoes the others."""
    run = {"accept": ticket_accept, "dispatch": ticket_dispatch}.get(op)
    if run is None:
        _fail("请选择批量操作", "bulk_op", "op")
    if not ticket_ids:
        _fail("请先勾选工单", "bulk_empty", "ids")
    if len(ticket_ids) > BULK_AT_ONCE:
        _fail(f"一次最多处理 {BULK_AT_ONCE} 件", "bulk_too_many", "ids")
    done, refused = 0, []
    for ticket_id in ticket_ids:
        try:
            run(actor=actor, ticket_id=ticket_id)
            done += 1
        except ApplicationError as exc:
            refused.append((ticket_id, exc.message))
    return BulkOutcome(done=done, refused=refused)
