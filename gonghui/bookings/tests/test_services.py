"""The booking engine through its services: every answer an attempt can get, terms all or nothing, limits, quotas,
eligibility across orgs, the waitlist across a night, check-in, no-shows and counselling privacy."""
import datetime as dt

import pytest
from django.core import signing
from django.utils import timezone

from gonghui.audit.models import AuditEvent
from gonghui.bookings import selectors, services
from gonghui.bookings.models import Booking, BookingStatus, Kind, NoShowBan, Quota, Session, TermCounter, WaitlistEntry, WaitStatus
from gonghui.bookings.services import Refused
from gonghui.bookings.tests.factories import member, offering, verified
from gonghui.core.exceptions import ApplicationError, NotFound
from gonghui.members.tests.factories import worker
from gonghui.notify.models import Notification

pytestmark = pytest.mark.django_db
LOCAL = dt.timezone(dt.timedelta(hours=8))


def first_session(made) -> Session:
    return made.sessions.order_by("pk").first()


def refusal(actor, session, **kwargs) -> Refused:
    with pytest.raises(Refused) as caught:
        services.booking_create(actor=actor, session_id=session.pk, **kwargs)
    return caught.value


def test_a_member_books_and_a_repeat_answers_already_booked(world):
    session = first_session(offering(world.officer, world.tianhe, capacity=2))
    person = member()
    [booking] = services.booking_create(actor=person, session_id=session.pk)
    assert booking.status == BookingStatus.ACTIVE and booking.member_union.code == "440106006"
    assert refusal(person, session).code == "bookings.already"
    session.refresh_from_db()
    assert session.taken == 1
    assert Notification.objects.filter(recipient=person, template_code="bookings.booked").exists()


def test_full_offers_the_waitlist_and_not_yet_open_names_the_opening(world):
    session = first_session(offering(world.officer, world.tianhe, capacity=1))
    services.booking_create(actor=member(), session_id=session.pk)
    full = refusal(member(), session)
    assert full.code == "bookings.full" and full.waitlist and "候补" in full.message
    later = first_session(offering(world.officer, world.tianhe, opens_in=dt.timedelta(minutes=5)))
    closed = refusal(member(), later)
    assert closed.code == "bookings.not_open" and closed.opens_at == later.offering.opens_at
    assert f"{timezone.localtime(later.offering.opens_at):%H:%M}" in closed.message


def test_cancel_then_book_again_works_and_the_seat_comes_back(world):
    session = first_session(offering(world.officer, world.tianhe, capacity=1))
    person = member()
    [booking] = services.booking_create(actor=person, session_id=session.pk)
    services.booking_cancel(actor=person, booking_id=booking.pk)
    session.refresh_from_db()
    assert session.taken == 0
    services.booking_create(actor=person, session_id=session.pk)
    assert Booking.objects.filter(session=session, user=person).count() == 2
    session.refresh_from_db()
    assert session.taken == 1


def test_cancelling_is_closed_near_the_start(world):
    session = first_session(offering(world.officer, world.tianhe, starts_in=dt.timedelta(hours=1), cancel_hours=2))
    person = member()
    [booking] = services.booking_create(actor=person, session_id=session.pk)
    with pytest.raises(ApplicationError, match="2 小时内不能取消"):
        services.booking_cancel(actor=person, booking_id=booking.pk)
    with pytest.raises(NotFound):
        services.booking_cancel(actor=member(), booking_id=booking.pk)


def test_a_whole_term_course_claims_every_session_or_none(world):
    course = offering(world.officer, world.tianhe, kind=Kind.COURSE, whole_term=True, sessions=3, capacity=2, completion_percent=80)
    sessions = list(course.sessions.order_by("pk"))
    Session.objects.filter(pk=sessions[2].pk).update(capacity=1)
    services.booking_create(actor=member(), session_id=sessions[0].pk)  # takes the one seat of the third session
    late = member()
    assert refusal(late, sessions[0]).code == "bookings.full"
    assert [s.taken for s in Session.objects.filter(offering=course).order_by("pk")] == [1, 1, 1]
    assert not Booking.objects.filter(user=late).exists()
    progress = selectors.completion(user=late, offering=course)
    assert progress == {"attended": 0, "total": 3, "done": False}


