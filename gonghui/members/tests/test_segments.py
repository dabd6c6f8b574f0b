"""用户画像: segment counts equal the direct queries, stay in scope, and save for later use."""
import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django.db.models import ProtectedError
from django.http import QueryDict
from django.urls import reverse

from gonghui.accounts.models import Post, Role
from gonghui.accounts.tests.factories import PostFactory
from gonghui.audit.models import AuditEvent
from gonghui.core.exceptions import ApplicationError, NotFound
from gonghui.members import segments, services
from gonghui.members.models import Membership, NewFormType, Segment
from gonghui.members.tests.factories import join, new_id_number
from gonghui.orgs.models import Industry
from gonghui.orgs.tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def people(org):
    factory_rows = [
        ("440106006", dt.date(1990, 5, 1), NewFormType.FOOD_DELIVERY, "美团", Industry.G),
        ("440106006", dt.date(2000, 1, 1), NewFormType.COURIER, "顺丰", Industry.G),
        ("440106001", dt.date(1975, 3, 3), "", "", Industry.C),
        ("440104001", dt.date(1992, 7, 7), NewFormType.FOOD_DELIVERY, "美团", Industry.G),  # 越秀: outside 天河
    ]
    for town, born, form, platform, industry in factory_rows:
        employer = EmployerFactory(town=org(town), industry=industry)
        application = join(id_number=new_id_number(region=town[:6], born=born), employer_id=employer.pk, new_form_type=form,
                           platform_company=platform)
        services.application_approve(actor=None, application_id=application.pk)


def count(actor, **params):
    return segments.segment_members(actor=actor, filters=segments.SegmentFilters.from_params(params), today=TODAY).count()


def test_counts_equal_direct_queries(people, cadre):
    tianhe = cadre("440106")
    in_scope = Membership.objects.filter(union__path__startswith=tianhe.posts.get().org.path)
    assert count(tianhe) == in_scope.count() == 3
    assert count(tianhe, new_form_type="food_delivery") == in_scope.filter(person__employment__new_form_type="food_delivery").count() == 1
    assert count(tianhe, industry="G") == 2 and count(tianhe, platform="顺丰") == 1
    assert count(tianhe, age_min=30, age_max=40) == in_scope.filter(person__birth_month__range=(dt.date(1985, 12, 1), dt.date(1996, 11, 1))).count() == 1
    assert count(tianhe, age_min=50) == 1
    assert count(cadre("4401"), new_form_type="food_delivery") == 2


def test_filters_outside_scope_or_malformed_are_refused(people, cadre, org):
    with pytest.raises(NotFound):
        count(cadre("440106"), within=org("440104").pk)
    with pytest.raises(ApplicationError, match="格式"):
        count(cadre("440106"), joined_from="昨天")


