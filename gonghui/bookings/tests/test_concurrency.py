"""Flash demand with real threads and connections on PostgreSQL (under its 100 connections): never oversold, a term
booking all or nothing, the per-term counter exact, one person's racing clicks one booking."""
import datetime as dt

import pytest
from django.db import connection

from gonghui.bookings import services
from gonghui.bookings.models import Booking, BookingStatus, Kind, Session, TermCounter
from gonghui.bookings.services import Refused
from gonghui.bookings.tests.factories import cadre_at, member, offering
from gonghui.orgs.tests.test_concurrency import run_in_threads

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and concurrent writers: PostgreSQL")


@pytest.fixture
def places(transactional_db, divisions_after_flush):
    divisions_after_flush()
    from gonghui.orgs.models import Org

    return lambda code: Org.objects.get(code=code)


def outcomes(results) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in results:
        key = "booked" if isinstance(result, list) else getattr(result, "code", repr(result))
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_sixty_people_at_once_for_ten_seats_get_exactly_ten(places):
    tianhe = places("440106")
    session = offering(cadre_at(tianhe), tianhe, capacity=10).sessions.get()
    people = [member() for _ in range(60)]
    results = run_in_threads(lambda i: services.booking_create(actor=people[i], session_id=session.pk), 60)
    assert outcomes(results) == {"booked": 10, "bookings.full": 50}, outcomes(results)
    session.refresh_from_db()
    assert session.taken == 10 == Booking.objects.filter(session=session, status=BookingStatus.ACTIVE).count()


def test_a_term_booking_under_contention_is_all_or_nothing(places):
    tianhe = places("440106")
    course = offering(cadre_at(tianhe), tianhe, kind=Kind.COURSE, whole_term=True, sessions=4, capacity=8)
    scarce = course.sessions.order_by("-pk").first()
    Session.objects.filter(pk=scarce.pk).update(capacity=5)  # the last evening's room is smaller
    first = course.sessions.order_by("pk").first()
    people = [member() for _ in range(30)]
    results = run_in_threads(lambda i: services.booking_create(actor=people[i], session_id=first.pk), 30)
    assert outcomes(results) == {"booked": 5, "bookings.full": 25}, outcomes(results)
    for session in course.sessions.all():
        assert session.taken == 5 == Booking.objects.filter(session=session, status=BookingStatus.ACTIVE).count()
    winners = {b.user_id for b in Booking.objects.filter(session__offering=course)}
    assert all(Booking.objects.filter(user_id=u, session__offering=course).count() == 4 for u in winners)


def test_one_person_racing_for_many_courses_stays_within_the_term_limit(places):
    tianhe = places("440106")
    officer = cadre_at(tianhe)
    term = services.term_create(actor=officer, org=tianhe, name="2026年秋季学期", starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2027, 1, 31),
                                max_per_person=2)
    sessions = [offering(officer, tianhe, term_id=term.pk, title=f"课程{i}").sessions.get() for i in range(8)]
    person = member()
    results = run_in_threads(lambda i: services.booking_create(actor=person, session_id=sessions[i].pk), 8)
    assert outcomes(results) == {"booked": 2, "bookings.limit": 6}, outcomes(results)
    assert TermCounter.objects.get(term=term, user=person).count == 2
    assert sum(Session.objects.filter(pk__in=[s.pk for s in sessions]).values_list("taken", flat=True)) == 2


def test_one_persons_racing_clicks_make_one_booking(places):
    tianhe = places("440106")
    session = offering(cadre_at(tianhe), tianhe, capacity=10).sessions.get()
    person = member()
    results = run_in_threads(lambda i: services.booking_create(actor=person, session_id=session.pk), 12)
    assert outcomes(results) == {"booked": 1, "bookings.already": 11}, outcomes(results)
    session.refresh_from_db()
    assert session.taken == 1


