"""分析研判 API: the metrics page's figures (rollups only, the same definitions), the 群体性 alerts with their flow
研判 → 处置 → 解除, and the 态势 map's regions. Scoped like the pages: an org or alert outside the caller's subtree is the
same 404 as a missing one; a caller without the action (a key issued without it) is refused with 403."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from gonghui.analytics import metrics, selectors, services
from gonghui.analytics.models import ALERTS, VIEW, Alert, AlertState, Level
from gonghui.core.access import reach
from gonghui.core.api import BodyIn, PageRows, Pages
from gonghui.core.exceptions import NotFound, PermissionDenied

router = Router(tags=["分析研判"])

ACTION_LABELS = {VIEW: "查看统计分析与态势图", ALERTS: "研判处置群体性预警"}


def _require(request, action: str) -> None:
    if reach(request.user, action) == []:
        raise PermissionDenied(f"没有“{ACTION_LABELS[action]}”权限（{action}）")


def _codes(choices) -> str:
    return "、".join(f"{value} {label}" for value, label in choices.choices)


class FiguresOut(Schema):
    received: int = Field(title="受理量")
    dispatched: int = Field(title="已派单")
    accepted: int = Field(title="已签收")
    accepted_on_time: int = Field(title="按时签收")
    closed: int = Field(title="已办结")
    closed_on_time: int = Field(title="按时办结")
    follow_up_due: int = Field(title="应回访")
    rated: int = Field(title="回访成功", description="满意 + 基本满意 + 不满意")
    satisfied: int = Field(title="满意")
    basic: int = Field(title="基本满意")
    dissatisfied: int = Field(title="不满意")
    unreached: int = Field(title="未回访", description="联系不上；不计入满意率")
    repeated: int = Field(title="重复诉求")
    open: int = Field(title="未办结")
    accept_rate: float | None = Field(title="签收率", description="0–1；分母为 0 时为 null")
    accept_on_time_rate: float | None = Field(title="按时签收率")
    close_on_time_rate: float | None = Field(title="按时办结率")
    satisfaction_rate: float | None = Field(title="满意率")
    follow_up_rate: float | None = Field(title="回访率")
    repeat_rate: float | None = Field(title="重复诉求率")
    average_handling_days: float | None = Field(title="平均办理用时（工作日）")
    orders_url: str = Field(title="工单清单", description="工作台上这些数字所计工单的清单（相对地址）")


class GroupOut(Schema):
    label: str = Field(title="分组")
    figures: FiguresOut = Field(title="该分组的数字")


class MetricsOut(Schema):
    org_id: int = Field(title="统计单位 id")
    org_name: str = Field(title="统计单位")
    first: dt.date = Field(title="开始日期（受理日期，含）")
    last: dt.date = Field(title="结束日期（含）")
    by: str = Field(title="分组维度")
    total: FiguresOut = Field(title="合计")
    groups: list[GroupOut] = Field(title="分组数字", description="受理量从大到小")
    definitions: dict[str, str] = Field(title="统计口径")
    refreshed_at: dt.datetime | None = Field(None, title="日汇总更新时间")


def _figures(figures: metrics.Figures) -> dict:
    return {**figures.counts, "accept_rate": figures.accept_rate, "accept_on_time_rate": figures.accept_on_time_rate,
            "close_on_time_rate": figures.close_on_time_rate, "satisfaction_rate": figures.satisfaction_rate,
            "follow_up_rate": figures.follow_up_rate, "repeat_rate": figures.repeat_rate,
            "average_handling_days": figures.average_handling_days, "orders_url": figures.url()}


@router.get("/analytics/metrics", response=MetricsOut, summary="工单统计",
            description="统计单位及下级在统计期内受理的工单数字，与工作台“工单统计”页同一口径，读自工单日汇总。")
def metrics_get(request, org_id: int | None = Query(None, description="统计单位 id；省略为调用者所在单位"),
                first: str = Query("", alias="from", description="开始日期 YYYY-MM-DD；省略为本月 1 日"),
                last: str = Query("", alias="to", description="结束日期 YYYY-MM-DD；省略为今天"),
                by: str = Query("org", description="、".join(f"{key} {label}" for key, label in metrics.DIMENSIONS.items()))):
    _require(request, VIEW)
    within = selectors.within_for(actor=request.user, org_id=org_id)
    period = metrics.Period.parse(first or None, last or None, today=timezone.localdate())
    result = metrics.metrics_for(actor=request.user, within=within, period=period, dimension=by)
    return {"org_id": within.pk, "org_name": within.name, "first": period.first, "last": period.last, "by": result.dimension,
            "total": _figures(result.total), "groups": [{"label": label, "figures": _figures(f)} for label, f in result.groups],
            "definitions": dict(metrics.DEFINITIONS), "refreshed_at": selectors.rollups_refreshed_at()}


class AlertOut(Schema):
    id: int = Field(title="预警 id")
    level: str = Field(title="等级", description=_codes(Level))
    state: str = Field(title="状态", description=_codes(AlertState))
    subject: str = Field(title="预警对象")
    rule: str = Field(title="预警规则")
    district: str = Field(title="所在区/县（镇）")
    people: int = Field(title="反映人数")
    workers: int = Field(title="涉及人数")
    orders: int = Field(title="工单数")
    summary: str = Field(title="摘要")
    due_at: dt.datetime | None = Field(None, title="本环节期限")
    created_at: dt.datetime = Field(title="发出时间")
    resolved_at: dt.datetime | None = Field(None, title="解除时间")


class NoteOut(Schema):
    at: dt.datetime = Field(title="时间")
    kind: str = Field(title="环节")
    step: str = Field(title="环节名称")
    actor: str = Field(title="操作人")
    text: str = Field(title="内容")


class RouteOut(Schema):
    org_id: int = Field(title="接收单位 id")
    org_name: str = Field(title="接收单位")
    line: str = Field(title="防线", description="source 企业源头、sector 行业缓冲、district 区街阻截")


class AlertDetailOut(AlertOut):
    notes: list[NoteOut] = Field(title="研判处置记录")
    routes: list[RouteOut] = Field(title="分送单位")
    ticket_ids: list[int] = Field(title="调用者可查看的相关工单 id", description="本单位工会等无权查看的工单不列出")
    hidden: int = Field(title="无权查看的相关工单数")
    can: list[str] = Field(title="调用者可做的操作", description="note 记录、handle 转入处置、resolve 解除")


def _alert(alert: Alert) -> dict:
    return {"id": alert.pk, "level": alert.level, "state": alert.state, "subject": alert.subject, "rule": alert.rule.name,
            "district": alert.district.name if alert.district_id else "", "people": alert.people, "workers": alert.workers,
            "orders": alert.orders, "summary": services.summary(alert), "due_at": alert.due_at, "created_at": alert.created_at,
            "resolved_at": alert.resolved_at}


def _detail(request, alert_id) -> dict:
    alert = selectors.alert_get_for(actor=request.user, alert_id=alert_id)
    page = selectors.alert_page(actor=request.user, alert=alert)
    can = [op for op, flag in (("note", page["can_note"]), ("handle", page["can_handle"]), ("resolve", page["can_resolve"])) if flag]
    return {**_alert(alert), "hidden": page["hidden"], "can": can, "ticket_ids": [ticket.pk for ticket in page["tickets"]],
            "notes": [{"at": n.at, "kind": n.kind, "step": n.get_kind_display(), "actor": n.actor_name, "text": n.text} for n in page["notes"]],
            "routes": [{"org_id": r.org_id, "org_name": r.org.name, "line": r.line} for r in page["routes"]]}


@router.get("/analytics/alerts", response=list[AlertOut], summary="群体性预警列表",
            description="分送到调用者管辖范围（及其上级）的预警：未解除的在前，红色在前，期限近的在前。")
@paginate(Pages, page_size=25)
def alert_list(request, state: str = Query("open", description="open 未解除、all 全部，或 " + _codes(AlertState)),
               level: str = Query("", description=_codes(Level)), q: str = Query("", description="单位名称（包含）或统一社会信用代码")):
    _require(request, ALERTS)
    return PageRows(selectors.alert_list(actor=request.user, state=state, level=level, q=q), lambda rows: [_alert(alert) for alert in rows])


@router.get("/analytics/alerts/{alert_id}", response=AlertDetailOut, summary="群体性预警详情",
            description="含研判处置记录、分送单位与调用者可做的操作；管辖范围外的与不存在的一样返回 404。")
def alert_detail(request, alert_id: int = Path(description="预警 id")):
    _require(request, ALERTS)
    return _detail(request, alert_id)


class StepIn(BodyIn):
    text: str = Field(title="内容", description="记录内容；转入处置时为研判意见和处置措施，解除时为处置结果（至少 5 个字）")


STEPS = {"notes": services.alert_note, "handle": services.alert_start_handling, "resolve": services.alert_resolve}


@router.post("/analytics/alerts/{alert_id}/{step}", response=AlertDetailOut, summary="预警研判处置",
             description="step：notes 添加研判处置记录（分送单位均可）；handle 研判 → 处置、resolve 处置 → 解除"
                         "（属地区/县（镇）、街道工会或其上级）。不在可做操作之列的返回 403 或 400。")
def alert_step(request, payload: StepIn, alert_id: int = Path(description="预警 id"),
               step: str = Path(description="notes、handle 或 resolve")):
    _require(request, ALERTS)
    if step not in STEPS:
        raise NotFound()
    STEPS[step](actor=request.user, alert_id=alert_id, text=payload.text)
    return _detail(request, alert_id)


class RegionOut(Schema):
    org_id: int = Field(title="组织 id")
    name: str = Field(title="名称")
    code: str = Field(title="行政区划代码")
    open_orders: int = Field(title="在办工单")
    alerts: int = Field(title="未解除预警")
    received: int = Field(title="近 30 日受理")
    members: int = Field(title="会员数")
    per_10k: float | None = Field(None, title="每万名会员诉求数")
    url: str = Field(title="下级数据（工作台地址）", description="无下级时为空")
    orders_url: str = Field(title="工单清单（工作台地址）")


class MapOut(Schema):
    org_id: int = Field(title="组织 id")
    org_name: str = Field(title="组织")
    code: str = Field(title="行政区划代码")
    parent_id: int | None = Field(None, title="上级组织 id", description="调用者可查看时给出")
    geo: str = Field(title="边界文件代码", description="44 全省各市；4401 等某市各区；空为无边界")
    regions: list[RegionOut] = Field(title="下级地区")


@router.get("/analytics/map", response=MapOut, summary="劳动关系态势图数据",
            description="某组织下一级地区（省下为市，市下为区/县，东莞、中山为镇/街道）的在办工单、未解除预警、近 30 日受理与每万名会员诉求数。")
def map_get(request, org_id: int | None = Query(None, description="组织 id；省略为调用者所在单位")):
    _require(request, VIEW)
    view = selectors.map_view(actor=request.user, within=selectors.within_for(actor=request.user, org_id=org_id))
    data = view.as_json()
    return {"org_id": view.within.pk, "org_name": view.within.name, "code": view.within.division_code or "", "parent_id": view.parent_id,
            "geo": view.geo, "regions": data["regions"]}
