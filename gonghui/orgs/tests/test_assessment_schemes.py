"""The scheme editor: a 市总 builds a scheme, publishes it when its points add up, and cannot change its scoring
once a union has submitted; a draft nobody took part in can be deleted; bad input changes nothing; other cities'
cadres get 404."""
import pytest
from django.urls import reverse

from gonghui.audit.models import AuditEvent
from gonghui.core.exceptions import ApplicationError, NotFound
from gonghui.orgs import assessment as workflow
from gonghui.orgs import assessment_schemes as service
from gonghui.orgs.models import AssessmentDimension, AssessmentIndicator, AssessmentScheme
from gonghui.orgs.tests.factories import scores

pytestmark = pytest.mark.django_db


def settings_of(scheme, **changes) -> service.SchemeSettings:
    return service.SchemeSettings(**{**vars(service.scheme_settings(scheme)), **changes})


def snapshot(scheme) -> tuple:
    """Everything the editor can change, to prove a refused change left it as it was."""
    scheme = AssessmentScheme.objects.get(pk=scheme.pk)
    return (
        [(field, getattr(scheme, field)) for field in ("name", "year", "total_points", "min_headcount", "ownerships", "grades",
                                                       "is_open", "published_at")],
        list(scheme.dimensions.values_list("name", "points", "position")),
        list(AssessmentIndicator.objects.filter(scheme=scheme).values_list("dimension__name", "name", "weight", "position")),
    )


def scheme_events(scheme) -> list[str]:
    return list(AuditEvent.objects.filter(object_type="orgs.assessmentscheme", object_id=str(scheme.pk))
                .order_by("id").values_list("action", flat=True))


@pytest.fixture
def city(cadre):
    return cadre("4401")


@pytest.fixture
def draft(city, org):
    return service.scheme_create(actor=city, owner=org("4401"), name="", year=2026, template=service.ZHUHAI)


