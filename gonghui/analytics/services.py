"""Writes of the analytics app: raising and escalating 群体性 alerts (`alerts_evaluate`, huey every 10 minutes), their flow
研判 → 处置 → 解除 with notes and deadlines, and the audit of a metrics export. Every write is audited."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from gonghui.analytics import warning
from gonghui.analytics.models import ALERTS, LEVEL_RANK, RULES, OPEN_ALERT_STATES, Alert, AlertNote, AlertRoute, AlertRule, AlertState, Level, Line, NoteKind, RuleKind
from gonghui.audit.services import audit_log
from gonghui.core.access import covers, reach
from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.core.locking import lock_row
from gonghui.notify.services import notify
from gonghui.orgs.models import Org
from gonghui.tickets.models import Topic
from gonghui.worktime.calendar import work_calendar
from gonghui.worktime.deadlines import LimitUnit, deadline

# How long each step may take, by level (ours; decision 0021): 研判 from raising, 处置 from the 研判 conclusion.
JUDGE_LIMIT = {Level.RED: (4, LimitUnit.WORKING_HOURS), Level.ORANGE: (1, LimitUnit.WORKING_DAYS), Level.YELLOW: (2, LimitUnit.WORKING_DAYS)}
HANDLE_LIMIT = {Level.RED: (3, LimitUnit.WORKING_DAYS), Level.ORANGE: (5, LimitUnit.WORKING_DAYS), Level.YELLOW: (10, LimitUnit.WORKING_DAYS)}


def _due(level: str, limits: dict, at: dt.datetime) -> dt.datetime:
    amount, unit = limits[level]
    return deadline(work_calendar(), at, amount, unit)


def _link(alert: Alert) -> str:
    try:
        return reverse("analytics:alert", kwargs={"alert_id": alert.pk})
    except NoReverseMatch:
        return ""


def _org_users(org: Org) -> list:
    """Active users with a post at this org whose role handles alerts."""
    return [post.user for post in org.posts.filter(user__is_active=True).select_related("user", "role") if ALERTS in post.role.permissions]


def _tell(alert: Alert, *, what: str) -> None:
    due = timezone.localtime(alert.due_at).strftime("%Y-%m-%d %H:%M") if alert.due_at else "—"
    for route in alert.routes.select_related("org"):
        for user in _org_users(route.org):
            notify(recipient=user, template_code="analytics.alert", dedupe_key=f"alert:{alert.pk}:{alert.level}:{what}:{user.pk}",
                   params={"level": alert.get_level_display(), "subject": alert.subject, "what": what, "line": route.get_line_display(),
                           "summary": summary(alert), "due": due}, link=_link(alert))


def summary(alert: Alert) -> str:
    topic = Topic(alert.rule.topic).label if alert.rule.topic else "各类问题"
    return f"{alert.rule.window_days}日内{alert.people}人反映{topic}，涉及约{alert.workers}人，共{alert.orders}件工单"


def _note(alert: Alert, kind: str, *, actor=None, text: str = "", at: dt.datetime | None = None) -> AlertNote:
    return AlertNote.objects.create(alert=alert, kind=kind, actor=actor, actor_name=str(actor) if actor else "系统", text=text,
                                    at=at or timezone.now())


def _audit(actor, verb: str, alert: Alert, **data) -> None:
    district = alert.district.path if alert.district_id else ""
    audit_log(actor=actor, action=f"analytics.alert.{verb}", obj=alert, org_path=district, data=data)


# ---------------------------------------------------------------- raising


def alerts_evaluate(*, now: dt.datetime | None = None) -> list[Alert]:
    """Run every active rule; raise an alert for each new subject at a level, raise the level of an open one whose count
    grew past the next threshold. Returns the alerts raised or escalated."""
    now = now or timezone.now()
    changed = []
    for rule in AlertRule.objects.filter(is_active=True).select_related("org").order_by("pk"):
        for finding in warning.findings(rule, now=now):
            level = warning.level_for(rule, finding.count)
            if level is not None:
                alert = _raise(rule, finding, level, now)
                if alert is not None:
                    changed.append(alert)
    return changed


def _counts(alert: Alert, finding: warning.Finding) -> None:
    alert.people, alert.workers, alert.orders, alert.count = finding.people, finding.workers, len(finding.ticket_ids), finding.count


@transaction.atomic
def _raise(rule: AlertRule, finding: warning.Finding, level: str, now: dt.datetime) -> Alert | None:
    current = Alert.objects.select_for_update().filter(rule=rule, subject_key=finding.subject_key, state__in=OPEN_ALERT_STATES).first()
    if current is not None:
        return _escalate(current, finding, level, now)
    alert = Alert(rule=rule, subject_key=finding.subject_key, subject=finding.subject[:200], employer=finding.employer,
                  district=finding.district, industry=finding.industry, level=level, about_union=finding.about_union,
                  new_form=bool(finding.new_form_type), due_at=_due(level, JUDGE_LIMIT, now))
    _counts(alert, finding)
    try:
        with transaction.atomic():
            alert.save()
    except IntegrityError:  # another run raised it in the same instant: that one stands
        return None
    for route in warning.routes_for(finding):
        AlertRoute.objects.create(alert=alert, org=route.org, line=route.line, reason=route.reason)
    alert.tickets.set(finding.ticket_ids)
    _note(alert, NoteKind.RAISED, text=f"{alert.get_level_display()}预警：{summary(alert)}", at=now)
    _audit(None, "raised", alert, level=level, count=finding.count, rule=rule.name,
           routes=[route.org.name for route in alert.routes.select_related("org")])
    _tell(alert, what="发出")
    return alert


def _escalate(alert: Alert, finding: warning.Finding, level: str, now: dt.datetime) -> Alert | None:
    _counts(alert, finding)
    alert.tickets.add(*finding.ticket_ids)
    if LEVEL_RANK[level] <= LEVEL_RANK[alert.level]:
        alert.save(update_fields=["people", "workers", "orders", "count", "updated_at"])
        return None
    before, alert.level = alert.level, level
    if alert.state == AlertState.JUDGING:
        alert.due_at = min(alert.due_at, _due(level, JUDGE_LIMIT, now)) if alert.due_at else _due(level, JUDGE_LIMIT, now)
    alert.save()
    _note(alert, NoteKind.RAISED_LEVEL, text=f"由{Level(before).label}升为{alert.get_level_display()}：{summary(alert)}", at=now)
    _audit(None, "escalated", alert, level=level, before=before, count=finding.count)
    _tell(alert, what="升级")
    return alert


# ---------------------------------------------------------------- the flow


def _locked(actor, alert_id) -> Alert:
    alert = Alert.objects.restrict_get(actor, ALERTS, alert_id)  # one NotFound for missing and out of scope
    return lock_row(Alert.objects.select_related("rule", "district"), alert.pk, required=True)


def _text(text: str, *, label: str, minimum: int = 2) -> str:
    text = (text or "").strip()
    if len(text) < minimum:
        raise ApplicationError(f"请填写{label}（至少 {minimum} 个字）", code="analytics.text_missing", fields={"text": f"请填写{label}"})
    if len(text) > 1000:
        raise ApplicationError(f"{label}不能超过 1000 个字", code="analytics.text_too_long", fields={"text": "不能超过 1000 个字"})
    return text


def can_steer(actor, alert: Alert) -> bool:
    """研判 conclusions and 解除 belong to the 区街阻截 line (the district or town it was routed to) and the orgs above it;
    the employer's union and the 行业工会联合会 add notes."""
    paths = reach(actor, ALERTS)
    if paths is None:
        return True
    steering = alert.routes.filter(line=Line.DISTRICT).values_list("org__path", flat=True)
    return any(org_path.startswith(path) for org_path in steering for path in paths)


