"""疗休养 on the 工作台: the route catalogue (search, filters, pages) and a route with its departures, 组团报名 for named
members with the funding split shown before and after, batches with their 奖补 claim, workers' requests to decide,
bases with accreditation and inspections, claims to check and pay, the ledger with budgets and policies, the 劳模名单."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.accounts.selectors import actions_for
from gonghui.audit.services import audit_log
from gonghui.core.exceptions import ApplicationError, NotFound
from gonghui.core.permissions import workbench_required
from gonghui.core.uploads import download_response
from gonghui.core.views import flash_outcome, form_add_application_error, paginate
from gonghui.members.selectors import acting_org_for, membership_list
from gonghui.orgs.selectors import org_get_by_code_for, orgs_by_codes
from gonghui.trips import selectors, services
from gonghui.trips.forms import (
    AccreditationForm,
    BaseForm,
    BudgetForm,
    DepartureForm,
    InspectionForm,
    ModelWorkerForm,
    PolicyForm,
    RouteForm,
    codes,
)
from gonghui.trips.models import BOOK, MANAGE, VIEW, AccreditationStatus, BatchStatus, ClaimStatus, Eligibility, PlaceStatus, RouteStatus

CITIES = (("4401", "广州"), ("4403", "深圳"), ("4404", "珠海"), ("4406", "佛山"), ("4413", "惠州"), ("4418", "清远"), ("4419", "东莞"),
          ("4420", "中山"), ("4415", "汕尾"), ("4402", "韶关"))


def _require(request, action: str) -> None:
    if action not in actions_for(user=request.user):
        raise DjangoPermissionDenied


def _here(request):
    return acting_org_for(actor=request.user, session=request.session)


# ---------------------------------------------------------------- routes


@workbench_required
def route_list(request):
    _require(request, VIEW)
    get = request.GET
    filters = {"q": get.get("q", ""), "city": get.get("city", ""), "outside": get.get("outside", ""), "eligibility": get.get("eligibility", "")}
    page = paginate(request, selectors.route_list(actor=request.user, **filters), per_page=20)
    return render(request, "trips/routes.html", {"page": page, "filters": filters, "cities": CITIES, "eligibilities": Eligibility.choices,
                                                 "can_manage": MANAGE in actions_for(user=request.user)})


@workbench_required
@require_http_methods(["GET", "POST"])
def route_new(request):
    _require(request, MANAGE)
    form = RouteForm(request.POST or None, bases=selectors.base_choices(actor=request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        orgs = {o.code: o.pk for o in orgs_by_codes(codes=codes(data["eligible_orgs"]))}
        unknown = [c for c in codes(data["eligible_orgs"]) if c not in orgs]
        if unknown:
            form.add_error("eligible_orgs", f"找不到这些组织编码：{'、'.join(unknown)}")
        else:
            try:
                route = services.route_create(actor=request.user, org=_here(request), data=services.RouteInput(
                    base_id=data["base"], title=data["title"], days=data["days"], price_fen=data["price"], eligibility=data["eligibility"],
                    eligible_org_ids=tuple(orgs.values()), description=data["description"]))
                messages.success(request, "线路已保存为草稿，请添加团期后发布")
                return redirect("trips:route", route_id=route.pk)
            except ApplicationError as exc:
                form_add_application_error(form, exc)
    return render(request, "trips/form.html", {"form": form, "title": "新建疗休养线路", "back": "trips:routes"}, status=400 if form.errors else 200)


@workbench_required
@require_http_methods(["GET", "POST"])
def route_detail(request, route_id):
    route = selectors.route_get_for(actor=request.user, route_id=route_id)
    can_manage = selectors.route_can_manage(actor=request.user, route=route)
    form = DepartureForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise DjangoPermissionDenied
        try:
            if "status" in request.POST:
                services.route_set_status(actor=request.user, route_id=route.pk, status=request.POST["status"])
                messages.success(request, "状态已更新")
                return redirect("trips:route", route_id=route.pk)
            if form.is_valid():
                services.departure_add(actor=request.user, route_id=route.pk, **form.cleaned_data)
                messages.success(request, "已添加团期")
                return redirect("trips:route", route_id=route.pk)
        except ApplicationError as exc:
            form_add_application_error(form, exc)
    return render(request, "trips/route.html", {
        "route": route, "departures": route.departures.order_by("starts_on"), "can_manage": can_manage, "form": form,
        "can_book": BOOK in actions_for(user=request.user), "problem": route.base.accreditation_problem(selectors.today()),
        "statuses": RouteStatus.choices, "orgs": route.eligible_orgs.all(), "today": selectors.today()}, status=400 if form.errors else 200)


# ---------------------------------------------------------------- group batches


@workbench_required
@require_http_methods(["GET", "POST"])
def batch_new(request, departure_id):
    """组团报名: tick the union's own members (searched by member number or whole name), see the split, book."""
    departure = selectors.departure_for_booking(departure_id=departure_id)
    _require(request, BOOK)
    org = _here(request)
    q, name = request.GET.get("q", ""), request.GET.get("name", "")
    members = membership_list(actor=request.user, within=org, q=q, name=name, status="active", for_action=BOOK)
    chosen = [int(i) for i in request.POST.getlist("members") if i.isdecimal()]
    error = None
    if request.method == "POST":
        try:
            batch = services.batch_book(actor=request.user, org=org, departure_id=departure.pk, membership_ids=chosen)
            messages.success(request, "报名成功，经费构成如下")
            return redirect("trips:batch", batch_id=batch.pk)
        except ApplicationError as exc:
            error = exc.message
    split = services.funding_split(price_fen=departure.route.price_fen, policy=services.policy_for(payer=org, year=departure.starts_on.year))
    return render(request, "trips/batch_new.html", {
        "departure": departure, "org": org, "page": paginate(request, members, per_page=50), "q": q, "name": name, "chosen": set(chosen),
        "error": error, "split": split, "problem": departure.route.base.accreditation_problem(departure.starts_on)}, status=400 if error else 200)


