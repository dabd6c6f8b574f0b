"""/api/docs in chromium with every request off the live server refused, under the site's Content-Security-Policy: Swagger
UI renders the operations from local files, without a console error or a CSP refusal."""
import os
import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from gonghui.orgs.tests.test_browser import browser, divisions, open_page, shots  # noqa: F401 (fixtures)

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("divisions_after_flush")]


def test_the_api_docs_render_their_operations_offline(live_server, divisions, open_page, shots):  # noqa: F811
    page = open_page()
    own, docs = urlsplit(live_server.url).netloc, reverse("api:openapi-view")
    refused = []

    def offline(route):
        if urlsplit(route.request.url).netloc == own:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    response = page.goto(f"{live_server.url}{docs}")
    assert re.search(r"script-src 'self'(;|$)", response.headers["content-security-policy"])  # the site's: no inline script
    move = page.locator(".opblock", has=page.locator("[data-path='/api/orgs/{org_id}/move']"))
    expect(move).to_contain_text("调整组织隶属")
    expect(page.locator(".opblock-tag", has_text="组织与单位台账")).to_be_visible()
    move.locator(".opblock-summary").click()
    expect(move.locator(".parameters")).to_contain_text("组织 id")
    page.screenshot(path=shots / "api-docs.png")
    assert page.locator(".opblock").count() >= 30
    assert refused == [] and page.js_errors == []