def test_term_limit_is_a_counter_and_cancelling_gives_the_turn_back(world):
    term = services.term_create(actor=world.officer, org=world.tianhe, name="2026年春季学期", starts_on=dt.date(2026, 3, 1),
                                ends_on=dt.date(2026, 7, 1), max_per_person=2)
    person = member()
    sessions = [first_session(offering(world.officer, world.tianhe, term_id=term.pk, title=f"课程{i}")) for i in range(3)]
    first = services.booking_create(actor=person, session_id=sessions[0].pk)[0]
    services.booking_create(actor=person, session_id=sessions[1].pk)
    assert refusal(person, sessions[2]).code == "bookings.limit"
    assert TermCounter.objects.get(term=term, user=person).count == 2
    services.booking_cancel(actor=person, booking_id=first.pk)
    services.booking_create(actor=person, session_id=sessions[2].pk)
    assert TermCounter.objects.get(term=term, user=person).count == 2


def test_eligibility_across_orgs_members_only_age_and_identity(world):
    # a 天河区 course opened to 越秀区's members too: named orgs, not only the publisher's subtree
    session = first_session(offering(world.officer, world.tianhe, eligible_org_ids=[world.yuexiu.pk, world.shipai.pk]))
    services.booking_create(actor=member("440104001"), session_id=session.pk)  # 越秀区 member
    other = member("440106001")  # 天河区 but not 石牌街道
    assert refusal(other, session).message == "该项目仅限指定工会的会员报名"
    own = first_session(offering(world.officer, world.tianhe, title="区内活动"))
    assert "天河区" in refusal(member("440104001"), own).message
    assert refusal(worker(), own).code == "bookings.identity"
    assert refusal(verified(), own).message.startswith("该项目仅限工会会员")
    open_to_all = first_session(offering(world.officer, world.tianhe, members_only=False, title="开放日"))
    services.booking_create(actor=verified(), session_id=open_to_all.pk)
    aged = first_session(offering(world.officer, world.tianhe, min_age=40, title="中年健康讲座"))
    assert "年满 40" in refusal(member(born=dt.date(2000, 1, 1)), aged).message
    services.booking_create(actor=member(born=dt.date(1970, 1, 1)), session_id=aged.pk)


def test_a_saved_segment_limits_who_books(world):
    from gonghui.members.segments import SegmentFilters, segment_save

    segment = segment_save(actor=world.admin, name="新就业形态劳动者", org=world.tianhe, filters=SegmentFilters(new_form_type="courier"))
    session = first_session(offering(world.admin, world.tianhe, segment_id=segment.pk))
    services.booking_create(actor=member(new_form_type="courier"), session_id=session.pk)
    assert "特定会员群体" in refusal(member(), session).message


def test_a_custom_class_is_for_the_requesting_orgs_workers(world):
    session = first_session(offering(world.officer, world.tianhe, kind=Kind.CUSTOM, requested_by_id=world.shipai.pk, title="定制：安全生产"))
    services.booking_create(actor=member("440106006"), session_id=session.pk)
    assert refusal(member("440106001"), session).code == "bookings.not_eligible"


def test_quotas_hold_seats_for_an_org_and_for_new_form_workers(world):
    session = first_session(offering(world.officer, world.tianhe, capacity=3, eligible_org_ids=[world.tianhe.pk],
                                     quotas=[services.QuotaInput(seats=1, org_id=world.shipai.pk), services.QuotaInput(seats=1, new_form=True)]))
    services.booking_create(actor=member("440106001"), session_id=session.pk)  # the one general seat
    assert refusal(member("440106001"), session).code == "bookings.full"  # the rest are reserved
    services.booking_create(actor=member("440106006"), session_id=session.pk)  # 石牌's quota
    services.booking_create(actor=member("440106001", new_form_type="courier"), session_id=session.pk)
    session.refresh_from_db()
    assert (session.taken, session.general_taken) == (3, 1)
    assert list(Quota.objects.filter(session=session).values_list("taken", flat=True)) == [1, 1]


def test_an_online_class_has_no_seat_limit_and_records_who_finished(world):
    session = first_session(offering(world.officer, world.tianhe, kind=Kind.ONLINE, capacity=None, title="线上：劳动法入门"))
    people = [member() for _ in range(3)]
    bookings = [services.booking_create(actor=p, session_id=session.pk)[0] for p in people]
    services.booking_finish(actor=people[0], booking_id=bookings[0].pk)
    assert Booking.objects.filter(session=session, finished_at__isnull=False).count() == 1
    session.refresh_from_db()
    assert session.capacity is None and session.taken == 3


