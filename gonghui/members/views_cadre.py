"""Cadre pages: members, the join review queue, transfers, 冒用 appeals, 一县一码, card verification."""
from __future__ import annotations

from urllib.parse import quote, urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.audit.services import audit_log
from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.core.masking import mask_name
from gonghui.core.permissions import workbench_required
from gonghui.core.uploads import download_response
from gonghui.core.views import form_add_application_error, is_htmx, paginate, posted_int, safe_next_url, xlsx_response
from gonghui.jobs.services import job_create
from gonghui.accounts.selectors import actions_for, current_post_for
from gonghui.members import drives, exports, imports, ledger, prospects, segments, selectors, services
from gonghui.members.forms import DriveForm, MemberImportForm, ProspectUploadForm, VisitForm
from gonghui.members.models import DriveMetric, JoinCode, MembershipStatus, NewFormType
from gonghui.members.posters import join_poster_pdf, join_qr_png, join_qr_svg
from gonghui.orgs import selectors as org_selectors
from gonghui.orgs.models import Industry
from gonghui.worktime.calendar import work_calendar
from gonghui.worktime.deadlines import working_days_between


@workbench_required
@require_http_methods(["GET", "POST"])
def member_list(request):
    """The list, filtered by the query string; a POST exports it as filtered (a background job, full data only with a reason)."""
    filters = {"q": request.GET.get("q", ""), "status": request.GET.get("status", ""), "name": request.GET.get("name", ""),
               "within": org_selectors.org_within(actor=request.user, org_id=request.GET.get("within"))}
    export_error = ""
    if request.method == "POST":
        try:
            job = exports.member_export_request(actor=request.user, fmt=request.POST.get("export", ""), full=request.POST.get("full") == "1",
                                                reason=request.POST.get("reason", ""), **filters)
            return redirect("jobs:detail", job_id=job.pk)
        except ApplicationError as exc:
            if isinstance(exc, (NotFound, PermissionDenied)):
                raise
            export_error = exc.message
    memberships = selectors.membership_list(actor=request.user, **filters)
    context = {"page": paginate(request, memberships, per_page=25), "statuses": MembershipStatus.choices, "export_error": export_error,
               "reason": request.POST.get("reason", ""), "filters": {key: request.GET.get(key, "") for key in ("q", "name", "status", "within")}}
    return render(request, "members/member_list.html", context, status=400 if export_error else 200)



def _require_manager(request) -> None:
    if "members.manage" not in actions_for(user=request.user):
        raise PermissionDenied("只有具备会员管理权限的干部可以办理")


def _queue_upload(request, form, *, kind: str, options: dict):
    """The uploaded file becomes a background job; only members.manage may upload; a refusal is shown on the form."""
    _require_manager(request)
    upload = form.cleaned_data["file"]
    try:
        return job_create(owner=request.user, kind=kind, data=upload.read(), file_name=upload.name, options=options)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return None


@workbench_required
@require_http_methods(["GET", "POST"])
def member_import(request):
    """Upload → a background job with progress; the error report lists every bad row by row and column."""
    form = MemberImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = _queue_upload(request, form, kind="members.import", options={"mode": form.cleaned_data["mode"]})
        if job is not None:
            return redirect("jobs:detail", job_id=job.pk)
    return render(request, "members/member_import.html", {"form": form})


@workbench_required
def member_import_template(request):
    return xlsx_response(imports.template_xlsx(), filename="会员导入模板.xlsx")


@workbench_required
@require_http_methods(["GET", "POST"])
def member_detail(request, membership_id: int):
    membership = selectors.membership_get_for(actor=request.user, membership_id=membership_id)
    if request.method == "POST" and "tag" in request.POST:
        return _decision(request, lambda: services.member_tag_set(actor=request.user, membership=membership,
                                                                  add=[request.POST["tag"]], remove=request.POST.getlist("remove")),
                         success="标签已更新", back=reverse("members:detail", args=[membership.pk]))
    if request.method == "POST":
        return _decision(request, lambda: services.member_star_award(
            actor=request.user, membership=membership, year=timezone.localdate().year,
            stars=posted_int(request.POST.get("stars")), reason=request.POST.get("reason", "")),
            success="已评定星级会员", back=reverse("members:detail", args=[membership.pk]))
    return render(request, "members/member_detail.html", {"m": membership, "employment": getattr(membership.person, "employment", None),
                                                          "awards": membership.star_awards.all(), "tags": membership.tags.all()})


