"""分级培育计划: 南沙区总 sets year-end targets per level, picks enterprise unions under it, records their 验收 and
watches its progress; 广州市总 above reads it but cannot change it; another district sees nothing; bad input changes
nothing."""
import io
import re

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from gonghui.audit.models import AuditEvent
from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.orgs import assessment
from gonghui.orgs import cultivation as service
from gonghui.orgs.models import CultivationCandidate, CultivationPlan, OrgType
from gonghui.orgs.tests.factories import OrgFactory, scores

pytestmark = pytest.mark.django_db

TARGETS = {"basic": 3, "intermediate": 2, "advanced": 0}


@pytest.fixture
def nansha(org, cadre):
    """南沙区总 with four enterprise unions under 南沙街道, its own cadre and 广州市总's."""
    town = org("440115001")
    unions = [OrgFactory(parent=town, type=OrgType.ENTERPRISE, name=f"南沙{n}号企业工会委员会") for n in range(1, 5)]
    return {"district": org("440115"), "town": town, "unions": unions, "cadre": cadre("440115"), "city": cadre("4401")}


@pytest.fixture
def plan(nansha):
    return service.plan_create(actor=nansha["cadre"], org=nansha["district"], year=2026, name="企业工会分级培育", targets=TARGETS)


def plan_links(page: str) -> int:
    return len(re.findall(r'href="/workbench/cultivation/\d+/"', page))


def events(obj) -> list[str]:
    return list(AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("id")
                .values_list("action", flat=True))


def candidate_of(plan, union) -> CultivationCandidate:
    return plan.candidates.get(union=union)


class TestWorkflow:
    def test_targets_candidates_acceptance_and_progress(self, nansha, plan, org):
        cadre, unions = nansha["cadre"], nansha["unions"]
        assert (plan.target_primary, plan.target_intermediate, plan.target_advanced) == (3, 2, 0)

        added = service.candidates_add(actor=cadre, plan_id=plan.pk, union_ids=[u.pk for u in unions[:3]], aimed_level="basic")
        assert len(added) == 3
        again = service.candidates_add(actor=cadre, plan_id=plan.pk, union_ids=[unions[0].pk, unions[3].pk], aimed_level="intermediate")
        assert [c.union for c in again] == [unions[3]]  # the one already in the plan is skipped, not duplicated
        outsider = OrgFactory(parent=org("440106006"), type=OrgType.ENTERPRISE, name="天河某公司工会委员会")
        with pytest.raises(ApplicationError, match="天河某公司工会委员会不在南沙区总工会的管辖范围内"):
            service.candidates_add(actor=cadre, plan_id=plan.pk, union_ids=[outsider.pk], aimed_level="basic")
        with pytest.raises(ApplicationError, match="南沙街道总工会不是有效的企业工会"):
            service.candidates_add(actor=cadre, plan_id=plan.pk, union_ids=[nansha["town"].pk], aimed_level="basic")
        assert plan.candidates.count() == 4

        service.candidate_accept(actor=cadre, candidate_id=candidate_of(plan, unions[0]).pk, level="basic", note="规范化建设达标")
        service.candidate_accept(actor=cadre, candidate_id=candidate_of(plan, unions[3]).pk, level="intermediate", note="")
        service.candidate_accept(actor=cadre, candidate_id=candidate_of(plan, unions[1]).pk, level="intermediate", note="超额")

        progress = {p.level: p for p in service.plan_progress(plan=plan)}
        for level, p in progress.items():
            assert p.reached == CultivationCandidate.objects.filter(plan=plan, reached_level=level).count()
            assert p.cultivating == CultivationCandidate.objects.filter(plan=plan, reached_level="", aimed_level=level).count()
        assert [(p.reached, p.target, p.percent, p.short, p.cultivating) for p in progress.values()] == [
            (1, 3, 33, 2, 1), (2, 2, 100, 0, 0), (0, 0, 0, 0, 0)]

        accepted = candidate_of(plan, unions[0])
        with pytest.raises(ApplicationError, match="已通过验收，不能移出计划"):
            service.candidate_remove(actor=cadre, candidate_id=accepted.pk)
        with pytest.raises(ApplicationError, match="已验收为初级，如需更改请先撤销验收"):
            service.candidate_accept(actor=cadre, candidate_id=accepted.pk, level="advanced", note="")
        service.candidate_reopen(actor=cadre, candidate_id=accepted.pk)
        service.candidate_remove(actor=cadre, candidate_id=accepted.pk)
        assert not plan.candidates.filter(union=unions[0]).exists()

        assert events(plan) == ["orgs.cultivation_plan.created", "orgs.cultivation_plan.candidates_added",
                                "orgs.cultivation_plan.candidates_added", "orgs.cultivation_plan.candidate_removed"]
        assert events(candidate_of(plan, unions[1])) == ["orgs.cultivation_candidate.accepted"]
        assert AuditEvent.objects.filter(action="orgs.cultivation_candidate.reopened", object_id=str(accepted.pk)).count() == 1

    def test_bad_input_gives_a_chinese_message_and_changes_nothing(self, nansha, plan):
        cadre = nansha["cadre"]
        with pytest.raises(ApplicationError, match="初级目标应为 0 到 100000 之间的整数"):
            service.plan_update(actor=cadre, plan_id=plan.pk, name="改名", targets={**TARGETS, "basic": -1})
        with pytest.raises(ApplicationError, match="请填写计划名称"):
            service.plan_create(actor=cadre, org=nansha["district"], year=2026, name=" ", targets=TARGETS)
        with pytest.raises(ApplicationError, match="已有名为“企业工会分级培育”的培育计划"):
            service.plan_create(actor=cadre, org=nansha["district"], year=2026, name="企业工会分级培育", targets=TARGETS)
        with pytest.raises(ApplicationError, match="请选择培育等级"):
            service.candidates_add(actor=cadre, plan_id=plan.pk, union_ids=[nansha["unions"][0].pk], aimed_level="gold")
        service.candidates_add(actor=cadre, plan_id=plan.pk, union_ids=[nansha["unions"][0].pk], aimed_level="basic")
        candidate = plan.candidates.get()
        with pytest.raises(ApplicationError, match="请选择培育等级"):
            service.candidate_accept(actor=cadre, candidate_id=candidate.pk, level="五星", note="")
        plan.refresh_from_db()
        candidate.refresh_from_db()
        assert (plan.name, plan.target_primary, CultivationPlan.objects.count()) == ("企业工会分级培育", 3, 1)
        assert (candidate.reached_level, candidate.accepted_at) == ("", None)
        assert events(plan) == ["orgs.cultivation_plan.created", "orgs.cultivation_plan.candidates_added"]


