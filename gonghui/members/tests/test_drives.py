"""入会 drives with weekly and monthly progress and visit logs (the 建会 ledger is test_ledger.py)."""
import datetime as dt
import io
import re

import pytest
from python_calamine import CalamineWorkbook
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts.models import ExternalBinding, PartyType, Role, UserKind
from gonghui.accounts.tests.factories import PostFactory, UserFactory
from gonghui.audit.models import AuditEvent
from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.members import drives, imports, services
from gonghui.members.models import DriveMetric, DriveTarget, Membership, MembershipStatus, NewFormType, Person, VisitLog
from gonghui.members.services import LIVE_STATUSES
from gonghui.members.tests.factories import join, new_id_number
from gonghui.members.tests.test_imports import csv_bytes
from gonghui.orgs import rollups
from gonghui.orgs.models import Org, OrgType
from gonghui.orgs.tests.factories import EmployerFactory, OrgFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(org):
    return PostFactory(org=org("440106"), role=Role.objects.get(code="admin")).user


def member(town="440106006", form="", joined=None, employer=None):
    application = join(town_code=town if employer is None else "", employer_id=employer.pk if employer else None, new_form_type=form)
    membership = services.application_approve(actor=None, application_id=application.pk)
    if joined:
        Membership.objects.filter(pk=membership.pk).update(joined_on=joined)
    return membership


def test_drive_counts_the_right_members_by_week_and_month(manager, org):
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    drive = drives.drive_create(actor=manager, org=org("440106"), name="货车司机入会", metric=DriveMetric.NEW_FORM_MEMBERS,
                                new_form_type=NewFormType.TRUCKING, target=4, starts_on=monday - dt.timedelta(days=7), ends_on=today)
    member(form=NewFormType.TRUCKING, joined=monday - dt.timedelta(days=5))
    member(form=NewFormType.TRUCKING, joined=today)
    member(form=NewFormType.TRUCKING, joined=today)
    member(form=NewFormType.COURIER, joined=today)  # another type
    member(town="440104001", form=NewFormType.TRUCKING, joined=today)  # another district
    progress = drives.drive_progress(drive=drive)
    assert progress.achieved == 3 and progress.percent(drive.target) == 0.75
    assert progress.weekly == [(monday - dt.timedelta(days=7), 1, 1), (monday, 2, 3)]
    assert progress.planned == [drives.drive_planned(drive, as_of=monday - dt.timedelta(days=1)), drive.target]
    assert drives.drive_month_analysis(actor=manager, drive=drive).current.cumulative == 3


def test_visit_logs_add_up_and_bad_numbers_are_refused(manager, org):
    drive = drives.drive_create(actor=manager, org=org("440106"), name="平安夜访", metric=DriveMetric.NEW_MEMBERS, target=10,
                                starts_on=timezone.localdate(), ends_on=timezone.localdate())
    drives.visit_log_create(actor=manager, org=org("440106"), drive=drive, visited_on=timezone.localdate(), place="某物流园", people_met=20, joined_on_spot=6)
    with pytest.raises(ApplicationError, match="不能多于接触人数"):
        drives.visit_log_create(actor=manager, org=org("440106"), drive=drive, visited_on=timezone.localdate(), place="x", people_met=1, joined_on_spot=2)
    with pytest.raises(ApplicationError, match="晚于今天"):
        drives.visit_log_create(actor=manager, org=org("440106"), visited_on=timezone.localdate() + dt.timedelta(days=1), place="x", people_met=1)
    progress = drives.drive_progress(drive=drive)
    assert (progress.visits, progress.people_met, progress.joined_on_spot) == (1, 20, 6)


def test_drive_rules_and_scope(manager, org, cadre):
    with pytest.raises(ApplicationError, match="不能早于"):
        drives.drive_create(actor=manager, org=org("440106"), name="x", metric=DriveMetric.NEW_MEMBERS, target=1,
                            starts_on=dt.date(2026, 12, 1), ends_on=dt.date(2026, 11, 1))
    with pytest.raises(NotFound):
        drives.drive_create(actor=manager, org=org("440104"), name="x", metric=DriveMetric.NEW_MEMBERS, target=1,
                            starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2026, 12, 1))
    drive = drives.drive_create(actor=manager, org=org("440106"), name="天河行动", metric=DriveMetric.NEW_MEMBERS, target=1,
                                starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2026, 12, 1))
    with pytest.raises(NotFound):
        drives.drive_get_for(actor=cadre("440104"), drive_id=drive.pk)


def test_drive_pages(manager, org, client):
    client.force_login(manager)
    response = client.post(reverse("members:drives"), {"name": "四季度入会", "metric": "new_members", "target": 100,
                                                       "starts_on": "2026-10-01", "ends_on": "2026-12-31"})
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "周调度" in detail and "月分析" in detail and "0 / 100" in detail
    bad = client.post(reverse("members:drives"), {"name": "错", "metric": "new_form_members", "target": 5, "starts_on": "2026-10-01", "ends_on": "2026-12-31"})
    assert "请选择新就业形态类型" in bad.content.decode()


