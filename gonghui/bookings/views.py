"""预约 on the 工作台: offerings (search, filters, pages), an offering with its sessions, create and edit, the roster of a
session (the publisher's cadres see everyone, a participating org's cadres their own members), its xlsx export (masked,
audited), a message to everyone booked, check-in by scanning, and a counsellor's own slots."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.accounts.selectors import actions_for, cadre_by_username
from gonghui.bookings import selectors, services
from gonghui.bookings.forms import CheckinForm, MessageForm, OfferingForm, SessionForm, codes
from gonghui.bookings.models import MANAGE, VIEW, Kind, OfferingStatus
from gonghui.core.exceptions import ApplicationError
from gonghui.core.permissions import workbench_required
from gonghui.core.spreadsheets import Column, write_xlsx
from gonghui.core.views import form_add_application_error, paginate, xlsx_response
from gonghui.members.selectors import acting_org_for
from gonghui.orgs.selectors import orgs_by_codes

ROSTER_COLUMNS = (Column("code", "预约码", text=True), Column("name", "姓名"), Column("union", "所在工会", width=30), Column("status", "状态"),
                  Column("checked_in", "签到时间"), Column("no_show", "爽约"))


def _require(request, action: str) -> None:
    if action not in actions_for(user=request.user):
        raise DjangoPermissionDenied


@workbench_required
def offering_list(request):
    _require(request, VIEW)
    get = request.GET
    filters = {"q": get.get("q", ""), "kind": get.get("kind", ""), "status": get.get("status", ""), "when": get.get("when", "")}
    page = paginate(request, selectors.offering_list(actor=request.user, **filters), per_page=20)
    return render(request, "bookings/list.html", {"page": page, "filters": filters, "kinds": Kind.choices, "statuses": OfferingStatus.choices,
                                                  "can_manage": MANAGE in actions_for(user=request.user)})


def _org_ids(form: OfferingForm) -> dict[str, int]:
    wanted = codes(form.cleaned_data["eligible_orgs"]) + codes(form.cleaned_data["requested_by"])
    return {org.code: org.pk for org in orgs_by_codes(codes=wanted)}


def _save_offering(request, form: OfferingForm, *, offering=None):
    org_ids = _org_ids(form)
    unknown = form.unknown_codes(org_ids)
    if unknown:
        form.add_error("eligible_orgs", f"找不到这些组织编码：{'、'.join(unknown)}")
        return None
    data = form.offering_input(org_ids=org_ids)
    try:
        if offering is None:
            return services.offering_create(actor=request.user, org=acting_org_for(actor=request.user, session=request.session), data=data)
        return services.offering_update(actor=request.user, offering_id=offering.pk, data=data)
    except ApplicationError as exc:
        form_add_application_error(form, exc, field_map={"requested_by": "requested_by", "term": "term", "max_age": "max_age"})
    return None


@workbench_required
@require_http_methods(["GET", "POST"])
def offering_new(request):
    _require(request, MANAGE)
    terms = selectors.term_choices(actor=request.user)
    form = OfferingForm(request.POST or None, terms=terms, initial={"opens_at": timezone.localtime().replace(second=0, microsecond=0)})
    if request.method == "POST" and form.is_valid():
        offering = _save_offering(request, form)
        if offering is not None:
            messages.success(request, "已保存为草稿，请添加场次后发布")
            return redirect("bookings:detail", offering_id=offering.pk)
    return render(request, "bookings/form.html", {"form": form, "title": "新建预约项目"}, status=400 if form.errors else 200)


@workbench_required
@require_http_methods(["GET", "POST"])
def offering_edit(request, offering_id):
    offering = selectors.offering_get_for(actor=request.user, offering_id=offering_id, action=MANAGE)
    initial = {"kind": offering.kind, "title": offering.title, "description": offering.description, "place": offering.place,
               "opens_at": timezone.localtime(offering.opens_at), "cancel_hours": offering.cancel_hours, "term": offering.term_id,
               "whole_term": offering.whole_term, "completion_percent": offering.completion_percent, "members_only": offering.members_only,
               "eligible_orgs": ",".join(o.code for o in offering.eligible_orgs.exclude(pk=offering.requested_by_id or 0)),
               "requested_by": offering.requested_by.code if offering.requested_by else "", "segment": offering.segment_id,
               "min_age": offering.min_age, "max_age": offering.max_age}
    form = OfferingForm(request.POST or None, terms=selectors.term_choices(actor=request.user), initial=initial)
    if request.method == "POST" and form.is_valid() and _save_offering(request, form, offering=offering) is not None:
        messages.success(request, "已保存")
        return redirect("bookings:detail", offering_id=offering.pk)
    return render(request, "bookings/form.html", {"form": form, "title": f"修改：{offering.title}", "offering": offering},
                  status=400 if form.errors else 200)


@workbench_required
def offering_detail(request, offering_id):
    offering = selectors.offering_get_for(actor=request.user, offering_id=offering_id)
    return render(request, "bookings/detail.html", {
        "offering": offering, "sessions": offering.sessions.order_by("starts_at", "pk"), "orgs": offering.eligible_orgs.all(),
        "can_manage": selectors.offering_can_manage(actor=request.user, offering=offering)})


@workbench_required
@require_POST
def offering_status(request, offering_id):
    offering = selectors.offering_get_for(actor=request.user, offering_id=offering_id, action=MANAGE)
    try:
        services.offering_set_status(actor=request.user, offering_id=offering.pk, status=request.POST.get("status", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "状态已更新")
    return redirect("bookings:detail", offering_id=offering.pk)


def _quotas(form: SessionForm) -> list[services.QuotaInput]:
    data, quotas = form.cleaned_data, []
    if data["quota_org"].strip() and data["quota_org_seats"]:
        org = orgs_by_codes(codes=[data["quota_org"].strip()]).first()
        if org is None:
            raise ApplicationError("找不到预留名额的组织", code="bookings.quota", fields={"quota_org": ["组织编码不存在"]})
        quotas.append(services.QuotaInput(seats=data["quota_org_seats"], org_id=org.pk))
    if data["quota_new_form_seats"]:
        quotas.append(services.QuotaInput(seats=data["quota_new_form_seats"], new_form=True))
    return quotas


@workbench_required
@require_http_methods(["GET", "POST"])
def session_new(request, offering_id):
    offering = selectors.offering_get_for(actor=request.user, offering_id=offering_id, action=MANAGE)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            counsellor = cadre_by_username(username=data["counsellor"]) if data["counsellor"].strip() else None
            services.session_add(actor=request.user, offering_id=offering.pk, starts_at=data["starts_at"], ends_at=data["ends_at"],
                                 capacity=data["capacity"], counsellor=counsellor, quotas=_quotas(form))
        except ApplicationError as exc:
            form_add_application_error(form, exc, field_map={"quotas": "quota_org", "username": "counsellor"})
        else:
            messages.success(request, "已添加场次")
            return redirect("bookings:detail", offering_id=offering.pk)
    return render(request, "bookings/session_form.html", {"form": form, "offering": offering}, status=400 if form.errors else 200)


@workbench_required
@require_http_methods(["GET", "POST"])
def session_edit(request, session_id):
    session = selectors.session_get_for(actor=request.user, session_id=session_id, action=MANAGE)
    form = SessionForm(request.POST or None, initial={"starts_at": timezone.localtime(session.starts_at), "ends_at": timezone.localtime(session.ends_at),
                                                      "capacity": session.capacity})
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(actor=request.user, session_id=session.pk, starts_at=form.cleaned_data["starts_at"],
                                    ends_at=form.cleaned_data["ends_at"], capacity=form.cleaned_data["capacity"])
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("bookings:detail", offering_id=session.offering_id)
    return render(request, "bookings/session_form.html", {"form": form, "offering": session.offering, "session": session},
                  status=400 if form.errors else 200)


@workbench_required
def roster(request, session_id):
    session = selectors.session_get_for(actor=request.user, session_id=session_id)
    rows = selectors.roster(actor=request.user, session=session)
    return render(request, "bookings/roster.html", {
        "session": session, "offering": session.offering, "rows": rows, "counts": selectors.roster_counts(actor=request.user, session=session),
        "can_manage": selectors.offering_can_manage(actor=request.user, offering=session.offering), "message_form": MessageForm()})


@workbench_required
def roster_export(request, session_id):
    """The roster as xlsx: names masked as in the member export, counselling as booking codes only; audited."""
    session = selectors.session_get_for(actor=request.user, session_id=session_id)
    rows = selectors.roster(actor=request.user, session=session)
    content = write_xlsx(columns=ROSTER_COLUMNS, sheet_name="预约名单", rows=(
        {"code": r.code, "name": r.name, "union": r.union, "status": r.status, "no_show": "是" if r.no_show else "",
         "checked_in": f"{timezone.localtime(r.checked_in_at):%Y-%m-%d %H:%M}" if r.checked_in_at else ""} for r in rows))
    services.roster_export_audit(actor=request.user, session=session, rows=len(rows))
    return xlsx_response(content, filename=f"预约名单-{session.pk}-{timezone.localdate():%Y%m%d}.xlsx")


@workbench_required
@require_POST
def session_message(request, session_id):
    session = selectors.session_get_for(actor=request.user, session_id=session_id)
    form = MessageForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError("请填写通知内容（500 字以内）", code="bookings.message_text")
        sent = services.session_message(actor=request.user, session_id=session.pk, text=form.cleaned_data["text"])
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已通知 {sent} 人")
    return redirect("bookings:roster", session_id=session.pk)


@workbench_required
@require_http_methods(["GET", "POST"])
def checkin(request):
    """扫码签到: the scanner (or a typed code) posts the booking's token; the answer names the session, never the person's
    topic. Open to every 工作台 account: the service accepts only tokens of sessions the scanner checks in on (their posts
    or, for a counsellor, the object grants on their own slots)."""
    form, done = CheckinForm(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        try:
            done = services.booking_checkin(actor=request.user, token=form.cleaned_data["token"])
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            form = CheckinForm()
    return render(request, "bookings/checkin.html", {"form": form, "done": done, "sessions": selectors.sessions_today(actor=request.user)},
                  status=400 if form.errors else 200)


@workbench_required
def counsellor_slots(request):
    """A counsellor's own slots (object grants): the booking code and topic of each, no names."""
    slots = [(s, selectors.counsellor_bookings(actor=request.user, session=s)) for s in selectors.counsellor_slots(actor=request.user)
             if s.counsellor_id == request.user.pk]
    return render(request, "bookings/counsellor.html", {"slots": slots})
