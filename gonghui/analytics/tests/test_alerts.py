"""群体性 early warning: a rule raises at its threshold and not below, once per subject while open (its level rising),
counts 涉及人数 so one order about many workers alerts at once, routes along the 三道防线, and runs 研判 → 处置 → 解除;
each org reads only the alerts routed to its subtree."""
import datetime as dt

import pytest
from django.utils import timezone

from gonghui.analytics import services
from gonghui.analytics.models import Alert, AlertState, Level, Line, NoteKind, RuleKind
from gonghui.analytics.tests.alerting import employer_with_union, reports, rule
from gonghui.analytics.warning import Finding, employer_key, routes_for
from gonghui.members.routing import county_level
from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.notify.models import Notification
from gonghui.orgs.models import OrgType
from gonghui.orgs.tests.factories import OrgFactory
from gonghui.tickets.models import Ticket
from gonghui.tickets.tests.factories import cadre_at, file

pytestmark = pytest.mark.django_db


@pytest.fixture
def employer(world):
    return employer_with_union(world.shipai, name="广州石牌测试餐饮有限公司")


def test_raised_at_the_threshold_and_not_below(world, employer):
    rule(world.city, yellow=5)
    reports(world, employer, 4)
    assert services.alerts_evaluate() == []
    reports(world, employer, 1, start=4)
    [alert] = services.alerts_evaluate()
    assert (alert.level, alert.people, alert.orders, alert.state) == (Level.YELLOW, 5, 5, AlertState.JUDGING)
    assert alert.due_at is not None and alert.notes.get().kind == NoteKind.RAISED


def test_the_same_person_twice_is_one_person(world, employer):
    rule(world.city, yellow=3)
    for _ in range(3):  # the same caller three times: one open order and two merged duplicates
        file(world.agent, district=world.tianhe, employer=employer, caller_phone="13800001111")
    assert services.alerts_evaluate() == []


def test_raised_once_while_open_and_its_level_rises(world, employer):
    rule(world.city, yellow=3, orange=5, red=8)
    reports(world, employer, 3)
    [alert] = services.alerts_evaluate()
    reports(world, employer, 1, start=3)
    assert services.alerts_evaluate() == []  # still yellow: no second alert, no new notice
    assert Alert.objects.count() == 1 and Alert.objects.get().people == 4
    reports(world, employer, 1, start=4)
    [escalated] = services.alerts_evaluate()
    assert escalated.pk == alert.pk and escalated.level == Level.ORANGE
    assert list(escalated.notes.values_list("kind", flat=True)) == [NoteKind.RAISED, NoteKind.RAISED_LEVEL]


def test_one_order_about_many_workers_alerts_at_once(world, employer):
    rule(world.city, RuleKind.EMPLOYER_WORKERS, yellow=10, orange=20, red=30, topic="wages")
    file(world.agent, district=world.tianhe, employer=employer, topic="wages", affected_count=30)
    [alert] = services.alerts_evaluate()
    assert (alert.level, alert.workers, alert.people) == (Level.RED, 30, 1)


def test_workers_are_not_counted_twice_by_several_reports_of_one_group(world, employer):
    rule(world.city, RuleKind.EMPLOYER_WORKERS, yellow=10, orange=20, red=30, topic="wages")
    reports(world, employer, 3, topic="wages", affected_count=8)  # three people each saying "8 of us": 8, not 24
    assert services.alerts_evaluate() == []


def test_an_employer_off_the_ledger_by_its_normalised_name(world):
    rule(world.city, yellow=2)
    file(world.agent, district=world.tianhe, employer_name="广州 某某 物流（天河）有限公司", caller_phone="13800000001")
    file(world.agent, district=world.tianhe, employer_name="广州某某物流(天河)有限公司", caller_phone="13800000002")
    [alert] = services.alerts_evaluate()
    assert alert.subject_key == employer_key(uscc="", name="广州某某物流（天河）有限公司") and alert.people == 2


def test_orders_outside_the_window_do_not_count(world, employer):
    rule(world.city, yellow=3, window_days=7)
    old = reports(world, employer, 2)
    Ticket.objects.filter(pk__in=[ticket.pk for ticket in old]).update(created_at=timezone.now() - dt.timedelta(days=8))
    reports(world, employer, 2, start=2)
    assert services.alerts_evaluate() == []


def test_routed_along_the_three_lines(world, employer):
    rule(world.city, yellow=2)
    reports(world, employer, 2)
    [alert] = services.alerts_evaluate()
    routes = {(route.line, route.org_id) for route in alert.routes.all()}
    assert routes == {(Line.SOURCE, employer.union_id), (Line.DISTRICT, world.tianhe.pk), (Line.DISTRICT, world.shipai.pk)}


def test_not_to_the_union_the_orders_are_about(world, employer):
    rule(world.city, yellow=2)
    reports(world, employer, 1, topic="union")
    reports(world, employer, 1, start=1)
    [alert] = services.alerts_evaluate()
    assert alert.about_union and not alert.routes.filter(line=Line.SOURCE).exists()


def test_no_union_an_order_names_as_a_party_is_told(world, employer):
    from gonghui.tickets import services as ticket_services

    rule(world.city, yellow=2)
    first, _second = reports(world, employer, 2)
    ticket_services.ticket_party_add(actor=world.agent, ticket_id=first.pk, org=world.shipai, note="街道工会推诿不作为")
    [alert] = services.alerts_evaluate()
    assert not alert.routes.filter(org=world.shipai).exists()  # the street named in the complaint hears nothing of it
    assert not alert.routes.filter(line=Line.SOURCE).exists()  # nor does the employer's union under it
    assert alert.about_union and alert.routes.filter(org=world.tianhe).exists()


