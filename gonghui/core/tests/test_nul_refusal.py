"""A NUL character, which PostgreSQL text cannot hold, is refused before any view runs — in a query string, a form body or
a JSON body, on pages and on the API — with a message in Chinese, and nothing changes (found by fuzzing the API)."""
import json

import pytest

from gonghui.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/trip-routes?q=%00", "/api/analytics/alerts?q=a%00b", "/h5/trips/?q=%00"])
def test_a_nul_in_a_query_string_is_a_clear_400(client, path):
    client.force_login(UserFactory(is_superuser=True))
    answer = client.get(path)
    assert answer.status_code == 400
    text = answer.json()["message"] if path.startswith("/api/") else answer.content.decode()
    assert "不允许的字符" in text


def test_a_nul_in_a_form_or_json_body_is_refused_and_text_without_one_passes(client):
    client.force_login(UserFactory(is_superuser=True))
    assert client.post("/workbench/trips/batches/1/cancel/", "reason=a%00b", content_type="application/x-www-form-urlencoded").status_code == 400
    body = json.dumps({"reason": "a\x00b"})
    assert "\\u0000" in body
    assert client.post("/api/trip-batches/1/cancel", body, content_type="application/json").status_code == 400
    assert client.post("/api/trip-batches/1/cancel", json.dumps({"reason": "改期"}), content_type="application/json").status_code == 404
    assert client.get("/api/trip-routes?q=%E6%B8%85%E8%BF%9C").status_code == 200
