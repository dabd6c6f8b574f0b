"""/api/drives, /api/ledger and /api/prospect-lists: the figures the 周调度/月分析, 建会台账 and 潜在会员 pages compute, in the same
scope; another district's ids answer 404 like missing ones; a bad month is the page's Chinese 400."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gonghui.accounts.models import Role
from gonghui.accounts.tests.factories import PostFactory
from gonghui.members import drives, ledger, prospects, services
from gonghui.members.models import DriveMetric, Membership
from gonghui.members.tests.factories import join, new_id_number
from gonghui.members.tests.test_drives import member, month_end, months_ago
from gonghui.members.tests.test_imports import csv_bytes
from gonghui.members.tests.test_ledger import imported, joined_through
from gonghui.orgs.models import OrgType
from gonghui.orgs.tests.factories import EmployerFactory, OrgFactory

pytestmark = pytest.mark.django_db


def queries(client, path: str, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, params or {}).status_code == 200
    return len(captured)


@pytest.fixture
def manager(org):
    return PostFactory(org=org("440106"), role=Role.objects.get(code="admin")).user


@pytest.fixture
def city(org):
    return PostFactory(org=org("4401"), role=Role.objects.get(code="admin")).user


def new_drive(actor, org, *, target, name, starts_on=None, ends_on=None):
    return drives.drive_create(actor=actor, org=org, name=name, metric=DriveMetric.NEW_MEMBERS, target=target,
                               starts_on=starts_on or months_ago(1), ends_on=ends_on or month_end(months_ago(0)))


@pytest.fixture
def tianhe_drive(manager, org):
    """天河's drive since last month: 石牌 2 this month (分解目标 4), 五山 1 last month (1), 车陂 none yet (5), 1 held by the 区."""
    drive = new_drive(manager, org("440106"), target=20, name="天河入会行动")
    today = timezone.localdate()
    member(town="440106006", joined=today)
    member(town="440106006", joined=today)
    member(town="440106001", joined=months_ago(1))
    held = member(joined=today)
    Membership.objects.filter(pk=held.pk).update(union=org("440106"))
    member(town="440104001", joined=today)  # 越秀区: never counted
    drives.drive_targets_set(actor=manager, drive=drive, targets={org("440106006").pk: 4, org("440106001").pk: 1, org("440106003").pk: 5})
    drives.visit_log_create(actor=manager, org=org("440106006"), drive=drive, visited_on=today, place="某物流园", people_met=20,
                            joined_on_spot=3)
    return drive