def test_bad_input_gets_a_message_not_a_server_error(manager, client, org):
    client.force_login(manager)
    assert "年龄应在" in client.get(reverse("members:segments"), {"age_min": "10000"}).content.decode()
    assert client.get(reverse("members:segments"), {"age_min": "²"}).status_code == 200
    membership = member()
    response = client.post(reverse("members:detail", args=[membership.pk]), {"stars": "abc", "reason": "事迹说明"})
    assert response.status_code == 302 and "1到5星" in client.get(response["Location"]).content.decode()
    external = UserFactory(kind=UserKind.EXTERNAL)
    ExternalBinding.objects.create(user=external, party_type=PartyType.EMPLOYER, employer=EmployerFactory(town=org("440106001")))
    client.force_login(external)
    assert client.get(reverse("members:ledger")).status_code == 404
    refused = client.post(reverse("members:drives"), {"name": "x", "metric": "new_members", "target": 1, "starts_on": "2026-11-01",
                                                      "ends_on": "2026-11-30"})
    assert refused.status_code == 403


# ---------------------------------------------------------------- 月分析

def months_ago(count: int) -> dt.date:
    """The first day of the month `count` months before this one."""
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - count
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(first: dt.date) -> dt.date:
    return rollups.period_end(first, rollups.MONTH)


def new_drive(actor, org, *, starts_on, ends_on, target=10, name="月分析测试行动", metric=DriveMetric.NEW_MEMBERS):
    return drives.drive_create(actor=actor, org=org, name=name, metric=metric, target=target, starts_on=starts_on, ends_on=ends_on)


def test_monthly_figures_equal_direct_queries_and_empty_months_are_zero(manager, org):
    tianhe = org("440106")
    drive = new_drive(manager, tianhe, starts_on=months_ago(4) + dt.timedelta(days=2), ends_on=month_end(months_ago(1)))
    for day in (months_ago(4) + dt.timedelta(days=2), months_ago(4) + dt.timedelta(days=20), months_ago(2) + dt.timedelta(days=9),
                month_end(months_ago(1)), month_end(months_ago(1))):
        member(joined=day)
    member(joined=months_ago(4))  # before the drive began
    member(town="440104001", joined=months_ago(2))  # 越秀区
    left = member(joined=months_ago(2) + dt.timedelta(days=3))
    Membership.objects.filter(pk=left.pk).update(status=MembershipStatus.LEFT)
    for day, met, joined in ((months_ago(4) + dt.timedelta(days=5), 30, 4), (months_ago(4) + dt.timedelta(days=6), 12, 0),
                             (months_ago(2) + dt.timedelta(days=1), 25, 7)):
        drives.visit_log_create(actor=manager, org=tianhe, drive=drive, visited_on=day, place="某物流园", people_met=met, joined_on_spot=joined)

    analysis = drives.drive_month_analysis(actor=manager, drive=drive)

    assert analysis.month == months_ago(1) and analysis.choices == [months_ago(n) for n in (4, 3, 2, 1)]
    assert [m.month for m in analysis.months] == analysis.choices
    running = 0
    for figures in analysis.months:
        first, last = max(figures.month, drive.starts_on), month_end(figures.month)
        direct = Membership.objects.filter(union__path__startswith=tianhe.path, status__in=LIVE_STATUSES, joined_on__range=(first, last))
        visits = VisitLog.objects.filter(drive=drive, visited_on__range=(first, last))
        running += direct.count()
        assert (figures.achieved, figures.cumulative) == (direct.count(), running)
        assert (figures.visits, figures.people_met, figures.joined_on_spot) == (
            visits.count(), sum(v.people_met for v in visits), sum(v.joined_on_spot for v in visits))
    assert [m.achieved for m in analysis.months] == [2, 0, 1, 2]  # the empty month is a zero, not a gap
    assert [(m.visits, m.people_met, m.joined_on_spot) for m in analysis.months] == [(2, 42, 4), (0, 0, 0), (1, 25, 7), (0, 0, 0)]
    assert analysis.current.cumulative == drives.drive_progress(drive=drive).achieved == 5
    assert analysis.current.planned == drive.target and analysis.planned_rate == 1.0  # the drive is over: all was due

    earlier = drives.drive_month_analysis(actor=manager, drive=drive, month=f"{months_ago(3):%Y-%m}")
    assert [m.month for m in earlier.months] == [months_ago(4), months_ago(3)] and earlier.as_of == month_end(months_ago(3))
    assert earlier.current.cumulative == 2 and 0 < earlier.current.planned < drive.target


def test_new_unions_are_counted_by_month_and_by_town(manager, org):
    drive = new_drive(manager, org("440106"), metric=DriveMetric.NEW_UNIONS, starts_on=months_ago(1), ends_on=month_end(months_ago(0)))
    OrgFactory(parent=org("440106006"), type=OrgType.ENTERPRISE)
    OrgFactory(parent=org("440106006"), type=OrgType.ENTERPRISE)
    OrgFactory(parent=org("440104001"), type=OrgType.ENTERPRISE)  # 越秀区
    analysis = drives.drive_month_analysis(actor=manager, drive=drive)
    assert [m.achieved for m in analysis.months] == [0, 2]
    shipai = next(row for row in analysis.orgs if row.org.code == "440106006")
    assert (shipai.month_achieved, shipai.achieved) == (2, 2)
    assert drives.drive_progress(drive=drive).achieved == 2  # the weekly buckets count the same unions


