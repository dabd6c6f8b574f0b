"""A new app adds its 工作台 menu entry, H5 tile, role action with its default grant, 待办 provider, figures, pages, API
router and demo step by declaring them in its AppConfig (tests/fakeapp): installing it is the only central change."""
import sys

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from gonghui.accounts.models import Role
from gonghui.accounts.roles import role_defaults_sync
from gonghui.accounts.tests.factories import PostFactory
from gonghui.audit.models import AuditEvent
from gonghui.core import registry
from gonghui.core.registry import DemoOptions

pytestmark = pytest.mark.django_db
FAKE, URLS = "gonghui.portal.tests.fakeapp", "gonghui.portal.tests.fakeapp.project_urls"


@pytest.fixture
def fake_app(db):
    sys.modules.pop(URLS, None)  # built afresh while the fake app is installed
    with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, FAKE], ROOT_URLCONF=URLS):
        yield
    sys.modules.pop(URLS, None)


@pytest.fixture
def handler(fake_app, org):
    """A 天河区 cadre whose role holds the fake app's action."""
    role = Role.objects.create(code="fake_handler", name="演示诉求办理员", permissions=["fake.handle"])
    return PostFactory(org=org("440106"), role=role).user


def test_its_menu_entry_shows_to_holders_of_its_action_and_is_current_on_its_pages(handler, cadre, client):
    client.force_login(handler)
    html = client.get("/workbench/fake/5/").content.decode()
    assert "<h4>演示诉求</h4>" in html
    assert '<a href="/workbench/fake/" class="on" aria-current="page">诉求工单</a>' in html
    client.force_login(cadre("440106"))  # an administrator's role does not hold fake.handle
    assert "/workbench/fake/" not in client.get(reverse("workbench:home")).content.decode()


def test_its_h5_tile_is_offered_to_workers(fake_app, client):
    services = client.get(reverse("h5_services")).content.decode()
    assert '<a href="/h5/fake/new/"><strong>我要反映</strong><span>向工会反映劳动权益问题</span></a>' in services
    assert "我要反映" in client.get(reverse("h5_home")).content.decode()  # it has an icon, so it is a home tile too


def test_its_action_is_given_once_to_the_default_roles_it_names(fake_app):
    reviewer = Role.objects.get(code="reviewer")
    assert "fake.handle" in registry.action_list() and "fake.handle" not in reviewer.permissions
    assert role_defaults_sync() == {"reviewer": ["fake.handle"]}
    reviewer.refresh_from_db()
    assert "fake.handle" in reviewer.permissions and "members.manage" in reviewer.permissions
    given = AuditEvent.objects.filter(action="accounts.role.defaults_given").order_by("-pk").first()  # the test database's migrate gave some
    assert given.data == {"role": "reviewer", "actions": ["fake.handle"]}
    assert "fake.handle" not in Role.objects.get(code="admin").permissions

    reviewer.permissions.remove("fake.handle")  # an administrator takes it away again
    reviewer.save()
    assert role_defaults_sync() == {}
    reviewer.refresh_from_db()
    assert "fake.handle" not in reviewer.permissions


def test_its_todo_items_and_figures_are_on_the_desk_by_urgency(handler, client):
    client.force_login(handler)
    html = client.get(reverse("workbench:home")).content.decode()
    assert html.index("演示诉求：工资拖欠") < html.index("演示诉求：加班费")  # overdue first
    assert "已超时 2小时" in html and "剩余 3天" in html  # clock-hour limits count clock time, not working days
    assert '演示诉求待办理 <b>2</b>' in html
    assert "本月演示诉求" in html and "天河区总工会受理" in html


def test_its_api_router_and_demo_step_are_picked_up(fake_app):
    from gonghui.portal.tests.fakeapp.api import router

    assert ("/", router) in registry.api_router_list()
    assert registry.demo_step_list()[-1](options=DemoOptions()) == "演示诉求已载入"


def test_without_the_app_nothing_of_it_shows(client):
    assert "fake.handle" not in registry.action_list()
    assert "/h5/fake/new/" not in client.get(reverse("h5_services")).content.decode()


def test_the_check_reports_declarations_that_cannot_work():
    assert registry.declarations_check() == []
    with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, "gonghui.portal.tests.badapp"]):
        errors = {error.id: error.msg for error in registry.declarations_check()}
    assert errors == {
        "gonghui.E001": "action orgs.view is declared more than once",
        "gonghui.E002": "action bad.do is granted to undeclared default role nobody",
        "gonghui.E003": errors["gonghui.E003"],
        "gonghui.E004": "不存在的页面: URL name bad:missing does not resolve",
        "gonghui.E005": "gonghui.portal.tests.badapp.nowhere.collect does not import",
    }
    assert "needs undeclared action bad.undeclared" in errors["gonghui.E003"]
