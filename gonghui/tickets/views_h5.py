"""诉求工单 for the worker on a phone: 我要反映 and 网上信箱 (signed in or not), 我的诉求 with each order's steps, replies,
补充材料, 撤回 and the 回访 rating, and the public 查询码 page for a caller without an account."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.core.exceptions import ApplicationError, NotFound
from gonghui.core.views import form_add_application_error
from gonghui.tickets import selectors, services
from gonghui.tickets.forms import FollowUpForm, IntakeForm
from gonghui.tickets.models import Channel
from gonghui.tickets.selectors_pages import district_choices

H5_LOGIN = "accounts:h5_login"


@require_http_methods(["GET", "POST"])
@never_cache
def new(request):
    """我要反映 (?channel=letter: 网上信箱). Anyone may file; a caller without an account gets the 查询码 on this page once
    (and by SMS), never in a URL."""
    channel = Channel.LETTER if request.GET.get("channel") == "letter" else Channel.H5
    districts = district_choices()
    if request.method == "POST":
        form = IntakeForm(request.POST, districts=districts)
        if form.is_valid():
            try:
                filing = services.ticket_file(actor=request.user, data=form.ticket_input(channel=channel, uploads=request.FILES.getlist("files")),
                                              form_token=form.cleaned_data["form_token"])
            except ApplicationError as exc:
                form_add_application_error(form, exc, field_map={"district_id": "district"})
            else:
                return render(request, "tickets/h5_filed.html", {"filing": filing, "ticket": filing.ticket})
    else:
        form = IntakeForm(initial={"form_token": services.form_token_issue()}, districts=districts)
    return render(request, "tickets/h5_new.html", {"form": form, "letter": channel == Channel.LETTER})


@login_required(login_url=H5_LOGIN)
def mine(request):
    return render(request, "tickets/h5_mine.html", {"tickets": selectors.my_tickets(actor=request.user)[:100]})


def _own(request, ticket_id):
    ticket = selectors.ticket_get_for(actor=request.user, ticket_id=ticket_id)
    if not services.is_owner(request.user, ticket):  # the worker's pages show their own orders only
        raise NotFound()
    return ticket


def _detail(request, ticket, *, error: str = "", follow_up: FollowUpForm | None = None, status: int = 200):
    context = {"ticket": ticket, "timeline": selectors.ticket_timeline(actor=request.user, ticket=ticket),
               "attachments": selectors.ticket_attachments(actor=request.user, ticket=ticket),
               "can": selectors.ticket_capabilities(actor=request.user, ticket=ticket), "error": error,
               "reviews": selectors.ticket_reviews(actor=request.user, ticket=ticket),
               "follow_up": follow_up or FollowUpForm()}
    return render(request, "tickets/h5_detail.html", context, status=status)


@login_required(login_url=H5_LOGIN)
def detail(request, ticket_id: int):
    return _detail(request, _own(request, ticket_id))


@login_required(login_url=H5_LOGIN)
@require_POST
def act(request, ticket_id: int):
    """The worker's steps: 补充材料, 撤回, 回访, 申请复查/复核."""
    ticket = _own(request, ticket_id)
    op, post = request.POST.get("op"), request.POST
    follow_up = FollowUpForm(post) if op == "follow_up" else None
    steps = {
        "material_add": (lambda: services.ticket_material_add(actor=request.user, ticket_id=ticket.pk, text=post.get("text", ""),
                                                              uploads=request.FILES.getlist("files")), "已补充材料"),
        "withdraw": (lambda: services.ticket_withdraw(actor=request.user, ticket_id=ticket.pk, reason=post.get("reason", "")), "已撤回"),
        "follow_up": (lambda: services.ticket_follow_up(actor=request.user, ticket_id=ticket.pk, result=post.get("result", ""),
                                                        comment=post.get("comment", "")), "感谢您的评价"),
        "review_request": (lambda: services.review_request(actor=request.user, ticket_id=ticket.pk, reason=post.get("reason", "")),
                           "申请已提交，上级工会将在30日内答复"),
    }
    if op not in steps:
        return _detail(request, ticket, error="未知的操作", status=400)
    run, done = steps[op]
    try:
        run()
    except ApplicationError as exc:
        return _detail(request, selectors.ticket_get_for(actor=request.user, ticket_id=ticket.pk), error=exc.message,
                       follow_up=follow_up, status=exc.status_code)
    messages.success(request, done)
    return redirect("tickets_h5:detail", ticket_id=ticket.pk)


@require_http_methods(["GET", "POST"])
@never_cache
def query(request):
    """查询码: the number and the code sent by SMS show the order's state and replies, nothing else. A wrong code and an
    unknown number read alike."""
    found, error, done = None, "", ""
    number, code = request.POST.get("number", ""), request.POST.get("code", "")
    if request.method == "POST":
        try:
            if request.POST.get("op") == "material_add":
                try:
                    services.ticket_material_add_by_code(number=number, query_code=code, text=request.POST.get("text", ""),
                                                         uploads=request.FILES.getlist("files"))
                    done = "已补充材料，工会将继续办理"
                except NotFound:
                    raise
                except ApplicationError as exc:
                    error = exc.message
            found = selectors.ticket_public_lookup(number=number, query_code=code)
        except NotFound:
            found, error = None, "工单编号或查询码不正确，请核对短信中的编号和查询码"
    return render(request, "tickets/h5_query.html", {"found": found, "error": error, "done": done, "number": number,
                                                     "code": code if found else "", "text": request.POST.get("text", "") if error else ""})
