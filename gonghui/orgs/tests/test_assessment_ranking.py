"""排名 and 评价历史: only reviewed scores get a 名次, equal totals share it, a 市总 cadre narrows it to one district, and
each union's assessments across schemes and years are one click away."""
import pytest
from django.urls import reverse

from gonghui.orgs import assessment as service
from gonghui.orgs import assessment_schemes as schemes
from gonghui.orgs.models import Assessment, AssessmentStatus, OrgType
from gonghui.orgs.tests.factories import EmployerFactory, OrgFactory, scores

pytestmark = pytest.mark.django_db

SHIPAI, YUEXIU_TOWN = "440106006", "440104001"  # 石牌街道 (天河区), a 街道 of 越秀区


def union_in(org, town: str, name: str):
    union = OrgFactory(parent=org(town), type=OrgType.ENTERPRISE, name=name)
    EmployerFactory(town=org(town), union=union, headcount=150)
    return union


def bring(setting, cadre, union, *, fraction: float, until: str, district=None, scheme=None) -> Assessment:
    """Take one union through the workflow: draft, submitted, recommended, returned, declined or awarded."""
    scheme, district = scheme or setting["scheme"], district or setting["district"]
    company = cadre(union.code)
    item = service.assessment_start(actor=company, scheme=scheme, union=union)
    if until == "draft":
        return item
    service.assessment_submit(actor=company, assessment_id=item.pk, scores=scores(scheme, fraction), evidence="制度文件和活动台账见附件。")
    decision = {"recommended": True, "awarded": True, "returned": None, "declined": False}.get(until)
    if until != "submitted":
        service.assessment_recommend(actor=district, assessment_id=item.pk, recommend=decision, comment="区总意见")
    if until == "awarded":
        service.assessment_award(actor=setting["city"], assessment_id=item.pk, stars=4, level="intermediate")
    return Assessment.objects.get(pk=item.pk)


@pytest.fixture
def field(setting, org, cadre):
    """Seven 天河 unions in every state, and one 越秀 union the 天河 cadre must never see."""
    made = {
        "甲": bring(setting, cadre, setting["union"], fraction=0.9, until="recommended"),
        "乙": bring(setting, cadre, union_in(org, SHIPAI, "乙公司工会"), fraction=0.9, until="awarded"),
        "丙": bring(setting, cadre, union_in(org, SHIPAI, "丙公司工会"), fraction=0.8, until="recommended"),
        "丁": bring(setting, cadre, union_in(org, SHIPAI, "丁公司工会"), fraction=0, until="draft"),
        "戊": bring(setting, cadre, union_in(org, SHIPAI, "戊公司工会"), fraction=0.95, until="submitted"),
        "己": bring(setting, cadre, union_in(org, SHIPAI, "己公司工会"), fraction=0.97, until="returned"),
        "庚": bring(setting, cadre, union_in(org, SHIPAI, "庚公司工会"), fraction=0.99, until="declined"),
        "越": bring(setting, cadre, union_in(org, YUEXIU_TOWN, "越秀某公司工会"), fraction=0.85, until="recommended",
                   district=cadre("440104")),
    }
    return made


def places(rows):
    """(union, 名次) best first; unions sharing a 名次 in name order, whatever the database's collation."""
    listed = [(row.union.name, row.rank) for row in rows]
    assert [rank for _, rank in listed] == sorted(rank for _, rank in listed)
    return sorted(listed, key=lambda place: (place[1], place[0]))