@pytest.fixture
def tianhe_drive(manager, org):
    """A 天河 drive from last month to the end of this one: 石牌 2 this month, 五山 1 last month, 1 held by the 区 itself."""
    drive = new_drive(manager, org("440106"), starts_on=months_ago(1), ends_on=month_end(months_ago(0)), target=20)
    today = timezone.localdate()
    member(town="440106006", joined=today)
    member(town="440106006", joined=today)
    member(town="440106001", joined=months_ago(1))
    held = member(joined=today)
    Membership.objects.filter(pk=held.pk).update(union=org("440106"))  # held by the 区 union itself (e.g. joined by its 一县一码)
    member(town="440104001", joined=today)  # 越秀区: never counted
    drives.drive_targets_set(actor=manager, drive=drive, targets={org("440106006").pk: 4, org("440106001").pk: 1, org("440106003").pk: 5})
    return drive


def test_sub_orgs_are_compared_with_their_targets_lagging_first(manager, org, tianhe_drive):
    analysis = drives.drive_month_analysis(actor=manager, drive=tianhe_drive)
    assert [(row.org.code, row.achieved, row.target) for row in analysis.orgs[:3]] == [
        ("440106003", 0, 5), ("440106006", 2, 4), ("440106001", 1, 1)]  # 车陂 0%, 石牌 50%, 五山 100%
    assert [row.rate for row in analysis.orgs[:3]] == [0.0, 0.5, 1.0]
    assert all(row.target is None for row in analysis.orgs[3:]) and all(row.org.parent_id == org("440106").pk for row in analysis.orgs)
    visible = set(Org.objects.restrict(manager, "members.view").filter(parent=org("440106")).values_list("pk", flat=True))
    assert {row.org.pk for row in analysis.orgs} <= visible
    shipai = analysis.orgs[1]
    assert shipai.month_achieved == 2 and analysis.orgs[2].month_achieved == 0  # 五山's member joined last month
    assert analysis.direct.achieved == 1 and analysis.direct.direct
    assert sum(row.achieved for row in analysis.orgs) + analysis.direct.achieved == analysis.within_achieved == analysis.current.cumulative == 4
    assert analysis.allocated == 10 and analysis.within_target == 20
    assert analysis.is_behind(analysis.orgs[0]) and not analysis.is_behind(analysis.orgs[2])

    shipai_view = drives.drive_month_analysis(actor=manager, drive=tianhe_drive, within_id=str(org("440106006").pk))
    assert shipai_view.within == org("440106006") and shipai_view.within_target == 4 and shipai_view.within_achieved == 2
    assert [o.code for o in shipai_view.trail] == ["440106", "440106006"]
    assert all(row.org.parent_id == org("440106006").pk for row in shipai_view.orgs)


def test_the_breakdown_stays_inside_the_drive_and_the_actors_subtree(manager, org, cadre, tianhe_drive, client):
    for outside in (org("440104").pk, org("4401").pk, org("440104001").pk, "abc", "-1"):
        with pytest.raises(NotFound):
            drives.drive_month_analysis(actor=manager, drive=tianhe_drive, within_id=outside)
    yuexiu = cadre("440104")
    with pytest.raises(NotFound):
        drives.drive_get_for(actor=yuexiu, drive_id=tianhe_drive.pk)
    client.force_login(manager)
    url = reverse("members:drive_monthly", args=[tianhe_drive.pk])
    assert client.get(url, {"within": org("440104").pk}).status_code == 404
    assert client.get(url, {"within": "9" * 30}).status_code == 404
    assert client.post(reverse("members:drive_targets", args=[tianhe_drive.pk]), {"target-" + "9" * 30: "1"}).status_code == 302
    client.force_login(yuexiu)
    for response in (client.get(url), client.get(url, {"export": "months"}), client.get(url, {"export": "orgs"}),
                     client.get(reverse("members:drive_detail", args=[tianhe_drive.pk])),
                     client.post(reverse("members:drive_targets", args=[tianhe_drive.pk]), {f"target-{org('440104001').pk}": "9"})):
        assert response.status_code == 404
        assert "越秀" not in response.content.decode() and "月分析测试行动" not in response.content.decode()
    assert not DriveTarget.objects.filter(org=org("440104001")).exists()


@pytest.mark.parametrize("month, message", [
    ("2026-13", "月份格式不正确"), ("abc", "月份格式不正确"), ("２０２６-０３", "月份格式不正确"), ("2026-3", "月份格式不正确"),
    ("1999-01", "不在本行动可分析的月份内"), ("9999-12", "不在本行动可分析的月份内"), ("x" * 5000, "月份格式不正确"),
])
def test_a_bad_month_gets_a_chinese_message_not_a_server_error(manager, org, client, tianhe_drive, month, message):
    with pytest.raises(ApplicationError, match=message):
        drives.drive_month_analysis(actor=manager, drive=tianhe_drive, month=month)
    client.force_login(manager)
    url = reverse("members:drive_monthly", args=[tianhe_drive.pk])
    for params in ({"month": month}, {"month": month, "export": "months"}):
        response = client.get(url, params)
        assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
        page = response.content.decode()
        assert message in page and 'data-chart="drive-progress"' in page  # the page still shows the latest month