def test_new_form_workers_reach_the_sector_federation(world):
    federation = OrgFactory(parent=world.tianhe, type=OrgType.SECTOR_FEDERATION, sector="food_delivery", name="天河区外卖配送行业工会联合会")
    platform = employer_with_union(world.shipai, name="广州某配送服务有限公司", union_name="广州某配送服务有限公司工会")
    rule(world.city, yellow=2)
    reports(world, platform, 2, new_form_type="food_delivery")
    [alert] = services.alerts_evaluate()
    assert alert.routes.filter(line=Line.SECTOR, org=federation).exists()


def test_in_dongguan_the_town_is_the_district(org):
    dongguan, town = org("4419"), org("441900003")
    employer = employer_with_union(town, name="东莞某电子厂有限公司", union_name="东莞某电子厂有限公司工会")
    assert county_level(town) == town  # 东莞 has no county level: members.routing's rule
    routes = routes_for(Finding(subject_key=employer.uscc, subject=employer.name, employer=employer, district=county_level(town)))
    assert {(route.line, route.org.pk) for route in routes} == {(Line.SOURCE, employer.union_id), (Line.DISTRICT, town.pk)}
    assert town.parent_id == dongguan.pk


def test_industry_rise_in_a_district(world):
    rule(world.city, RuleKind.INDUSTRY_RISE, yellow=3, orange=6, red=9, rise_percent=100)
    employer = employer_with_union(world.shipai, name="广州某建筑工程有限公司", industry="E")
    before = reports(world, employer, 1)
    Ticket.objects.filter(pk=before[0].pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    reports(world, employer, 2, start=1)
    assert services.alerts_evaluate() == []  # 2 < 3
    reports(world, employer, 1, start=3)
    [alert] = services.alerts_evaluate()
    assert alert.district == world.tianhe and alert.industry.startswith("E") and alert.count == 3
    assert not alert.routes.filter(line=Line.SOURCE).exists()  # an industry in a district has no one employer's union


def test_the_flow_judging_handling_resolved(world, employer):
    rule(world.city, yellow=2)
    reports(world, employer, 2)
    [alert] = services.alerts_evaluate()
    union_cadre = cadre_at(employer.union)
    services.alert_note(actor=union_cadre, alert_id=alert.pk, text="已与企业行政沟通，核实工资发放情况")
    with pytest.raises(PermissionDenied):  # the source line notes; the district concludes
        services.alert_start_handling(actor=union_cadre, alert_id=alert.pk, text="研判：属实，需处置")
    with pytest.raises(ApplicationError, match="须先研判"):
        services.alert_resolve(actor=world.district_admin, alert_id=alert.pk, text="已化解")
    with pytest.raises(ApplicationError, match="研判意见"):
        services.alert_start_handling(actor=world.district_admin, alert_id=alert.pk, text="")
    handled = services.alert_start_handling(actor=world.district_admin, alert_id=alert.pk, text="研判：欠薪属实，约谈企业负责人")
    assert handled.state == AlertState.HANDLING and handled.due_at > timezone.now()
    resolved = services.alert_resolve(actor=world.district_admin, alert_id=alert.pk, text="企业已补发全部工资，职工确认")
    assert resolved.state == AlertState.RESOLVED and resolved.resolved_at and resolved.due_at is None
    with pytest.raises(ApplicationError, match="已解除"):
        services.alert_note(actor=world.district_admin, alert_id=alert.pk, text="补记")
    assert [note.kind for note in resolved.notes.order_by("at", "id")] == [
        NoteKind.RAISED, NoteKind.NOTE, NoteKind.HANDLING, NoteKind.RESOLVED]


def test_after_resolving_only_new_orders_raise_again(world, employer):
    rule(world.city, yellow=2)
    reports(world, employer, 2)
    [alert] = services.alerts_evaluate()
    services.alert_start_handling(actor=world.district_admin, alert_id=alert.pk, text="研判：欠薪属实，约谈企业负责人")
    services.alert_resolve(actor=world.district_admin, alert_id=alert.pk, text="企业已补发全部工资，职工确认")
    assert services.alerts_evaluate() == []
    reports(world, employer, 2, start=10)
    [again] = services.alerts_evaluate()
    assert again.pk != alert.pk and again.people == 2


def test_each_org_reads_only_alerts_routed_to_its_subtree(world, employer):
    from gonghui.analytics import selectors

    rule(world.city, yellow=2)
    reports(world, employer, 2)
    [alert] = services.alerts_evaluate()
    assert selectors.alert_list(actor=world.district_admin).count() == 1
    assert selectors.alert_list(actor=world.city_admin).count() == 1
    yuexiu_admin = cadre_at(world.yuexiu)
    assert selectors.alert_list(actor=yuexiu_admin).count() == 0
    with pytest.raises(NotFound):
        selectors.alert_get_for(actor=yuexiu_admin, alert_id=alert.pk)
    with pytest.raises(NotFound):
        services.alert_note(actor=yuexiu_admin, alert_id=alert.pk, text="越权记录")
    # the employer's own union reads the alert, never the orders about its employer
    page = selectors.alert_page(actor=cadre_at(employer.union), alert=alert)
    assert page["tickets"] == [] and page["hidden"] == 2


def test_the_routed_orgs_are_told(world, employer):
    rule(world.city, yellow=2)
    reports(world, employer, 2)
    [alert] = services.alerts_evaluate()
    told = set(Notification.objects.filter(template_code="analytics.alert").values_list("recipient_id", flat=True))
    assert world.district_admin.pk in told and world.handler.pk in told and world.yuexiu_handler.pk not in told
