"""Worker H5 pages: 一键入会 (phone login → real-name form → done), my membership, card, transfer, leave, appeal."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from gonghui.core.exceptions import ApplicationError
from gonghui.core.views import form_add_application_error, is_htmx
from gonghui.members import selectors, services
from gonghui.members.forms import AppealForm, JoinForm, ReasonForm
from gonghui.members.models import JoinCode, MembershipStatus, NewFormType
from gonghui.members.posters import join_qr_svg
from gonghui.orgs import selectors as org_selectors
from gonghui.orgs.models import Org, OrgType

JOIN_CODE_SESSION = "join_code"
CARD_TOKEN_MAX_LENGTH = 200
PLACE_TYPES = (OrgType.PROVINCE, OrgType.CITY, OrgType.COUNTY, OrgType.FUNCTION_ZONE, OrgType.TOWN)


def join_code_landing(request, token: str):
    """What the QR opens: counts the scan, remembers the union, then the three steps."""
    counted = request.session.get("join_codes_counted", [])
    code = services.join_code_scan(token=token, count=token not in counted)  # one scan per visitor session
    request.session["join_codes_counted"] = (counted + [token])[-20:]
    request.session[JOIN_CODE_SESSION] = code.token
    return redirect("members_h5:join")


def _code_context(request):
    token = request.session.get(JOIN_CODE_SESSION, "")
    code = JoinCode.objects.select_related("org").filter(token=token).first() if token else None
    return token if code else "", code


@login_required(login_url="accounts:h5_login")
@require_http_methods(["GET", "POST"])
def join(request):
    if selectors.my_membership(user=request.user) is not None:
        return redirect("members_h5:home")
    pending = selectors.my_pending_application(user=request.user)
    if pending is not None:  # its status, not a second form the service would refuse
        return redirect("members_h5:submitted", application_id=pending.pk)
    token, code = _code_context(request)
    initial = {"new_form_type": _sector_type(code.org) if code else ""}
    form = JoinForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {key: value or "" for key, value in form.cleaned_data.items() if key != "employer_query"}
        data["employer_id"] = form.cleaned_data["employer_id"]
        try:
            application = services.join_submit(applicant=request.user, data=services.JoinInput(**data, join_code_token=token))
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            request.session.pop(JOIN_CODE_SESSION, None)
            return redirect("members_h5:submitted", application_id=application.pk)
    start = code.org if code and code.org.type != OrgType.SECTOR_FEDERATION else None
    return render(request, "members/h5_join.html", {"form": form, "code": code, "place_start": start, "step": 2, "tab": "services"})


def _sector_type(org: Org) -> str:
    if org.type != OrgType.SECTOR_FEDERATION:
        return ""
    return {"food_delivery": NewFormType.FOOD_DELIVERY, "courier": NewFormType.COURIER, "ride_hailing": NewFormType.RIDE_HAILING,
            "trucking": NewFormType.TRUCKING}.get(org.sector, "")


@login_required(login_url="accounts:h5_login")
def submitted(request, application_id: int):
    application = selectors.my_applications(user=request.user).filter(pk=application_id).first()
    if application is None:
        return redirect("members_h5:home")
    return render(request, "members/h5_submitted.html", {"application": application, "step": 3, "tab": "services"})


def places(request):
    """The 市 → 区 → 街道/镇 picker, one level at a time (htmx)."""
    org_id = request.GET.get("org", "")
    chosen = Org.objects.filter(pk=int(org_id), type__in=PLACE_TYPES, is_active=True).first() if org_id.isdigit() else None
    chosen = chosen or Org.objects.filter(parent__isnull=True, type=OrgType.PROVINCE).first()
    children = Org.objects.filter(parent=chosen, type__in=PLACE_TYPES, is_active=True).order_by("division_code", "name")
    chain = org_selectors.org_breadcrumbs(orgs=[chosen])[chosen.pk]
    return render(request, "members/_place_picker.html", {"chosen": chosen, "children": children, "chain": chain})


def employer_options(request):
    results = org_selectors.employer_public_search(q=request.GET.get("employer_query", ""), limit=8)
    return render(request, "members/_employer_options.html", {"results": results})


@login_required(login_url="accounts:h5_login")
def home(request):
    membership = selectors.my_membership(user=request.user)
    context = {"membership": membership, "applications": selectors.my_applications(user=request.user)[:5],
               "pending": selectors.my_pending_application(user=request.user) if membership is None else None,
               "transfers": selectors.my_transfers(user=request.user)[:5], "tab": "me"}
    return render(request, "members/h5_member.html", context)


@login_required(login_url="accounts:h5_login")
def card(request):
    membership = selectors.my_membership(user=request.user)
    if membership is None or membership.status not in (MembershipStatus.ACTIVE, MembershipStatus.TRANSFERRING):
        messages.info(request, "入会后即可使用电子会员卡")
        return redirect("members_h5:home")
    template = "members/_card_qr.html" if is_htmx(request) else "members/h5_card.html"
    updated = timezone.localtime()
    context = {"membership": membership, "token": services.card_token(membership=membership), "updated": updated, "tab": "me",
               "expires": updated + timezone.timedelta(seconds=services.CARD_TOKEN_SECONDS)}
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])  # the page and its QR fragment share the URL: caches must tell them apart
    return response


@login_required(login_url="accounts:h5_login")
def card_qr_svg(request):
    """The QR image of a member-card token; only for signed-in people and only for token-sized text."""
    token = request.GET.get("t", "")
    if not 10 <= len(token) <= CARD_TOKEN_MAX_LENGTH:
        return HttpResponse("二维码内容无效", status=400, content_type="text/plain; charset=utf-8")
    return HttpResponse(join_qr_svg(token, scale=6), content_type="image/svg+xml")


def _worker_form_action(request, *, form, action, success: str, template: str, context: dict):
    if request.method == "POST" and form.is_valid():
        try:
            action(form.cleaned_data)
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            messages.success(request, success)
            return redirect("members_h5:home")
    return render(request, template, {"form": form, "tab": "me", **context})


def _active_membership_or_redirect(request, *, what: str):
    """(membership, None) for an active member; else (None, where to go) with a message: non-members to 一键入会 (or to
    their pending application), members in another state to their membership page."""
    membership = selectors.my_membership(user=request.user)
    if membership is not None and membership.status == MembershipStatus.ACTIVE:
        return membership, None
    if membership is not None:
        messages.info(request, f"会籍状态为“{membership.get_status_display()}”，暂不能办理{what}")
        return None, redirect("members_h5:home")
    if selectors.my_pending_application(user=request.user) is not None:
        messages.info(request, f"您的入会申请正在审核，入会后可办理{what}")
        return None, redirect("members_h5:home")
    messages.info(request, f"您还不是工会会员，请先入会；入会后可办理{what}")
    return None, redirect("members_h5:join")


@login_required(login_url="accounts:h5_login")
@require_http_methods(["GET", "POST"])
def transfer(request):
    membership, elsewhere = _active_membership_or_redirect(request, what="会籍转接")
    if elsewhere:
        return elsewhere
    form = JoinForm(request.POST or None)
    form.fields["name"].required = form.fields["id_number"].required = False

    def act(data):
        target = services.transfer_target(employer_id=data["employer_id"], town_code=data["town_code"], new_form_type=data["new_form_type"])
        services.transfer_request(user=request.user, to_union=target, new_employer_name=data["employer_name"] or data["employer_query"])

    return _worker_form_action(request, form=form, action=act, success="转接申请已提交，新工会接收后生效",
                               template="members/h5_transfer.html", context={"membership": membership})


@login_required(login_url="accounts:h5_login")
@require_http_methods(["GET", "POST"])
def leave(request):
    _, elsewhere = _active_membership_or_redirect(request, what="退会")
    if elsewhere:
        return elsewhere
    form = ReasonForm(request.POST or None)
    return _worker_form_action(request, form=form, action=lambda data: services.membership_leave(user=request.user, reason=data["reason"]),
                               success="已办理退会", template="members/h5_leave.html", context={})


@login_required(login_url="accounts:h5_login")
@require_http_methods(["GET", "POST"])
def appeal(request):
    form = AppealForm(request.POST or None, request.FILES or None)

    def act(data):
        services.appeal_file(user=request.user, name=data["name"], id_number=data["id_number"], statement=data["statement"],
                             evidence=data.get("evidence"))

    return _worker_form_action(request, form=form, action=act, success="申诉已提交，审查期间该会籍已冻结，结果将通知您",
                               template="members/h5_appeal.html", context={})


def card_service_worker(request):
    response = render(request, "members/card_sw.js", content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/h5/member/card/"
    response["Cache-Control"] = "no-cache"
    return response
