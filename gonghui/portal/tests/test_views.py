"""The two shells: the worker H5 (public) and the cadre 工作台 with its org switcher."""
import re

import pytest
from django.urls import reverse

from gonghui.accounts.models import Role
from gonghui.accounts.tests.factories import PostFactory
from gonghui.orgs.tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db


def test_h5_has_three_bottom_tabs(client):
    html = client.get(reverse("h5_home")).content.decode()
    for tab in ("首页", "办事", "我的"):
        assert re.search(rf"</svg>\s*{tab}</a>", html)
    assert "htmx-2.0.11/htmx.min.js" in html and not re.search(r'(?:src|href)="(?:https?:)?//', html)


def test_h5_find_union_by_pinyin_initials(client):
    html = client.get(reverse("h5_find_union"), {"q": "thq"}).content.decode()
    assert "天河区总工会" in html and "广东省 › 广州市" in html


def test_h5_employer_check_shows_union_status_only(client, org):
    EmployerFactory(town=org("440106001"), name="查询示例有限公司", has_union=False, headcount=321)
    html = client.get(reverse("h5_employer_check"), {"q": "查询示例"}).content.decode()
    assert "未建会" in html and "五山街道总工会" in html and "321" not in html
    assert "请至少输入2个字" in client.get(reverse("h5_employer_check"), {"q": "查"}).content.decode()


def test_login_page_in_chinese_and_bad_password_message(client, cadre):
    user = cadre("440106")
    html = client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong"}).content.decode()
    assert "用户名或密码不正确" in html
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": "Test@pass2026"})
    assert response.status_code == 302 and response["Location"] == reverse("workbench:home")


def test_workbench_home_shows_current_orgs_numbers(client, cadre, org):
    EmployerFactory(town=org("440106001"), has_union=True)
    client.force_login(cadre("440106"))
    html = client.get(reverse("workbench:home")).content.decode()
    assert "天河区总工会" in html and "100.0%" in html and "组织树" in html


def test_org_switcher_lists_own_posts_and_switches(client, cadre, org):
    user = cadre("440106")
    second = PostFactory(user=user, org=org("440104"))
    client.force_login(user)
    html = client.get(reverse("workbench:home")).content.decode()
    assert "天河区总工会 · 管理员" in html and "越秀区总工会 · 管理员" in html
    client.post(reverse("accounts:switch_post"), {"post_id": second.pk, "next": "/workbench/"})
    assert "当前组织：<a" in client.get(reverse("workbench:home")).content.decode()
    assert f'href="/workbench/orgs/{org("440104").pk}/">越秀区总工会' in client.get(reverse("workbench:home")).content.decode()


def test_switching_to_someone_elses_post_is_refused(client, cadre, org):
    other = PostFactory(org=org("440104"))
    client.force_login(cadre("440106"))
    response = client.post(reverse("accounts:switch_post"), {"post_id": other.pk})
    assert response.status_code == 404


def test_health_endpoint(client):
    assert client.get("/healthz").json()["database"] == "ok"


def current_links(html: str) -> list[str]:
    return re.findall(r'<a href="[^"]*" class="on" aria-current="page">([^<]+)</a>', html)


@pytest.mark.parametrize(("url", "current"), [
    ("/workbench/", "工作台首页"),
    ("/workbench/import/employers/", "导入用人单位"),
    ("/workbench/import/orgs/", "导入工会组织"),
    ("/workbench/assessments/", "工会评价与星级评定"),
    ("/workbench/assessments/improvements/", "激励整改"),  # its own name wins over the assessments namespace
    ("/workbench/members/", "会员名册"),
    ("/workbench/members/stars/", "星级会员"),
    ("/workbench/members/segments/saved/", "用户画像"),
    ("/workbench/employers/", "用人单位台账"),
    ("/workbench/staff/", "人员与岗位"),
    ("/accounts/security/", "账号安全"),  # an account page in the 工作台 shell, outside /workbench/
])
def test_the_menu_marks_the_page_by_its_url_name(client, cadre, url, current):
    client.force_login(cadre("440106"))
    assert current_links(client.get(url).content.decode()) == [current]


def test_the_menu_shows_what_the_users_actions_open(client, org):
    analyst = PostFactory(org=org("440106"), role=Role.objects.get(code="analyst")).user
    client.force_login(analyst)
    html = client.get(reverse("workbench:home")).content.decode()
    assert "会员名册" in html and "审计日志" in html and "工作日历" in html
    assert "入会审核" not in html and "人员与岗位" not in html and "导入工会组织" not in html