@workbench_required
def batch_list(request):
    _require(request, VIEW)
    q, year = request.GET.get("q", ""), request.GET.get("year", "")
    year_value = int(year) if year.isdecimal() else None
    batches = selectors.batch_list(actor=request.user, q=q, year=year_value)
    return render(request, "trips/batches.html", {"page": paginate(request, batches, per_page=20), "q": q, "year": year_value,
                                                  "years": selectors.years()})


@workbench_required
@require_http_methods(["GET", "POST"])
def batch_detail(request, batch_id):
    batch = selectors.batch_get_for(actor=request.user, batch_id=batch_id)
    participants = selectors.batch_participants(batch=batch)
    error = None
    if request.method == "POST":
        try:
            services.claim_submit(actor=request.user, batch_id=batch.pk, roster=request.FILES.get("roster"), invoice=request.FILES.get("invoice"))
            messages.success(request, "奖补申领已提交，等待审核")
            return redirect("trips:batch", batch_id=batch.pk)
        except ApplicationError as exc:
            error = exc.message
    today = selectors.today()
    return render(request, "trips/batch.html", {
        "batch": batch, "participants": participants, "totals": selectors.totals(batch.participants.all()), "error": error,
        "claims": batch.claims.order_by("-pk"), "can_book": selectors.batch_can_book(actor=request.user, batch=batch),
        "ended": batch.departure.ends_on < today, "cancellable": batch.status == BatchStatus.BOOKED and batch.departure.starts_on > today,
        "cancelled": selectors.batch_cancelled_places(batch=batch), "days_to_end": (batch.departure.ends_on - today).days},
        status=400 if error else 200)


def _cancel(request, batch_id, call, done: str):
    """Run a cancellation of the batch (or of one of its places); a refusal is flashed, a forbidden batch is 404."""
    batch = selectors.batch_get_for(actor=request.user, batch_id=batch_id)
    flash_outcome(request, lambda: call(batch), done=done)
    return redirect("trips:batch", batch_id=batch.pk)


@workbench_required
@require_POST
def batch_cancel(request, batch_id):
    return _cancel(request, batch_id, lambda batch: services.batch_cancel(actor=request.user, batch_id=batch.pk, reason=request.POST.get("reason", "")),
                   "批次已取消，名额已退回团期，配套已冲销，已通知参加人员")


@workbench_required
@require_POST
def place_cancel(request, batch_id, participant_id):
    def cancel(batch):
        place = batch.participants.filter(pk=participant_id).first()
        if place is None:
            raise NotFound()
        services.place_cancel(actor=request.user, participant_id=place.pk, reason=request.POST.get("reason", ""))
    return _cancel(request, batch_id, cancel, "已取消该名额，配套已冲销，已通知本人")


