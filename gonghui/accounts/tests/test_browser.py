"""岗位管理 in chromium: a district cadre picks a street from the htmx suggestions, grants a post, sees it listed and
revokes it behind the confirmation page; a refused grant keeps what was typed."""
import pytest
from playwright.sync_api import expect

from gonghui.accounts.models import Post, Role
from gonghui.accounts.tests.factories import PostFactory, UserFactory
from gonghui.orgs.tests.test_browser import browser, divisions, open_page, shots, sign_in  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("divisions_after_flush")]


def test_district_cadre_grants_and_revokes_a_street_post(live_server, divisions, org, open_page, shots):  # noqa: F811
    district = PostFactory(org=org("440106"), role=Role.objects.get(code="admin")).user
    UserFactory(username="shipai_new", display_name="石牌新干部")
    page = open_page(1366, 900)
    sign_in(page, live_server, district, lands_on="**/workbench/")
    page.goto(f"{live_server.url}/workbench/posts/")
    page.get_by_text("授予岗位").click()
    page.get_by_label("干部账号（用户名）").fill("shipai_new")
    page.get_by_label("组织编码").press_sequentially("石牌")
    expect(page.locator("#managed-org-options option[value='440106006']")).to_have_count(1)  # the htmx picker answered
    page.get_by_label("组织编码").fill("440104")  # 越秀区: not theirs
    page.get_by_label("角色", exact=True).select_option(label="审核员")
    page.get_by_label("职务").fill("入会专员")
    page.get_by_role("button", name="授予").click()
    expect(page.locator(".flash.error")).to_contain_text("对象不存在或无权访问")
    expect(page.get_by_label("干部账号（用户名）")).to_have_value("shipai_new")
    expect(page.get_by_label("职务")).to_have_value("入会专员")
    page.get_by_label("组织编码").fill("440106006")
    page.get_by_role("button", name="授予").click()
    expect(page.locator(".flash")).to_contain_text("已授予")
    row = page.locator("table.grid tr", has_text="shipai_new")
    expect(row).to_contain_text("石牌街道")
    expect(row).to_contain_text("入会专员")
    page.screenshot(path=shots / "posts-granted.png")
    row.get_by_role("link", name="撤销").click()
    expect(page.locator("h1")).to_have_text("撤销岗位")
    assert Post.objects.filter(user__username="shipai_new").exists()  # asking changes nothing
    page.get_by_role("button", name="确认撤销").click()
    expect(page.locator(".flash")).to_contain_text("已撤销")
    assert not Post.objects.filter(user__username="shipai_new").exists()
    assert page.js_errors == []
