"""Demo analytics, after the tickets' step: the province's default early-warning rules, a few hotline orders about three
天河 employers that raise one alert of each level (5 workers about one employer → 黄; one order about 45 unpaid workers
→ 橙; one about 90 → 红), one alert taken on to 处置, and the daily rollups built over every order."""
from __future__ import annotations

from django.db import transaction

from gonghui.accounts.models import User
from gonghui.analytics import rollups, services
from gonghui.analytics.models import AlertRule, AlertState, RuleKind
from gonghui.core.registry import DemoOptions
from gonghui.orgs.models import Employer, Org, OrgType
from gonghui.tickets import services as ticket_services
from gonghui.tickets.models import Category, Channel, Ticket, Topic

RULES = (
    ("同一单位7日内多人反映", RuleKind.EMPLOYER_PEOPLE, "", 7, (5, 8, 12), 100),
    ("同一单位欠薪涉及人数", RuleKind.EMPLOYER_WORKERS, Topic.WAGES, 7, (20, 40, 80), 100),
    ("区域行业诉求较上一周期翻番", RuleKind.INDUSTRY_RISE, "", 7, (15, 25, 40), 100),
)
MARK = "DEMO-ALERT"


def _rules(province: Org) -> None:
    for name, kind, topic, days, (yellow, orange, red), rise in RULES:
        AlertRule.objects.get_or_create(org=province, name=name, defaults={
            "kind": kind, "topic": topic, "window_days": days, "yellow": yellow, "orange": orange, "red": red, "rise_percent": rise})


def _file(agent: User, district: Org, employer: Employer, index: int, affected: int) -> None:
    ticket_services.ticket_file(actor=agent, data=ticket_services.TicketInput(
        channel=Channel.HOTLINE, category=Category.COMPLAINT, topic=Topic.WAGES, title="集体欠薪",
        description=f"{employer.name}拖欠{affected}名职工两个月工资，职工多次讨要无果，情绪激动。", affected_count=affected,
        district_id=district.pk, employer_id=employer.pk, caller_name=f"来电人{index:02d}", caller_phone=f"1350020{index:04d}",
        call_ref=f"{MARK}-{index:02d}"))


def _orders(agent: User, district: Org) -> int:
    if Ticket.objects.filter(call_ref__startswith=MARK).exists():
        return 0
    employers = list(Employer.objects.filter(town__path__startswith=district.path, union__isnull=False).order_by("pk")[:3])
    if len(employers) < 3:
        employers = list(Employer.objects.filter(town__path__startswith=district.path).order_by("pk")[:3])
    if len(employers) < 3:
        return 0
    made = 0
    for index in range(5):  # five workers, one each, about the first employer
        _file(agent, district, employers[0], index, 1)
        made += 1
    _file(agent, district, employers[1], 10, 45)
    _file(agent, district, employers[2], 11, 90)
    return made + 2


def demo_analytics(*, options: DemoOptions) -> str:
    province = Org.objects.filter(type=OrgType.PROVINCE).order_by("pk").first()
    district, agent = Org.objects.filter(code="440106").first(), User.objects.filter(username="gz_12351").first()
    if province is None:
        return "分析研判演示：没有组织树，跳过"
    with transaction.atomic():
        _rules(province)
    made = _orders(agent, district) if district is not None and agent is not None else 0
    raised = services.alerts_evaluate()
    steering = User.objects.filter(username="th_cadre").first()
    judging = [alert for alert in raised if alert.state == AlertState.JUDGING and alert.level == "yellow"]
    if steering is not None and judging and services.can_steer(steering, judging[0]):
        services.alert_start_handling(actor=steering, alert_id=judging[0].pk, text="研判：欠薪属实，已约谈企业负责人，督促限期支付")
    rollups.refresh_rollups()
    rows = rollups.rebuild_rollups()
    levels = sorted({alert.get_level_display() for alert in raised})
    return f"分析研判演示：预警工单 {made} 件，发出/升级预警 {len(raised)} 条（{'、'.join(levels) or '无'}），工单日汇总 {rows} 行"