# ---------------------------------------------------------------- workers' requests


@workbench_required
def request_list(request):
    _require(request, BOOK)
    status, q = request.GET.get("status", PlaceStatus.REQUESTED), request.GET.get("q", "")
    page = paginate(request, selectors.request_queue(actor=request.user, status=status, q=q), per_page=20)
    return render(request, "trips/requests.html", {"page": page, "status": status, "q": q, "statuses": PlaceStatus.choices})


@workbench_required
@require_POST
def request_decide(request, participant_id):
    place = selectors.request_queue(actor=request.user, status="").filter(pk=participant_id).first() if participant_id else None
    if place is None:
        raise NotFound()
    try:
        services.place_decide(actor=request.user, participant_id=place.pk, approve=request.POST.get("decision") == "approve",
                              reason=request.POST.get("reason", ""))
        messages.success(request, "已处理")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("trips:requests")


# ---------------------------------------------------------------- bases


@workbench_required
def base_list(request):
    _require(request, VIEW)
    get = request.GET
    filters = {"q": get.get("q", ""), "status": get.get("status", ""), "outside": get.get("outside", ""), "expired": get.get("expired", "")}
    page = paginate(request, selectors.base_list(actor=request.user, **filters), per_page=20)
    return render(request, "trips/bases.html", {"page": page, "filters": filters, "statuses": AccreditationStatus.choices,
                                                "today": selectors.today(), "can_manage": MANAGE in actions_for(user=request.user)})


@workbench_required
@require_http_methods(["GET", "POST"])
def base_new(request):
    _require(request, MANAGE)
    form = BaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            division = org_get_by_code_for(actor=request.user, code=data["division"]).pk if data["division"].strip() else None
            base = services.base_create(actor=request.user, org=_here(request), data=services.BaseInput(
                name=data["name"], address=data["address"], accredited_from=data["accredited_from"], accredited_to=data["accredited_to"],
                province=data["province"], division_id=division, description=data["description"]))
            messages.success(request, "基地已认定")
            return redirect("trips:base", base_id=base.pk)
        except ApplicationError as exc:
            form_add_application_error(form, exc)
    return render(request, "trips/form.html", {"form": form, "title": "认定疗休养基地", "back": "trips:bases"}, status=400 if form.errors else 200)


@workbench_required
@require_http_methods(["GET", "POST"])
def base_detail(request, base_id):
    base = selectors.base_get_for(actor=request.user, base_id=base_id)
    can_manage = selectors.base_can_manage(actor=request.user, base=base)
    post = request.POST if request.method == "POST" else None
    inspection = InspectionForm(post if post and "result" in post else None)
    accreditation = AccreditationForm(post if post and "status" in post else None, initial={"status": base.status, "accredited_to": base.accredited_to})
    if post is not None:
        if not can_manage:
            raise DjangoPermissionDenied
        form = inspection if "result" in post else accreditation
        if form.is_valid():
            try:
                if form is inspection:
                    services.inspection_add(actor=request.user, base_id=base.pk, **form.cleaned_data)
                else:
                    services.base_set_accreditation(actor=request.user, base_id=base.pk, **form.cleaned_data)
                messages.success(request, "已保存")
                return redirect("trips:base", base_id=base.pk)
            except ApplicationError as exc:
                form_add_application_error(form, exc)
    errors = inspection.errors or accreditation.errors
    return render(request, "trips/base.html", {
        "base": base, "can_manage": can_manage, "inspection_form": inspection, "accreditation_form": accreditation,
        "inspections": base.inspections.select_related("inspector"), "routes": base.routes.select_related("org"),
        "problem": base.accreditation_problem(selectors.today())}, status=400 if errors else 200)


# ---------------------------------------------------------------- claims


@workbench_required
def claim_list(request):
    _require(request, VIEW)
    status, q = request.GET.get("status", ""), request.GET.get("q", "")
    page = paginate(request, selectors.claim_list(actor=request.user, status=status, q=q), per_page=20)
    return render(request, "trips/claims.html", {"page": page, "status": status, "q": q, "statuses": ClaimStatus.choices})


