"""Grassroots-union assessment: 自主申报 → 区总推优 → 市总评先 → 激励整改, with the right people at each step."""
import pytest
from django.urls import reverse

from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.orgs import assessment as service
from gonghui.orgs.models import Assessment, AssessmentStatus, ImprovementTask, OrgType
from gonghui.orgs.tests.factories import EmployerFactory, OrgFactory, scores

pytestmark = pytest.mark.django_db


def test_the_whole_flow_with_grade_stars_level_and_tasks(setting):
    scheme, union = setting["scheme"], setting["union"]
    assert scheme.indicators.count() == 7 and sum(i.weight for i in scheme.indicators.all()) == 100
    item = service.assessment_start(actor=setting["company"], scheme=scheme, union=union)
    service.assessment_submit(actor=setting["company"], assessment_id=item.pk, scores=scores(scheme, 0.9), evidence="制度健全，活动台账齐全，见附件清单。")
    weak = {**scores(scheme, 0.9), str(scheme.indicators.first().pk): 5}  # the district re-scores one indicator low
    service.assessment_recommend(actor=setting["district"], assessment_id=item.pk, recommend=True, comment="推荐", scores=weak)
    awarded = service.assessment_award(actor=setting["city"], assessment_id=item.pk, stars=4, level="intermediate")
    assert awarded.status == AssessmentStatus.AWARDED and awarded.grade == "良好" and float(awarded.total) == 81.5
    assert [t.indicator.dimension.name for t in ImprovementTask.objects.filter(assessment=awarded)] == ["思想政治引领"]
    assert list(service.ranking(actor=setting["district"], scheme=scheme)) == [awarded]


def test_each_step_needs_the_right_level(setting):
    scheme, union = setting["scheme"], setting["union"]
    item = service.assessment_start(actor=setting["company"], scheme=scheme, union=union)
    service.assessment_submit(actor=setting["company"], assessment_id=item.pk, scores=scores(scheme, 1), evidence="自评材料齐全，详见说明。")
    with pytest.raises(PermissionDenied):
        service.assessment_recommend(actor=setting["company"], assessment_id=item.pk, recommend=True, comment="自己推自己")
    service.assessment_recommend(actor=setting["district"], assessment_id=item.pk, recommend=True, comment="推荐")
    with pytest.raises(PermissionDenied):
        service.assessment_award(actor=setting["district"], assessment_id=item.pk, stars=5, level="advanced")


def test_returned_assessments_can_be_resubmitted_and_states_are_enforced(setting, cadre):
    scheme, union = setting["scheme"], setting["union"]
    item = service.assessment_start(actor=setting["company"], scheme=scheme, union=union)
    with pytest.raises(ApplicationError, match="不能推优"):
        service.assessment_recommend(actor=setting["district"], assessment_id=item.pk, recommend=True, comment="x")
    with pytest.raises(ApplicationError, match="之间"):
        service.assessment_submit(actor=setting["company"], assessment_id=item.pk, scores=scores(scheme, 2), evidence="分数超出了满分范围的测试")
    service.assessment_submit(actor=setting["company"], assessment_id=item.pk, scores=scores(scheme, 0.5), evidence="第一次申报的佐证说明。")
    service.assessment_recommend(actor=setting["district"], assessment_id=item.pk, recommend=None, comment="佐证不足，请补充")
    service.assessment_submit(actor=setting["company"], assessment_id=item.pk, scores=scores(scheme, 0.7), evidence="补充了活动记录和台账。")
    with pytest.raises(ApplicationError, match="已参加"):
        service.assessment_start(actor=setting["company"], scheme=scheme, union=union)
    with pytest.raises(NotFound):
        service.assessment_recommend(actor=cadre("440104"), assessment_id=item.pk, recommend=True, comment="越权")


def test_a_start_against_a_scheme_withdrawn_meanwhile_is_refused(setting):
    """The page showed the scheme as published; the cadre withdrew it before the union pressed 参评."""
    scheme = setting["scheme"]
    type(scheme).objects.filter(pk=scheme.pk).update(published_at=None)
    with pytest.raises(ApplicationError, match="已撤回发布"):
        service.assessment_start(actor=setting["company"], scheme=scheme, union=setting["union"])
    assert not scheme.assessments.exists()