def test_cancellations_and_bookings_at_once_never_oversell(places):
    tianhe = places("440106")
    session = offering(cadre_at(tianhe), tianhe, capacity=5).sessions.get()
    holders = [member() for _ in range(5)]
    bookings = [services.booking_create(actor=p, session_id=session.pk)[0] for p in holders]
    newcomers = [member() for _ in range(20)]

    def act(i):
        if i < 5:
            return services.booking_cancel(actor=holders[i], booking_id=bookings[i].pk)
        return services.booking_create(actor=newcomers[i - 5], session_id=session.pk)

    results = run_in_threads(act, 25)
    assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, Refused)], results
    session.refresh_from_db()
    assert session.taken == Booking.objects.filter(session=session, status=BookingStatus.ACTIVE).count() <= 5


def test_two_cadres_confirming_the_numbers_at_once_draw_once(places):
    from gonghui.bookings import lottery
    from gonghui.bookings.models import Lottery, LotteryStatus, WaitlistEntry
    from gonghui.bookings.tests.lotteries import BLUE, REDS, Timeline, lottery_course

    tianhe = places("440106")
    officer, seconds = cadre_at(tianhe), [cadre_at(tianhe) for _ in range(2)]
    line = Timeline.from_now()
    made = lottery_course(officer, tianhe, timeline=line, seats=3)
    for _ in range(7):
        lottery.lottery_register(actor=member(), lottery_id=made.pk)
    # registration over and the public draw held: moved in the rows (the threads read the real clock)
    Lottery.objects.filter(pk=made.pk).update(closes_at=made.opens_at + dt.timedelta(minutes=1), draw_date=dt.date(2000, 1, 2))
    lottery.lotteries_close_due()
    lottery.lottery_enter_numbers(actor=officer, lottery_id=made.pk, reds=REDS, blue=BLUE)
    results = run_in_threads(lambda i: lottery.lottery_confirm_numbers(actor=seconds[i], lottery_id=made.pk, reds=REDS, blue=BLUE), 2)
    assert sorted(getattr(r, "code", "drawn") for r in results) == ["bookings.lottery_drawn", "drawn"], results
    made.refresh_from_db()
    assert made.status == LotteryStatus.DRAWN
    assert Booking.objects.filter(session_id=made.session_id, status=BookingStatus.ACTIVE).count() == 3 == Session.objects.get(pk=made.session_id).taken
    assert WaitlistEntry.objects.filter(session_id=made.session_id).count() == 4


def test_a_term_cancelled_while_offers_are_confirmed_is_never_oversold(places):
    """候补 for a whole term: a cancellation, the confirmations of held terms (each twice at once) and new bookings race;
    every session's seats stay the active bookings plus the held offers, within capacity."""
    from gonghui.bookings.models import WaitlistEntry, WaitStatus

    tianhe = places("440106")
    course = offering(cadre_at(tianhe), tianhe, kind=Kind.COURSE, whole_term=True, sessions=3, capacity=2)
    first = course.sessions.order_by("pk").first()
    holders = [member() for _ in range(2)]
    held = [services.booking_create(actor=p, session_id=first.pk)[0] for p in holders]
    line = [member() for _ in range(3)]
    entries = [services.waitlist_join(actor=p, session_id=first.pk) for p in line]
    services.booking_cancel(actor=holders[0], booking_id=held[0].pk)  # the first in line is offered the term
    newcomers = [member() for _ in range(6)]

    def act(i):
        if i == 0:
            return services.booking_cancel(actor=holders[1], booking_id=held[1].pk)
        if i < 5:  # the first two in line confirm, each from two devices at once
            index = (i - 1) // 2
            return services.waitlist_confirm(actor=line[index], entry_id=entries[index].pk)
        return services.booking_create(actor=newcomers[i - 5], session_id=first.pk)

    results = run_in_threads(act, 11)
    assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, (Refused, services.ApplicationError))], results
    holds = WaitlistEntry.objects.filter(session=first, status=WaitStatus.OFFERED).count()
    for session in course.sessions.all():
        active = Booking.objects.filter(session=session, status=BookingStatus.ACTIVE).count()
        assert session.taken == active + holds <= 2, (session.taken, active, holds)
    confirmed = WaitlistEntry.objects.filter(status=WaitStatus.CONFIRMED).values_list("user_id", flat=True)
    for user_id in confirmed:
        assert Booking.objects.filter(user_id=user_id, status=BookingStatus.ACTIVE).count() == 3  # the whole term, never a part
