"""用户画像: segment counts equal the direct queries, stay in scope, and save for later use."""
import datetime as dt

import pytest
from django.urls import reverse

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
    assert count(tianhe, age_min=30, age_max=40) == in_scope.filter(person__birth_date__range=(dt.date(1985, 11, 27), dt.date(1996, 11, 26))).count() == 1
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
    fragment = client.get(reverse("members:segments"), {"gender": "female"}, HTTP_HX_REQUEST="true").content.decode()
    assert "名会员符合条件" in fragment and "<html" not in fragment
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