class TestBuilding:
    def test_a_blank_scheme_is_built_up_reordered_and_published_with_every_change_audited(self, city, org):
        scheme = service.scheme_create(actor=city, owner=org("4401"), name="广州市企业工会规范化建设评价", year=2026)
        assert scheme.published_at is None and service.scheme_problems(scheme) == ["还没有评价维度"]
        politics = service.dimension_add(actor=city, scheme_id=scheme.pk, name="思想政治引领", points=40)
        rights = service.dimension_add(actor=city, scheme_id=scheme.pk, name="维护职工权益", points=60)
        service.indicator_add(actor=city, dimension_id=politics.pk, name="职工思想政治工作", points=40)
        contract = service.indicator_add(actor=city, dimension_id=rights.pk, name="集体合同签订与履行", points=30)
        service.indicator_add(actor=city, dimension_id=rights.pk, name="劳动争议调解", points=20)
        assert service.scheme_problems(scheme) == ["维度“维护职工权益”的指标分值合计 50 分，应等于维度分值 60 分"]
        with pytest.raises(ApplicationError, match="还不能发布：维度“维护职工权益”的指标分值合计 50 分"):
            service.scheme_publish(actor=city, scheme_id=scheme.pk)
        service.indicator_update(actor=city, indicator_id=contract.pk, name="集体合同签订与履行", points=40)
        assert service.dimension_move(actor=city, dimension_id=rights.pk, step=-1)
        assert not service.dimension_move(actor=city, dimension_id=rights.pk, step=-1)  # already first
        service.indicator_move(actor=city, indicator_id=contract.pk, step=1)

        published = service.scheme_publish(actor=city, scheme_id=scheme.pk)
        assert published.published_at is not None
        assert [d.name for d in scheme.dimensions.all()] == ["维护职工权益", "思想政治引领"]
        assert [i.name for i in scheme.indicators.all()] == ["劳动争议调解", "集体合同签订与履行", "职工思想政治工作"]
        assert scheme_events(scheme) == [
            "orgs.assessment_scheme.created", "orgs.assessment_scheme.dimension_added", "orgs.assessment_scheme.dimension_added",
            "orgs.assessment_scheme.indicator_added", "orgs.assessment_scheme.indicator_added", "orgs.assessment_scheme.indicator_added",
            "orgs.assessment_scheme.indicator_updated", "orgs.assessment_scheme.dimension_moved", "orgs.assessment_scheme.indicator_moved",
            "orgs.assessment_scheme.published",
        ]

    def test_the_zhuhai_template_and_a_copy(self, city, draft, org, cadre):
        assert [(d.name, d.points) for d in draft.dimensions.all()][:2] == [("思想政治引领", 15), ("工会自身建设", 15)]
        assert draft.indicators.count() == 7 and draft.ownerships == ["non_public"] and service.scheme_problems(draft) == []
        service.scheme_publish(actor=city, scheme_id=draft.pk)
        district = cadre("440106")  # copies the city's published scheme for its own district
        copy = service.scheme_create(actor=district, owner=org("440106"), name="天河区企业工会评价", year=2027, copy_from=draft)
        assert copy.published_at is None and copy.owner == org("440106") and copy.grades == draft.grades
        assert [(i.dimension.name, i.name, i.weight) for i in copy.indicators.all()] == \
            [(i.dimension.name, i.name, i.weight) for i in draft.indicators.all()]
        service.dimension_remove(actor=district, dimension_id=copy.dimensions.first().pk)
        assert draft.dimensions.count() == 7  # the copy is its own
        assert scheme_events(copy)[0] == "orgs.assessment_scheme.created"
        assert AuditEvent.objects.get(action="orgs.assessment_scheme.created", object_id=str(copy.pk)).data == \
            {"template": "copy", "copied_from": draft.pk}

    def test_settings_change_and_grades_are_kept_highest_first(self, city, draft):
        updated = service.scheme_update(actor=city, scheme_id=draft.pk, settings=settings_of(
            draft, name="规范化建设评价", min_headcount=50, ownerships=["state", "non_public"],
            grades=[("合格", 60), ("", None), ("优秀", 90), ("良好", 75)]))
        assert updated.grades == [["优秀", 90], ["良好", 75], ["合格", 60]]
        assert updated.ownerships == ["non_public", "state"] and updated.eligibility == "职工 50 人以上的企业工会（非公有制企业、国有企业）"
        event = AuditEvent.objects.filter(action="orgs.assessment_scheme.updated").get()
        assert event.data["before"]["name"] == "百人以上非公企业工会评价" and event.data["after"]["min_headcount"] == 50

    def test_only_published_schemes_take_part_and_drafts_are_seen_only_by_who_can_edit_them(self, draft, setting, cadre):
        with pytest.raises(ApplicationError, match="尚未发布"):
            workflow.assessment_start(actor=setting["company"], scheme=draft, union=setting["union"])
        assert draft in workflow.scheme_list(actor=setting["city"])
        assert draft not in workflow.scheme_list(actor=setting["district"])
        assert setting["scheme"] in workflow.scheme_list(actor=setting["district"])

    def test_enterprise_unions_do_not_publish_schemes(self, setting):
        assert not service.scheme_owner_choices(actor=setting["company"]).exists()
        with pytest.raises(ApplicationError, match="评价方案由省、市"):
            service.scheme_create(actor=setting["company"], owner=setting["union"], name="自己的方案", year=2026)