def _require_open(alert: Alert, doing: str) -> None:
    if not alert.is_open:
        raise ApplicationError(f"预警已解除，不能{doing}", code="analytics.alert_closed")


@transaction.atomic
def alert_note(*, actor, alert_id, text: str) -> AlertNote:
    """研判处置记录 by anyone the alert was routed to (or above)."""
    alert = _locked(actor, alert_id)
    _require_open(alert, "再记录")
    note = _note(alert, NoteKind.NOTE, actor=actor, text=_text(text, label="记录内容"))
    alert.save(update_fields=["updated_at"])
    _audit(actor, "noted", alert)
    return note


@transaction.atomic
def alert_start_handling(*, actor, alert_id, text: str) -> Alert:
    """研判 → 处置: the district's conclusion and what will be done; the 处置 limit starts."""
    alert = _locked(actor, alert_id)
    if not can_steer(actor, alert):
        raise PermissionDenied("研判结论由属地区/县（镇）、街道工会或其上级作出")
    if alert.state != AlertState.JUDGING:
        raise ApplicationError("只有研判中的预警可以转入处置", code="analytics.state_invalid")
    text = _text(text, label="研判意见和处置措施", minimum=5)
    now = timezone.now()
    alert.state, alert.due_at = AlertState.HANDLING, _due(alert.level, HANDLE_LIMIT, now)
    alert.save()
    _note(alert, NoteKind.HANDLING, actor=actor, text=text, at=now)
    _audit(actor, "handling", alert, due=alert.due_at)
    _tell(alert, what="转入处置")
    return alert


