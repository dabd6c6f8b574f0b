"""诉求工单 on the 工作台: the handler's desk (queues, filters, countdowns, bulk 派单/签收, xlsx export), one order with the
steps the actor may take, the audited attachment download, and the 12351 agent's screen. Each step is one service call."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.accounts.selectors import actions_for, cadre_by_username
from gonghui.core.exceptions import ApplicationError
from gonghui.core.permissions import workbench_required
from gonghui.core.spreadsheets import Column, write_xlsx
from gonghui.core.views import form_add_application_error, paginate, posted_int
from gonghui.orgs import selectors as org_selectors
from gonghui.tickets import selectors, services
from gonghui.tickets.facts import FACTS
from gonghui.tickets.forms import REFERRAL_AGENCIES, STATE_CHOICES, HotlineForm
from gonghui.tickets.models import DISPATCH, VIEW, Category, Channel, ClosingKind, Review, Satisfaction, TicketParty, Tier, Urgency
from gonghui.tickets.selectors_pages import desk_rows, district_choices, pending_extension
from gonghui.worktime.calendar import work_calendar

EXPORT_LIMIT = 5000  # a filtered list larger than this is narrowed first: the export is for a working list, not the archive
EXPORT_COLUMNS = (
    Column("number", "工单编号"), Column("state", "状态"), Column("category", "类别"), Column("urgency", "紧急程度"), Column("tier", "难易"),
    Column("title", "标题"), Column("employer", "涉及单位"), Column("affected", "涉及人数"), Column("holder", "承办单位"),
    Column("filed", "受理时间"), Column("clock", "期限"),
)


def _require(request, action: str) -> None:
    if action not in actions_for(user=request.user):
        raise DjangoPermissionDenied


def _filters(request) -> selectors.TicketFilters:
    get = request.GET
    return selectors.TicketFilters(
        queue=get.get("queue", "") if get.get("queue", "") in selectors.QUEUES else "", state=get.get("state", ""),
        category=get.get("category", ""), urgency=get.get("urgency", ""), tier=get.get("tier", ""),
        channel=get.get("channel", ""), org_id=posted_int(get.get("org")) or None, org_only=get.get("org_only") == "1", employer=get.get("employer", ""),
        overdue=get.get("overdue") == "1", q=get.get("q", ""), received_from=_query_date(get.get("received_from")),
        received_to=_query_date(get.get("received_to")), employer_id=posted_int(get.get("employer_id")) if get.get("employer_id") else None,
        fact=get.get("fact", "") if get.get("fact", "") in FACTS else "")


def _query_date(value) -> dt.date | None:
    """A date from the query string (YYYY-MM-DD), or none when it is not one: a bad link lists without that bound."""
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@workbench_required
def ticket_list(request):
    """The desk: one queue at a time, soonest due first, each row with its clock."""
    _require(request, VIEW)
    filters, now = _filters(request), timezone.now()
    page = paginate(request, selectors.ticket_list(actor=request.user, filters=filters, now=now), per_page=25)
    rows = desk_rows(page.object_list, calendar=work_calendar(), now=now)
    counts = {key: selectors.ticket_list(actor=request.user, filters=selectors.TicketFilters(queue=key), now=now).count()
              for key in ("dispatch", "accept", "handling", "follow_up", "overdue", "supervised", "extension")}
    query = {key: value for key, value in request.GET.items() if key != "page" and value}
    return render(request, "tickets/list.html", {
        "page": page, "rows": rows, "filters": filters, "queues": selectors.QUEUES, "counts": counts,
        "categories": Category.choices, "urgencies": Urgency.choices, "tiers": Tier.choices, "states": STATE_CHOICES,
        "orgs": org_selectors.org_places_for(actor=request.user),
        "fact_label": FACTS[filters.fact][0] if filters.fact else "",
        "query": urlencode(query), "export_query": urlencode({**query, "export": "xlsx"}),
        "can_dispatch": DISPATCH in actions_for(user=request.user)})


@workbench_required
def ticket_export(request):
    """The filtered list as xlsx (numbers stay text); at most EXPORT_LIMIT rows, else a message to narrow it."""
    _require(request, VIEW)
    filters, now = _filters(request), timezone.now()
    tickets = selectors.ticket_list(actor=request.user, filters=filters, now=now)
    total = tickets.count()
    if total > EXPORT_LIMIT:
        messages.error(request, f"符合条件的工单有 {total} 件，超过单次导出上限 {EXPORT_LIMIT} 件，请先缩小筛选范围")
        return redirect(f"{reverse('tickets:list')}?{request.GET.urlencode()}")
    rows = desk_rows(tickets, calendar=work_calendar(), now=now)
    content = write_xlsx(columns=EXPORT_COLUMNS, sheet_name="诉求工单", rows=(
        {"number": row.ticket.number, "state": row.ticket.get_state_display(), "category": row.ticket.get_category_display(),
         "urgency": row.ticket.get_urgency_display(), "tier": row.ticket.get_tier_display(), "title": row.ticket.title,
         "employer": row.ticket.employer_name, "affected": row.ticket.affected_count, "holder": row.ticket.holder.name,
         "filed": timezone.localtime(row.ticket.created_at).strftime("%Y-%m-%d %H:%M"), "clock": row.clock.text} for row in rows))
    services.tickets_exported(actor=request.user, rows=total, filters=request.GET.dict())
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename=tickets-{timezone.localdate():%Y%m%d}.xlsx"
    return response


@workbench_required
@require_POST
def ticket_bulk(request):
    """批量签收 or 批量派单 of the ticked rows; the answer says how many were done and which were refused, and why."""
    op = request.POST.get("op")
    try:
        outcome = services.tickets_bulk(actor=request.user, op=op, ticket_ids=[posted_int(value) for value in request.POST.getlist("ids")])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        verb = "签收" if op == "accept" else "派单"
        if outcome.done:
            messages.success(request, f"已{verb} {outcome.done} 件")
        if outcome.refused:
            messages.error(request, f"{len(outcome.refused)} 件未能{verb}：" + "；".join(f"#{pk}：{why}" for pk, why in outcome.refused[:5]))
    return redirect(request.POST.get("back") or reverse("tickets:list"))


def _detail_context(request, ticket, *, error: str = "", op: str = "", posted=None) -> dict:
    now = timezone.now()
    return {
        "ticket": ticket, "clock": desk_rows([ticket], calendar=work_calendar(), now=now)[0].clock,
        "timeline": selectors.ticket_timeline(actor=request.user, ticket=ticket),
        "attachments": selectors.ticket_attachments(actor=request.user, ticket=ticket),
        "parties": selectors.ticket_parties(actor=request.user, ticket=ticket), "party_kinds": TicketParty.Kind.choices,
        "reviews": selectors.ticket_reviews(actor=request.user, ticket=ticket), "review_outcomes": Review.Outcome.choices,
        "caller": selectors.ticket_caller(actor=request.user, ticket=ticket),
        "can": selectors.ticket_capabilities(actor=request.user, ticket=ticket, now=now),
        "extension": pending_extension(ticket), "agencies": REFERRAL_AGENCIES, "satisfaction": Satisfaction.choices,
        "error": error, "failed_op": op, "posted": posted or {},
    }


@workbench_required
def ticket_detail(request, ticket_id: int):
    ticket = selectors.ticket_get_for(actor=request.user, ticket_id=ticket_id)
    return render(request, "tickets/detail.html", _detail_context(request, ticket))


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        raise ApplicationError("日期格式不正确", code="tickets.date_invalid") from None


def _steps(request, ticket):
    """The step each form posts (`op`): what it calls and what it says when done."""
    post, user, pk = request.POST, request.user, ticket.pk

    def org():
        return org_selectors.org_get_by_code_for(actor=user, code=post.get("org_code", ""))

    def party_add():
        kind, named = post.get("kind", ""), {}
        if kind == "org":
            named["org"] = org()
        elif kind == "employer":
            named["employer"] = org_selectors.employer_by_uscc(uscc=post.get("uscc", ""))
        elif kind == "person":
            named["person"] = cadre_by_username(username=post.get("username", ""))
        services.ticket_party_add(actor=user, ticket_id=pk, note=post.get("note", ""), **named)

    def review_decide():
        review = selectors.pending_review(ticket)
        if review is None:
            raise ApplicationError("没有待答复的复查或复核", code="tickets.no_review")
        services.review_decide(actor=user, review_id=review.pk, outcome=post.get("outcome", ""), opinion=post.get("opinion", ""))

    def extension_decide():
        extension = pending_extension(ticket)
        if extension is None:
            raise ApplicationError("没有待审批的延期申请", code="tickets.no_extension")
        services.extension_decide(actor=user, extension_id=extension.pk, approve=post.get("approve") == "1", note=post.get("note", ""))

    return {
        "acknowledge": (lambda: services.ticket_acknowledge(actor=user, ticket_id=pk, note=post.get("note", "")), "已发出受理告知"),
        "dispatch": (lambda: services.ticket_dispatch(actor=user, ticket_id=pk, org=org() if post.get("org_code") else None,
                                                      note=post.get("note", "")), "已派单"),
        "accept": (lambda: services.ticket_accept(actor=user, ticket_id=pk), "已签收，请在期限内办理"),
        "note": (lambda: services.ticket_note(actor=user, ticket_id=pk, text=post.get("text", ""),
                                              internal_message=post.get("internal") == "1"), "已记录"),
        "request_material": (lambda: services.ticket_request_material(actor=user, ticket_id=pk, what=post.get("what", "")),
                             "已请职工补充材料，期限暂停计时"),
        "material_add": (lambda: services.ticket_material_add(actor=user, ticket_id=pk, text=post.get("text", ""),
                                                              uploads=request.FILES.getlist("files")), "已补充材料，期限恢复计时"),
        "attach": (lambda: services.ticket_attach(actor=user, ticket_id=pk, uploads=request.FILES.getlist("files"),
                                                  visible_to_worker=post.get("visible") == "1"), "已上传附件"),
        "reply": (lambda: services.ticket_reply(actor=user, ticket_id=pk, text=post.get("text", ""), agency=post.get("agency", ""),
                                                agency_name=post.get("agency_name", ""), referred_on=_date(post.get("referred_on", ""))),
                  "已回复职工，等待回访"),
        "bounce": (lambda: services.ticket_bounce(actor=user, ticket_id=pk, reason=post.get("reason", "")), "已退单，退回派单中心"),
        "transfer": (lambda: services.ticket_transfer(actor=user, ticket_id=pk, org=org(), reason=post.get("reason", "")), "已转办"),
        "extension_request": (lambda: services.extension_request(actor=user, ticket_id=pk, amount=posted_int(post.get("amount")),
                                                                 reason=post.get("reason", "")), "已提交延期申请，等待上级审批"),
        "extension_decide": (extension_decide, "已审批延期申请"),
        "party_add": (party_add, "已登记被反映对象，该对象今后不会收到、也看不到这件工单"),
        "review_request": (lambda: services.review_request(actor=user, ticket_id=pk, reason=post.get("reason", "")),
                           "已登记复查（复核）申请，上级工会将在30日内答复"),
        "review_decide": (review_decide, "已答复"),
        "supervise": (lambda: services.ticket_supervise(actor=user, ticket_id=pk, note=post.get("note", "")), "已督办"),
        "follow_up": (lambda: services.ticket_follow_up(actor=user, ticket_id=pk, result=post.get("result", ""),
                                                        comment=post.get("comment", "")), "已记录回访结果"),
        "close": (lambda: services.ticket_close(actor=user, ticket_id=pk, answer=post.get("text", ""),
                                                kind=post.get("kind", ClosingKind.DIRECT), agency=post.get("agency", ""),
                                                agency_name=post.get("agency_name", ""), referred_on=_date(post.get("referred_on", ""))),
                  "已办结"),
    }


@workbench_required
@require_POST
def ticket_act(request, ticket_id: int):
    """One step on one order; a refusal shows the order again with the message beside the form, as typed."""
    ticket = selectors.ticket_get_for(actor=request.user, ticket_id=ticket_id)
    op = request.POST.get("op", "")
    step = _steps(request, ticket).get(op)
    if step is None:
        return render(request, "tickets/detail.html", _detail_context(request, ticket, error="未知的操作"), status=400)
    run, done = step
    try:
        run()
    except ApplicationError as exc:
        ticket = selectors.ticket_get_for(actor=request.user, ticket_id=ticket_id)
        return render(request, "tickets/detail.html", _detail_context(request, ticket, error=exc.message, op=op, posted=request.POST),
                      status=exc.status_code)
    messages.success(request, done)
    if not selectors.ticket_list(actor=request.user).filter(pk=ticket.pk).exists():  # e.g. 转办 to an org the actor cannot read
        return redirect("tickets:list")
    return redirect("tickets:detail", ticket_id=ticket.pk)


@workbench_required
def attachment_download(request, attachment_id: int):
    """An attachment opens only here: scoped, and audited by the service."""
    attachment = services.attachment_open(actor=request.user, attachment_id=attachment_id)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@workbench_required
@require_http_methods(["GET", "POST"])
def hotline(request):
    """The 12351 agent's screen: the call as it comes; a pure 咨询 answered on the call is closed at once (直接办结)."""
    _require(request, DISPATCH)
    districts = district_choices()
    if request.method == "POST":
        form = HotlineForm(request.POST, districts=districts)
        if form.is_valid():
            try:
                filing = services.ticket_file(actor=request.user, data=form.ticket_input(channel=Channel.HOTLINE, uploads=[]),
                                              form_token=form.cleaned_data["form_token"])
            except ApplicationError as exc:
                form_add_application_error(form, exc, field_map={"district_id": "district"})
            else:
                messages.success(request, _filed_message(filing))
                return redirect("tickets:detail", ticket_id=filing.ticket.pk)
    else:
        form = HotlineForm(initial={"form_token": services.form_token_issue()}, districts=districts)
    return render(request, "tickets/hotline.html", {"form": form})


def _filed_message(filing) -> str:
    ticket = filing.ticket
    if filing.merged_into is not None:
        return f"该来电人一周内已反映过同一问题，已并入 {filing.merged_into.number} 办理（本次编号 {ticket.number}）"
    if not filing.created:
        return f"该表单已提交过，工单 {ticket.number}"
    code = f"，查询码 {filing.query_code} 已短信发送给来电人" if filing.query_code else ""
    return f"已受理，工单 {ticket.number}{code}" + ("，已直接办结" if ticket.closing_kind == ClosingKind.DIRECT else "")
