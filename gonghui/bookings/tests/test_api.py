"""预约 API: cadres' and keys' reads in the pages' scope, and the signed-in worker's own bookings through the same services."""
import datetime as dt

import pytest

from gonghui.accounts.api_keys import api_key_issue
from gonghui.bookings import services
from gonghui.bookings.models import Booking, WaitlistEntry
from gonghui.bookings.tests.factories import member, offering

pytestmark = pytest.mark.django_db


def key_at(world, org) -> dict:
    _, secret = api_key_issue(actor=world.admin, client_name="区总小程序", org=org, actions=["bookings.view"])
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_sessions_list_with_seats_left_in_the_keys_scope(world, client, django_assert_max_num_queries):
    made = offering(world.officer, world.tianhe, capacity=3, sessions=3)
    first = made.sessions.order_by("starts_at").first()
    services.booking_create(actor=member(), session_id=first.pk)
    key = key_at(world, world.tianhe)
    with django_assert_max_num_queries(6):  # the key, its grants, the count and the page: not one query a row
        answer = client.get("/api/booking-sessions", {"offering_id": made.pk, "when": "upcoming", "page_size": 2}, **key).json()
    assert answer["count"] == 3 and len(answer["items"]) == 2
    assert answer["items"][0]["seats_left"] == 2 and answer["items"][0]["title"] == made.title
    assert client.get(f"/api/booking-sessions/{first.pk}", **key).json()["seats_left"] == 2


def test_another_districts_ids_answer_404(world, client):
    made = offering(world.officer, world.tianhe)
    session = made.sessions.get()
    client.force_login(world.yuexiu_officer)
    assert client.get("/api/booking-sessions").json()["count"] == 0
    for url in (f"/api/booking-sessions/{session.pk}", f"/api/booking-sessions/{session.pk}/bookings", f"/api/booking-offerings/{made.pk}"):
        answer = client.get(url)
        assert answer.status_code == 404 and answer.json()["code"] == "not_found", url


def test_roster_scope_participating_org_sees_its_own_members(world, client, org):
    made = offering(world.officer, world.tianhe, eligible_org_ids=[world.tianhe.pk, world.yuexiu.pk])
    session = made.sessions.get()
    services.booking_create(actor=member(), session_id=session.pk)
    services.booking_create(actor=member("440104001"), session_id=session.pk)
    client.force_login(world.officer)
    assert client.get(f"/api/booking-sessions/{session.pk}/bookings").json()["count"] == 2
    client.force_login(world.yuexiu_officer)
    assert client.get(f"/api/booking-sessions/{session.pk}/bookings").json()["count"] == 1


def test_worker_books_lists_and_cancels_through_the_services(world, client):
    session = offering(world.officer, world.tianhe, capacity=1).sessions.get()
    worker = member()
    client.force_login(worker)
    made = client.post("/api/my/bookings", {"session_id": session.pk}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert made.status_code == 201
    again = client.post("/api/my/bookings", {"session_id": session.pk}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and again.json() == made.json() and Booking.objects.count() == 1
    repeat = client.post("/api/my/bookings", {"session_id": session.pk}, content_type="application/json")
    assert repeat.status_code == 409 and repeat.json()["message"] == "您已预约该项目，无需重复预约"
    assert client.get("/api/my/bookings").json()["count"] == 1
    booking_id = made.json()[0]["id"]
    assert client.post(f"/api/my/bookings/{booking_id}/cancel").json()[0]["status"] == "cancelled"
    assert client.post(f"/api/my/bookings/{booking_id}/cancel").json()["message"] == "该预约已取消"


def test_worker_cannot_touch_anothers_booking_and_cadres_cannot_book(world, client):
    session = offering(world.officer, world.tianhe).sessions.get()
    [theirs] = services.booking_create(actor=member(), session_id=session.pk)
    client.force_login(member())
    assert client.post(f"/api/my/bookings/{theirs.pk}/cancel").status_code == 404
    assert client.post("/api/my/bookings", {"session_id": 999999}, content_type="application/json").status_code == 404
    client.force_login(world.officer)
    assert client.post("/api/my/bookings", {"session_id": session.pk}, content_type="application/json").status_code == 401


def test_worker_waits_and_confirms_the_freed_seat(world, client):
    session = offering(world.officer, world.tianhe, capacity=1, starts_in=dt.timedelta(days=5)).sessions.get()
    holder = member()
    [held] = services.booking_create(actor=holder, session_id=session.pk)
    client.force_login(member())
    full = client.post("/api/my/bookings", {"session_id": session.pk}, content_type="application/json").json()
    assert full["code"] == "bookings.full"
    joined = client.post("/api/my/waitlist", {"session_id": session.pk}, content_type="application/json")
    assert joined.status_code == 201 and joined.json()["status"] == "waiting"
    services.booking_cancel(actor=holder, booking_id=held.pk)
    [mine] = client.get("/api/my/waitlist").json()["items"]
    assert mine["status"] == "offered" and mine["confirm_by"]
    confirmed = client.post(f"/api/my/waitlist/{mine['id']}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "active"
    assert WaitlistEntry.objects.get().status == "confirmed"


def test_list_endpoints_cost_the_same_for_one_row_or_many(world, client, django_assert_max_num_queries):
    worker = member()
    for _ in range(4):
        services.booking_create(actor=worker, session_id=offering(world.officer, world.tianhe).sessions.get().pk)
    key = key_at(world, world.tianhe)
    with django_assert_max_num_queries(6):
        assert client.get("/api/booking-offerings", **key).json()["count"] == 4
    client.force_login(worker)
    with django_assert_max_num_queries(5):  # session, user, count, page
        assert client.get("/api/my/bookings").json()["count"] == 4
    with django_assert_max_num_queries(5):
        assert client.get("/api/my/waitlist").json()["count"] == 0


def test_a_search_with_a_nul_is_refused_with_a_message_not_a_server_error(world, client):
    offering(world.officer, world.tianhe)
    client.force_login(world.officer)
    answer = client.get("/api/booking-offerings", {"q": "\x00"})
    assert answer.status_code == 400 and "不允许的字符" in answer.json()["message"]
    assert client.get("/h5/bookings/", {"q": "摄影\x00"}).status_code == 400