def test_a_month_the_drive_has_not_reached_is_refused_and_a_future_drive_shows_zeros(manager, org):
    future = new_drive(manager, org("440106"), starts_on=months_ago(-2), ends_on=month_end(months_ago(-3)), name="明年行动")
    analysis = drives.drive_month_analysis(actor=manager, drive=future)
    assert analysis.choices == [months_ago(-2)] and [(m.achieved, m.cumulative, m.planned) for m in analysis.months] == [(0, 0, 0)]
    with pytest.raises(ApplicationError, match="不在本行动可分析的月份内"):
        drives.drive_month_analysis(actor=manager, drive=future, month=f"{months_ago(-3):%Y-%m}")


def test_targets_are_set_changed_removed_and_audited(manager, org, tianhe_drive, cadre):
    shipai, wushan, chebei = org("440106006"), org("440106001"), org("440106003")
    drives.drive_targets_set(actor=manager, drive=tianhe_drive, targets={shipai.pk: 6, wushan.pk: 0, chebei.pk: 5})
    assert dict(tianhe_drive.targets.values_list("org__code", "target")) == {"440106006": 6, "440106003": 5}
    event = AuditEvent.objects.filter(action="members.drive.targets_set").latest("id")
    assert event.data == {"targets": {"440106006": 6, "440106001": 0}}
    for targets in ({org("440106").pk: 3}, {org("440104001").pk: 3}, {10**30: 3}):  # the drive's own org, another district, no id
        with pytest.raises(NotFound):
            drives.drive_targets_set(actor=manager, drive=tianhe_drive, targets=targets)
    with pytest.raises(ApplicationError, match="0 或正整数"):
        drives.drive_targets_set(actor=manager, drive=tianhe_drive, targets={shipai.pk: -1})
    analyst = PostFactory(org=org("440106"), role=Role.objects.get(code="analyst")).user
    with pytest.raises(PermissionDenied):  # sees the drive, may not change it: 403, not 404 (docs/decisions/0005-access.md)
        drives.drive_targets_set(actor=analyst, drive=tianhe_drive, targets={shipai.pk: 1})
    assert dict(tianhe_drive.targets.values_list("org__code", "target")) == {"440106006": 6, "440106003": 5}