def test_small_employers_are_not_eligible(setting, org):
    small = OrgFactory(parent=org("440106006"), type=OrgType.ENTERPRISE, name="小公司工会")
    EmployerFactory(town=org("440106006"), union=small, headcount=30)
    with pytest.raises(ApplicationError, match="不符合参评条件"):
        service.assessment_start(actor=setting["district"], scheme=setting["scheme"], union=small)


def test_the_enrol_suggestions_offer_only_unions_the_scheme_admits(setting, org, client):
    small = OrgFactory(parent=org("440106006"), type=OrgType.ENTERPRISE, name="某科技小公司工会")
    EmployerFactory(town=org("440106006"), union=small, headcount=11)
    client.force_login(setting["district"])
    options = reverse("orgs:options")
    offered = client.get(options, {"type": "enterprise", "q": "某科技", "scheme": setting["scheme"].pk}).content.decode()
    assert setting["union"].code in offered and small.code not in offered
    assert small.code in client.get(options, {"type": "enterprise", "q": "某科技"}).content.decode()  # other pickers: every union
    assert client.get(options, {"type": "enterprise", "q": "某", "scheme": "987654"}).status_code == 404


def test_pages(setting, client):
    client.force_login(setting["company"])
    response = client.post(reverse("assessments:scheme", args=[setting["scheme"].pk]), {"union_code": setting["union"].code})
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "思想政治引领" in detail and "提交自主申报" in detail
    client.force_login(setting["district"])
    page = client.get(reverse("assessments:scheme", args=[setting["scheme"].pk]), {"show": "others"}).content.decode()
    assert "某科技公司工会委员会" in page and "填写中" in page  # a draft has no 名次: it is listed apart


def test_each_cadre_is_offered_only_the_step_they_may_take(setting, client, cadre):
    """A district cadre looking at a draft gets no score inputs to fill in and then a 403: they see whose turn it is."""
    scheme, union = setting["scheme"], setting["union"]
    item = service.assessment_start(actor=setting["company"], scheme=scheme, union=union)
    detail = reverse("assessments:detail", args=[item.pk])

    def page(actor) -> str:
        client.force_login(actor)
        return client.get(detail).content.decode()

    assert ">提交自主申报</button>" in page(setting["company"]) and 'name="score_' in page(setting["company"])
    waiting = page(setting["district"])
    assert ">提交自主申报</button>" not in waiting and 'name="score_' not in waiting and "等待企业工会" in waiting
    service.assessment_submit(actor=setting["company"], assessment_id=item.pk, scores=scores(scheme, 0.9), evidence="制度健全，活动台账齐全。")
    assert ">推优</button>" in page(setting["district"]) and ">推优</button>" not in page(setting["company"])
    service.assessment_recommend(actor=setting["district"], assessment_id=item.pk, recommend=True, comment="推荐")
    assert "市总评定</button>" in page(setting["city"])
    district_view = page(setting["district"])
    assert "市总评定</button>" not in district_view and "等待市总工会" in district_view
    another_city_cadre = cadre("4401")
    assert service.next_step_for(actor=another_city_cadre, assessment=Assessment.objects.get(pk=item.pk)) == "award"


def test_separation_of_duties_and_scheme_scope(setting, org, cadre):
    scheme, union = setting["scheme"], setting["union"]
    item = service.assessment_start(actor=setting["company"], scheme=scheme, union=union)
    with pytest.raises(PermissionDenied, match="自主申报由企业工会"):
        service.assessment_submit(actor=setting["city"], assessment_id=item.pk, scores=scores(scheme, 1), evidence="市总代填的自评材料说明。")
    district_and_company = setting["district"]
    district_and_company.posts.create(org=union, role=district_and_company.posts.get().role)
    service.assessment_submit(actor=district_and_company, assessment_id=item.pk, scores=scores(scheme, 1), evidence="本单位自评材料说明。")
    with pytest.raises(PermissionDenied, match="不能为自己的申报推优"):
        service.assessment_recommend(actor=district_and_company, assessment_id=item.pk, recommend=True, comment="推荐")
    nanshan_town = org("440305").children.first()  # a 深圳 南山区 街道
    shenzhen_union = OrgFactory(parent=nanshan_town, type=OrgType.ENTERPRISE)
    EmployerFactory(town=shenzhen_union.parent, union=shenzhen_union, headcount=200)
    with pytest.raises(NotFound):
        service.assessment_start(actor=cadre("44"), scheme=scheme, union=shenzhen_union)  # 深圳 union, 广州 scheme