class TestLocking:
    def test_a_published_scheme_is_withdrawn_to_change_it(self, city, draft):
        service.scheme_publish(actor=city, scheme_id=draft.pk)
        indicator = draft.indicators.first()
        with pytest.raises(ApplicationError, match="请先撤回发布"):
            service.indicator_update(actor=city, indicator_id=indicator.pk, name="改名", points=15)
        service.scheme_update(actor=city, scheme_id=draft.pk, settings=settings_of(draft, name="新名称"))  # not scoring: allowed
        service.scheme_unpublish(actor=city, scheme_id=draft.pk)
        service.indicator_update(actor=city, indicator_id=indicator.pk, name="改名", points=15)
        service.scheme_publish(actor=city, scheme_id=draft.pk)

    def test_after_the_first_submission_the_scoring_is_locked_with_a_clear_message(self, setting):
        city, scheme = setting["city"], setting["scheme"]
        item = workflow.assessment_start(actor=setting["company"], scheme=scheme, union=setting["union"])
        service.scheme_unpublish(actor=city, scheme_id=scheme.pk)  # only started, nobody has scored yet
        service.scheme_publish(actor=city, scheme_id=scheme.pk)
        workflow.assessment_submit(actor=setting["company"], assessment_id=item.pk, scores=scores(scheme, 0.8), evidence="制度健全，台账齐全，详见附件。")
        before = snapshot(scheme)
        indicator, dimension = scheme.indicators.first(), scheme.dimensions.first()
        for change in (
            lambda: service.scheme_unpublish(actor=city, scheme_id=scheme.pk),
            lambda: service.indicator_update(actor=city, indicator_id=indicator.pk, name="改名", points=10),
            lambda: service.indicator_remove(actor=city, indicator_id=indicator.pk),
            lambda: service.indicator_add(actor=city, dimension_id=dimension.pk, name="新指标", points=1),
            lambda: service.dimension_move(actor=city, dimension_id=dimension.pk, step=1),
            lambda: service.scheme_update(actor=city, scheme_id=scheme.pk, settings=settings_of(scheme, total_points=120)),
            lambda: service.scheme_update(actor=city, scheme_id=scheme.pk, settings=settings_of(scheme, grades=[("优秀", 95)])),
        ):
            with pytest.raises(ApplicationError, match="已有工会提交自主申报.*已锁定"):
                change()
        assert snapshot(scheme) == before
        service.scheme_update(actor=city, scheme_id=scheme.pk, settings=settings_of(scheme, is_open=False))  # closing is still fine
        assert not AssessmentScheme.objects.get(pk=scheme.pk).is_open

    def test_a_returned_assessment_keeps_the_lock(self, setting):
        scheme = setting["scheme"]
        item = workflow.assessment_start(actor=setting["company"], scheme=scheme, union=setting["union"])
        workflow.assessment_submit(actor=setting["company"], assessment_id=item.pk, scores=scores(scheme, 0.5), evidence="第一次申报的佐证说明。")
        workflow.assessment_recommend(actor=setting["district"], assessment_id=item.pk, recommend=None, comment="请补充材料")
        with pytest.raises(ApplicationError, match="已锁定"):
            service.scheme_unpublish(actor=setting["city"], scheme_id=scheme.pk)


class TestDeleting:
    def test_a_draft_goes_with_its_dimensions_and_indicators_and_the_deletion_is_audited(self, city, draft):
        assert (draft.dimensions.count(), draft.indicators.count()) == (7, 7)
        service.scheme_delete(actor=city, scheme_id=draft.pk)
        assert not AssessmentScheme.objects.filter(pk=draft.pk).exists()
        assert not AssessmentDimension.objects.filter(scheme_id=draft.pk).exists()
        assert not AssessmentIndicator.objects.filter(scheme_id=draft.pk).exists()
        assert scheme_events(draft)[-1] == "orgs.assessment_scheme.deleted"
        event = AuditEvent.objects.get(action="orgs.assessment_scheme.deleted")
        assert event.actor == city and event.org_path == draft.owner.path
        assert event.data["name"] == "百人以上非公企业工会评价" and event.data["year"] == 2026
        assert event.data["dimensions"]["思想政治引领"] == ["思想政治引领工作成效"] and len(event.data["dimensions"]) == 7

    def test_a_published_scheme_is_refused_until_withdrawn(self, city, draft):
        service.scheme_publish(actor=city, scheme_id=draft.pk)
        before, events = snapshot(draft), AuditEvent.objects.count()
        with pytest.raises(ApplicationError, match="方案已发布，不能删除：请先撤回发布") as refused:
            service.scheme_delete(actor=city, scheme_id=draft.pk)
        assert refused.value.code == "orgs.assessment_scheme.published"
        assert snapshot(draft) == before and AuditEvent.objects.count() == events
        service.scheme_unpublish(actor=city, scheme_id=draft.pk)
        service.scheme_delete(actor=city, scheme_id=draft.pk)
        assert not AssessmentScheme.objects.filter(pk=draft.pk).exists()

    def test_a_scheme_a_union_took_part_in_is_refused_even_back_as_a_draft(self, setting):
        city, scheme = setting["city"], setting["scheme"]
        item = workflow.assessment_start(actor=setting["company"], scheme=scheme, union=setting["union"])
        service.scheme_unpublish(actor=city, scheme_id=scheme.pk)  # only started: back to a draft, but not deletable
        before = snapshot(scheme)
        with pytest.raises(ApplicationError, match="已有 1 家工会参评本方案，不能删除") as refused:
            service.scheme_delete(actor=city, scheme_id=scheme.pk)
        assert refused.value.code == "orgs.assessment_scheme.in_use"
        service.scheme_publish(actor=city, scheme_id=scheme.pk)
        workflow.assessment_submit(actor=setting["company"], assessment_id=item.pk, scores=scores(scheme, 0.8), evidence="制度健全，台账齐全，详见附件。")
        with pytest.raises(ApplicationError, match="已有 1 家工会参评本方案，不能删除"):
            service.scheme_delete(actor=city, scheme_id=scheme.pk)
        assert snapshot(scheme)[1:] == before[1:] and AuditEvent.objects.filter(action="orgs.assessment_scheme.deleted").count() == 0

    def test_other_cities_and_levels_below_get_the_same_404_as_a_missing_scheme(self, draft, cadre):
        for outsider in (cadre("4403"), cadre("440106")):
            for missing_or_foreign in (draft.pk, 987654321, "abc"):
                with pytest.raises(NotFound, match="对象不存在或无权访问"):
                    service.scheme_delete(actor=outsider, scheme_id=missing_or_foreign)
        assert AssessmentScheme.objects.filter(pk=draft.pk).exists() and draft.dimensions.count() == 7
        assert not AuditEvent.objects.filter(action="orgs.assessment_scheme.deleted").exists()

    def test_the_editor_offers_deletion_only_when_allowed_and_deletes_by_post(self, city, draft, logged_in):
        client = logged_in(city)
        edit_url, delete_url = reverse("assessments:scheme_edit", args=[draft.pk]), reverse("assessments:scheme_delete", args=[draft.pk])
        page = client.get(edit_url).content.decode()
        assert f'action="{delete_url}"' in page and "删除方案" in page and "删除后不能恢复" in page  # with a confirm step
        assert client.get(delete_url).status_code == 405
        assert AssessmentScheme.objects.filter(pk=draft.pk).exists()

        service.scheme_publish(actor=city, scheme_id=draft.pk)
        assert delete_url not in client.get(edit_url).content.decode()
        response = client.post(delete_url)  # a stale page: refused, back to the editor with the reason
        assert response.status_code == 302 and response["Location"] == edit_url
        assert "方案已发布，不能删除：请先撤回发布" in client.get(edit_url).content.decode()
        assert AssessmentScheme.objects.filter(pk=draft.pk).exists()

        service.scheme_unpublish(actor=city, scheme_id=draft.pk)
        response = client.post(delete_url)
        assert response.status_code == 302 and response["Location"] == reverse("assessments:schemes")
        listing = client.get(response["Location"]).content.decode()
        assert "已删除方案草稿：2026年 百人以上非公企业工会评价" in listing and "还没有评价方案" in listing
        assert not AssessmentScheme.objects.filter(pk=draft.pk).exists()