def _full_with_line(world, *, starts_in=dt.timedelta(days=3)):
    session = first_session(offering(world.officer, world.tianhe, capacity=1, starts_in=starts_in))
    holder, first, second = member(), member(), member()
    [booking] = services.booking_create(actor=holder, session_id=session.pk)
    entries = [services.waitlist_join(actor=p, session_id=session.pk) for p in (first, second)]
    return session, holder, booking, (first, second), entries


def test_a_cancelled_seat_goes_to_the_first_in_line_who_confirms(world):
    session, holder, booking, (first, second), entries = _full_with_line(world)
    services.booking_cancel(actor=holder, booking_id=booking.pk)
    entries[0].refresh_from_db()
    session.refresh_from_db()
    assert entries[0].status == WaitStatus.OFFERED and session.taken == 1  # held for them, not back on sale
    assert refusal(member(), session).code == "bookings.full"
    services.waitlist_confirm(actor=first, entry_id=entries[0].pk)
    assert Booking.objects.get(session=session, status=BookingStatus.ACTIVE).user == first
    session.refresh_from_db()
    assert session.taken == 1


def test_the_confirmation_limit_does_not_run_at_night_and_then_passes_on(world, clock):
    clock.set(dt.datetime(2026, 11, 26, 21, 0, tzinfo=LOCAL))  # a Thursday evening
    session, holder, booking, (first, second), entries = _full_with_line(world)
    services.booking_cancel(actor=holder, booking_id=booking.pk)
    entries[0].refresh_from_db()
    # 1 hour of daytime is left tonight (21:00–22:00), the other 3 run from 08:00: due 11:00 the next morning
    assert timezone.localtime(entries[0].confirm_by).replace(tzinfo=None) == dt.datetime(2026, 11, 27, 11, 0)
    assert services.waitlist_expire(now=dt.datetime(2026, 11, 27, 7, 0, tzinfo=LOCAL)) == 0  # the night counted for nothing
    clock.set(dt.datetime(2026, 11, 27, 11, 1, tzinfo=LOCAL))
    assert services.waitlist_expire() == 1
    assert services.waitlist_expire() == 0  # idempotent
    entries[0].refresh_from_db()
    entries[1].refresh_from_db()
    assert entries[0].status == WaitStatus.EXPIRED and entries[1].status == WaitStatus.OFFERED
    with pytest.raises(ApplicationError, match="失效"):
        services.waitlist_confirm(actor=first, entry_id=entries[0].pk)
    session.refresh_from_db()
    assert session.taken == 1


def test_an_offer_ends_before_the_session_starts(world, clock):
    clock.set(dt.datetime(2026, 11, 26, 9, 0, tzinfo=LOCAL))
    session, holder, booking, _, entries = _full_with_line(world, starts_in=dt.timedelta(hours=3))
    session.offering.cancel_hours = 1
    session.offering.save()
    services.booking_cancel(actor=holder, booking_id=booking.pk)
    entries[0].refresh_from_db()
    assert entries[0].confirm_by == session.starts_at - services.OFFER_MARGIN


def test_check_in_by_a_fresh_signed_code_once(world, clock):
    session = first_session(offering(world.officer, world.tianhe, starts_in=dt.timedelta(minutes=30)))
    person = member()
    [booking] = services.booking_create(actor=person, session_id=session.pk)
    token = services.checkin_token(booking=booking)
    with pytest.raises(ApplicationError, match="不属于您负责"):
        services.booking_checkin(actor=world.yuexiu_officer, token=token)
    assert services.booking_checkin(actor=world.officer, token=token).checked_in_at is not None
    with pytest.raises(ApplicationError, match="已于"):
        services.booking_checkin(actor=world.officer, token=token)
    with pytest.raises(ApplicationError, match="无效"):
        services.booking_checkin(actor=world.officer, token=signing.dumps({"b": booking.pk}, salt="other"))
    clock.shift_signing(services.CHECKIN_TOKEN_SECONDS + 1)
    with pytest.raises(ApplicationError, match="过期"):
        services.booking_checkin(actor=world.officer, token=token)