@workbench_required
@require_http_methods(["GET", "POST"])
def claim_detail(request, claim_id):
    claim = selectors.claim_get_for(actor=request.user, claim_id=claim_id)
    if request.method == "POST":
        try:
            action = request.POST.get("action")
            if action == "pay":
                services.claim_pay(actor=request.user, claim_id=claim.pk)
            else:
                services.claim_check(actor=request.user, claim_id=claim.pk, approve=action == "approve", reason=request.POST.get("reason", ""))
            messages.success(request, "已处理")
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("trips:claim", claim_id=claim.pk)
    return render(request, "trips/claim.html", {"claim": claim, "can_check": selectors.claim_can_check(actor=request.user, claim=claim),
                                               "participants": selectors.batch_participants(batch=claim.batch)})


@workbench_required
def claim_file(request, claim_id, kind):
    """The roster or invoice of a claim, for whoever reads the claim; each opening is audited."""
    claim = selectors.claim_get_for(actor=request.user, claim_id=claim_id)
    if kind not in ("roster", "invoice"):
        raise NotFound()
    audit_log(actor=request.user, action="trips.claim.file_opened", obj=claim, org_path=claim.org.path, data={"file": kind})
    return download_response(getattr(claim, kind), filename=getattr(claim, f"{kind}_name"))


# ---------------------------------------------------------------- ledger, budgets, policies


@workbench_required
@require_http_methods(["GET", "POST"])
def ledger(request):
    _require(request, VIEW)
    year, q = request.GET.get("year", ""), request.GET.get("q", "")
    year_value = int(year) if year.isdecimal() else None
    post = request.POST if request.method == "POST" else None
    budget_form = BudgetForm(post if post and post.get("form") == "budget" else None, initial={"year": selectors.today().year})
    policy_form = PolicyForm(post if post and post.get("form") == "policy" else None, initial={"year": selectors.today().year, "match_ratio": 1})
    if post is not None:
        _require(request, MANAGE)
        form = budget_form if post.get("form") == "budget" else policy_form
        if form.is_valid():
            data = form.cleaned_data
            try:
                org = org_get_by_code_for(actor=request.user, code=data["org"])
                if form is budget_form:
                    services.budget_set(actor=request.user, org=org, year=data["year"], amount_fen=data["amount"])
                else:
                    services.policy_set(actor=request.user, org=org, year=data["year"], subsidy_fen=data["subsidy"], match_ratio=data["match_ratio"])
                messages.success(request, "已保存")
                return redirect("trips:ledger")
            except ApplicationError as exc:
                form_add_application_error(form, exc)
    rows = selectors.ledger(actor=request.user, year=year_value, q=q)
    return render(request, "trips/ledger.html", {
        "page": paginate(request, rows, per_page=30), "year": year_value, "q": q, "years": selectors.years(),
        "policies": selectors.policy_list(actor=request.user)[:50], "budget_form": budget_form, "policy_form": policy_form,
        "can_manage": MANAGE in actions_for(user=request.user)}, status=400 if (budget_form.errors or policy_form.errors) else 200)


# ---------------------------------------------------------------- 劳模名单


@workbench_required
@require_http_methods(["GET", "POST"])
def model_workers(request):
    _require(request, MANAGE)
    post = request.POST if request.method == "POST" else None
    form = ModelWorkerForm(post if post and post.get("form") == "add" else None)
    import_error = None
    if post is not None:
        try:
            if post.get("form") == "import":
                count = services.model_workers_import(actor=request.user, org=_here(request), upload=request.FILES.get("file"))
                messages.success(request, f"已导入 {count} 人")
                return redirect("trips:model_workers")
            if form.is_valid():
                services.model_worker_add(actor=request.user, org=_here(request), **form.cleaned_data)
                messages.success(request, "已加入劳模名单")
                return redirect("trips:model_workers")
        except ApplicationError as exc:
            if post.get("form") == "import":
                import_error = exc.message
            else:
                form_add_application_error(form, exc)
    name = request.GET.get("name", "")
    page = paginate(request, selectors.model_worker_list(actor=request.user, name=name), per_page=30)
    return render(request, "trips/model_workers.html", {"page": page, "form": form, "name": name, "import_error": import_error,
                                                        "org": _here(request)}, status=400 if (form.errors or import_error) else 200)