class TestDrives:
    def test_a_listed_drive_says_what_the_weekly_page_computes(self, manager, tianhe_drive, logged_in):
        body = logged_in(manager).get("/api/drives").json()
        assert body["count"] == 1
        row = body["items"][0]
        scope = drives.drive_scope_for(actor=manager, drive=tianhe_drive)
        progress = drives.drive_progress(drive=tianhe_drive, scope=scope)
        today = timezone.localdate()
        assert (row["id"], row["name"], row["higher"], row["metric_display"]) == (tianhe_drive.pk, "天河入会行动", False, "新增会员")
        assert (row["target"], row["drive_target"], row["achieved"]) == (20, 20, progress.achieved) == (20, 20, 4)
        assert row["rate"] == progress.percent(20) == 0.2
        assert row["planned"] == drives.drive_planned(tianhe_drive, as_of=today) and row["planned"] == progress.planned[-1]
        assert row["days_left"] == (tianhe_drive.ends_on - today).days and row["countdown"] == drives.drive_countdown(tianhe_drive)
        assert (row["visits"], row["people_met"], row["joined_on_spot"]) == (1, 20, 3)

    def test_the_detail_adds_the_weeks_and_the_months_sub_orgs(self, manager, org, tianhe_drive, logged_in):
        client = logged_in(manager)
        body = client.get(f"/api/drives/{tianhe_drive.pk}").json()
        progress = drives.drive_progress(drive=tianhe_drive)
        assert [(w["week"], w["achieved"], w["cumulative"], w["planned"]) for w in body["weekly"]] == [
            (f"{week:%Y-%m-%d}", count, running, planned) for (week, count, running), planned in zip(progress.weekly, progress.planned, strict=True)]
        analysis = drives.drive_month_analysis(actor=manager, drive=tianhe_drive)
        monthly = body["monthly"]
        assert monthly["month"] == f"{months_ago(0):%Y-%m}" and monthly["choices"] == [f"{months_ago(1):%Y-%m}", f"{months_ago(0):%Y-%m}"]
        assert (monthly["within"]["id"], monthly["within_target"], monthly["within_achieved"], monthly["allocated"]) == (
            org("440106").pk, 20, analysis.within_achieved, 10)
        assert [(row["org_code"], row["month_achieved"], row["achieved"], row["target"], row["rate"], row["behind"], row["visits"])
                for row in monthly["orgs"]] == [(row.org.code, row.month_achieved, row.achieved, row.target, row.rate,
                                                 analysis.is_behind(row), row.visits) for row in analysis.orgs]
        assert [row["org_code"] for row in monthly["orgs"][:3]] == ["440106003", "440106006", "440106001"]  # lagging first
        assert monthly["direct"]["achieved"] == 1 and monthly["direct"]["direct"] is True
        assert [(m["achieved"], m["cumulative"]) for m in monthly["months"]] == [(1, 1), (3, 4)]

        earlier = client.get(f"/api/drives/{tianhe_drive.pk}", {"month": f"{months_ago(1):%Y-%m}", "within": org("440106001").pk}).json()
        drilled = drives.drive_month_analysis(actor=manager, drive=tianhe_drive, month=f"{months_ago(1):%Y-%m}", within_id=org("440106001").pk)
        assert earlier["monthly"]["within"]["name"] == "五山街道总工会" and earlier["monthly"]["within_target"] == 1
        assert earlier["monthly"]["as_of"] == f"{drilled.as_of:%Y-%m-%d}" and len(earlier["monthly"]["months"]) == 1
        assert earlier["monthly"]["within_achieved"] == drilled.within_achieved == 1

    def test_a_district_sees_its_slice_of_the_city_drive(self, city, manager, org, logged_in):
        drive = new_drive(city, org("4401"), target=30, name="广州入会行动")
        member(town="440106006", joined=timezone.localdate())
        member(town="440104001", joined=timezone.localdate())
        drives.drive_targets_set(actor=city, drive=drive, targets={org("440106").pk: 12})
        client = logged_in(manager)
        row = client.get("/api/drives").json()["items"][0]
        assert (row["higher"], row["scope_org"]["name"], row["target"], row["drive_target"], row["achieved"]) == (True, "天河区总工会", 12, 30, 1)
        monthly = client.get(f"/api/drives/{drive.pk}").json()["monthly"]
        assert monthly["within"]["name"] == "天河区总工会" and all(r["org_code"].startswith("440106") for r in monthly["orgs"])
        assert client.get(f"/api/drives/{drive.pk}", {"within": org("440104").pk}).status_code == 404  # a sibling is not theirs

    def test_another_districts_drive_is_404_like_a_missing_one(self, cadre, tianhe_drive, logged_in):
        client = logged_in(cadre("440104"))
        forbidden, missing = client.get(f"/api/drives/{tianhe_drive.pk}"), client.get("/api/drives/987654321")
        assert forbidden.status_code == missing.status_code == 404 and forbidden.json() == missing.json()
        assert client.get("/api/drives").json() == {"items": [], "count": 0}

    @pytest.mark.parametrize("month, message", [("2026-13", "月份格式不正确"), ("1999-01", "不在本行动可分析的月份内")])
    def test_a_bad_month_is_a_400_with_the_pages_message(self, manager, tianhe_drive, logged_in, month, message):
        response = logged_in(manager).get(f"/api/drives/{tianhe_drive.pk}", {"month": month})
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "members.drive_month" and message in body["message"] and "month" in body["fields"]

    def test_the_list_is_paginated(self, manager, org, logged_in):
        made = [new_drive(manager, org("440106"), target=5, name=f"行动{n}", starts_on=timezone.localdate() - dt.timedelta(days=n))
                for n in range(3)]
        client = logged_in(manager)
        first, second = client.get("/api/drives", {"page_size": 2}).json(), client.get("/api/drives", {"page_size": 2, "page": 2}).json()
        assert first["count"] == second["count"] == 3
        assert [row["id"] for row in first["items"] + second["items"]] == [d.pk for d in made]  # newest start first, as the page

    def test_each_listed_drive_costs_two_queries_whatever_its_size(self, manager, org, tianhe_drive, logged_in):
        client = logged_in(manager)
        one = queries(client, "/api/drives")
        for n in range(3):
            new_drive(manager, org("440106"), target=5, name=f"行动{n}")
        assert queries(client, "/api/drives") == one + 3 * 2  # its weeks and its visits, each one grouped query

    def test_anonymous_callers_get_401(self, client, tianhe_drive):
        assert client.get("/api/drives").status_code == client.get(f"/api/drives/{tianhe_drive.pk}").status_code == 401