def test_grades_follow_the_lines_in_any_order_and_resubmission_drops_old_review_scores(setting):
    scheme = setting["scheme"]
    scheme.grades = [["合格", 60], ["优秀", 90], ["良好", 80]]
    assert service.grade_for(scheme, 95) == "优秀" and service.grade_for(scheme, 85) == "良好" and service.grade_for(scheme, 10) == "不合格"
    item = service.assessment_start(actor=setting["company"], scheme=scheme, union=setting["union"])
    service.assessment_submit(actor=setting["company"], assessment_id=item.pk, scores=scores(scheme, 0.5), evidence="第一次申报的完整佐证说明。")
    service.assessment_recommend(actor=setting["district"], assessment_id=item.pk, recommend=None, comment="请补充", scores=scores(scheme, 0.3))
    again = service.assessment_submit(actor=setting["company"], assessment_id=item.pk, scores=scores(scheme, 1), evidence="补充后的完整佐证说明材料。")
    assert again.review_scores == {} and float(again.total) == 100


class TestARefusedStepKeepsWhatWasTyped:
    """The page comes back with every score, note and choice as sent and the message beside its input; nothing saved."""

    @pytest.fixture
    def item(self, setting):
        return service.assessment_start(actor=setting["company"], scheme=setting["scheme"], union=setting["union"])

    def typed_scores(self, scheme) -> dict[str, str]:
        return {f"score_{i.pk}": f"{i.weight * 0.8:g}" for i in scheme.indicators.all()}

    def test_a_self_assessment_with_too_short_a_note(self, setting, item, logged_in):
        typed = self.typed_scores(setting["scheme"])
        response = logged_in(setting["company"]).post(reverse("assessments:act", args=[item.pk]),
                                                      {"step": "submit", "evidence": "见附件", **typed})
        page = response.content.decode()
        assert response.status_code == 200 and "请填写佐证说明（至少10个字）" in page and ">见附件</textarea>" in page
        assert all(f'name="{name}" value="{value}"' in page for name, value in typed.items())
        item.refresh_from_db()
        assert item.status == AssessmentStatus.DRAFT and item.self_scores == {}

    def test_a_score_out_of_range_is_marked_on_its_own_input(self, setting, item, logged_in):
        first = setting["scheme"].indicators.first()
        typed = {**self.typed_scores(setting["scheme"]), f"score_{first.pk}": "99"}
        page = logged_in(setting["company"]).post(reverse("assessments:act", args=[item.pk]),
                                                  {"step": "submit", "evidence": "制度文件和活动台账见附件。", **typed}).content.decode()
        assert f'name="score_{first.pk}" value="99" size="4" inputmode="decimal" aria-label="{first.dimension}自评分" class="invalid"' in page
        assert f"“{first.name}”的分数应在 0 到 {first.weight} 之间" in page and "制度文件和活动台账见附件。</textarea>" in page

    def test_a_return_without_a_comment_keeps_the_review_scores(self, setting, item, logged_in):
        service.assessment_submit(actor=setting["company"], assessment_id=item.pk, scores=scores(setting["scheme"], 0.9),
                                  evidence="制度文件和活动台账见附件。")
        typed = self.typed_scores(setting["scheme"])
        page = logged_in(setting["district"]).post(reverse("assessments:act", args=[item.pk]),
                                                   {"step": "return", "comment": "", **typed}).content.decode()
        assert "请填写意见，申报单位会看到" in page and all(f'name="{name}" value="{value}"' in page for name, value in typed.items())
        assert Assessment.objects.get(pk=item.pk).status == AssessmentStatus.SELF_SUBMITTED

    def test_a_wrong_state_is_a_message_and_a_foreign_cadre_a_404(self, setting, item, logged_in, cadre):
        page = logged_in(setting["district"]).post(reverse("assessments:act", args=[item.pk]), {"step": "recommend"}).content.decode()
        assert "当前状态为“填写中”，不能推优" in page
        assert logged_in(cadre("440104")).post(reverse("assessments:act", args=[item.pk]), {"step": "recommend"}).status_code == 404

    def test_joining_with_a_mistyped_code_keeps_the_code_and_says_why(self, setting, logged_in):
        response = logged_in(setting["company"]).post(reverse("assessments:scheme", args=[setting["scheme"].pk]), {"union_code": "E440106X"})
        page = response.content.decode()
        assert response.status_code == 200 and "找不到组织编码“E440106X”" in page and 'value="E440106X"' in page
        assert not setting["scheme"].assessments.exists()