class TestValidation:
    @pytest.mark.parametrize(("call", "message"), [
        (lambda a, s, d, i: service.dimension_add(actor=a, scheme_id=s.pk, name="新维度", points=0), "维度分值应为 1 到 100 之间的整数"),
        (lambda a, s, d, i: service.dimension_add(actor=a, scheme_id=s.pk, name="新维度", points=None), "维度分值应为"),
        (lambda a, s, d, i: service.dimension_add(actor=a, scheme_id=s.pk, name="新维度", points=101), "维度分值应为"),
        (lambda a, s, d, i: service.dimension_add(actor=a, scheme_id=s.pk, name="  ", points=5), "请填写维度名称"),
        (lambda a, s, d, i: service.dimension_add(actor=a, scheme_id=s.pk, name="思想政治引领", points=5), "已有名为“思想政治引领”的维度"),
        (lambda a, s, d, i: service.dimension_update(actor=a, dimension_id=d.pk, name="工会自身建设", points=15), "已有名为"),
        (lambda a, s, d, i: service.indicator_add(actor=a, dimension_id=d.pk, name="新指标", points=16), "指标分值应为 1 到 15 之间的整数"),
        (lambda a, s, d, i: service.indicator_update(actor=a, indicator_id=i.pk, name="x" * 201, points=5), "不能超过 200 个字"),
        (lambda a, s, d, i: service.indicator_update(actor=a, indicator_id=i.pk, name="改名", points=-3), "指标分值应为"),
        (lambda a, s, d, i: service.scheme_update(actor=a, scheme_id=s.pk, settings=settings_of(s, grades=[("优秀", 120)])),
         "“优秀”的分数线应在 1 到 100 分之间"),
        (lambda a, s, d, i: service.scheme_update(actor=a, scheme_id=s.pk, settings=settings_of(s, grades=[("优秀", 90), ("优秀", 80)])),
         "等级名称不能重复"),
        (lambda a, s, d, i: service.scheme_update(actor=a, scheme_id=s.pk, settings=settings_of(s, grades=[("", 80)])), "缺少等级名称"),
        (lambda a, s, d, i: service.scheme_update(actor=a, scheme_id=s.pk, settings=settings_of(s, grades=[])), "请至少设置一档等级线"),
        (lambda a, s, d, i: service.scheme_update(actor=a, scheme_id=s.pk, settings=settings_of(s, name="新名", year=1999)), "年度应为"),
        (lambda a, s, d, i: service.scheme_update(actor=a, scheme_id=s.pk, settings=settings_of(s, total_points=0)), "方案总分应为"),
        (lambda a, s, d, i: service.scheme_update(actor=a, scheme_id=s.pk, settings=settings_of(s, ownerships=["pirate"])), "经济类型"),
    ])
    def test_bad_input_is_refused_in_chinese_and_changes_nothing(self, city, draft, call, message):
        before, events = snapshot(draft), AuditEvent.objects.count()
        with pytest.raises(ApplicationError, match=message):
            call(city, draft, draft.dimensions.first(), draft.indicators.first())
        assert snapshot(draft) == before and AuditEvent.objects.count() == events

    def test_publishing_needs_dimensions_that_add_up_to_the_total(self, city, draft):
        updated = service.scheme_update(actor=city, scheme_id=draft.pk, settings=settings_of(draft, total_points=120))
        assert service.scheme_problems(updated) == ["各维度分值合计 100 分，应等于方案总分 120 分"]
        with pytest.raises(ApplicationError, match="应等于方案总分 120 分"):
            service.scheme_publish(actor=city, scheme_id=draft.pk)
        assert AssessmentScheme.objects.get(pk=draft.pk).published_at is None


