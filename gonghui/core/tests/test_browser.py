"""/api/docs in chromium with every request off the live server refused and a strict Content-Security-Policy: Swagger UI
renders the operations from local files, without a console error."""
import os
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from gonghui.orgs.tests.test_browser import browser, divisions, open_page, shots  # noqa: F401 (fixtures)

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("divisions_after_flush")]

STRICT_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'"


def test_the_api_docs_render_their_operations_offline(live_server, divisions, open_page, shots):  # noqa: F811
    page = open_page()
    own, docs = urlsplit(live_server.url).netloc, reverse("api:openapi-view")
    refused = []

    def offline(route):
        url = urlsplit(route.request.url)
        if url.netloc != own:
            refused.append(route.request.url)
            route.abort()
        elif url.path == docs:  # served as under the strictest policy the site may set: no inline script or style
            response = route.fetch()
            route.fulfill(response=response, headers={**response.headers, "content-security-policy": STRICT_CSP})
        else:
            route.continue_()

    page.route("**/*", offline)
    page.goto(f"{live_server.url}{docs}")
    move = page.locator(".opblock", has=page.locator("[data-path='/api/orgs/{org_id}/move']"))
    expect(move).to_contain_text("调整组织隶属")
    expect(page.locator(".opblock-tag", has_text="组织与单位台账")).to_be_visible()
    move.locator(".opblock-summary").click()
    expect(move.locator(".parameters")).to_contain_text("组织 id")
    page.screenshot(path=shots / "api-docs.png")
    assert page.locator(".opblock").count() >= 30
    assert refused == [] and page.js_errors == []
