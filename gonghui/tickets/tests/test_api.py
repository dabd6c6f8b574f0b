"""The API: an integration files with its key, cadres list and act in their own scope, out-of-scope is a missing id."""
import pytest

from gonghui.accounts.api_keys import api_key_issue
from gonghui.tickets import services
from gonghui.tickets.models import State, Ticket
from gonghui.tickets.tests.factories import cadre_at, file, phone

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(world):
    _, secret = api_key_issue(actor=world.city_admin, client_name="12351热线系统", org=world.city,
                              actions=["tickets.view", "tickets.dispatch"])
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def body(**fields):
    return {"category": "complaint", "title": "外卖平台扣罚不合理", "description": "连续三天因系统派单超时被扣款，申诉无回应。",
            "caller_phone": phone(), "district_id": None, "employer_name": "某外卖平台广州站点", **fields}


def test_an_integration_files_and_a_retry_with_the_same_key_files_once(client, world, key):
    payload = body(district_id=world.tianhe.pk, new_form_type="food_delivery")
    first = client.post("/api/tickets", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="call-1", **key)
    assert first.status_code == 200, first.content
    again = client.post("/api/tickets", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="call-1", **key)
    assert again.json()["id"] == first.json()["id"] and Ticket.objects.count() == 1
    data = first.json()
    assert data["number"].startswith("GH-") and data["state"] == State.RECEIVED and len(data["query_code"]) == 8
    assert data["caller_phone"].count("*") == 4 and data["channel"] == "api"


def test_bad_input_answers_in_the_error_shape(client, world, key):
    answer = client.post("/api/tickets", body(category="gossip", district_id=world.tianhe.pk), content_type="application/json", **key)
    assert answer.status_code == 400 and answer.json()["code"] == "tickets.category_invalid" and "category" in answer.json()["fields"]


def test_cadres_list_and_act_in_scope_and_out_of_scope_is_missing(client, world):
    ticket = file(world.worker, district=world.tianhe).ticket
    client.force_login(world.agent)
    dispatched = client.post(f"/api/tickets/{ticket.pk}/dispatch", {"org_id": world.tianhe.pk}, content_type="application/json")
    assert dispatched.status_code == 200 and dispatched.json()["state"] == State.ASSIGNED
    client.force_login(world.handler)
    listed = client.get("/api/tickets", {"queue": "accept"}).json()
    assert [row["id"] for row in listed["items"]] == [ticket.pk] and listed["items"][0]["seconds_left"] > 0
    accepted = client.post(f"/api/tickets/{ticket.pk}/accept")
    assert accepted.json()["state"] == State.ACCEPTED and "reply" in accepted.json()["can"]
    client.force_login(world.yuexiu_handler)
    missing, foreign = client.get("/api/tickets/999999999"), client.get(f"/api/tickets/{ticket.pk}")
    assert missing.status_code == foreign.status_code == 404 and missing.json() == foreign.json()
    assert client.get("/api/tickets").json()["count"] == 0
    client.force_login(cadre_at(world.shipai, "handler"))
    assert client.post(f"/api/tickets/{ticket.pk}/accept").status_code == 404  # not yet held by the 街道: nothing to read


def test_workers_use_the_pages_not_the_api(client, world):
    client.force_login(world.worker)
    assert client.get("/api/tickets").status_code == 401


def test_the_centre_names_a_party_and_a_named_person_loses_sight_of_it(client, world):
    ticket = file(world.worker, district=world.tianhe).ticket
    client.force_login(world.agent)
    refused = client.post(f"/api/tickets/{ticket.pk}/parties", {"kind": "employer", "employer_uscc": "123"}, content_type="application/json")
    assert refused.status_code == 400 and "统一社会信用代码" in refused.json()["message"]
    named = client.post(f"/api/tickets/{ticket.pk}/parties", {"kind": "person", "username": world.handler.username, "note": "被点名的干部"},
                        content_type="application/json")
    assert named.status_code == 200 and named.json()["name"] == str(world.handler)
    assert [p["kind"] for p in client.get(f"/api/tickets/{ticket.pk}/parties").json()] == ["person"]
    client.force_login(world.handler)
    assert client.get(f"/api/tickets/{ticket.pk}").status_code == 404


def test_a_petitioners_recheck_is_asked_and_answered_through_the_api(client, world):
    ticket = file(world.worker, district=world.tianhe, category="petition").ticket
    services.ticket_dispatch(actor=world.agent, ticket_id=ticket.pk, org=world.shipai)
    services.ticket_accept(actor=world.street_handler, ticket_id=ticket.pk)
    services.ticket_reply(actor=world.street_handler, ticket_id=ticket.pk, text="经核实，单位已补发九月工资。")
    services.ticket_follow_up(actor=world.agent, ticket_id=ticket.pk, result="basic")
    client.force_login(world.agent)
    asked = client.post(f"/api/tickets/{ticket.pk}/reviews", {"reason": "信访人来电：其余月份的加班费仍未处理，不服。"},
                        content_type="application/json").json()
    assert asked["stage"] == "recheck" and asked["org_name"] == world.tianhe.name
    client.force_login(world.yuexiu_handler)
    decide = {"outcome": "upheld", "opinion": "经复查，原处理意见事实清楚，予以维持。"}
    assert client.post(f"/api/ticket-reviews/{asked['id']}/decide", decide, content_type="application/json").status_code == 404
    client.force_login(world.district_admin)
    answered = client.post(f"/api/ticket-reviews/{asked['id']}/decide", decide, content_type="application/json").json()
    assert answered["outcome"] == "upheld" and answered["decided_at"]


def test_duty_shifts_through_the_api(client, world):
    import datetime as dt

    from django.utils import timezone

    client.force_login(world.handler)
    day = timezone.localdate() + dt.timedelta(days=1)  # always ahead: a shift that has ended leaves the list
    shift = {"org_code": world.tianhe.code, "username": world.colleague.username, "starts_at": f"{day:%Y-%m-%d}T08:00:00+08:00",
             "ends_at": f"{day:%Y-%m-%d}T20:00:00+08:00"}
    made = client.post("/api/ticket-duty-shifts", shift, content_type="application/json")
    assert made.status_code == 200 and made.json()["user_name"] == str(world.colleague)
    assert client.get("/api/ticket-duty-shifts").json()["count"] == 1
    client.force_login(world.yuexiu_handler)
    assert client.get("/api/ticket-duty-shifts").json()["count"] == 0
    assert client.delete(f"/api/ticket-duty-shifts/{made.json()['id']}").status_code == 404
    client.force_login(world.handler)
    assert client.delete(f"/api/ticket-duty-shifts/{made.json()['id']}").status_code == 204