def test_target_form_saves_and_refuses_non_numbers(manager, org, tianhe_drive, client):
    client.force_login(manager)
    url = reverse("members:drive_targets", args=[tianhe_drive.pk])
    back = reverse("members:drive_monthly", args=[tianhe_drive.pk]) + "?month=" + f"{months_ago(0):%Y-%m}"
    response = client.post(url, {f"target-{org('440106006').pk}": "８", f"target-{org('440106001').pk}": "3", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert "分解目标应为 0 或正整数" in client.get(back).content.decode()
    assert tianhe_drive.targets.get(org=org("440106001")).target == 1  # nothing changed
    response = client.post(url, {f"target-{org('440106006').pk}": "8", f"target-{org('440106001').pk}": "", "next": back})
    assert "已保存分解目标" in client.get(response["Location"]).content.decode()
    assert dict(tianhe_drive.targets.values_list("org__code", "target")) == {"440106006": 8, "440106003": 5}
    analyst = PostFactory(org=org("440106"), role=Role.objects.get(code="analyst")).user
    client.force_login(analyst)
    assert client.post(url, {f"target-{org('440106006').pk}": "1"}).status_code == 403


def test_monthly_page_shows_charts_tables_and_downloads_the_same_numbers(manager, org, tianhe_drive, client, django_assert_max_num_queries):
    client.force_login(manager)
    url = reverse("members:drive_monthly", args=[tianhe_drive.pk])
    with django_assert_max_num_queries(16):
        page = client.get(url).content.decode()
    for marker in ('data-chart="drive-progress"', 'data-chart="drive-orgs"', 'data-chart="drive-visits"', 'id="table-months"',
                   'id="table-orgs"', "echarts-5.6.0/echarts.min.js", "js/charts.js", "js/drive-charts.js", "车陂街道总工会",
                   "落后序时进度", "本级直属", "分解目标到天河区总工会的下级", f'value="{months_ago(1):%Y-%m}"'):
        assert marker in page, marker
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)  # every script and style from our own static files

    months = client.get(url, {"export": "months"})
    assert months["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(months.content)).get_sheet_by_index(0).to_python()
    assert sheet[0][:3] == ["月份", "本月完成", "累计完成"]
    assert [row[:3] for row in sheet[1:]] == [[f"{months_ago(1):%Y-%m}", 1.0, 1.0], [f"{months_ago(0):%Y-%m}", 3.0, 4.0]]
    orgs = client.get(url, {"export": "orgs"})
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(orgs.content)).get_sheet_by_index(0).to_python()
    assert sheet[0][7:] == ["累计走访次数", "接触人数", "现场入会人数"]
    assert sheet[1][:6] == ["车陂街道总工会", "440106003", 0.0, 0.0, 5.0, 0.0]
    assert sheet[-1][0] == "天河区总工会（本级直属）"

    drill = client.get(url, {"within": org("440106006").pk, "month": f"{months_ago(1):%Y-%m}"}).content.decode()
    assert "下级完成情况 · 石牌街道总工会" in drill and "下钻路径" in drill

    client.force_login(PostFactory(org=org("440106006")).user)  # 石牌's slice of the 天河 drive: one more query, for its 分解目标
    with django_assert_max_num_queries(17):
        page = client.get(url).content.decode()
    assert "石牌街道总工会分解目标 4" in page and "2 / 4" in page and "车陂" not in page and "五山" not in page


def test_weekly_page_draws_with_the_shared_chart_helper(manager, client, tianhe_drive):
    client.force_login(manager)
    response = client.get(reverse("members:drive_detail", args=[tianhe_drive.pk]))
    page = response.content.decode()
    assert 'data-chart="drive-progress"' in page and "js/charts.js" in page and "序时进度" in page
    chart = response.context["chart"]
    assert chart["bar"] == "本周完成" and chart["running"][-1] == 4 and len(chart["labels"]) == len(chart["planned"]) == len(chart["counts"])
    assert reverse("members:drive_monthly", args=[tianhe_drive.pk]) in page


# ---------------------------------------------------------------- visits per sub-org, and a district's slice of a city drive

@pytest.fixture
def city(org):
    return PostFactory(org=org("4401"), role=Role.objects.get(code="admin")).user


def visit(actor, org, drive, *, met, joined, place="某物流园"):
    return drives.visit_log_create(actor=actor, org=org, drive=drive, visited_on=timezone.localdate(), place=place, people_met=met,
                                   joined_on_spot=joined)


@pytest.fixture
def guangzhou_drive(city, org):
    """A 广州 drive from last month to the end of this one with 分解目标 天河 12 and 越秀 8 (海珠 none). Members: 天河 3 (石牌 2 this
    month, 五山 1 last month), 越秀 2. Visits this month, each kept at the org that made it: 石牌 two, 天河 itself one, 越秀's
    洪桥街道 one, and the 市总 itself one."""
    drive = new_drive(city, org("4401"), starts_on=months_ago(1), ends_on=month_end(months_ago(0)), target=30, name="广州入会行动")
    today = timezone.localdate()
    member(town="440106006", joined=today)
    member(town="440106006", joined=today)
    member(town="440106001", joined=months_ago(1))
    member(town="440104001", joined=today)
    member(town="440104003", joined=months_ago(1))
    drives.drive_targets_set(actor=city, drive=drive, targets={org("440106").pk: 12, org("440104").pk: 8})
    visit(city, org("440106006"), drive, met=20, joined=3)
    visit(city, org("440106006"), drive, met=10, joined=0)
    visit(city, org("440106"), drive, met=5, joined=1)
    visit(city, org("440104001"), drive, met=30, joined=9)
    visit(city, org("4401"), drive, met=7, joined=2)
    return drive


def visit_sums(drive, org) -> tuple[int, int, int]:
    """What a sub-org's row should say, straight from the table: visits made anywhere in its subtree."""
    rows = VisitLog.objects.filter(drive=drive, org__path__startswith=org.path)
    return rows.count(), sum(v.people_met for v in rows), sum(v.joined_on_spot for v in rows)


def shown(row) -> tuple[int, int, int]:
    return row.visits, row.people_met, row.joined_on_spot


def test_visits_per_sub_org_equal_direct_queries_at_every_level(city, org, guangzhou_drive, client):
    analysis = drives.drive_month_analysis(actor=city, drive=guangzhou_drive)
    rows = {row.org.code: row for row in analysis.orgs}
    for row in analysis.orgs:
        assert shown(row) == visit_sums(guangzhou_drive, row.org), row.org.name
    assert shown(rows["440106"]) == (3, 35, 4) and shown(rows["440104"]) == (1, 30, 9)
    assert shown(rows["440105"]) == (0, 0, 0)  # 海珠: a 区 is listed at zero
    assert shown(analysis.direct) == (1, 7, 2) and analysis.direct.achieved == 0  # the 市总's own visit is 本级直属
    total = VisitLog.objects.filter(drive=guangzhou_drive)
    assert sum(row.visits for row in analysis.orgs) + analysis.direct.visits == sum(m.visits for m in analysis.months) == total.count()
    assert drives.drive_progress(drive=guangzhou_drive).visits == total.count()  # 周调度 counts the same visits
    client.force_login(city)
    orgs = client.get(reverse("members:drive_monthly", args=[guangzhou_drive.pk]), {"export": "orgs"})
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(orgs.content)).get_sheet_by_index(0).to_python()
    assert {row[1]: tuple(int(cell) for cell in row[7:10]) for row in sheet[1:]} == {
        row.org.code: shown(row) for row in [*analysis.orgs, analysis.direct]}  # the download says what the table says

    tianhe = drives.drive_month_analysis(actor=city, drive=guangzhou_drive, within_id=org("440106").pk)
    by_code = {row.org.code: row for row in tianhe.orgs}
    assert shown(by_code["440106006"]) == visit_sums(guangzhou_drive, org("440106006")) == (2, 30, 3)
    assert shown(by_code["440106001"]) == (0, 0, 0) and shown(tianhe.direct) == (1, 5, 1)
    assert tianhe.within_target == 12