class TestAccess:
    def test_another_district_gets_the_same_404_as_a_missing_plan(self, nansha, plan, cadre, logged_in):
        tianhe = cadre("440106")
        candidate = service.candidates_add(actor=nansha["cadre"], plan_id=plan.pk, union_ids=[nansha["unions"][0].pk],
                                           aimed_level="basic")[0]
        with pytest.raises(NotFound):
            service.plan_get_for(actor=tianhe, plan_id=plan.pk)
        with pytest.raises(NotFound):
            service.plan_update(actor=tianhe, plan_id=plan.pk, name="越权", targets=TARGETS)
        with pytest.raises(NotFound):
            service.candidate_accept(actor=tianhe, candidate_id=candidate.pk, level="basic", note="")
        with pytest.raises(NotFound):
            service.plan_create(actor=tianhe, org=nansha["district"], year=2026, name="越权", targets=TARGETS)
        assert list(service.plan_list(actor=tianhe)) == []
        client = logged_in(tianhe)
        urls = [("get", reverse("cultivation:detail", args=[plan.pk])), ("get", reverse("cultivation:detail", args=[plan.pk]) + "?export=xlsx"),
                ("post", reverse("cultivation:edit", args=[plan.pk])), ("post", reverse("cultivation:candidates_add", args=[plan.pk])),
                ("post", reverse("cultivation:candidate", args=[plan.pk, candidate.pk])), ("get", reverse("cultivation:detail", args=[99999]))]
        for method, url in urls:
            assert getattr(client, method)(url, {"op": "remove", "name": "越权"}).status_code == 404, url
        assert CultivationCandidate.objects.filter(pk=candidate.pk).exists()

    def test_the_city_above_reads_the_plan_but_cannot_change_it(self, nansha, plan, logged_in):
        city = nansha["city"]
        candidate = service.candidates_add(actor=nansha["cadre"], plan_id=plan.pk, union_ids=[nansha["unions"][0].pk],
                                           aimed_level="basic")[0]
        assert service.plan_get_for(actor=city, plan_id=plan.pk) == plan
        assert not service.plan_can_change(actor=city, plan=plan)
        with pytest.raises(PermissionDenied):
            service.plan_update(actor=city, plan_id=plan.pk, name="市总改名", targets=TARGETS)
        with pytest.raises(PermissionDenied):
            service.candidate_accept(actor=city, candidate_id=candidate.pk, level="basic", note="")
        client = logged_in(city)
        page = client.get(reverse("cultivation:detail", args=[plan.pk])).content.decode()
        assert "南沙1号企业工会委员会" in page and "只能查看" in page and "验收达标</button>" not in page
        assert client.post(reverse("cultivation:edit", args=[plan.pk]), {"name": "市总改名", "target_basic": "1",
                                                                        "target_intermediate": "1", "target_advanced": "1"}).status_code == 403
        assert client.post(reverse("cultivation:candidate", args=[plan.pk, candidate.pk]), {"op": "accept", "level": "basic"}).status_code == 403
        plan.refresh_from_db()
        candidate.refresh_from_db()
        assert plan.name == "企业工会分级培育" and candidate.reached_level == ""