@transaction.atomic
def alert_resolve(*, actor, alert_id, text: str) -> Alert:
    """处置 → 解除, with how it was settled. Later orders about the same subject may raise a new alert."""
    alert = _locked(actor, alert_id)
    if not can_steer(actor, alert):
        raise PermissionDenied("解除预警由属地区/县（镇）、街道工会或其上级决定")
    if alert.state != AlertState.HANDLING:
        raise ApplicationError("预警须先研判、转入处置后才能解除", code="analytics.state_invalid")
    text = _text(text, label="处置结果", minimum=5)
    now = timezone.now()
    alert.state, alert.resolved_at, alert.due_at = AlertState.RESOLVED, now, None
    alert.save()
    _note(alert, NoteKind.RESOLVED, actor=actor, text=text, at=now)
    _audit(actor, "resolved", alert)
    _tell(alert, what="解除")
    return alert


def metrics_exported(*, actor, within: Org, first: dt.date, last: dt.date, dimension: str, rows: int) -> None:
    """The metrics page's xlsx: figures only, no personal data, but who took what is kept."""
    audit_log(actor=actor, action="analytics.metrics.exported", org_path=within.path,
              data={"org": within.name, "from": first.isoformat(), "to": last.isoformat(), "by": dimension, "rows": rows})


# ---------------------------------------------------------------- rules


def rules_admin(actor) -> bool:
    from gonghui.accounts.selectors import actions_for

    return actor.is_authenticated and RULES in actions_for(user=actor)


@dataclass(frozen=True)
class RuleInput:
    """What a cadre fills in for a 预警规则 (the org is chosen when the rule is created and stays)."""

    name: str
    kind: str
    yellow: int | None
    orange: int | None
    red: int | None
    window_days: int | None = 7
    topic: str = ""
    rise_percent: int | None = 100


def _refuse(message: str, field: str, code: str) -> None:
    raise ApplicationError(message, code=code, fields={field: [message]})