def test_a_visit_for_an_org_outside_the_drive_or_the_cadres_scope_is_refused(manager, city, org, tianhe_drive, client):
    before = VisitLog.objects.count(), AuditEvent.objects.filter(action="members.visit.logged").count()
    fields = {"visited_on": timezone.localdate(), "place": "某物流园", "people_met": 10, "joined_on_spot": 1}
    with pytest.raises(NotFound):  # 越秀 is outside the 天河 cadre's scope
        drives.visit_log_create(actor=manager, org=org("440104001"), drive=tianhe_drive, **fields)
    with pytest.raises(ApplicationError, match="不在本行动范围内"):  # the 市总 may act in 越秀, but this drive is 天河's
        drives.visit_log_create(actor=city, org=org("440104001"), drive=tianhe_drive, **fields)
    with pytest.raises(ApplicationError, match="不在本行动范围内"):  # nor is the 市总 itself inside a 区's drive
        drives.visit_log_create(actor=city, org=org("4401"), drive=tianhe_drive, **fields)
    with pytest.raises(ApplicationError, match="走访日期应在行动期间内"):  # it would count nowhere
        drives.visit_log_create(actor=manager, org=org("440106006"), drive=tianhe_drive, **{**fields, "visited_on": months_ago(3)})

    url = reverse("members:drive_detail", args=[tianhe_drive.pk])
    posted = {**fields, "visited_on": f"{timezone.localdate():%Y-%m-%d}"}
    client.force_login(manager)
    page = client.post(url, {**posted, "org": org("440104001").pk})
    assert page.status_code == 200 and "对象不存在或无权访问" in page.content.decode()
    assert 'action="#visit-form" id="visit-form"' in page.content.decode()  # the refused form scrolls into view
    assert f'value="{posted["visited_on"]}"' in page.content.decode()  # the date kept as the date picker reads it
    client.force_login(city)
    page = client.post(url, {**posted, "org": org("440104001").pk})
    assert page.status_code == 200 and "洪桥街道总工会不在本行动范围内" in page.content.decode()
    assert (VisitLog.objects.count(), AuditEvent.objects.filter(action="members.visit.logged").count()) == before


def test_a_tianhe_cadre_sees_only_tianhe_in_the_guangzhou_drive(manager, org, guangzhou_drive, client, django_assert_max_num_queries):
    assert [(d.name, d.higher) for d in drives.drive_list(actor=manager)] == [("广州入会行动", True)]
    scope = drives.drive_scope_for(actor=manager, drive=guangzhou_drive)
    assert scope.is_slice and scope.root == org("440106") and scope.target == 12 and not scope.manageable

    analysis = drives.drive_month_analysis(actor=manager, drive=guangzhou_drive)
    tianhe = Membership.objects.filter(union__path__startswith=org("440106").path, status__in=LIVE_STATUSES)
    assert analysis.within == org("440106") and analysis.within_target == 12 and analysis.current.target == 12
    assert analysis.current.cumulative == analysis.within_achieved == tianhe.count() == 3
    assert [m.achieved for m in analysis.months] == [1, 2]
    assert all(row.org.parent_id == org("440106").pk for row in analysis.orgs)
    assert sum(row.visits for row in analysis.orgs) + analysis.direct.visits == analysis.current.visits == 3
    assert analysis.current.planned == scope.planned(as_of=analysis.as_of) < 12  # 序时进度 of 天河's own target
    progress = drives.drive_progress(drive=guangzhou_drive, scope=scope)
    assert (progress.achieved, progress.visits, progress.people_met) == (3, 3, 35) and progress.percent(scope.target) == 0.25
    for outside in (org("4401").pk, org("440104").pk, org("440104001").pk):  # the drive's org and a sibling are not 天河's to open
        with pytest.raises(NotFound):
            drives.drive_month_analysis(actor=manager, drive=guangzhou_drive, within_id=outside)

    client.force_login(manager)
    url = reverse("members:drive_monthly", args=[guangzhou_drive.pk])
    with django_assert_max_num_queries(17):  # the whole-drive page's 16, and one for the slice's org and 分解目标
        page = client.get(url).content.decode()
    for marker in ("上级行动", "天河区总工会分解目标 12", "本页只显示天河区总工会辖区的数据", "石牌街道总工会", "天河区总工会（本级直属）",
                   "3 / 12", 'data-chart="drive-orgs"'):
        assert marker in page, marker
    assert "越秀" not in page and "洪桥" not in page and "分解目标到" not in page  # no sibling, no target form
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(client.get(url, {"export": "orgs"}).content)).get_sheet_by_index(0).to_python()
    assert all(row[0].endswith("（本级直属）") or Org.objects.get(code=row[1]).parent == org("440106") for row in sheet[1:])
    assert client.get(url, {"within": org("440104").pk}).status_code == 404

    weekly = client.get(reverse("members:drive_detail", args=[guangzhou_drive.pk])).content.decode()
    assert "上级行动" in weekly and "3 / 12" in weekly and "25.0%" in weekly and "洪桥" not in weekly and "广州市总工会 · 某物流园" not in weekly
    assert "上级行动" in client.get(reverse("members:drives")).content.decode()