class TestPages:
    def test_create_add_accept_and_a_refused_form_keeps_what_was_typed(self, nansha, logged_in):
        client = logged_in(nansha["cadre"])
        response = client.post(reverse("cultivation:create"), {"org": nansha["district"].pk, "year": "2026", "name": "南沙分级培育",
                                                               "target_basic": "36", "target_intermediate": "18", "target_advanced": "0"})
        plan = CultivationPlan.objects.get(name="南沙分级培育")
        assert response["Location"] == reverse("cultivation:detail", args=[plan.pk])
        detail = reverse("cultivation:detail", args=[plan.pk])
        assert "南沙1号企业工会委员会" in client.get(detail + "?uq=南沙1号").content.decode()

        union_ids = [str(u.pk) for u in nansha["unions"][:2]]
        client.post(reverse("cultivation:candidates_add", args=[plan.pk]), {"union_ids": union_ids, "aimed_level": "intermediate"})
        assert plan.candidates.filter(aimed_level="intermediate").count() == 2
        candidate = plan.candidates.first()

        page = client.post(reverse("cultivation:edit", args=[plan.pk]), {"name": "南沙分级培育（修订）", "target_basic": "-5",
                                                                        "target_intermediate": "18", "target_advanced": "0"}).content.decode()
        assert "初级目标应为 0 到 100000 之间的整数" in page and 'value="南沙分级培育（修订）"' in page and 'value="-5"' in page
        assert f'href="{detail}?export=xlsx"' in page  # the download still works from the refused form's address
        page = client.post(reverse("cultivation:candidate", args=[plan.pk, candidate.pk]),
                           {"op": "accept", "level": "", "note": "台账齐全"}).content.decode()
        assert "请选择培育等级（初级、中级或高级）" in page and 'value="台账齐全"' in page
        client.post(reverse("cultivation:candidate", args=[plan.pk, candidate.pk]), {"op": "accept", "level": "intermediate", "note": "台账齐全"})
        page = client.get(detail).content.decode()
        assert "1 / 18" in page and "差 17 家" in page and "0 / 36" in page and "差 36 家" in page
        response = client.post(reverse("cultivation:candidate", args=[plan.pk, candidate.pk]), {"op": "remove"})
        assert "已通过验收，不能移出计划" in client.get(response["Location"]).content.decode()
        plan.refresh_from_db()
        assert plan.name == "南沙分级培育" and plan.candidates.count() == 2

    def test_the_list_searches_filters_and_pages(self, nansha, logged_in):
        for n in range(23):
            service.plan_create(actor=nansha["cadre"], org=nansha["district"], year=2025 + n % 2, name=f"培育计划{n:02d}", targets=TARGETS)
        service.plan_create(actor=nansha["cadre"], org=nansha["district"], year=2026, name="先进职工之家培育", targets=TARGETS)
        client = logged_in(nansha["city"])
        url = reverse("cultivation:plans")
        first = client.get(url).content.decode()
        assert plan_links(first) == 20 and "第 1 / 2 页" in first
        assert plan_links(client.get(url, {"page": 2}).content.decode()) == 4
        found = client.get(url, {"q": "职工之家"}).content.decode()
        assert "先进职工之家培育" in found and "培育计划00" not in found
        in_2025 = client.get(url, {"year": "2025"}).content.decode()
        assert plan_links(in_2025) == 12 and "2026年" not in in_2025
        assert "没有符合条件的计划" in client.get(url, {"q": "不存在"}).content.decode()