class TestScope:
    def test_other_cities_and_levels_below_get_the_same_404_as_a_missing_scheme(self, draft, cadre):
        for outsider in (cadre("4403"), cadre("440106")):  # 深圳市总; 天河区 (inside 广州, but does not manage the 市总)
            for missing_or_foreign in (draft.pk, 987654321):
                with pytest.raises(NotFound):
                    service.scheme_get_for_edit(actor=outsider, scheme_id=missing_or_foreign)
                with pytest.raises(NotFound):
                    service.dimension_add(actor=outsider, scheme_id=missing_or_foreign, name="越权", points=5)
                with pytest.raises(NotFound):
                    service.scheme_publish(actor=outsider, scheme_id=missing_or_foreign)
            with pytest.raises(NotFound):
                service.indicator_update(actor=outsider, indicator_id=draft.indicators.first().pk, name="越权", points=5)
            with pytest.raises(NotFound):
                service.dimension_remove(actor=outsider, dimension_id=draft.dimensions.first().pk)
        assert AssessmentDimension.objects.filter(scheme=draft).count() == 7

    def test_every_editor_page_answers_404_to_another_city(self, draft, cadre, logged_in):
        client = logged_in(cadre("4403"))
        dimension, indicator = draft.dimensions.first(), draft.indicators.first()
        urls = [
            ("get", reverse("assessments:scheme_edit", args=[draft.pk])),
            ("post", reverse("assessments:scheme_edit", args=[draft.pk])),
            ("post", reverse("assessments:scheme_publication", args=[draft.pk])),
            ("post", reverse("assessments:scheme_delete", args=[draft.pk])),
            ("post", reverse("assessments:dimension_add", args=[draft.pk])),
            ("post", reverse("assessments:dimension", args=[dimension.pk])),
            ("post", reverse("assessments:indicator_add", args=[dimension.pk])),
            ("post", reverse("assessments:indicator", args=[indicator.pk])),
            ("get", reverse("assessments:scheme", args=[draft.pk])),
        ]
        for method, url in urls:
            response = getattr(client, method)(url, {"name": "越权", "points": "5", "op": "publish"})
            assert response.status_code == 404, url
            missing = url.replace(f"/{draft.pk}/", "/987654321/").replace(f"/{dimension.pk}/", "/987654321/").replace(f"/{indicator.pk}/", "/987654321/")
            assert getattr(client, method)(missing, {"name": "越权"}).status_code == 404, missing
        assert snapshot(draft)[1][0] == ("思想政治引领", 15, 0)