def test_a_yuexiu_cadre_gets_its_own_slice_and_nothing_of_tianhe(org, cadre, guangzhou_drive, client):
    yuexiu = cadre("440104")
    analysis = drives.drive_month_analysis(actor=yuexiu, drive=guangzhou_drive)
    assert analysis.within == org("440104") and analysis.current.target == 8 and analysis.current.cumulative == 2
    assert all(row.org.path.startswith(org("440104").path) for row in analysis.orgs)
    assert shown(next(row for row in analysis.orgs if row.org.code == "440104001")) == (1, 30, 9)
    with pytest.raises(NotFound):
        drives.drive_month_analysis(actor=yuexiu, drive=guangzhou_drive, within_id=org("440106").pk)
    client.force_login(yuexiu)
    page = client.get(reverse("members:drive_monthly", args=[guangzhou_drive.pk])).content.decode()
    assert "越秀区总工会分解目标 8" in page and "天河" not in page and "石牌" not in page

    haizhu = drives.drive_month_analysis(actor=cadre("440105"), drive=guangzhou_drive)  # the city gave 海珠 no share
    assert haizhu.current.target is None and haizhu.current.rate is None and haizhu.current.planned is None
    client.force_login(cadre("440105"))
    page = client.get(reverse("members:drive_monthly", args=[guangzhou_drive.pk])).content.decode()
    assert "海珠区总工会分解目标 未分解" in page and "尚未给本级分解目标" in page

    shenzhen = cadre("4403")  # outside the drive's subtree: as before, nothing
    client.force_login(shenzhen)
    for name in ("members:drive_detail", "members:drive_monthly"):
        assert client.get(reverse(name, args=[guangzhou_drive.pk])).status_code == 404
    assert "广州入会行动" not in client.get(reverse("members:drives")).content.decode()


def test_a_cadre_holding_two_districts_sees_both_with_their_targets_added(org, guangzhou_drive):
    both = PostFactory(org=org("440106")).user
    PostFactory(user=both, org=org("440104"))
    scope = drives.drive_scope_for(actor=both, drive=guangzhou_drive)
    assert scope.root == org("4401") and scope.target == 20 and set(scope.paths) == {org("440106").path, org("440104").path}
    analysis = drives.drive_month_analysis(actor=both, drive=guangzhou_drive)
    assert {row.org.code for row in analysis.orgs} == {"440106", "440104"} and analysis.current.cumulative == 5
    assert analysis.direct is None  # the 市总's own visit is not theirs to see
    PostFactory(user=both, org=org("440105"))
    both = type(both).objects.get(pk=both.pk)  # scopes are cached per request; a new one sees the new post
    assert drives.drive_scope_for(actor=both, drive=guangzhou_drive).target is None  # 海珠 has no share, so no sum


def test_drive_lists_agree_with_who_may_open_a_drive(manager, city, org, cadre, superuser, guangzhou_drive, tianhe_drive):
    analyst = PostFactory(org=org("440106006"), role=Role.objects.get(code="analyst")).user
    for actor in (manager, city, cadre("440104"), cadre("4403"), superuser, analyst):
        listed = {d.pk: d.higher for d in drives.drive_list(actor=actor)}
        for drive in (guangzhou_drive, tianhe_drive):
            try:
                scope = drives.drive_scope_for(actor=actor, drive=drive)
            except NotFound:
                assert drive.pk not in listed
            else:
                assert listed[drive.pk] == scope.is_slice


def test_a_district_cadre_cannot_change_the_city_drive(manager, org, cadre, guangzhou_drive, client):
    shares = dict(guangzhou_drive.targets.values_list("org__code", "target"))
    with pytest.raises(PermissionDenied):
        drives.drive_targets_set(actor=manager, drive=guangzhou_drive, targets={org("440106006").pk: 5})
    with pytest.raises(PermissionDenied):
        drives.drive_get_for(actor=manager, drive_id=guangzhou_drive.pk, action=drives.MANAGE)
    url = reverse("members:drive_targets", args=[guangzhou_drive.pk])
    client.force_login(manager)
    refused = client.post(url, {f"target-{org('440106006').pk}": "5"})
    assert refused.status_code == 403 and "本行动由广州市总工会设定" in refused.content.decode()  # visible, so 403 (0005-access.md)
    client.force_login(cadre("4403"))
    assert client.post(url, {f"target-{org('440106006').pk}": "5"}).status_code == 404  # not visible at all
    assert dict(guangzhou_drive.targets.values_list("org__code", "target")) == shares


def test_a_district_cadre_logs_visits_for_its_own_orgs_against_the_city_drive(manager, city, org, guangzhou_drive, client):
    client.force_login(manager)
    url = reverse("members:drive_detail", args=[guangzhou_drive.pk])
    form = client.get(url).context["form"]
    offered = [value for value, _ in form.fields["org"].widget.choices]
    assert offered[0] == org("440106").pk and org("440106001").pk in offered and form["org"].value() == org("440106").pk
    assert not {org("4401").pk, org("440104").pk, org("440104001").pk} & set(offered)

    today = f"{timezone.localdate():%Y-%m-%d}"
    response = client.post(url, {"org": org("440106001").pk, "visited_on": today, "place": "五山某外卖站点", "people_met": 12, "joined_on_spot": 4})
    assert response.status_code == 302 and response["Location"] == url + "#visits"
    assert "已记录五山街道总工会的走访" in client.get(url).content.decode()
    logged = VisitLog.objects.latest("id")
    assert (logged.org, logged.drive, logged.created_by) == (org("440106001"), guangzhou_drive, manager)
    city_view = drives.drive_month_analysis(actor=city, drive=guangzhou_drive)
    assert shown(next(row for row in city_view.orgs if row.org.code == "440106")) == (4, 47, 8)  # the 市总 sees it in 天河's row

    count = VisitLog.objects.count()
    refused = client.post(url, {"org": org("4401").pk, "visited_on": today, "place": "x", "people_met": 1, "joined_on_spot": 0})
    assert refused.status_code == 200 and "对象不存在或无权访问" in refused.content.decode() and VisitLog.objects.count() == count