@pytest.fixture
def awarded_plan(setting, cadre, org):
    """A 天河区 plan whose first candidate was awarded 良好 ★4 中级 by 广州市总 (the `setting` union), plus nine more."""
    scheme, union = setting["scheme"], setting["union"]
    item = assessment.assessment_start(actor=setting["company"], scheme=scheme, union=union)
    assessment.assessment_submit(actor=setting["company"], assessment_id=item.pk, scores=scores(scheme, 0.85), evidence="工会规范化建设台账材料齐全，附年度工作报告")
    assessment.assessment_recommend(actor=setting["district"], assessment_id=item.pk, recommend=True, comment="推荐")
    assessment.assessment_award(actor=setting["city"], assessment_id=item.pk, stars=4, level="intermediate")
    others = [OrgFactory(parent=org("440106006"), type=OrgType.ENTERPRISE) for _ in range(9)]
    district = setting["district"]
    plan = service.plan_create(actor=district, org=org("440106"), year=2026, name="天河分级培育", targets=TARGETS)
    service.candidates_add(actor=district, plan_id=plan.pk, union_ids=[union.pk] + [u.pk for u in others], aimed_level="basic")
    for other in others[:3]:
        service.candidate_accept(actor=district, candidate_id=candidate_of(plan, other).pk, level="basic", note="达标")
    return {"plan": plan, "union": union, "district": district}


class TestDetailAndExport:
    def test_latest_assessment_hint_and_the_query_budget(self, awarded_plan, logged_in, django_assert_max_num_queries):
        client = logged_in(awarded_plan["district"])
        url = reverse("cultivation:detail", args=[awarded_plan["plan"].pk])
        client.get(url)  # warm the session and the org switcher's caches; ten candidates, so a query per row would blow the budget
        with django_assert_max_num_queries(14):
            page = client.get(url).content.decode()
        assert "2026年 良好 ★4 中级" in page and "3 / 3" in page

    def test_the_download_matches_the_table(self, awarded_plan, logged_in):
        plan = awarded_plan["plan"]
        response = logged_in(awarded_plan["district"]).get(reverse("cultivation:detail", args=[plan.pk]), {"export": "xlsx"})
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_name("培育对象").to_python()
        assert sheet[0][:4] == ["企业工会", "组织编码", "培育目标等级", "验收达标等级"]
        expected = [[c.union.name, c.union.code, c.get_aimed_level_display(), c.get_reached_level_display()]
                    for c in service.candidate_list(plan=plan)]
        assert [row[:4] for row in sheet[1:]] == expected
        hints = {row[0]: row[5] for row in sheet[1:]}
        assert hints[awarded_plan["union"].name] == "2026年 良好 ★4 中级"


def test_the_demo_plan_is_seeded_once(nansha):
    from gonghui.orgs.demo import NANSHA_PLAN, seed_cultivation_demo

    assert seed_cultivation_demo(actor=nansha["cadre"]) == 4
    plan = CultivationPlan.objects.get(name=NANSHA_PLAN)
    assert (plan.year, plan.org, plan.candidates.exclude(reached_level="").count()) == (2026, nansha["district"], 2)
    before = (CultivationPlan.objects.count(), CultivationCandidate.objects.count(), AuditEvent.objects.count())
    assert seed_cultivation_demo(actor=nansha["cadre"]) == 0
    assert (CultivationPlan.objects.count(), CultivationCandidate.objects.count(), AuditEvent.objects.count()) == before
