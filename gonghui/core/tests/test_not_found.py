"""The demo runs with DEBUG=1; an unknown URL still gets the site's own 404 page, not Django's list of every URL."""
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

DEBUG_PAGE = "Using the URLconf defined in"


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    settings.DEBUG_404_DETAILS = False
    return settings


def test_an_unknown_url_in_the_demo_shows_our_404_page(client, demo):
    response = client.get("/workbench/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404 and "找不到该页面" in page and DEBUG_PAGE not in page and "admin/" not in page
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_a_404_raised_by_a_view_in_the_demo_shows_our_page(client, demo, cadre):
    client.force_login(cadre("440106"))
    response = client.get(reverse("orgs:employer_detail", kwargs={"employer_id": 999_999_999}))
    assert response.status_code == 404 and "对象不存在或无权访问" in response.content.decode()
    assert "Raised by" not in response.content.decode()


def test_a_missing_slash_is_still_added_in_the_demo(client, demo):
    response = client.get("/workbench")
    assert response.status_code == 301 and response["Location"] == "/workbench/"


def test_a_developer_can_have_the_debug_page_back(client, demo):
    demo.DEBUG_404_DETAILS = True
    assert DEBUG_PAGE in client.get("/workbench/no-such-page/").content.decode()