class TestRanking:
    def test_only_reviewed_scores_get_a_place_and_equal_totals_share_it(self, setting, field):
        rows = service.ranking(actor=setting["city"], scheme=setting["scheme"])
        assert places(rows) == [("乙公司工会", 1), ("某科技公司工会委员会", 1), ("越秀某公司工会", 3), ("丙公司工会", 4)]
        assert {a.status for a in service.unranked(actor=setting["city"], scheme=setting["scheme"])} == {
            AssessmentStatus.DRAFT, AssessmentStatus.SELF_SUBMITTED, AssessmentStatus.RETURNED, AssessmentStatus.NOT_RECOMMENDED}

    def test_a_draft_without_a_total_is_never_first_whatever_the_database_does_with_nulls(self, setting, field):
        assert field["丁"].total is None
        assert list(Assessment.objects.filter(scheme=setting["scheme"]))[-1] == field["丁"]  # the model's own order too
        assert field["丁"].pk not in [row.pk for row in service.ranking(actor=setting["city"], scheme=setting["scheme"])]

    def test_a_name_search_finds_a_union_without_renumbering(self, setting, field):
        assert places(service.ranking(actor=setting["city"], scheme=setting["scheme"], q="丙")) == [("丙公司工会", 4)]

    def test_a_city_cadre_narrows_to_one_district_and_places_are_counted_there(self, setting, field, org):
        tianhe = service.ranking(actor=setting["city"], scheme=setting["scheme"], within=org("440106"))
        assert places(tianhe) == [("乙公司工会", 1), ("某科技公司工会委员会", 1), ("丙公司工会", 3)]
        areas = [area.name for area in service.ranking_areas(actor=setting["city"], scheme=setting["scheme"])]
        assert areas[0] == "广州市总工会" and {"天河区总工会", "越秀区总工会", "石牌街道总工会"} <= set(areas)

    def test_a_district_cadre_sees_only_its_own_district(self, setting, field, logged_in, org):
        assert "越秀某公司工会" not in places(service.ranking(actor=setting["district"], scheme=setting["scheme"]))
        assert "越秀区总工会" not in [a.name for a in service.ranking_areas(actor=setting["district"], scheme=setting["scheme"])]
        client = logged_in(setting["district"])
        url = reverse("assessments:scheme", args=[setting["scheme"].pk])
        assert client.get(url, {"within": org("440104").pk}).status_code == 404

    def test_the_page_shows_places_the_tab_of_unranked_ones_and_pages(self, setting, field, logged_in, org):
        client = logged_in(setting["city"])
        url = reverse("assessments:scheme", args=[setting["scheme"].pk])
        page = client.get(url, {"within": org("440106").pk}).content.decode()
        assert "已排名（3）" in page and "未排名（4）" in page and "丁公司工会" not in page
        assert reverse("assessments:union_history", args=[field["丙"].union_id]) in page
        others = client.get(url, {"within": org("440106").pk, "show": "others"}).content.decode()
        assert "丁公司工会" in others and "填写中" in others and "乙公司工会" not in others
        for number in range(21):  # more ranked unions than one page holds
            extra = union_in(org, SHIPAI, f"加{number:02d}公司工会")
            Assessment.objects.filter(pk=service.assessment_start(actor=setting["district"], scheme=setting["scheme"], union=extra).pk
                                      ).update(status=AssessmentStatus.RECOMMENDED, total=50 + number)
        first = client.get(url).content.decode()
        assert "第 1 / 2 页" in first and "加00公司工会" not in first
        assert "加00公司工会" in client.get(url, {"page": 2}).content.decode()


class TestHistory:
    def test_a_unions_assessments_across_schemes_and_years(self, setting, field, logged_in):
        earlier = schemes.scheme_create(actor=setting["city"], owner=setting["scheme"].owner, name="2025年度评价", year=2025,
                                        template=schemes.ZHUHAI)
        earlier = schemes.scheme_publish(actor=setting["city"], scheme_id=earlier.pk)
        before = bring(setting, lambda code: setting["company"], setting["union"], fraction=0.7, until="awarded", scheme=earlier)
        assessments = list(service.union_assessments(actor=setting["district"], union=setting["union"]))
        assert [(a.scheme.year, a.pk) for a in assessments] == [(2026, field["甲"].pk), (2025, before.pk)]
        assert assessments[1].grade == "合格" and assessments[1].stars == 4 and assessments[1].tasks_total == 0

        client = logged_in(setting["district"])
        page = client.get(reverse("assessments:union_history", args=[setting["union"].pk])).content.decode()
        assert "2025年度评价" in page and "4★" in page and reverse("assessments:detail", args=[before.pk]) in page
        detail = client.get(reverse("assessments:detail", args=[before.pk])).content.decode()
        assert reverse("assessments:union_history", args=[setting["union"].pk]) in detail

    def test_another_districts_union_answers_404(self, setting, field, logged_in):
        client = logged_in(setting["district"])
        assert client.get(reverse("assessments:union_history", args=[field["越"].union_id])).status_code == 404
