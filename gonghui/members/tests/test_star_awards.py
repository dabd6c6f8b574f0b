"""星级会员 list: a cadre's subtree by year and star level, found by masked name, member number or ID number, paged and
exported with names masked; another district sees none of it."""
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from python_calamine import CalamineWorkbook

from gonghui.accounts.models import Role
from gonghui.accounts.tests.factories import PostFactory
from gonghui.members import selectors, services
from gonghui.members.models import MemberStarAward
from gonghui.members.tests.factories import join

pytestmark = pytest.mark.django_db


def member(town: str, name: str):
    return services.application_approve(actor=None, application_id=join(town_code=town, name=name).pk)


@pytest.fixture
def awards(org):
    """Three 天河 members (two years) and one 越秀 member, each awarded by their own district's reviewer."""
    tianhe = PostFactory(org=org("440106"), role=Role.objects.get(code="reviewer")).user
    yuexiu = PostFactory(org=org("440104"), role=Role.objects.get(code="reviewer")).user
    zhang, zhang_two, li, far = (member("440106006", "张三丰"), member("440106006", "张飞"), member("440106006", "李四"),
                                 member("440104001", "张三丰"))
    for who, year, stars, by in ((zhang, 2026, 5, tianhe), (zhang_two, 2026, 3, tianhe), (li, 2025, 4, tianhe), (far, 2026, 5, yuexiu)):
        services.member_star_award(actor=by, membership=who, year=year, stars=stars, reason="带动工友入会，热心服务")
    return {"tianhe": tianhe, "yuexiu": yuexiu, "zhang": zhang, "zhang_two": zhang_two, "li": li, "far": far}


def numbers(awards_qs):
    return [award.membership.member_number for award in awards_qs]


class TestList:
    def test_newest_year_and_most_stars_first_within_the_subtree(self, awards):
        listed = selectors.star_award_list(actor=awards["tianhe"])
        assert numbers(listed) == [awards["zhang"].member_number, awards["zhang_two"].member_number, awards["li"].member_number]
        assert selectors.star_award_counts(awards=listed) == {5: 1, 4: 1, 3: 1}

    def test_filters_by_year_and_star_level(self, awards):
        assert numbers(selectors.star_award_list(actor=awards["tianhe"], year=2025)) == [awards["li"].member_number]
        assert numbers(selectors.star_award_list(actor=awards["tianhe"], year=2026, stars=3)) == [awards["zhang_two"].member_number]

    @pytest.mark.parametrize("q, who", [("张*丰", ["zhang"]), ("张三丰", ["zhang"]), ("张＊丰", ["zhang"]), ("张", ["zhang", "zhang_two"]),
                                        ("张*", ["zhang_two"]), ("王五", [])])
    def test_search_by_the_name_as_shown_masked(self, awards, q, who):
        assert numbers(selectors.star_award_list(actor=awards["tianhe"], q=q)) == [awards[key].member_number for key in who]

    def test_search_by_member_number_or_full_id_number(self, awards):
        li = awards["li"]
        assert numbers(selectors.star_award_list(actor=awards["tianhe"], q=li.member_number)) == [li.member_number]
        assert numbers(selectors.star_award_list(actor=awards["tianhe"], q=li.person.id_number)) == [li.member_number]
        assert numbers(selectors.star_award_list(actor=awards["tianhe"], q=awards["far"].member_number)) == []  # 越秀's

    def test_a_name_search_never_reaches_beyond_the_subtree(self, awards):
        assert numbers(selectors.star_award_list(actor=awards["yuexiu"], q="张三丰")) == [awards["far"].member_number]


class TestPage:
    def test_the_page_masks_names_filters_and_pages(self, awards, logged_in):
        client = logged_in(awards["tianhe"])
        page = client.get(reverse("members:star_awards")).content.decode()
        assert "张*丰" in page and "张三丰" not in page and "共 3 人：5★ 1 人，4★ 1 人，3★ 1 人" in page
        assert awards["far"].member_number not in page
        filtered = client.get(reverse("members:star_awards"), {"year": "2026", "stars": "5", "q": "张*丰"}).content.decode()
        assert "共 1 人" in filtered and '<option value="2026" selected>' in filtered and 'value="张*丰"' in filtered
        for number in range(25):  # one more page
            services.member_star_award(actor=awards["tianhe"], membership=member("440106006", f"王{number:02d}"), year=2024, stars=1,
                                       reason="积极参加工会活动")
        assert "第 1 / 2 页" in client.get(reverse("members:star_awards")).content.decode()
        assert "王" in client.get(reverse("members:star_awards"), {"page": 2}).content.decode()

    def test_the_export_is_masked_scoped_and_keeps_member_numbers_as_text(self, awards, logged_in):
        response = logged_in(awards["tianhe"]).get(reverse("members:star_awards"), {"year": "2026", "export": "xlsx"})
        assert response.status_code == 200 and "2026" in response["Content-Disposition"]
        rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
        assert rows[0] == ["年度", "星级", "会员编号", "姓名", "所在工会", "事迹", "评定时间"]
        assert [row[2:4] for row in rows[1:]] == [[awards["zhang"].member_number, "张*丰"], [awards["zhang_two"].member_number, "张*"]]

    def test_another_districts_area_answers_404(self, awards, logged_in, org):
        client = logged_in(awards["yuexiu"])
        assert client.get(reverse("members:star_awards"), {"within": org("440106").pk}).status_code == 404
        assert "共 1 人" in client.get(reverse("members:star_awards")).content.decode()


def test_the_admin_shows_awards_read_only_within_the_subtree(awards, logged_in):
    staff = awards["yuexiu"]
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(Permission.objects.get(codename="view_memberstaraward"))
    client = logged_in(staff)
    listing = client.get(reverse("admin:members_memberstaraward_changelist")).content.decode()
    assert awards["far"].member_number in listing and awards["zhang"].member_number not in listing
    own = MemberStarAward.objects.get(membership=awards["far"])
    assert client.get(reverse("admin:members_memberstaraward_change", args=[own.pk])).status_code == 200
    assert client.get(reverse("admin:members_memberstaraward_add")).status_code == 403