class TestPages:
    def test_a_city_cadre_creates_edits_and_publishes_through_the_pages(self, city, org, logged_in):
        client = logged_in(city)
        page = client.get(reverse("assessments:scheme_create")).content.decode()
        assert "珠海七维度模板" in page and "广州市总工会" in page
        response = client.post(reverse("assessments:scheme_create"), {"owner": org("4401").pk, "source": "zhuhai", "name": "", "year": "2026"})
        scheme = AssessmentScheme.objects.get(owner=org("4401"))
        assert response["Location"] == reverse("assessments:scheme_edit", args=[scheme.pk])
        edit_url = response["Location"]
        assert "思想政治引领" in client.get(edit_url).content.decode()

        dimension = scheme.dimensions.first()
        response = client.post(reverse("assessments:dimension", args=[dimension.pk]), {"op": "save", "name": "党建引领", "points": "-3"})
        page = response.content.decode()
        assert response.status_code == 200 and "维度分值应为 1 到 100 之间的整数" in page
        assert 'value="党建引领"' in page and 'value="-3"' in page  # what was typed stays
        assert AssessmentDimension.objects.get(pk=dimension.pk).name == "思想政治引领"
        response = client.post(reverse("assessments:dimension", args=[dimension.pk]), {"op": "save", "name": "党建引领", "points": "abc"})
        assert "分值请填写整数" in response.content.decode()

        response = client.post(reverse("assessments:dimension_add", args=[scheme.pk]), {"name": "安全生产", "points": "10"})
        assert response.status_code == 302 and response["Location"].endswith("#new-dimension")
        page = client.get(edit_url).content.decode()
        assert "各维度分值合计 110 分，应等于方案总分 100 分" in page and "维度“安全生产”还没有指标" in page
        new = AssessmentDimension.objects.get(scheme=scheme, name="安全生产")
        client.post(reverse("assessments:dimension", args=[new.pk]), {"op": "delete"})

        settings = {"name": "广州市百人以上非公企业工会评价", "year": "2026", "total_points": "100", "min_headcount": "100",
                    "ownerships": ["non_public"], "is_open": "on", "grade_name_0": "优秀", "grade_line_0": "105"}
        page = client.post(edit_url, settings).content.decode()
        assert "“优秀”的分数线应在 1 到 100 分之间" in page and 'value="105"' in page and 'value="广州市百人以上非公企业工会评价"' in page
        assert client.post(edit_url, {**settings, "grade_line_0": "90"}).status_code == 302
        assert AssessmentScheme.objects.get(pk=scheme.pk).grades == [["优秀", 90]]

        client.post(reverse("assessments:scheme_publication", args=[scheme.pk]), {"op": "publish"})
        assert AssessmentScheme.objects.get(pk=scheme.pk).published_at is not None
        assert "撤回发布" in client.get(edit_url).content.decode()

    def test_the_list_searches_filters_by_year_and_pages(self, city, org, logged_in):
        for year in (2025, 2026):
            for n in range(12):
                service.scheme_create(actor=city, owner=org("4401"), name=f"第{n}号方案", year=year)
        service.scheme_create(actor=city, owner=org("4401"), name="职工书屋专项评价", year=2026)
        client = logged_in(city)
        url = reverse("assessments:schemes")
        first = client.get(url).content.decode()
        assert "第 1 / 2 页" in first and 'option value="2025"' in first
        assert "第 2 / 2 页" in client.get(url, {"page": 2}).content.decode()
        in_2025 = client.get(url, {"year": 2025}).content.decode()
        assert "2025年 第0号方案" in in_2025 and "2026年" not in in_2025 and "第 1 / 2 页" not in in_2025
        found = client.get(url, {"q": "书屋"}).content.decode()
        assert "职工书屋专项评价" in found and "第0号方案" not in found
        assert "没有符合条件的方案" in client.get(url, {"q": "不存在的方案"}).content.decode()


def test_the_admin_shows_schemes_read_only_so_the_lock_cannot_be_bypassed(draft, superuser, logged_in):
    client = logged_in(superuser)
    page = client.get(reverse("admin:orgs_assessmentscheme_change", args=[draft.pk])).content.decode()
    assert "思想政治引领" in page and 'name="name"' not in page
    assert client.get(reverse("admin:orgs_assessmentscheme_add")).status_code == 403
    assert client.post(reverse("admin:orgs_assessmentscheme_change", args=[draft.pk]), {"name": "后台改名"}).status_code == 403
    assert AssessmentScheme.objects.get(pk=draft.pk).name == "百人以上非公企业工会评价"