# ---------------------------------------------------------------- what counts: 成立日期, imported rosters, days left

def test_new_unions_count_by_their_founding_date_and_fall_back_to_registration(manager, org, client):
    drive = new_drive(manager, org("440106"), metric=DriveMetric.NEW_UNIONS, starts_on=months_ago(1), ends_on=month_end(months_ago(0)))
    shipai = org("440106006")
    OrgFactory(parent=shipai, type=OrgType.ENTERPRISE, name="老厂工会", founded_on=dt.date(2015, 6, 1))  # entered now, founded long ago
    founded = OrgFactory(parent=shipai, type=OrgType.ENTERPRISE, name="新厂工会", founded_on=months_ago(1) + dt.timedelta(days=3))
    Org.objects.filter(pk=founded.pk).update(created_at=timezone.now() - dt.timedelta(days=800))  # registered before, founded during
    OrgFactory(parent=shipai, type=OrgType.ENTERPRISE, name="未填日期工会")  # only its registration day to go by
    dissolved = OrgFactory(parent=shipai, type=OrgType.ENTERPRISE, name="已撤销工会", founded_on=timezone.localdate())
    Org.objects.filter(pk=dissolved.pk).update(is_active=False)
    progress = drives.drive_progress(drive=drive)
    assert (progress.achieved, progress.by_registration) == (2, 1)
    assert [m.achieved for m in drives.drive_month_analysis(actor=manager, drive=drive).months] == [1, 1]
    direct = Org.objects.filter(type=OrgType.ENTERPRISE, is_active=True, path__startswith=org("440106").path)
    assert progress.achieved == (direct.filter(founded_on__range=(drive.starts_on, drive.ends_on)).count()
                                 + direct.filter(founded_on__isnull=True, created_at__date__range=(drive.starts_on, drive.ends_on)).count())
    client.force_login(manager)
    assert "其中 1 个企业工会未填成立日期" in client.get(reverse("members:drive_detail", args=[drive.pk])).content.decode()


def import_rows(actor, rows):
    result = imports.member_import(actor=actor, data=csv_bytes(rows))
    assert not result.errors, result.errors
    return result


def test_an_imported_roster_without_join_dates_does_not_count_as_joining(manager, org):
    today = timezone.localdate()
    drive = new_drive(manager, org("440106"), starts_on=months_ago(1), ends_on=month_end(months_ago(0)), target=10)
    old_roster = [[f"老会员{i}", new_id_number(), "", "440106006", "", "", ""] for i in range(3)]  # 入会日期 left blank
    recruited = [[f"新会员{i}", new_id_number(), "", "440106006", today.isoformat(), "", ""] for i in range(2)]
    import_rows(manager, old_roster + recruited)
    member(joined=today)  # 一键入会 during the drive
    assert drives.drive_progress(drive=drive).achieved == 3
    undated = Membership.objects.filter(events__kind=imports.IMPORTED_UNDATED)
    assert undated.count() == 3 and set(undated.values_list("joined_on", flat=True)) == {today}
    assert Membership.objects.filter(events__kind=imports.IMPORTED).count() == 2

    comeback = undated.first()  # one of the old roster leaves, then joins again through 一键入会: that is a new 入会
    Membership.objects.filter(pk=comeback.pk).update(status=MembershipStatus.LEFT)
    name, id_number = next(row[:2] for row in old_roster if id_index(row[1]) == comeback.person.id_index)
    services.application_approve(actor=None, application_id=join(name=name, id_number=id_number, town_code="440106006").pk)
    assert drives.drive_progress(drive=drive).achieved == 4
    assert drives.drive_month_analysis(actor=manager, drive=drive).current.cumulative == 4


def id_index(id_number: str) -> str:
    return Person._meta.get_field("id_index").index_for(id_number)


def test_drive_pages_say_how_many_days_are_left(manager, org, client):
    drive = new_drive(manager, org("440106"), starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 3, 31))
    assert drives.drive_countdown(drive, today=dt.date(2026, 2, 26)) == "3 天后开始"
    assert drives.drive_countdown(drive, today=dt.date(2026, 3, 1)) == "距结束还有 30 天"
    assert drives.drive_countdown(drive, today=dt.date(2026, 3, 31)) == "今天是最后一天"
    assert drives.drive_countdown(drive, today=dt.date(2026, 4, 1)) == "已于 2026-03-31 结束"
    today = timezone.localdate()
    current = new_drive(manager, org("440106"), starts_on=today - dt.timedelta(days=3), ends_on=today + dt.timedelta(days=12), name="当前行动")
    client.force_login(manager)
    for url in (reverse("members:drive_detail", args=[current.pk]), reverse("members:drive_monthly", args=[current.pk]), reverse("members:drives")):
        assert "距结束还有 12 天" in client.get(url).content.decode(), url