# ---------------------------------------------------------------- 建会台账

@pytest.fixture
def employers(manager, org):
    """石牌: a factory with its union (3 imported members, one joined through it), a large employer without a union, a shop
    with one member by 就业; 五山: a small office; 越秀: one the 天河 cadre must never see."""
    shipai = org("440106006")
    union = OrgFactory(parent=shipai, type=OrgType.ENTERPRISE, name="某制造公司工会委员会")
    made = {
        "factory": EmployerFactory(town=shipai, name="某制造有限公司", headcount=40, has_union=True, union=union),
        "large": EmployerFactory(town=shipai, name="大厂未建会有限公司", headcount=300),
        "shop": EmployerFactory(town=shipai, name="社区小店", headcount=5),
        "office": EmployerFactory(town=org("440106001"), name="五山某事务所", headcount=10),
        "yuexiu": EmployerFactory(town=org("440104001"), name="越秀某公司", headcount=10),
    }
    imported(manager, union, 3)
    joined_through(made["factory"])
    joined_through(made["shop"])
    return made


def ledger_row(employer) -> dict:
    return {"name": employer.name, "uscc": employer.uscc, "town": employer.town.name, "headcount": employer.headcount,
            "has_union": employer.has_union, "union": employer.union.name if employer.union else None, "members": employer.members,
            "rate": employer.rate, "uncovered": employer.uncovered}


def shown(item) -> dict:
    return {**item, "town": item["town"]["name"], "union": item["union"]["name"] if item["union"] else None}


class TestLedger:
    def test_rows_are_the_pages_rows_for_the_acting_org(self, manager, org, employers, logged_in):
        body = logged_in(manager).get("/api/ledger").json()
        expected = [ledger_row(e) for e in ledger.employer_coverage(actor=manager, org=org("440106"))]
        assert body["count"] == 4 and [{k: shown(item)[k] for k in expected[0]} for item in body["items"]] == expected
        factory = next(item for item in body["items"] if item["name"] == "某制造有限公司")
        assert (factory["members"], factory["rate"], factory["uncovered"], factory["union"]["name"]) == (4, 0.1, 36, "某制造公司工会委员会")

    def test_filters_and_orders_are_the_pages(self, manager, org, employers, logged_in):
        client = logged_in(manager)

        def names(**params):
            return [item["name"] for item in client.get("/api/ledger", params).json()["items"]]

        def page(**params):
            return [e.name for e in ledger.employer_coverage(actor=manager, org=org(params.pop("code", "440106")),
                                                             filters=ledger.LedgerFilters.from_params(params))]

        assert names(org=org("440106006").pk) == page(code="440106006") == ["大厂未建会有限公司", "某制造有限公司", "社区小店"]
        assert names(has_union="0", large="1") == page(has_union="0", large="1") == ["大厂未建会有限公司"]
        assert names(sort="name") == page(sort="name") and names(sort="uncovered")[0] == "大厂未建会有限公司"
        assert names(q="小店") == ["社区小店"] and names(sort="drop table") == page()

    def test_pages(self, manager, org, employers, logged_in):
        client = logged_in(manager)
        everyone = [item["id"] for item in client.get("/api/ledger").json()["items"]]
        first, second = client.get("/api/ledger", {"page_size": 3}).json(), client.get("/api/ledger", {"page_size": 3, "page": 2}).json()
        assert first["count"] == second["count"] == 4 and [i["id"] for i in first["items"] + second["items"]] == everyone
        few = queries(client, "/api/ledger")
        for index in range(10):
            EmployerFactory(town=org("440106001"), name=f"五山第{index:02d}公司", headcount=30 + index)
        assert queries(client, "/api/ledger") == few  # a page is one query and its count, however many rows

    def test_another_district_is_404_and_its_cadre_sees_only_its_own(self, manager, cadre, org, employers, logged_in):
        client = logged_in(manager)
        forbidden, missing = client.get("/api/ledger", {"org": org("440104").pk}), client.get("/api/ledger", {"org": 987654321})
        assert forbidden.status_code == missing.status_code == 404 and forbidden.json() == missing.json()
        yuexiu = logged_in(cadre("440104")).get("/api/ledger").json()
        assert [item["name"] for item in yuexiu["items"]] == ["越秀某公司"]

    def test_anonymous_callers_get_401(self, client):
        assert client.get("/api/ledger").status_code == 401