@workbench_required
def application_queue(request):
    holding = {"1": True, "0": False}.get(request.GET.get("pool", ""))
    union = org_selectors.org_get_for(actor=request.user, org_id=request.GET["union"]) if request.GET.get("union", "").isdigit() else None
    applications = selectors.application_queue(actor=request.user, status=request.GET.get("status", "pending"), holding_pool=holding,
                                               union=union, q=request.GET.get("q", ""))
    calendar, now = work_calendar(), timezone.now()
    page = paginate(request, applications, per_page=20)
    for application in page:
        application.working_days_left = working_days_between(calendar, now, application.due_at)
        application.overdue = application.due_at < now
    return render(request, "members/application_queue.html", {"page": page, "filters": request.GET})


@workbench_required
@require_POST
def applications_approve(request):
    """批量通过: the ticked applications, each approved on its own (audited, the applicant told); the summary names
    every one that was not, with the reason."""
    back = safe_next_url(request, request.POST.get("next"), reverse("members:applications"))
    try:
        outcomes = services.applications_approve(actor=request.user, application_ids=request.POST.getlist("ids"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    approved = [outcome for outcome in outcomes if not outcome.refused]
    refused = [outcome for outcome in outcomes if outcome.refused]
    named = {str(a.pk): f"{mask_name(a.person.name)}（{a.union.name}）"
             for a in selectors.application_queue(actor=request.user, status="").filter(pk__in=[o.application_id for o in refused if o.application_id.isdigit()])}
    if approved:
        messages.success(request, f"已通过 {len(approved)} 份入会申请，已通知申请人")
    for outcome in refused:
        messages.error(request, f"{named.get(outcome.application_id, f'申请 #{outcome.application_id}')}未通过：{outcome.refused}")
    return redirect(back)


def _decision(request, action, *, success: str, back: str):
    try:
        action()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(safe_next_url(request, request.POST.get("next"), back))


@workbench_required
@require_POST
def application_decide(request, application_id: int):
    verb = request.POST.get("decision")
    back = reverse("members:applications")
    if verb == "approve":
        return _decision(request, lambda: services.application_approve(actor=request.user, application_id=application_id),
                         success="已通过，已通知申请人", back=back)
    if verb == "reject":
        return _decision(request, lambda: services.application_reject(actor=request.user, application_id=application_id,
                                                                      reason=request.POST.get("reason", "")), success="已退回，已通知申请人", back=back)

    def reroute():
        selectors.application_get_for(actor=request.user, application_id=application_id)  # an unknown id before a bad code
        union = org_selectors.org_get_by_code_for(actor=request.user, code=request.POST.get("union_code", ""))
        services.application_reroute(actor=request.user, application_id=application_id, union=union, note=request.POST.get("reason", ""))

    return _decision(request, reroute, success="已转至新的受理工会", back=back)


@workbench_required
@require_POST
def join_policy(request):
    org = org_selectors.org_get_for(actor=request.user, org_id=request.POST.get("org"))
    auto = request.POST.get("auto_approve") == "on"
    return _decision(request, lambda: services.join_policy_set(actor=request.user, org=org, auto_approve=auto),
                     success=f"{org.name}：{'自动通过' if auto else '人工审核'}入会申请", back=reverse("members:join_codes"))


@workbench_required
def transfer_queue(request):
    page = paginate(request, selectors.transfer_queue(actor=request.user, status=request.GET.get("status", "pending")), per_page=20)
    return render(request, "members/transfer_queue.html", {"page": page})


@workbench_required
@require_POST
def transfer_decide(request, transfer_id: int):
    accept = request.POST.get("decision") == "accept"
    return _decision(request, lambda: services.transfer_decide(actor=request.user, transfer_id=transfer_id, accept=accept,
                                                               reason=request.POST.get("reason", "")),
                     success="已接收转入" if accept else "已拒绝，已通知会员和转出工会", back=reverse("members:transfers"))


@workbench_required
def appeal_queue(request):
    page = paginate(request, selectors.appeal_queue(actor=request.user, status=request.GET.get("status", "pending")), per_page=20)
    return render(request, "members/appeal_queue.html", {"page": page})


@workbench_required
def appeal_evidence(request, appeal_id: int):
    """The appellant's proof (ID photos): only for cadres who decide the appeal, and every look is audited."""
    appeal = selectors.appeal_queue(actor=request.user, status="").filter(pk=appeal_id).first()
    if appeal is None or not appeal.evidence:
        raise NotFound()
    audit_log(actor=request.user, action="members.appeal.evidence_viewed", obj=appeal, org_path=appeal.membership.union.path)
    return download_response(appeal.evidence, filename=appeal.evidence.name.rsplit("/", 1)[-1])


@workbench_required
@require_POST
def appeal_decide(request, appeal_id: int):
    upheld = request.POST.get("decision") == "upheld"
    return _decision(request, lambda: services.appeal_decide(actor=request.user, appeal_id=appeal_id, upheld=upheld,
                                                             note=request.POST.get("note", "")),
                     success="已处理申诉，双方已收到通知", back=reverse("members:appeals"))


@workbench_required
@require_http_methods(["GET", "POST"])
def join_codes(request):
    """Every eligible union in scope (searched, a page at a time), with its code, scans, downloads and review setting; the
    button makes the missing codes of every union the search finds, not only of the page shown."""
    q = request.GET.get("q", "")
    orgs = selectors.join_code_orgs(actor=request.user, q=q)
    if request.method == "POST":
        return _decision(request, lambda: services.join_codes_create(actor=request.user, orgs=orgs),
                         success="已为尚无入会码的工会生成入会码", back=request.get_full_path())
    page = paginate(request, orgs, per_page=JOIN_CODES_PER_PAGE)
    crumbs = org_selectors.org_breadcrumbs(orgs=list(page))
    rows = [(org, getattr(org, "join_code", None), crumbs[org.pk]) for org in page]
    policies = {org.pk: getattr(org, "join_policy", None) and org.join_policy.auto_approve for org in page}
    return render(request, "members/join_codes.html", {"codes": rows, "policies": policies, "q": q, "page": page,
                                                       "missing": orgs.filter(join_code__isnull=True).count()})


JOIN_CODES_PER_PAGE = 50


@workbench_required
def join_code_download(request, org_id: int, fmt: str):
    org = org_selectors.org_get_for(actor=request.user, org_id=org_id)
    code = JoinCode.objects.filter(org=org).first()
    if code is None:
        raise NotFound()
    url = request.build_absolute_uri(reverse("members_h5:code", args=[code.token]))
    if fmt == "png":
        return HttpResponse(join_qr_png(url), content_type="image/png", headers=_attachment(f"{org.name}-入会码.png"))
    if fmt == "svg":
        return HttpResponse(join_qr_svg(url), content_type="image/svg+xml", headers=_attachment(f"{org.name}-入会码.svg"))
    return HttpResponse(join_poster_pdf(union_name=org.name, url=url), content_type="application/pdf",
                        headers=_attachment(f"{org.name}-入会海报.pdf"))


def _attachment(filename: str) -> dict:
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"}


@workbench_required
@require_http_methods(["GET", "POST"])
def verify_card(request):
    """扫码验卡: paste or scan the card QR's text; shows masked name, union and status, or why it is refused."""
    services.card_verifier_check(actor=request.user)
    result, error = None, ""
    if request.method == "POST":
        try:
            result = services.card_verify(actor=request.user, token=request.POST.get("token", ""))
        except ApplicationError as exc:
            error = exc.message
    return render(request, "members/verify_card.html", {"result": result, "error": error,
                                                        "masked_name": mask_name(result.person.name) if result else ""})


@workbench_required
@require_http_methods(["GET", "POST"])
def segment_builder(request):
    """用户画像: filters with a live count over the current org, saved as a segment other features use by id.

    One form holds the filters and the name, so a save posts exactly the filters on screen; the live count is the same
    form sent by htmx as a GET (name and token left out), which also puts the filters in the address bar. A refused save
    shows the builder again with everything the cadre chose and typed."""
    params = request.POST if request.method == "POST" else request.GET
    org = _acting_org(request)
    result = _segment_result(request, params, org)
    saving = request.method == "POST" and "refresh" not in request.POST  # 刷新结果 (also Enter in a box) only shows the count
    if saving and not result["error"]:
        try:
            segment = segments.segment_save(actor=request.user, name=request.POST.get("name", ""), org=org, filters=result["filters"])
        except ApplicationError as exc:
            result["name_error"] = exc.message
        else:
            messages.success(request, f"已保存分群“{segment.name}”")
            return redirect("members:segment_detail", segment_id=segment.pk)
    elif saving:
        result["name_error"] = "请先改正上面的筛选条件再保存"
    if is_htmx(request) and request.headers.get("HX-History-Restore-Request") != "true":
        response = render(request, "members/_segment_result.html", result)
        patch_vary_headers(response, ["HX-Request"])  # the address bar holds this URL: Back must not show the fragment
        return response
    tags = segments.segment_tag_choices(actor=request.user, org=org)
    chosen_org = segments.segment_org_chosen(actor=request.user, org=org, org_id=params.get("within"))
    org_choices, more_orgs = segments.segment_org_choices(actor=request.user, org=org)
    context = {**result, "org": org, "values": params, "name": params.get("name", "") if request.method == "POST" else "",
               "chosen_tags": segments.tag_values(params), "tag_choices": list(dict.fromkeys(tags + segments.tag_values(params))),
               "org_choices": org_choices, "more_orgs": more_orgs, "chosen_org": chosen_org,
               "industries": Industry.choices, "forms": NewFormType.choices, "statuses": MembershipStatus.choices,
               "status_value": params.get("status", MembershipStatus.ACTIVE)}
    response = render(request, "members/segments.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _segment_result(request, params, org) -> dict:
    """The live count and a masked sample for these filters, or why they are refused."""
    try:
        filters = segments.SegmentFilters.from_params(params)
        members = segments.segment_members(actor=request.user, filters=filters, org=org)
        return {"filters": filters, "count": members.count(), "sample": list(members[:10]), "error": "", "fields": {}}
    except ApplicationError as exc:
        return {"filters": None, "count": None, "sample": [], "error": exc.message, "fields": exc.fields}


@workbench_required
def segment_org_options(request):
    """The builder's org picker: <option>s for a name/code search (or the tree of places when it is empty), the current choice kept."""
    org = _acting_org(request)
    orgs, more = segments.segment_org_choices(actor=request.user, org=org, q=request.GET.get("org_q", ""))
    chosen = segments.segment_org_chosen(actor=request.user, org=org, org_id=request.GET.get("within"))
    return render(request, "members/_segment_org_options.html", {"org": org, "org_choices": orgs, "more_orgs": more,
                                                                  "chosen_org": chosen, "searching": bool(request.GET.get("org_q", "").strip())})


@workbench_required
def segment_list(request):
    """已保存的分群: search by name, a page at a time."""
    q = request.GET.get("q", "")
    page = paginate(request, segments.segment_list(actor=request.user, q=q), per_page=20)
    return render(request, "members/segment_list.html", {"page": page, "q": q})


@workbench_required
def segment_detail(request, segment_id: int):
    segment = segments.segment_get_for(actor=request.user, segment_id=segment_id)
    return render(request, "members/segment_detail.html", _segment_detail_context(request, segment))


def _segment_detail_context(request, segment, **extra) -> dict:
    filters = segments.segment_filters(segment)
    context = {"segment": segment, "conditions": segments.segment_conditions(actor=request.user, filters=filters),
               "builder_query": urlencode(filters.as_params()), "can_manage": segments.segment_can_manage(actor=request.user, segment=segment),
               "count": None, "sample": [], "error": "", "rename_value": segment.name, "rename_error": ""}
    try:
        members = segments.segment_resolve(actor=request.user, segment=segment)
        context.update(count=members.count(), sample=list(members[:10]))
    except ApplicationError as exc:
        context["error"] = exc.message
    return {**context, **extra}


@workbench_required
@require_POST
def segment_rename(request, segment_id: int):
    segment = segments.segment_get_for(actor=request.user, segment_id=segment_id)
    name = request.POST.get("name", "")
    try:
        segments.segment_rename(actor=request.user, segment=segment, name=name)
    except ApplicationError as exc:
        if isinstance(exc, (NotFound, PermissionDenied)):
            raise
        context = _segment_detail_context(request, segment, rename_value=name, rename_error=exc.message)
        return render(request, "members/segment_detail.html", context)
    messages.success(request, "已重命名分群")
    return redirect("members:segment_detail", segment_id=segment.pk)


@workbench_required
@require_POST
def segment_delete(request, segment_id: int):
    segment = segments.segment_get_for(actor=request.user, segment_id=segment_id)
    try:
        segments.segment_delete(actor=request.user, segment=segment)
    except ApplicationError as exc:
        if isinstance(exc, (NotFound, PermissionDenied)):
            raise
        messages.error(request, exc.message)
        return redirect("members:segment_detail", segment_id=segment.pk)
    messages.success(request, f"已删除分群“{segment.name}”")
    return redirect("members:segment_list")


@workbench_required
@require_http_methods(["GET", "POST"])
def prospect_index(request):
    """潜在会员: upload a list to match (as a job); the lists in scope with their coverage."""
    form = ProspectUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        # every job's upload is deleted as soon as it is read (jobs.services), so the plaintext list is never kept
        options = {"org_id": _acting_org(request).pk, "source": form.cleaned_data["source"], "keep_days": form.cleaned_data["keep_days"]}
        job = _queue_upload(request, form, kind="members.prospects", options=options)
        if job is not None:
            return redirect("jobs:detail", job_id=job.pk)
    page = paginate(request, prospects.prospect_lists(actor=request.user), per_page=20)
    return render(request, "members/prospects.html", {"form": form, "page": page})


@workbench_required
def prospect_detail(request, list_id: int):
    prospect_list = prospects.prospect_list_get_for(actor=request.user, list_id=list_id)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(prospects.prospect_targets_xlsx(prospect_list=prospect_list), filename=f"待发展名单-{prospect_list.pk}.xlsx")
    rows = prospects.prospect_summary(prospect_list=prospect_list)
    return render(request, "members/prospect_detail.html", {"list": prospect_list, "rows": rows, "totals": prospects.prospect_totals(rows=rows)})


def _acting_org(request):
    return selectors.acting_org_for(actor=request.user, session=request.session)


@workbench_required
@require_http_methods(["GET", "POST"])
def drive_index(request):
    form = DriveForm(request.POST or None)
    if request.method == "POST":
        _require_manager(request)
    if request.method == "POST" and form.is_valid():
        try:
            drive = drives.drive_create(actor=request.user, org=_acting_org(request), **form.cleaned_data)
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            return redirect("members:drive_detail", drive_id=drive.pk)
    page = paginate(request, drives.drive_list(actor=request.user), per_page=20)
    today = timezone.localdate()
    for drive in page:
        drive.countdown = drives.drive_countdown(drive, today=today)
    return render(request, "members/drives.html", {"form": form, "page": page})


def _progress_chart(*, scope, labels: list[str], counts: list[int], running: list[int], planned: list[int | None], bar: str) -> dict:
    """The data of the "drive-progress" chart (static/js/drive-charts.js), one shape for 周调度 and 月分析; target None for a slice
    without a 分解目标."""
    return {"labels": labels, "counts": counts, "running": running, "planned": planned, "target": scope.target, "bar": bar,
            "unit": "个" if scope.drive.metric == DriveMetric.NEW_UNIONS else "人"}


@workbench_required
@require_http_methods(["GET", "POST"])
def drive_detail(request, drive_id: int):
    """周调度: progress week by week against the target and 序时进度, with the visit log form (the visit kept at the org that made it)."""
    drive = drives.drive_get_for(actor=request.user, drive_id=drive_id)
    orgs = drives.visit_org_choices(actor=request.user, drive=drive)
    current = current_post_for(user=request.user, session=request.session)
    default = next((org for org in orgs if current and org.pk == current.org_id), orgs[0] if orgs else None)
    form = VisitForm(request.POST or None, orgs=orgs, initial={"visited_on": timezone.localdate(), "org": default and default.pk})
    if request.method == "POST":
        _require_manager(request)
    if request.method == "POST" and form.is_valid():
        visit = dict(form.cleaned_data)
        try:
            org = org_selectors.org_get_for(actor=request.user, org_id=visit.pop("org"))
            drives.visit_log_create(actor=request.user, org=org, drive=drive, **visit)
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            messages.success(request, f"已记录{org.name}的走访")
            return redirect(reverse("members:drive_detail", kwargs={"drive_id": drive.pk}) + "#visits")
    standing = drives.drive_standing(actor=request.user, drive=drive)
    scope, progress = standing.scope, standing.progress
    chart = _progress_chart(scope=scope, labels=[week.strftime("%m-%d") for week, _, _ in progress.weekly], bar="本周完成",
                            counts=[count for _, count, _ in progress.weekly], running=[running for _, _, running in progress.weekly],
                            planned=progress.planned)
    weeks = [(week, count, running, planned) for (week, count, running), planned in zip(progress.weekly, progress.planned, strict=True)]
    return render(request, "members/drive_detail.html", {"drive": drive, "scope": scope, "progress": progress, "form": form, "chart": chart,
                                                         "weeks": weeks, "percent": standing.percent, "can_log": bool(orgs),
                                                         "visits": drives.visit_list(scope=scope)[:30], "tab": "weekly",
                                                         "countdown": standing.countdown})


@workbench_required
def drive_monthly(request, drive_id: int):
    """月分析: month by month against the target, the orgs under the scope's root compared (with their visits), visits per month;
    xlsx of each table. A cadre under a higher org's drive sees their slice."""
    drive = drives.drive_get_for(actor=request.user, drive_id=drive_id)
    error = ""
    try:
        analysis = drives.drive_month_analysis(actor=request.user, drive=drive, month=request.GET.get("month"),
                                               within_id=request.GET.get("within"))
    except ApplicationError as exc:
        if isinstance(exc, NotFound):
            raise
        error = exc.message
        analysis = drives.drive_month_analysis(actor=request.user, drive=drive, within_id=request.GET.get("within"))
    export = request.GET.get("export")
    if export in ("months", "orgs") and not error:
        name = "月度完成情况" if export == "months" else f"{analysis.within.name}分解完成情况"
        return xlsx_response(drives.month_analysis_xlsx(analysis=analysis, part=export), filename=f"{drive.name}-{name}-{analysis.month:%Y-%m}.xlsx")
    context = {"drive": drive, "scope": analysis.scope, "analysis": analysis, "error": error, "tab": "monthly",
               "countdown": drives.drive_countdown(drive), **_monthly_charts(analysis)}
    drilled = {"within": analysis.within.pk} if analysis.within != analysis.scope.root else {}
    context["query"] = urlencode({"month": f"{analysis.month:%Y-%m}", **drilled})
    return render(request, "members/drive_monthly.html", context, status=400 if error else 200)


def _monthly_charts(analysis) -> dict:
    months = analysis.months
    progress = _progress_chart(scope=analysis.scope, labels=[f"{m.month:%Y-%m}" for m in months], bar="本月完成",
                               counts=[m.achieved for m in months], running=[m.cumulative for m in months], planned=[m.planned for m in months])
    by_rate = any(row.target for row in analysis.orgs)
    charted = [row for row in analysis.orgs if row.target or not by_rate][:ORG_CHART_ROWS]
    orgs = {"names": [row.org.short_name or row.org.name for row in charted], "achieved": [row.achieved for row in charted],
            "targets": [row.target for row in charted], "rates": [None if row.rate is None else round(row.rate * 100, 1) for row in charted],
            "visits": [row.visits for row in charted], "met": [row.people_met for row in charted], "joined": [row.joined_on_spot for row in charted],
            "planned": round(analysis.planned_rate * 100, 1), "by_rate": by_rate}
    visits = {"labels": progress["labels"], "visits": [m.visits for m in months], "met": [m.people_met for m in months],
              "joined": [m.joined_on_spot for m in months]}
    return {"progress_chart": progress, "orgs_chart": orgs, "visits_chart": visits, "orgs_chart_height": 110 + 32 * max(len(charted), 3),
            "orgs_charted": len(charted), "orgs_chart_title": "各下级完成率与走访（已分解目标的，由低到高）" if by_rate else "各下级累计完成与走访（由少到多）"}


ORG_CHART_ROWS = 25  # the chart shows the slowest 25; the table below it lists every org


@workbench_required
@require_POST
def drive_targets(request, drive_id: int):
    """分解目标: one number per org under the analysed org; blank or 0 takes the share away."""
    _require_manager(request)
    drive = drives.drive_get_for(actor=request.user, drive_id=drive_id, action=drives.MANAGE)  # 403 for a higher org's drive
    back = reverse("members:drive_monthly", args=[drive.pk])
    targets, bad = {}, []
    for key, value in request.POST.items():
        if key.startswith("target-") and key[7:].isdecimal():
            text = value.strip()
            if text and not (text.isascii() and text.isdecimal() and len(text) <= 9):
                bad.append(text[:12])
            else:
                targets[int(key[7:])] = int(text or 0)
    if bad:
        messages.error(request, f"分解目标应为 0 或正整数（“{bad[0]}”不是），未作修改")
        return redirect(safe_next_url(request, request.POST.get("next"), back))
    return _decision(request, lambda: drives.drive_targets_set(actor=request.user, drive=drive, targets=targets),
                     success="已保存分解目标", back=back)


@workbench_required
def union_ledger(request):
    """建会台账: every employer of the org's subtree with its member coverage, worst first; filters, other orders, the 市/区/街道 to
    move to, and the whole filtered list as xlsx."""
    org = ledger.ledger_org(actor=request.user, session=request.session, org_id=request.GET.get("org"))
    filters = ledger.LedgerFilters.from_params(request.GET)
    employers = ledger.employer_coverage(actor=request.user, org=org, filters=filters)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(ledger.coverage_xlsx(employers=employers), filename=f"建会台账-{org.name}.xlsx")
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "members/ledger.html", {
        "org": org, "filters": filters, "sorts": [(key, label) for key, (label, _) in ledger.SORTS.items()],
        "page": ledger.coverage_page(employers=employers, number=request.GET.get("page")), "places": ledger.ledger_places(actor=request.user, org=org),
        "stats": org_selectors.org_subtree_stats(org=org), "large_without_union": ledger.large_without_union_count(org=org),
        "large_headcount": ledger.LARGE_HEADCOUNT, "query": query.urlencode()})


@workbench_required
def star_awards(request):
    """星级会员: the awards in the cadre's subtree by year and star level; names masked on the page and in the export."""
    year, stars = posted_int(request.GET.get("year")) or None, posted_int(request.GET.get("stars")) or None
    within = org_selectors.org_within(actor=request.user, org_id=request.GET.get("within"))
    awards = selectors.star_award_list(actor=request.user, year=year, stars=stars, q=request.GET.get("q", ""), within=within)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(exports.star_awards_xlsx(awards=awards), filename=f"星级会员{f'-{year}年' if year else ''}.xlsx")
    return render(request, "members/star_awards.html", {
        "page": paginate(request, awards, per_page=25), "counts": selectors.star_award_counts(awards=awards),
        "years": selectors.star_award_years(actor=request.user), "levels": range(5, 0, -1),
        "filters": {key: request.GET.get(key, "") for key in ("q", "year", "stars", "within")},
    })