def test_saving_a_segment_for_later_features(people, cadre, org, client):
    user = cadre("440106")
    client.force_login(user)
    page = client.get(reverse("members:segments"), {"new_form_type": "courier"}).content.decode()
    assert "<strong class=\"big-count\">1</strong>" in page
    fragment = client.get(reverse("members:segments"), {"gender": "female"}, HTTP_HX_REQUEST="true")
    assert "名会员符合条件" in fragment.content.decode() and "<html" not in fragment.content.decode()
    assert "HX-Request" in fragment["Vary"]  # the count request's URL goes in the address bar: Back must get the page
    restored = client.get(reverse("members:segments"), {"gender": "female"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restored.content.decode()
    client.post(reverse("members:segments") + "?new_form_type=courier", {"name": "天河快递员会员", "new_form_type": "courier"})
    segment = Segment.objects.get()
    assert segment.filters["new_form_type"] == "courier" and segment.org == org("440106")
    assert segments.segment_members(actor=user, filters=segments.segment_filters(segment)).count() == 1
    assert AuditEvent.objects.filter(action="members.segment.saved").exists()
    client.force_login(cadre("440104"))
    with pytest.raises(NotFound):
        segments.segment_get_for(actor=cadre("440104"), segment_id=segment.pk)


def test_tags_label_members_and_filter_segments(people, cadre, org):
    user = cadre("440106")
    first, second = Membership.objects.filter(union__path__startswith=org("440106").path)[:2]
    services.member_tag_set(actor=user, membership=first, add=["夜访入会"])
    services.member_tag_set(actor=user, membership=second, add=["夜访入会", "劳模候选"])
    assert count(user, tag="夜访入会") == 2 and count(user, tag="劳模候选") == 1
    assert services.member_tag_set(actor=user, membership=second, remove=["夜访入会"]) == ["劳模候选"]
    assert count(user, tag="夜访入会") == 1
    yuexiu = Membership.objects.get(union__path__startswith=org("440104").path)
    with pytest.raises(NotFound):
        services.member_tag_set(actor=user, membership=yuexiu, add=["越权"])


def test_tags_from_the_member_page(people, cadre, org, client):
    membership = Membership.objects.filter(union__path__startswith=org("440106").path).first()
    client.force_login(cadre("440106"))
    client.post(reverse("members:detail", args=[membership.pk]), {"tag": "夜访入会"})
    page = client.get(reverse("members:detail", args=[membership.pk])).content.decode()
    assert '<span class="badge ok">夜访入会</span>' in page
    assert '<strong class="big-count">1</strong> 名会员符合条件' in client.get(reverse("members:segments"), {"tag": "夜访入会"}, HTTP_HX_REQUEST="true").content.decode()


# --- multiple tags, validation, the org picker, saved segments, the API -------------------------------------------------

SEGMENTS = reverse("members:segments")


def tianhe_members(org):
    return Membership.objects.filter(union__path__startswith=org("440106").path).order_by("pk")


def test_several_tags_select_members_with_any_of_them(people, cadre, org):
    user = cadre("440106")
    first, second, third = tianhe_members(org)
    services.member_tag_set(actor=user, membership=first, add=["夜访入会"])
    services.member_tag_set(actor=user, membership=second, add=["夜访入会", "劳模候选"])  # both: counted once
    services.member_tag_set(actor=user, membership=third, add=["困难职工"])
    direct = tianhe_members(org).filter(tags__name__in=["夜访入会", "劳模候选"]).distinct()
    assert count(user, tags=["夜访入会", "劳模候选"]) == direct.count() == 2
    assert count(user, tag=["劳模候选", "困难职工"]) == 2 and count(user, tags=["无人使用"]) == 0
    query = QueryDict(mutable=True)
    query.setlist("tag", ["夜访入会", "困难职工"])
    assert segments.segment_members(actor=user, filters=segments.SegmentFilters.from_params(query), today=TODAY).count() == 3


def test_segments_saved_with_one_tag_read_as_a_list(people, cadre, org):
    old = {"tag": "夜访入会", "status": "active"}
    segment = Segment.objects.create(name="旧分群", org=org("440106"), created_by=cadre("440106"), filters=old)
    untagged = Segment.objects.create(name="无标签", org=org("440106"), created_by=cadre("440106"), filters={"tag": ""})
    assert segments.segment_filters(segment).tags == ["夜访入会"]
    importlib.import_module("gonghui.members.migrations.0012_segment_tags_list").forwards(django_apps, None)
    segment.refresh_from_db()
    untagged.refresh_from_db()
    assert segment.filters == {"tags": ["夜访入会"], "status": "active"} and untagged.filters == {"tags": []}
    assert segments.segment_filters(segment).tags == ["夜访入会"]


@pytest.mark.parametrize("params, message", [
    ({"age_min": "40", "age_max": "30"}, "年龄下限（40 岁）不能大于上限（30 岁）"),
    ({"age_min": "三十"}, "年龄应在 0 到 120 岁之间（填整数）"),
    ({"age_max": "121"}, "年龄应在 0 到 120 岁之间（填整数）"),
    ({"joined_from": "2026-03-01", "joined_to": "2026-01-01"}, "入会日期起不能晚于入会日期止"),
    ({"joined_to": "2026-02-30"}, "入会日期止格式应为 2026-11-26"),
    ({"status": "gone"}, "会籍状态不在可选范围内"),
    ({"tags": ["一个超过二十个字的标签一个超过二十个字的标签"]}, "标签不能超过 20 个字"),
])
def test_impossible_filters_are_refused_in_chinese(people, cadre, params, message):
    with pytest.raises(ApplicationError) as refused:
        count(cadre("440106"), **params)
    assert message in refused.value.message and refused.value.fields


def test_a_refused_save_shows_the_builder_again_with_what_was_chosen_and_typed(people, cadre, client):
    client.force_login(cadre("440106"))
    response = client.post(SEGMENTS, {"name": "  ", "new_form_type": "courier", "age_min": "20", "status": ""})
    page = response.content.decode()
    assert response.status_code == 200 and not Segment.objects.exists()
    assert "请给分群起个名字" in page and '<option value="courier" selected>' in page and 'name="age_min" class="seg-filter" value="20"' in page
    assert '<strong class="big-count">1</strong>' in page  # the count of what was chosen, not of an empty builder

    too_long = "天" * 101
    page = client.post(SEGMENTS, {"name": too_long, "gender": "female"}).content.decode()
    assert "分群名称不能超过 100 个字" in page and f'value="{too_long}"' in page and '<option value="female" selected>' in page
    assert not Segment.objects.exists()

    page = client.post(SEGMENTS, {"name": "反了的年龄", "age_min": "40", "age_max": "30"}).content.decode()
    assert "年龄下限（40 岁）不能大于上限（30 岁）" in page and 'value="反了的年龄"' in page and "请先改正上面的筛选条件再保存" in page
    assert not Segment.objects.exists()

    response = client.post(SEGMENTS, {"name": "天" * 100, "new_form_type": "courier"})
    assert response.status_code == 302 and Segment.objects.get().name == "天" * 100


def test_refresh_shows_the_count_without_saving(people, cadre, client):
    client.force_login(cadre("440106"))
    page = client.post(SEGMENTS, {"refresh": "1", "name": "", "industry": "G"}).content.decode()
    assert '<strong class="big-count">2</strong>' in page and "请给分群起个名字" not in page and not Segment.objects.exists()


def test_the_org_picker_offers_only_orgs_in_scope(people, cadre, org, client):
    client.force_login(cadre("440106"))
    page = client.get(SEGMENTS).content.decode()
    shipai = org("440106006")
    assert f'<option value="{shipai.pk}" >\u3000{shipai.name}</option>' in page
    assert "越秀" not in page and "组织ID" not in page
    found = client.get(reverse("members:segment_orgs"), {"org_q": "石牌"}).content.decode()
    assert f'value="{shipai.pk}"' in found and shipai.code in found
    assert "没有找到匹配的组织" in client.get(reverse("members:segment_orgs"), {"org_q": "越秀"}).content.decode()
    kept = client.get(reverse("members:segment_orgs"), {"org_q": "无此组织", "within": shipai.pk}).content.decode()
    assert f'<option value="{shipai.pk}" selected>' in kept  # the current choice stays while searching

    assert '<strong class="big-count">2</strong>' in client.get(SEGMENTS, {"within": shipai.pk}, HTTP_HX_REQUEST="true").content.decode()
    yuexiu = org("440104001")
    page = client.get(SEGMENTS, {"within": yuexiu.pk}).content.decode()
    assert "对象不存在或无权访问" in page and yuexiu.name not in page and "big-count" not in page
    assert yuexiu.name not in client.get(reverse("members:segment_orgs"), {"within": yuexiu.pk}).content.decode()
    client.post(SEGMENTS, {"name": "越权", "within": yuexiu.pk})
    assert not Segment.objects.exists()


def test_the_picker_tree_stops_where_it_would_be_too_long(db, cadre, org):
    province = org("44")
    orgs, more = segments.segment_org_choices(actor=cadre("44"), org=province)
    assert more and len(orgs) <= segments.PICKER_TREE_LIMIT
    assert orgs[0] == province and {o.indent for o in orgs} == {0, 1, 2}  # 省, 市, 区/县: 街道 are found by searching
    assert [o.path for o in orgs] == sorted(o.path for o in orgs)
    found, _ = segments.segment_org_choices(actor=cadre("44"), org=province, q="石牌")
    assert org("440106006") in found


def save(user, name="天河快递员会员", **params):
    return segments.segment_save(actor=user, name=name, org=user.posts.get().org, filters=segments.SegmentFilters.from_params(params))


def test_a_segment_covers_its_own_org_whoever_reads_it(people, cadre, org):
    tianhe, city = cadre("440106"), cadre("4401")
    segment = save(tianhe, new_form_type="food_delivery")
    assert segments.segment_resolve(actor=tianhe, segment=segment).count() == 1
    assert segments.segment_resolve(actor=city, segment=segment).count() == 1  # not the city's two riders
    with pytest.raises(NotFound):
        segments.segment_get_for(actor=cadre("440104"), segment_id=segment.pk)


def test_saved_segments_page_searches_pages_and_stays_in_scope(people, cadre, client):
    user = cadre("440106")
    for i in range(25):
        save(user, name=f"分群{i:02d}")
    save(user, name="天河外卖骑手", new_form_type="food_delivery")
    save(cadre("440104"), name="越秀外卖骑手", new_form_type="food_delivery")
    client.force_login(user)
    url = reverse("members:segment_list")
    first, second = client.get(url).content.decode(), client.get(url, {"page": 2}).content.decode()
    assert "天河外卖骑手" in first and "第 1 / 2 页" in first and "分群00" in second and "越秀" not in first + second
    found = client.get(url, {"q": "外卖"}).content.decode()
    assert "天河外卖骑手" in found and "分群01" not in found and "越秀" not in found
    other = Segment.objects.get(name="越秀外卖骑手")
    for name, method in (("segment_detail", client.get), ("segment_rename", client.post), ("segment_delete", client.post)):
        assert method(reverse(f"members:{name}", args=[other.pk])).status_code == 404
    assert Segment.objects.filter(name="越秀外卖骑手").exists()


def test_segment_page_shows_the_conditions_and_the_count(people, cadre, org, client):
    user = cadre("440106")
    segment = save(user, new_form_type="food_delivery", within=org("440106006").pk, age_min="30")
    client.force_login(user)
    page = client.get(reverse("members:segment_detail", args=[segment.pk])).content.decode()
    assert "<dt>新就业形态</dt><dd>外卖骑手</dd>" in page and "<dt>组织</dt><dd>石牌街道总工会</dd>" in page
    assert "<dt>年龄</dt><dd>30 岁及以上</dd>" in page and '<strong class="big-count">1</strong>' in page


def test_rename_and_delete_are_audited_and_need_the_manage_right(people, cadre, org, client):
    user = cadre("440106")
    segment = save(user)
    client.force_login(user)
    rename = reverse("members:segment_rename", args=[segment.pk])
    response = client.post(rename, {"name": ""})
    assert response.status_code == 200 and "请给分群起个名字" in response.content.decode()
    assert "分群名称不能超过 100 个字" in client.post(rename, {"name": "天" * 101}).content.decode()
    client.post(rename, {"name": "天河快递小哥"})
    segment.refresh_from_db()
    assert segment.name == "天河快递小哥"
    assert AuditEvent.objects.get(action="members.segment.renamed").data == {"from": "天河快递员会员", "to": "天河快递小哥"}

    analyst = PostFactory(org=org("440106"), role=Role.objects.get(code="analyst")).user
    client.force_login(analyst)
    assert client.get(reverse("members:segment_detail", args=[segment.pk])).status_code == 200
    assert client.post(rename, {"name": "改不了"}).status_code == 403
    assert client.post(reverse("members:segment_delete", args=[segment.pk])).status_code == 403

    client.force_login(user)
    client.post(reverse("members:segment_delete", args=[segment.pk]))
    assert not Segment.objects.exists()
    event = AuditEvent.objects.get(action="members.segment.deleted")
    assert event.data["name"] == "天河快递小哥" and event.object_id == str(segment.pk)


def test_a_segment_in_use_is_not_deleted(people, cadre, client, monkeypatch):
    user = cadre("440106")
    segment = save(user)

    def referenced(self, *args, **kwargs):  # what a later feature's PROTECT key to Segment does
        raise ProtectedError("referenced", {user.posts.get()})

    monkeypatch.setattr(Segment, "delete", referenced)
    client.force_login(user)
    response = client.post(reverse("members:segment_delete", args=[segment.pk]), follow=True)
    assert f"分群“天河快递员会员”正被{Post._meta.verbose_name}使用，不能删除" in response.content.decode()
    assert Segment.objects.filter(pk=segment.pk).exists() and not AuditEvent.objects.filter(action="members.segment.deleted").exists()


def test_segments_api_lists_reads_and_counts_in_scope(people, cadre, org, client, django_assert_max_num_queries):
    user = cadre("440106")
    services.member_tag_set(actor=user, membership=tianhe_members(org)[0], add=["夜访入会"])
    segment = save(user, new_form_type="food_delivery")
    tagged = save(user, name="夜访入会的会员", tags=["夜访入会", "劳模候选"])
    other = save(cadre("440104"), name="越秀外卖骑手", new_form_type="food_delivery")
    client.force_login(user)
    for i in range(5):
        save(user, name=f"预算{i}")
    with django_assert_max_num_queries(8):  # session (read, save), user, scope, count, page: not one per segment
        listing = client.get("/api/member-segments", {"q": "预算"}).json()
    assert listing["count"] == 5
    Segment.objects.filter(name__startswith="预算").delete()
    listing = client.get("/api/member-segments").json()
    assert listing["count"] == 2 and {s["id"] for s in listing["items"]} == {segment.pk, tagged.pk}
    assert client.get("/api/member-segments", {"q": "夜访"}).json()["items"][0]["id"] == tagged.pk

    body = client.get(f"/api/member-segments/{segment.pk}").json()
    assert body["name"] == "天河快递员会员" and body["org_name"] == "天河区总工会" and body["count"] == 1
    assert body["filters"]["new_form_type"] == "food_delivery"
    assert {"field": "new_form_type", "label": "新就业形态", "value": "外卖骑手"} in body["conditions"]
    assert client.get(f"/api/member-segments/{tagged.pk}/count").json() == {"id": tagged.pk, "count": 1}
    assert client.get(f"/api/member-segments/{segment.pk}/count").json()["count"] == segments.segment_resolve(actor=user, segment=segment).count()

    for path in (f"/api/member-segments/{other.pk}", f"/api/member-segments/{other.pk}/count"):  # IDOR: another district's id
        forbidden, missing = client.get(path), client.get(path.replace(str(other.pk), "987654321"))
        assert forbidden.status_code == missing.status_code == 404 and forbidden.json() == missing.json()
        assert forbidden.json()["message"] == "对象不存在或无权访问"
    Segment.objects.filter(pk=segment.pk).update(filters={"within": org("440104001").pk})  # as if its org had moved away
    stale = client.get(f"/api/member-segments/{segment.pk}/count")
    assert stale.status_code == 400 and stale.json()["code"] == "members.segment_stale"
    client.logout()
    assert client.get("/api/member-segments").status_code == 401
