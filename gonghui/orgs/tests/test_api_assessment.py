"""/api/assessment-schemes, /api/assessments, /api/improvement-tasks and /api/cultivation-plans: what the 星级评定, 激励整改 and
分级培育 pages show, in the same scope; another district's ids answer 404 like missing ones."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gonghui.orgs import assessment as service
from gonghui.orgs import assessment_schemes as schemes
from gonghui.orgs import cultivation, improvements
from gonghui.orgs.models import Assessment, AssessmentStatus, ImprovementTask, OrgType
from gonghui.orgs.tests.factories import OrgFactory, scores
from gonghui.orgs.tests.test_assessment_ranking import SHIPAI, YUEXIU_TOWN, bring, union_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def field(setting, org, cadre):
    """Four reviewed 天河 unions (two sharing first place, one awarded with two weak indicators), a draft, and one 越秀 union."""
    weak = union_in(org, SHIPAI, "乙公司工会")
    item = service.assessment_start(actor=cadre(weak.code), scheme=setting["scheme"], union=weak)
    low = {**scores(setting["scheme"], 0.9), **{str(i.pk): 0 for i in setting["scheme"].indicators.all()[:2]}}
    service.assessment_submit(actor=cadre(weak.code), assessment_id=item.pk, scores=low, evidence="制度文件和活动台账见附件。")
    service.assessment_recommend(actor=setting["district"], assessment_id=item.pk, recommend=True, comment="推荐")
    service.assessment_award(actor=setting["city"], assessment_id=item.pk, stars=3, level="basic")
    return {
        "甲": bring(setting, cadre, setting["union"], fraction=0.9, until="recommended"),
        "乙": Assessment.objects.get(pk=item.pk),
        "丙": bring(setting, cadre, union_in(org, SHIPAI, "丙公司工会"), fraction=0.8, until="recommended"),
        "丁": bring(setting, cadre, union_in(org, SHIPAI, "丁公司工会"), fraction=0.9, until="recommended"),
        "戊": bring(setting, cadre, union_in(org, SHIPAI, "戊公司工会"), fraction=0, until="draft"),
        "越": bring(setting, cadre, union_in(org, YUEXIU_TOWN, "越秀某公司工会"), fraction=0.85, until="recommended",
                   district=cadre("440104")),
    }


def queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def same_404(client, path: str, missing: str):
    forbidden, absent = client.get(path), client.get(missing)
    assert forbidden.status_code == absent.status_code == 404 and forbidden.json() == absent.json()


class TestSchemesAndRanking:
    def test_schemes_are_the_ones_the_page_lists(self, setting, cadre, logged_in):
        draft = schemes.scheme_create(actor=setting["city"], owner=setting["scheme"].owner, name="市总草稿方案", year=2027)
        city = logged_in(setting["city"]).get("/api/assessment-schemes").json()
        assert [item["id"] for item in city["items"]] == [s.pk for s in service.scheme_list(actor=setting["city"])] == [draft.pk, setting["scheme"].pk]
        published = city["items"][1]
        assert (published["published"], published["total_points"], published["owner"]["name"]) == (True, 100, "广州市总工会")
        assert published["eligibility"] == setting["scheme"].eligibility and published["grades"][0] == {"name": "优秀", "line": 90.0}
        district = logged_in(setting["district"]).get("/api/assessment-schemes", {"year": 2026}).json()
        assert [item["id"] for item in district["items"]] == [setting["scheme"].pk]  # a draft above is not theirs to see
        assert logged_in(cadre("4403")).get("/api/assessment-schemes").json()["count"] == 0  # 深圳 takes no part in 广州's

    def test_the_ranking_is_the_pages_and_pages(self, setting, field, org, logged_in):
        client = logged_in(setting["city"])
        body = client.get(f"/api/assessment-schemes/{setting['scheme'].pk}/ranking").json()
        expected = service.ranking(actor=setting["city"], scheme=setting["scheme"])
        assert [(row["assessment_id"], row["rank"], row["total"]) for row in body["items"]] == [
            (item.pk, item.rank, float(item.total)) for item in expected]
        ranks = {row["union"]["name"]: row["rank"] for row in body["items"]}
        assert ranks["某科技公司工会委员会"] == ranks["丁公司工会"] == 1 and ranks["越秀某公司工会"] == 3 and "戊公司工会" not in ranks
        awarded = next(row for row in body["items"] if row["assessment_id"] == field["乙"].pk)
        assert (awarded["grade"], awarded["stars"], awarded["level_display"], awarded["tasks"]) == ("合格", 3, "初级", 2)
        tianhe = client.get(f"/api/assessment-schemes/{setting['scheme'].pk}/ranking", {"within": org("440106").pk, "q": "丙"}).json()
        narrowed = service.ranking(actor=setting["city"], scheme=setting["scheme"], within=org("440106"), q="丙")
        assert [(row["union"]["name"], row["rank"]) for row in tianhe["items"]] == [(i.union.name, i.rank) for i in narrowed] == [
            ("丙公司工会", 3)]  # placed among 天河's unions (甲 and 丁 share first), however few the search finds
        first = client.get(f"/api/assessment-schemes/{setting['scheme'].pk}/ranking", {"page_size": 3}).json()
        second = client.get(f"/api/assessment-schemes/{setting['scheme'].pk}/ranking", {"page_size": 3, "page": 2}).json()
        assert first["count"] == 5 and [r["assessment_id"] for r in first["items"] + second["items"]] == [i.pk for i in expected]

    def test_a_district_sees_only_its_own_and_not_another_districts_area_or_scheme(self, setting, field, org, cadre, logged_in):
        client = logged_in(setting["district"])
        names = [row["union"]["name"] for row in client.get(f"/api/assessment-schemes/{setting['scheme'].pk}/ranking").json()["items"]]
        assert "越秀某公司工会" not in names and len(names) == 4
        same_404(client, f"/api/assessment-schemes/{setting['scheme'].pk}/ranking?within={org('440104').pk}",
                 f"/api/assessment-schemes/{setting['scheme'].pk}/ranking?within=987654321")
        shenzhen = logged_in(cadre("4403"))
        same_404(shenzhen, f"/api/assessment-schemes/{setting['scheme'].pk}/ranking", "/api/assessment-schemes/987654321/ranking")


class TestAssessment:
    def test_the_detail_has_scores_award_and_tasks(self, setting, field, logged_in):
        item = field["乙"]
        body = logged_in(setting["district"]).get(f"/api/assessments/{item.pk}").json()
        assert (body["status"], body["status_display"], body["total"], body["grade"], body["stars"], body["level"]) == (
            AssessmentStatus.AWARDED, "市总已评定", float(item.total), "合格", 3, "basic")
        indicators = list(setting["scheme"].indicators.all())
        assert [s["indicator_id"] for s in body["scores"]] == [i.pk for i in indicators]
        assert [s["self_score"] for s in body["scores"]] == [item.self_scores[str(i.pk)] for i in indicators]
        assert body["scores"][0]["self_score"] == 0 and body["scores"][0]["review_score"] is None
        tasks = ImprovementTask.objects.filter(assessment=item).order_by("due_on", "pk")
        assert [(t["id"], t["due_on"], t["status"], t["overdue"]) for t in body["tasks"]] == [
            (task.pk, f"{task.due_on:%Y-%m-%d}", "open", False) for task in tasks]
        timing = improvements.improvement_timing(tasks)
        assert [t["working_days_left"] for t in body["tasks"]] == [row.days_left for row in timing] and timing[0].days_left > 50

    def test_a_draft_has_no_scores_yet(self, setting, field, logged_in):
        body = logged_in(setting["city"]).get(f"/api/assessments/{field['戊'].pk}").json()
        assert body["status"] == "draft" and body["total"] is None and body["tasks"] == []
        assert all(s["self_score"] is None for s in body["scores"])

    def test_another_districts_assessment_is_404(self, setting, field, logged_in):
        same_404(logged_in(setting["district"]), f"/api/assessments/{field['越'].pk}", "/api/assessments/987654321")


class TestImprovementTasks:
    def test_the_list_filters_by_state_as_the_page_does(self, setting, field, cadre, logged_in):
        tasks = list(ImprovementTask.objects.filter(assessment=field["乙"]).order_by("due_on", "pk"))
        improvements.improvement_report_done(actor=cadre(field["乙"].union.code), task_id=tasks[0].pk, note="已修订工会制度并组织学习三次。")
        ImprovementTask.objects.filter(pk=tasks[1].pk).update(due_on=timezone.localdate() - dt.timedelta(days=10))
        client = logged_in(setting["district"])
        for state in ("", "open", "overdue", "done", "confirmed"):
            body = client.get("/api/improvement-tasks", {"state": state}).json()
            expected = improvements.improvement_list(actor=setting["district"], state=state)
            assert [row["id"] for row in body["items"]] == [task.pk for task in expected], state
        overdue = client.get("/api/improvement-tasks", {"state": "overdue"}).json()["items"]
        assert [row["id"] for row in overdue] == [tasks[1].pk] and overdue[0]["overdue"] and overdue[0]["working_days_left"] < 0
        done = client.get("/api/improvement-tasks", {"state": "done"}).json()["items"][0]
        assert (done["status_display"], done["working_days_left"], done["union"]["name"], done["scheme"]["year"]) == (
            "已报完成，待确认", None, "乙公司工会", 2026)
        pages = [client.get("/api/improvement-tasks", {"page_size": 1, "page": n}).json() for n in (1, 2)]
        assert [p["count"] for p in pages] == [2, 2] and {p["items"][0]["id"] for p in pages} == {tasks[0].pk, tasks[1].pk}

    def test_another_districts_cadre_sees_none(self, setting, field, cadre, org, logged_in):
        assert logged_in(cadre("440104")).get("/api/improvement-tasks").json() == {"items": [], "count": 0}
        same_404(logged_in(setting["district"]), f"/api/improvement-tasks?within={org('440104').pk}", "/api/improvement-tasks?within=987654321")


def test_list_pages_cost_the_same_however_many_rows(setting, field, org, logged_in):
    client = logged_in(setting["city"])
    ranking = f"/api/assessment-schemes/{setting['scheme'].pk}/ranking"
    before = queries(client, ranking), queries(client, "/api/improvement-tasks")
    for number in range(5):
        extra = service.assessment_start(actor=setting["district"], scheme=setting["scheme"], union=union_in(org, SHIPAI, f"加{number}公司工会"))
        Assessment.objects.filter(pk=extra.pk).update(status=AssessmentStatus.RECOMMENDED, total=50 + number)
        ImprovementTask.objects.create(assessment=field["乙"], description=f"整改事项{number}", due_on=timezone.localdate())
    assert (queries(client, ranking), queries(client, "/api/improvement-tasks")) == before


class TestCultivationPlans:
    @pytest.fixture
    def plan(self, setting, field, org):
        district = setting["district"]
        plan = cultivation.plan_create(actor=district, org=org("440106"), year=2026, name="天河分级培育",
                                       targets={"basic": 3, "intermediate": 2, "advanced": 0})
        others = [OrgFactory(parent=org(SHIPAI), type=OrgType.ENTERPRISE, name=f"培育{n}号工会") for n in range(3)]
        cultivation.candidates_add(actor=district, plan_id=plan.pk, union_ids=[field["乙"].union_id] + [u.pk for u in others], aimed_level="basic")
        cultivation.candidate_accept(actor=district, candidate_id=plan.candidates.get(union=others[0]).pk, level="basic", note="达标")
        return plan

    def test_the_detail_has_targets_progress_and_candidates(self, setting, plan, logged_in):
        body = logged_in(setting["district"]).get(f"/api/cultivation-plans/{plan.pk}").json()
        assert body["targets"] == {"basic": 3, "intermediate": 2, "advanced": 0} and body["can_change"] is True
        progress = cultivation.plan_progress(plan=plan)
        assert [(p["level"], p["target"], p["reached"], p["cultivating"], p["percent"], p["short"]) for p in body["progress"]] == [
            (p.level, p.target, p.reached, p.cultivating, p.percent, p.short) for p in progress]
        assert body["progress"][0] == {"level": "basic", "label": "初级", "target": 3, "reached": 1, "cultivating": 3, "percent": 33, "short": 2}
        rows = list(cultivation.candidate_list(plan=plan))
        assert [(c["union"]["name"], c["reached_level"], c["latest_award"]) for c in body["candidates"]] == [
            (c.union.name, c.reached_level, cultivation.candidate_hint(c)) for c in rows]
        assert next(c for c in body["candidates"] if c["union"]["name"] == "乙公司工会")["latest_award"] == "2026年 合格 ★3 初级"

    def test_the_city_reads_it_and_another_district_gets_404(self, setting, plan, cadre, logged_in):
        assert logged_in(setting["city"]).get(f"/api/cultivation-plans/{plan.pk}").json()["can_change"] is False
        listed = logged_in(setting["city"]).get("/api/cultivation-plans", {"year": 2026}).json()
        assert [item["id"] for item in listed["items"]] == [plan.pk] and listed["items"][0]["org"]["name"] == "天河区总工会"
        yuexiu = logged_in(cadre("440104"))
        same_404(yuexiu, f"/api/cultivation-plans/{plan.pk}", "/api/cultivation-plans/987654321")
        assert yuexiu.get("/api/cultivation-plans").json()["count"] == 0

    def test_the_list_is_paginated(self, setting, plan, org, logged_in):
        second = cultivation.plan_create(actor=setting["district"], org=org("440106"), year=2025, name="上年培育",
                                         targets={"basic": 1, "intermediate": 0, "advanced": 0})
        client = logged_in(setting["district"])
        pages = [client.get("/api/cultivation-plans", {"page_size": 1, "page": n}).json() for n in (1, 2)]
        assert [p["count"] for p in pages] == [2, 2] and [p["items"][0]["id"] for p in pages] == [plan.pk, second.pk]


@pytest.mark.parametrize("path", ["/api/assessment-schemes", "/api/assessment-schemes/1/ranking", "/api/assessments/1",
                                  "/api/improvement-tasks", "/api/cultivation-plans", "/api/cultivation-plans/1"])
def test_anonymous_callers_get_401(client, path):
    response = client.get(path)
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