def _checked(rule: AlertRule) -> None:
    """The rule's own figures: a name, a known kind and topic, a window of 1–90 days, positive thresholds 黄 < 橙 < 红."""
    if not rule.name:
        _refuse("请填写规则名称", "name", "analytics.rule_name_missing")
    if len(rule.name) > 100:
        _refuse("规则名称不能超过 100 个字", "name", "analytics.rule_name_too_long")
    if rule.kind not in RuleKind.values:
        _refuse("请选择规则类型", "kind", "analytics.rule_kind_invalid")
    if rule.topic and rule.topic not in Topic.values:
        _refuse("问题类型不存在", "topic", "analytics.rule_topic_invalid")
    if rule.window_days is None or not 1 <= rule.window_days <= 90:
        _refuse("统计天数须在 1 至 90 天之间", "window_days", "analytics.window_invalid")
    for field, label in (("yellow", "黄色"), ("orange", "橙色"), ("red", "红色")):
        if getattr(rule, field) is None or getattr(rule, field) < 1:
            _refuse(f"{label}预警阈值须为正整数", field, "analytics.levels_invalid")
    if not rule.yellow < rule.orange < rule.red:
        _refuse("阈值须逐级升高：黄色 < 橙色 < 红色", "orange" if rule.orange <= rule.yellow else "red", "analytics.levels_invalid")
    if rule.kind == RuleKind.INDUSTRY_RISE and (rule.rise_percent is None or not 1 <= rule.rise_percent <= 1000):
        _refuse("增幅须在 1% 至 1000% 之间", "rise_percent", "analytics.rise_invalid")


@transaction.atomic
def rule_save(*, actor, rule: AlertRule) -> AlertRule:
    """预警规则 are set for an org inside the actor's analytics.rules scope; every save is checked and audited (the pages
    and the admin both come here)."""
    if rule.org_id is None or not covers(reach(actor, RULES), rule.org.path):
        raise PermissionDenied("只能为本单位及下级制定预警规则")
    rule.name = (rule.name or "").strip()
    _checked(rule)
    if rule.kind != RuleKind.INDUSTRY_RISE or rule.rise_percent is None:
        rule.rise_percent = 100  # only the rise rule reads it; keep the stored value meaningful
    created = rule.pk is None
    rule.save()
    audit_log(actor=actor, action="analytics.rule.created" if created else "analytics.rule.updated", obj=rule, org_path=rule.org.path,
              data={"kind": rule.kind, "topic": rule.topic, "window": rule.window_days, "levels": [rule.yellow, rule.orange, rule.red],
                    "active": rule.is_active})
    return rule


def rule_create(*, actor, org_id, data: RuleInput) -> AlertRule:
    """A new 预警规则 for `org_id` and its subtree, active at once; an org outside the actor's rules scope is not found."""
    org = Org.objects.restrict_get(actor, RULES, org_id)
    return rule_save(actor=actor, rule=AlertRule(org=org, **asdict(data)))


@transaction.atomic
def rule_update(*, actor, rule_id, data: RuleInput) -> AlertRule:
    """Change a rule's name, thresholds, window and topic; its kind stays (its open alerts were counted that way)."""
    rule = lock_row(AlertRule.objects.restrict(actor, RULES).select_related("org"), _id(rule_id), required=True)
    if data.kind != rule.kind:
        _refuse("规则类型创建后不能更改，请新建一条规则", "kind", "analytics.rule_kind_fixed")
    for field, value in asdict(data).items():
        setattr(rule, field, value)
    return rule_save(actor=actor, rule=rule)


@transaction.atomic
def rule_set_active(*, actor, rule_id, active: bool) -> AlertRule:
    """停用 stops raising new alerts (open ones keep their flow); 启用 starts again. Rules are never deleted: alerts keep them."""
    rule = lock_row(AlertRule.objects.restrict(actor, RULES).select_related("org"), _id(rule_id), required=True)
    if rule.is_active == active:
        raise ApplicationError("规则已是启用状态" if active else "规则已停用", code="analytics.rule_unchanged")
    rule.is_active = active
    rule.save(update_fields=["is_active", "updated_at"])
    audit_log(actor=actor, action="analytics.rule.enabled" if active else "analytics.rule.disabled", obj=rule, org_path=rule.org.path,
              data={"name": rule.name})
    return rule


def _id(value) -> int:
    """A row id from a URL or body; anything else is the same NotFound as a missing row."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound() from None
