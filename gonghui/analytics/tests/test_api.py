"""The analytics API: an integration's key reads the metrics page's figures, the alerts and the map of its own subtree and
steps an alert through 研判 → 处置 → 解除 when it holds analytics.alerts; another district's ids answer as missing ones."""
import pytest
from django.utils import timezone

from gonghui.accounts.api_keys import api_key_issue
from gonghui.analytics import metrics, rollups
from gonghui.analytics.models import AlertState
from gonghui.analytics.tests.flows import filed, followed_up
from gonghui.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def key_for(world, org, actions) -> dict:
    _, secret = api_key_issue(actor=world.city_admin, client_name="市总研判平台", org=org, actions=actions)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def rolled(world):
    followed_up(world, filed(world), "satisfied")
    filed(world)
    filed(world, district=world.yuexiu, category="consult")
    rollups.rebuild_rollups()


def test_metrics_are_the_pages_figures_for_the_keys_subtree(client, world, rolled):
    key = key_for(world, world.city, ["analytics.view"])
    answer = client.get("/api/analytics/metrics", {"by": "category"}, **key)
    assert answer.status_code == 200, answer.content
    data = answer.json()
    today = timezone.localdate()
    page = metrics.metrics_for(actor=world.city_admin, within=world.city, period=metrics.Period(today.replace(day=1), today), dimension="category")
    assert (data["org_id"], data["by"], data["total"]["received"]) == (world.city.pk, "category", page.total.received) == (world.city.pk, "category", 3)
    assert data["total"]["satisfaction_rate"] == page.total.satisfaction_rate == 1.0 and data["total"]["orders_url"] == page.total.url()
    assert {group["label"]: group["figures"]["received"] for group in data["groups"]} == {label: f.received for label, f in page.groups}
    assert "满意率" in data["definitions"]
    tianhe = client.get("/api/analytics/metrics", {"org_id": world.tianhe.pk}, **key).json()
    assert tianhe["total"]["received"] == 1 and tianhe["org_name"] == world.tianhe.name  # the centre still holds one of its two


def test_a_district_key_sees_its_own_district_only(client, world, rolled):
    key = key_for(world, world.yuexiu, ["analytics.view"])
    assert client.get("/api/analytics/metrics", **key).json()["total"]["received"] == 0  # the order is still at the city's centre
    missing, foreign = (client.get("/api/analytics/metrics", {"org_id": org_id}, **key) for org_id in (999999999, world.tianhe.pk))
    assert missing.status_code == foreign.status_code == 404 and missing.json() == foreign.json()
    assert client.get("/api/analytics/map", {"org_id": world.city.pk}, **key).status_code == 404


def test_unhappy_paths_answer_in_the_error_shape(client, world, rolled):
    key = key_for(world, world.city, ["analytics.view"])
    reversed_period = client.get("/api/analytics/metrics", {"from": "2026-05-10", "to": "2026-05-01"}, **key)
    assert reversed_period.status_code == 400 and reversed_period.json()["code"] == "analytics.period_reversed"
    assert client.get("/api/analytics/metrics", {"from": "yesterday"}, **key).json()["message"] == "日期格式不正确，请用 YYYY-MM-DD"
    assert client.get("/api/analytics/alerts", **key).status_code == 403  # the key reads figures, not alerts
    assert client.get("/api/analytics/metrics", HTTP_AUTHORIZATION="Bearer ghk_00000000_wrong").status_code == 401
    assert client.get("/api/analytics/metrics").status_code == 401


def test_the_map_lists_the_regions_below(client, world, rolled):
    data = client.get("/api/analytics/map", **key_for(world, world.city, ["analytics.view"])).json()
    assert data["geo"] == "4401" and data["org_id"] == world.city.pk
    regions = {region["code"]: region for region in data["regions"]}
    assert (regions["440106"]["received"], regions["440106"]["open_orders"]) == (1, 0)  # the one answered and closed in 天河
    assert regions["440104"]["received"] == 0  # 越秀's order is still held at the city's centre


def test_a_key_steps_an_alert_through_its_flow_and_it_is_audited(client, world, alert):
    key = key_for(world, world.tianhe, ["analytics.alerts"])
    listed = client.get("/api/analytics/alerts", **key).json()
    assert [row["id"] for row in listed["items"]] == [alert.pk] and listed["items"][0]["level"] == "yellow"
    detail = client.get(f"/api/analytics/alerts/{alert.pk}", **key).json()
    assert detail["can"] == ["note", "handle"] and "district" in {route["line"] for route in detail["routes"]}
    short = client.post(f"/api/analytics/alerts/{alert.pk}/handle", {"text": "太短"}, content_type="application/json", **key)
    assert short.status_code == 400 and short.json()["code"] == "analytics.text_missing"
    premature = client.post(f"/api/analytics/alerts/{alert.pk}/resolve", {"text": "已全部补发工资"}, content_type="application/json", **key)
    assert premature.status_code == 400 and premature.json()["code"] == "analytics.state_invalid"
    handled = client.post(f"/api/analytics/alerts/{alert.pk}/handle", {"text": "研判：欠薪属实，约谈企业负责人"}, content_type="application/json", **key)
    assert handled.status_code == 200 and handled.json()["state"] == AlertState.HANDLING and handled.json()["notes"][-1]["step"] == "转入处置"
    resolved = client.post(f"/api/analytics/alerts/{alert.pk}/resolve", {"text": "企业已补发全部工资"}, content_type="application/json", **key)
    assert resolved.json()["state"] == AlertState.RESOLVED and resolved.json()["can"] == []
    assert AuditEvent.objects.filter(action="analytics.alert.resolved", actor_name__startswith="接口密钥").exists()
    assert client.get("/api/analytics/alerts", {"state": "all"}, **key).json()["count"] == 1


def test_another_districts_alert_is_missing_and_an_unknown_step_too(client, world, alert):
    key = key_for(world, world.yuexiu, ["analytics.alerts"])
    assert client.get("/api/analytics/alerts", **key).json() == {"items": [], "count": 0}
    for answer in (client.get(f"/api/analytics/alerts/{alert.pk}", **key),
                   client.post(f"/api/analytics/alerts/{alert.pk}/notes", {"text": "越权记录一下"}, content_type="application/json", **key),
                   client.post(f"/api/analytics/alerts/{alert.pk}/delete", {"text": "删掉"}, content_type="application/json",
                               **key_for(world, world.tianhe, ["analytics.alerts"]))):
        assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    alert.refresh_from_db()
    assert alert.state == AlertState.JUDGING and not alert.notes.filter(kind="note").exists()


def test_alert_filters_take_any_text_without_a_server_error(client, world, alert):
    """Found by fuzzing on PostgreSQL (text cannot hold NUL): an unknown level matches nothing, a NUL is refused."""
    key = key_for(world, world.tianhe, ["analytics.alerts"])
    assert client.get("/api/analytics/alerts", {"level": "purple"}, **key).json()["count"] == 0
    assert client.get("/api/analytics/alerts", {"level": "yellow"}, **key).json()["count"] == 1
    assert client.get("/api/analytics/alerts", {"level": "yellow", "q": "\x00"}, **key).status_code == 400