# ---------------------------------------------------------------- 潜在会员

@pytest.fixture
def prospect_list(manager, org):
    """Four people (one already a member) and a bad row; the plaintext IDs and names are kept on the fixture to look for them."""
    member_id = new_id_number(region="440106")
    services.application_approve(actor=None, application_id=join(id_number=member_id, town_code="440106006").pk)
    ids = [member_id, new_id_number(region="440106"), new_id_number(region="440811"), new_id_number(region="440811")]
    rows = [["张一", ids[0], "13800000001", "", "", "货车司机", ""], ["张二", ids[1], "13800000002", "", "", "货车司机", ""],
            ["张三", ids[2], "13800000003", "", "", "货车司机", ""], ["张四", ids[3], "", "", "", "", ""], ["坏行", "123", "", "", "", "", ""]]
    uploaded, _ = prospects.prospect_list_upload(actor=manager, org=org("440106"), source="某货运平台", data=csv_bytes(rows))
    uploaded.plaintext = [*ids, "张一", "张二", "张三", "张四", "13800000001"]
    return uploaded


class TestProspects:
    def test_figures_now_and_at_upload_are_the_pages(self, manager, prospect_list, logged_in):
        services.application_approve(actor=None, application_id=join(id_number=prospect_list.plaintext[2], town_code="440106006").pk)
        response = logged_in(manager).get(f"/api/prospect-lists/{prospect_list.pk}")
        body = response.json()
        rows = prospects.prospect_summary(prospect_list=prospect_list)
        assert body["rows"] == [{key: row[key] for key in body["rows"][0]} for row in rows]
        assert body["now"] == prospects.prospect_totals(rows=rows)
        assert (body["now"]["members"], body["now"]["joined_since"], body["now"]["targets"]) == (2, 1, 2)
        assert (body["total"], body["members_at_upload"], body["coverage_at_upload"]) == (4, 1, 0.25)
        assert {(row["region"], row["form"]) for row in body["rows"]} == {("天河区", "货车司机"), ("麻章区", "货车司机"), ("麻章区", "未注明")}
        text = response.content.decode()
        assert not any(plain in text for plain in prospect_list.plaintext)  # counts only, and the list keeps no plaintext anyway

    def test_a_purged_list_keeps_its_upload_figures_only(self, manager, prospect_list, logged_in):
        prospects.prospects_purge(today=prospect_list.purge_on)
        body = logged_in(manager).get(f"/api/prospect-lists/{prospect_list.pk}").json()
        assert body["now"] is None and body["rows"] == [] and body["purged_at"] and body["total"] == 4

    def test_the_list_is_scoped_and_paginated(self, manager, cadre, org, prospect_list, logged_in):
        again, _ = prospects.prospect_list_upload(actor=manager, org=org("440106"), source="某外卖平台",
                                                  data=csv_bytes([["李一", new_id_number(), "", "", "", "外卖骑手", ""]]))
        client = logged_in(manager)
        first = client.get("/api/prospect-lists", {"page_size": 1}).json()
        assert first["count"] == 2 and [item["id"] for item in first["items"]] == [again.pk]
        assert client.get("/api/prospect-lists", {"page_size": 1, "page": 2}).json()["items"][0]["source"] == "某货运平台"
        yuexiu = logged_in(cadre("440104"))
        forbidden, missing = yuexiu.get(f"/api/prospect-lists/{prospect_list.pk}"), yuexiu.get("/api/prospect-lists/987654321")
        assert forbidden.status_code == missing.status_code == 404 and forbidden.json() == missing.json()
        assert yuexiu.get("/api/prospect-lists").json()["count"] == 0

    def test_anonymous_callers_get_401(self, client, prospect_list):
        assert client.get("/api/prospect-lists").status_code == client.get(f"/api/prospect-lists/{prospect_list.pk}").status_code == 401
