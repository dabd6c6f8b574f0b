"""分析研判 on the 工作台: the metrics page (rollups only; every figure links to its orders; xlsx), the 态势 map, and the
群体性 alerts (list, one alert with its steps). Each page reads one selector; each step is one service call."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.accounts.selectors import actions_for
from gonghui.analytics import metrics, selectors, services
from gonghui.analytics.forms import RuleForm
from gonghui.analytics.models import ALERTS, RULES, VIEW, AlertState, Level, RuleKind
from gonghui.core.exceptions import ApplicationError
from gonghui.core.permissions import workbench_required
from gonghui.core.spreadsheets import Column, write_xlsx
from gonghui.core.templatetags.gonghui import percent
from gonghui.core.views import form_add_application_error, paginate, posted_int
from gonghui.members.selectors import acting_org_for
from gonghui.orgs import selectors as org_selectors
from gonghui.tickets.models import Topic

EXPORT_COLUMNS = (
    Column("group", "分组"), Column("received", "受理量"), Column("accept_rate", "签收率"), Column("accept_on_time_rate", "按时签收率"),
    Column("close_on_time_rate", "按时办结率"), Column("satisfaction_rate", "满意率"), Column("unreached", "未回访"),
    Column("follow_up_rate", "回访率"), Column("repeat_rate", "重复诉求率"), Column("average_handling_days", "平均办理用时（工作日）"),
)


def _require(request, action: str) -> None:
    if action not in actions_for(user=request.user):
        raise DjangoPermissionDenied


def _within(request):
    org_id = posted_int(request.GET.get("org"))
    return org_selectors.org_get_for(actor=request.user, org_id=org_id) if org_id else acting_org_for(actor=request.user, session=request.session)


@workbench_required
def metrics_page(request):
    """工单统计: the subtree's figures for a period and broken down by one dimension, with the definitions."""
    _require(request, VIEW)
    within = _within(request)
    dimension = request.GET.get("by", "org")
    try:
        period = metrics.Period.parse(request.GET.get("from"), request.GET.get("to"), today=timezone.localdate())
    except ApplicationError as error:
        messages.error(request, error.message)
        period = metrics.Period.parse(None, None, today=timezone.localdate())
    result = metrics.metrics_for(actor=request.user, within=within, period=period, dimension=dimension)
    if request.GET.get("export") == "xlsx":
        return _export(request, result)
    return render(request, "analytics/metrics.html", {
        "m": result, "charts": metrics.charts_for(actor=request.user, within=within, period=period), "definitions": metrics.DEFINITIONS, "dimensions": metrics.DIMENSIONS,
        "orgs": org_selectors.org_places_for(actor=request.user), "query": request.GET.urlencode(),
        "refreshed_at": selectors.rollups_refreshed_at()})


def _export_row(label: str, figures: metrics.Figures) -> dict:
    days = figures.average_handling_days
    return {"group": label, "received": figures.received, "accept_rate": percent(figures.accept_rate),
            "accept_on_time_rate": percent(figures.accept_on_time_rate), "close_on_time_rate": percent(figures.close_on_time_rate),
            "satisfaction_rate": percent(figures.satisfaction_rate), "unreached": figures.unreached,
            "follow_up_rate": percent(figures.follow_up_rate), "repeat_rate": percent(figures.repeat_rate),
            "average_handling_days": f"{days:.1f}" if days is not None else "—"}


def _export(request, result: metrics.Metrics) -> HttpResponse:
    rows = [_export_row(f"合计（{result.within.name}）", result.total)] + [_export_row(label, figures) for label, figures in result.groups]
    content = write_xlsx(columns=EXPORT_COLUMNS, rows=rows, sheet_name="工单统计")
    services.metrics_exported(actor=request.user, within=result.within, first=result.period.first, last=result.period.last,
                              dimension=result.dimension, rows=len(rows))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename=ticket-metrics-{result.period.first:%Y%m%d}-{result.period.last:%Y%m%d}.xlsx"
    return response


@workbench_required
def map_page(request):
    """劳动关系态势图: the province by city; a city's districts on click (the JSON below), markers where no boundary exists."""
    _require(request, VIEW)
    within = _within(request)
    return render(request, "analytics/map.html", {"view": selectors.map_view(actor=request.user, within=within),
                                                   "data_url": reverse("analytics:map_data")})


@workbench_required
def map_data(request):
    """The figures of the regions under one org (`?org=`), for the map's drill-down."""
    _require(request, VIEW)
    view = selectors.map_view(actor=request.user, within=_within(request))
    return JsonResponse(view.as_json())


