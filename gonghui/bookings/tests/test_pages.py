"""The pages: the worker's two taps and their answers, the light booking POST (at most 3 queries for a refusal, with
sessions in the cache as the benchmark runs them), the per-person rate limit, 我的预约 with the QR and 取消, the waitlist
offer, and the cadre's list, forms, roster, export and message."""
import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from gonghui.audit.models import AuditEvent
from gonghui.bookings import services
from gonghui.bookings.models import Booking, Kind, NoShowBan, Offering, Session, WaitlistEntry
from gonghui.bookings.tests.factories import member, offering
from gonghui.members.tests.factories import new_id_number, worker

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def cached_sessions(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    settings.SESSION_CACHE_ALIAS = "sessions"


def book(client, session, **extra):
    return client.post(f"/h5/bookings/sessions/{session.pk}/book/", **HTMX, **extra)


def test_two_taps_list_detail_book(world, client):
    made = offering(world.officer, world.tianhe, title="职工摄影公益课")
    client.force_login(member())
    assert "职工摄影公益课" in client.get("/h5/bookings/").content.decode()
    detail = client.get(f"/h5/bookings/{made.pk}/").content.decode()
    assert "预约</button>" in detail and "余 10/10" in detail
    answer = book(client, made.sessions.get()).content.decode()
    assert "预约成功" in answer and "查看签到码" in answer
    assert "您已预约" in book(client, made.sessions.get()).content.decode()


def test_every_refusal_says_why_and_full_offers_the_waitlist(world, client):
    full = offering(world.officer, world.tianhe, capacity=1).sessions.get()
    services.booking_create(actor=member(), session_id=full.pk)
    client.force_login(member())
    answer = book(client, full).content.decode()
    assert "名额已满" in answer and "加入候补" in answer
    joined = client.post(f"/h5/bookings/sessions/{full.pk}/wait/", **HTMX).content.decode()
    assert "已加入候补" in joined and WaitlistEntry.objects.filter(session=full).count() == 1
    later = offering(world.officer, world.tianhe, opens_in=dt.timedelta(minutes=7), title="花艺沙龙").sessions.get()
    assert "尚未开放报名，将于" in book(client, later).content.decode()


def test_a_refusal_costs_at_most_three_queries(world, client, cached_sessions, django_assert_max_num_queries):
    full = offering(world.officer, world.tianhe, capacity=1).sessions.get()
    services.booking_create(actor=member(), session_id=full.pk)
    open_one = offering(world.officer, world.tianhe, title="名额充足").sessions.get()
    later = offering(world.officer, world.tianhe, opens_in=dt.timedelta(minutes=7), title="未开放").sessions.get()
    person = member()
    services.booking_create(actor=person, session_id=open_one.pk)
    client.force_login(person)
    for session, expected in ((full, "名额已满"), (open_one, "您已预约"), (later, "尚未开放")):
        with django_assert_max_num_queries(3):
            response = book(client, session)
        assert expected in response.content.decode()
    client.force_login(member("440104001"))
    with django_assert_max_num_queries(3):
        assert "天河区" in book(client, open_one).content.decode()  # not eligible


def test_the_booking_button_is_rate_limited_per_person(world, client, settings):
    settings.BOOKINGS_RATE = "3/m"
    session = offering(world.officer, world.tianhe, capacity=1).sessions.get()
    client.force_login(member())
    answers = [book(client, session).content.decode() for _ in range(4)]
    assert "操作太频繁" in answers[-1] and "操作太频繁" not in answers[0]
    client.force_login(member())  # another person is not held back
    assert "操作太频繁" not in book(client, session).content.decode()


def test_a_missing_session_is_a_404_whatever_the_limit(world, client):
    client.force_login(member())
    assert client.post("/h5/bookings/sessions/99999999/book/", **HTMX).status_code == 404


def test_my_bookings_show_the_qr_and_cancel(world, client):
    made = offering(world.officer, world.tianhe, title="职场礼仪课")
    person = member()
    [booking] = services.booking_create(actor=person, session_id=made.sessions.get().pk)
    client.force_login(person)
    assert "职场礼仪课" in client.get("/h5/bookings/mine/").content.decode()
    page = client.get(f"/h5/bookings/mine/{booking.pk}/").content.decode()
    assert "data:image/svg+xml" in page and "取消预约" in page
    assert 'hx-trigger="every 50s"' in client.get(f"/h5/bookings/mine/{booking.pk}/", **HTMX).content.decode()
    assert client.post(f"/h5/bookings/mine/{booking.pk}/cancel/").status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    client.force_login(member())
    assert client.get(f"/h5/bookings/mine/{booking.pk}/").status_code == 404


def test_the_waitlist_offer_is_confirmed_on_its_page(world, client):
    session = offering(world.officer, world.tianhe, capacity=1).sessions.get()
    holder, waiting = member(), member()
    [booking] = services.booking_create(actor=holder, session_id=session.pk)
    entry = services.waitlist_join(actor=waiting, session_id=session.pk)
    services.booking_cancel(actor=holder, booking_id=booking.pk)
    client.force_login(waiting)
    assert "候补名额待确认" in client.get("/h5/bookings/mine/").content.decode()
    assert "确认预约" in client.get(f"/h5/bookings/waitlist/{entry.pk}/").content.decode()
    client.post(f"/h5/bookings/waitlist/{entry.pk}/", {"op": "confirm"})
    assert Booking.objects.get(session=session, status="active").user == waiting


def test_a_non_member_verifies_and_books_an_open_activity(world, client):
    session = offering(world.officer, world.tianhe, members_only=False, title="开放日").sessions.get()
    person = worker()
    client.force_login(person)
    assert "去实名认证" in book(client, session).content.decode()
    bad = client.post("/h5/bookings/verify/", {"name": "王小红", "id_number": "123"})
    assert bad.status_code == 400 and "王小红" in bad.content.decode()
    client.post("/h5/bookings/verify/", {"name": "王小红", "id_number": new_id_number()})
    assert "预约成功" in book(client, session).content.decode()


def test_the_trivial_endpoint_answers_204_when_signed_in(client):
    assert client.get("/h5/bookings/ping/").status_code == 401
    client.force_login(worker())
    assert client.get("/h5/bookings/ping/").status_code == 204


def test_cadre_creates_an_offering_adds_a_session_and_publishes(world, client):
    client.force_login(world.officer)
    response = client.post("/workbench/bookings/new/", {"kind": Kind.ACTIVITY, "title": "", "opens_at": "2026-12-10T09:00",
                                                         "cancel_hours": 2, "members_only": "on", "eligible_orgs": "440104,NOPE"})
    assert response.status_code == 400 and "NOPE" in response.content.decode()
    response = client.post("/workbench/bookings/new/", {"kind": Kind.ACTIVITY, "title": "职工篮球赛", "opens_at": "2026-12-10T09:00",
                                                         "cancel_hours": 2, "members_only": "on", "eligible_orgs": "440104"})
    made = Offering.objects.get(title="职工篮球赛")
    assert response.status_code == 302 and list(made.eligible_orgs.values_list("code", flat=True)) == ["440104"]
    client.post(f"/workbench/bookings/{made.pk}/sessions/new/", {"starts_at": "2026-12-20T09:00", "ends_at": "2026-12-20T12:00", "capacity": 30,
                                                                  "quota_org": "440106006", "quota_org_seats": 5})
    session = made.sessions.get()
    assert (session.capacity, session.reserved) == (30, 5)
    client.post(f"/workbench/bookings/{made.pk}/status/", {"status": "published"})
    made.refresh_from_db()
    assert made.status == "published"
    listing = client.get("/workbench/bookings/?q=篮球&kind=activity").content.decode()
    assert "职工篮球赛" in listing
    assert "职工篮球赛" in client.get(f"/workbench/bookings/{made.pk}/").content.decode()


def test_roster_export_and_message(world, client):
    session = offering(world.officer, world.tianhe, eligible_org_ids=[world.tianhe.pk, world.yuexiu.pk]).sessions.get()
    services.booking_create(actor=member(), session_id=session.pk)
    services.booking_create(actor=member("440104001"), session_id=session.pk)
    client.force_login(world.officer)
    page = client.get(f"/workbench/bookings/sessions/{session.pk}/").content.decode()
    assert "李*明" in page and "已预约 2 人" in page
    response = client.get(f"/workbench/bookings/sessions/{session.pk}/export/")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("预约码", "姓名", "所在工会") and len(rows) == 3 and all(r[1] == "李*明" for r in rows[1:])
    assert AuditEvent.objects.filter(action="bookings.roster.exported", data__count=2).exists()
    client.post(f"/workbench/bookings/sessions/{session.pk}/message/", {"text": "改到二楼活动室"})
    assert AuditEvent.objects.filter(action="bookings.session.messaged").exists()
    client.force_login(world.yuexiu_officer)
    assert "已预约 1 人" in client.get(f"/workbench/bookings/sessions/{session.pk}/").content.decode()
    assert client.post(f"/workbench/bookings/sessions/{session.pk}/message/", {"text": "x"}).status_code in (302, 403)


def test_checkin_page_scans_a_token(world, client):
    session = offering(world.officer, world.tianhe, starts_in=dt.timedelta(minutes=20)).sessions.get()
    [booking] = services.booking_create(actor=member(), session_id=session.pk)
    client.force_login(world.officer)
    page = client.post("/workbench/bookings/checkin/", {"token": services.checkin_token(booking=booking)}).content.decode()
    assert "签到成功" in page
    assert Booking.objects.get(pk=booking.pk).checked_in_at is not None
    assert client.post("/workbench/bookings/checkin/", {"token": "bad"}).status_code == 400


def test_api_lists_and_reads_offerings_in_scope(world, client):
    made = offering(world.officer, world.tianhe)
    client.force_login(world.officer)
    assert client.get("/api/booking-offerings").json()["count"] == 1
    detail = client.get(f"/api/booking-offerings/{made.pk}").json()
    assert detail["sessions"][0]["capacity"] == 10
    client.force_login(world.yuexiu_officer)
    assert client.get(f"/api/booking-offerings/{made.pk}").status_code == 404
    assert Session.objects.count() == 1 and timezone.now()


def test_everyone_refused_gets_the_same_answer_and_a_moved_session_shows_its_new_time(world, client):
    session = offering(world.officer, world.tianhe, capacity=1).sessions.get()
    services.booking_create(actor=member(), session_id=session.pk)
    answers = []
    for person in (member(), member()):
        client.force_login(person)
        answers.append(book(client, session).content.decode())
    assert answers[0] == answers[1] and "名额已满" in answers[0] and "csrfmiddlewaretoken" not in answers[0]
    later = timezone.localtime(session.starts_at + dt.timedelta(days=1))
    services.session_update(actor=world.officer, session_id=session.pk, starts_at=later, ends_at=later + dt.timedelta(hours=2), capacity=1)
    assert f"{later:%m-%d %H:%M}" in book(client, session).content.decode()
    later += dt.timedelta(days=1)
    services.session_update(actor=world.officer, session_id=session.pk, starts_at=later, ends_at=later + dt.timedelta(hours=2), capacity=2)
    client.force_login(member())
    assert "预约成功" in (answer := book(client, session).content.decode()) and f"{later:%m-%d %H:%M}" in answer


def test_remembered_rules_cost_no_query_and_are_never_stale(world, client, cached_sessions, django_assert_max_num_queries):
    made = offering(world.officer, world.tianhe, capacity=1)
    session = made.sessions.get()
    services.booking_create(actor=member(), session_id=session.pk)
    client.force_login(member())
    book(client, session)  # read once and remembered by this process
    with django_assert_max_num_queries(2):  # the user, and the person's facts with the seat and the session's stamp
        assert "名额已满" in book(client, session).content.decode()
    services.offering_set_status(actor=world.officer, offering_id=made.pk, status="withdrawn")
    assert book(client, session).status_code == 404


def test_the_compiled_facts_query_answers_each_person_for_this_moment(world, client):
    """The button's query is compiled once per session with stand-ins for the person and the moment: each press must
    still read the presser's own facts, and a ban that ended before this moment must not count."""
    made = offering(world.officer, world.tianhe, capacity=5)
    session = made.sessions.get()
    first, banned, ban_over = member(), member(), member()
    NoShowBan.objects.create(user=banned, until=timezone.now() + dt.timedelta(days=3), no_shows=3)
    NoShowBan.objects.create(user=ban_over, until=timezone.now() - dt.timedelta(hours=1), no_shows=3)
    client.force_login(first)
    assert "预约成功" in book(client, session).content.decode()
    assert "您已预约" in book(client, session).content.decode()
    client.force_login(banned)
    assert "暂停预约" in book(client, session).content.decode()
    client.force_login(ban_over)
    assert "预约成功" in book(client, session).content.decode()
    assert Booking.objects.filter(session=session, status="active").count() == 2


def test_a_counselling_booking_leaves_no_ip_or_user_agent_in_the_audit(world, client):
    from gonghui.accounts.models import UserKind
    from gonghui.accounts.tests.factories import UserFactory

    counsellor = UserFactory(kind=UserKind.EXTERNAL, display_name="陈老师")
    made = offering(world.officer, world.tianhe, kind=Kind.COUNSELLING, counsellor=counsellor, title="心理咨询", capacity=1)
    session = made.sessions.get()
    person = member()
    client.force_login(person)
    answer = book(client, session, data={"topic": "与主管关系紧张，失眠"}, REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Mozilla/5.0 (iPhone) 职工手机")
    assert "预约成功" in answer.content.decode()
    [event] = AuditEvent.objects.filter(action="bookings.booking.created")
    assert event.actor is None and event.ip is None and event.user_agent == ""
    assert event.data == {"private": True}
    assert "失眠" not in str(event.data) and person.display_name not in str(event.data)