def test_repeated_no_shows_suspend_booking_for_a_while(world, settings, clock):
    settings.BOOKINGS_NO_SHOW_LIMIT, settings.BOOKINGS_NO_SHOW_BAN_DAYS = 2, 30
    person = member()
    for index in range(2):
        session = first_session(offering(world.officer, world.tianhe, title=f"讲座{index}", starts_in=dt.timedelta(days=1 + index)))
        services.booking_create(actor=person, session_id=session.pk)
    clock.set(timezone.now() + dt.timedelta(days=4))
    assert services.no_shows_record() == {"sessions": 2, "no_shows": 2, "bans": 1}
    assert services.no_shows_record()["no_shows"] == 0  # each session once
    later = first_session(offering(world.officer, world.tianhe, title="后续活动"))
    assert refusal(person, later).code == "bookings.banned"
    clock.set(timezone.now() + dt.timedelta(days=31))
    assert NoShowBan.objects.filter(user=person, until__gt=timezone.now()).count() == 0


def test_a_participating_orgs_cadres_see_only_their_own_members_on_the_roster(world):
    session = first_session(offering(world.officer, world.tianhe, eligible_org_ids=[world.tianhe.pk, world.yuexiu.pk]))
    services.booking_create(actor=member("440106006"), session_id=session.pk)
    services.booking_create(actor=member("440104001"), session_id=session.pk)
    assert len(selectors.roster(actor=world.officer, session=session)) == 2
    yuexiu_rows = selectors.roster(actor=world.yuexiu_officer, session=session)
    assert [row.union for row in yuexiu_rows] == [Booking.objects.get(session=session, member_union__path__startswith=world.yuexiu.path).member_union.name]
    assert selectors.session_get_for(actor=world.yuexiu_officer, session_id=session.pk) == session


def test_counselling_keeps_topic_and_identity_out_of_roster_audit_and_messages(world):
    from gonghui.accounts.models import UserKind
    from gonghui.accounts.tests.factories import UserFactory

    counsellor = UserFactory(kind=UserKind.EXTERNAL, display_name="陈老师")
    session = first_session(offering(world.officer, world.tianhe, kind=Kind.COUNSELLING, counsellor=counsellor, title="心理咨询"))
    person = member()
    [booking] = services.booking_create(actor=person, session_id=session.pk, topic="与主管关系紧张，失眠")
    rows = selectors.roster(actor=world.officer, session=session)
    assert [(r.name, r.union) for r in rows] == [("—", "—")]
    events = AuditEvent.objects.filter(action="bookings.booking.created", object_id=str(session.pk))
    assert events.count() == 1
    event = events.get()
    assert event.actor_id is None and "失眠" not in str(event.data) and "李" not in event.actor_name + event.object_repr
    # the counsellor reads their own slot (an object grant) with the topic, and nobody's name
    assert list(selectors.counsellor_slots(actor=counsellor)) == [session]
    assert [b.topic for b in selectors.counsellor_bookings(actor=counsellor, session=session)] == ["与主管关系紧张，失眠"]
    assert not selectors.counsellor_slots(actor=UserFactory(kind=UserKind.EXTERNAL)).exists()
    services.session_message(actor=world.officer, session_id=session.pk, text="咨询室改到三楼")
    note = Notification.objects.get(recipient=person, template_code="bookings.message")
    assert "失眠" not in note.body and "李" not in note.body


def test_a_foreign_district_cannot_manage_or_see_an_offering(world):
    made = offering(world.officer, world.tianhe, publish=False)
    with pytest.raises(NotFound):
        selectors.offering_get_for(actor=world.yuexiu_officer, offering_id=made.pk)
    with pytest.raises(NotFound):
        services.offering_set_status(actor=world.yuexiu_officer, offering_id=made.pk, status="published")
    with pytest.raises(NotFound):  # a draft is missing to workers
        services.booking_create(actor=member(), session_id=first_session(made).pk)
    assert WaitlistEntry.objects.count() == 0


def test_a_counsellor_checks_in_on_their_own_slot_only(world):
    from gonghui.accounts.models import UserKind
    from gonghui.accounts.tests.factories import UserFactory

    counsellor, other = UserFactory(kind=UserKind.EXTERNAL), UserFactory(kind=UserKind.EXTERNAL)
    session = first_session(offering(world.officer, world.tianhe, kind=Kind.COUNSELLING, counsellor=counsellor, starts_in=dt.timedelta(minutes=20)))
    [booking] = services.booking_create(actor=member(), session_id=session.pk, topic="睡不好")
    token = services.checkin_token(booking=booking)
    with pytest.raises(ApplicationError, match="不属于您负责"):
        services.booking_checkin(actor=other, token=token)
    assert services.booking_checkin(actor=counsellor, token=token).checked_in_at is not None
    event = AuditEvent.objects.get(action="bookings.booking.checked_in")
    assert event.object_type == "bookings.session" and event.actor_id is None and "睡不好" not in str(event.data)