@workbench_required
def alert_list(request):
    _require(request, ALERTS)
    state, level, q = request.GET.get("state", "open"), request.GET.get("level", ""), request.GET.get("q", "")
    alerts = selectors.alert_list(actor=request.user, state=state, level=level, q=q)
    return render(request, "analytics/alerts.html", {
        "page": paginate(request, alerts, per_page=25), "state": state, "level": level, "q": q,
        "states": [("open", "未解除"), *AlertState.choices, ("all", "全部")], "levels": Level.choices,
        "query": "&".join(f"{key}={value}" for key, value in (("state", state), ("level", level), ("q", q)) if value)})


@workbench_required
def alert_detail(request, alert_id):
    _require(request, ALERTS)
    alert = selectors.alert_get_for(actor=request.user, alert_id=alert_id)
    return render(request, "analytics/alert.html", selectors.alert_page(actor=request.user, alert=alert))


@workbench_required
@require_POST
def alert_act(request, alert_id):
    """One step of the alert's flow: a note, 转入处置 or 解除, each with its text."""
    _require(request, ALERTS)
    op, text = request.POST.get("op", ""), request.POST.get("text", "")
    steps = {"note": services.alert_note, "handle": services.alert_start_handling, "resolve": services.alert_resolve}
    try:
        if op not in steps:
            raise ApplicationError("不支持的操作", code="analytics.op_invalid")
        steps[op](actor=request.user, alert_id=alert_id, text=text)
    except ApplicationError as error:
        alert = selectors.alert_get_for(actor=request.user, alert_id=alert_id)
        context = selectors.alert_page(actor=request.user, alert=alert)
        context.update(error=error.message, failed_op=op, posted_text=text)
        return render(request, "analytics/alert.html", context, status=400)
    messages.success(request, {"note": "已记录", "handle": "已转入处置", "resolve": "预警已解除"}[op])
    return redirect("analytics:alert", alert_id=alert_id)


@workbench_required
def rule_list(request):
    """预警规则: search by name or org, filter by kind and 启用/停用, 25 a page."""
    _require(request, RULES)
    filters = {"q": request.GET.get("q", ""), "kind": request.GET.get("kind", ""), "active": request.GET.get("active", "")}
    return render(request, "analytics/rules.html", {
        "page": paginate(request, selectors.rule_list(actor=request.user, **filters), per_page=25), "filters": filters,
        "kinds": RuleKind.choices, "topics": dict(Topic.choices), "back": request.GET.urlencode()})


def _rule_form_page(request, form: RuleForm, *, rule=None):
    title = f"修改预警规则：{rule.name}" if rule else "新建预警规则"
    return render(request, "analytics/rule_form.html", {"form": form, "title": title, "rule": rule}, status=400 if form.errors else 200)


@workbench_required
@require_http_methods(["GET", "POST"])
def rule_new(request):
    _require(request, RULES)
    form = RuleForm(request.POST or None, orgs=selectors.rule_orgs(actor=request.user), initial={"window_days": 7, "rise_percent": 100})
    if request.method == "POST" and form.is_valid():
        try:
            rule = services.rule_create(actor=request.user, org_id=form.cleaned_data["org"], data=form.rule_input())
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, f"已新建预警规则“{rule.name}”，即日起生效")
            return redirect("analytics:rules")
    return _rule_form_page(request, form)


@workbench_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, rule_id):
    _require(request, RULES)
    rule = selectors.rule_get_for(actor=request.user, rule_id=rule_id)
    initial = {name: getattr(rule, name) for name in ("name", "kind", "topic", "window_days", "yellow", "orange", "red", "rise_percent")}
    form = RuleForm(request.POST or None, orgs=[rule.org], editing=True, initial={**initial, "org": rule.org_id})
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_update(actor=request.user, rule_id=rule.pk, data=form.rule_input())
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, "已保存")
            return redirect("analytics:rules")
    return _rule_form_page(request, form, rule=rule)


@workbench_required
@require_POST
def rule_active(request, rule_id):
    """停用 or 启用 a rule from the list."""
    _require(request, RULES)
    rule = selectors.rule_get_for(actor=request.user, rule_id=rule_id)  # out of scope: the 404 page, not a message
    active = request.POST.get("active") == "1"
    try:
        rule = services.rule_set_active(actor=request.user, rule_id=rule.pk, active=active)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已{'启用' if active else '停用'}预警规则“{rule.name}”")
    return redirect(f"{reverse('analytics:rules')}?{request.POST.get('back', '')}")
