"""候补 for a whole-term course: one line for the term; a cancelled term booking is held for the first in line in every
remaining session (all or none), confirmed within daytime hours before the first remaining session, else passed on."""
import datetime as dt

import pytest
from django.utils import timezone

from gonghui.bookings import selectors, services
from gonghui.bookings.models import Booking, BookingStatus, Kind, Offering, WaitlistEntry, WaitStatus
from gonghui.bookings.tests.factories import member, offering
from gonghui.core.exceptions import ApplicationError

pytestmark = pytest.mark.django_db
LOCAL = dt.timezone(dt.timedelta(hours=8))


def full_term(world, *, sessions=3, starts_in=dt.timedelta(days=3)):
    course = offering(world.officer, world.tianhe, kind=Kind.COURSE, whole_term=True, sessions=sessions, capacity=1, starts_in=starts_in)
    holder = member()
    bookings = services.booking_create(actor=holder, session_id=course.sessions.order_by("pk").last().pk)
    return course, holder, bookings


def taken(course) -> list[int]:
    return list(course.sessions.order_by("pk").values_list("taken", flat=True))


def test_a_full_term_takes_a_line_once_and_only_when_full(world):
    course = offering(world.officer, world.tianhe, kind=Kind.COURSE, whole_term=True, sessions=2, capacity=1)
    with pytest.raises(ApplicationError, match="还有名额"):
        services.waitlist_join(actor=member(), session_id=course.sessions.first().pk)
    services.booking_create(actor=member(), session_id=course.sessions.first().pk)
    person = member()
    entry = services.waitlist_join(actor=person, session_id=course.sessions.order_by("pk").last().pk)
    assert entry.session_id == course.sessions.order_by("pk").first().pk  # one line for the term, whichever session was pressed
    with pytest.raises(ApplicationError, match="已在候补"):
        services.waitlist_join(actor=person, session_id=course.sessions.order_by("pk").first().pk)


def test_a_cancelled_term_is_held_whole_for_the_first_in_line_who_confirms_it(world):
    course, holder, bookings = full_term(world)
    first, second = member(), member()
    entries = [services.waitlist_join(actor=p, session_id=course.sessions.first().pk) for p in (first, second)]
    assert [w.position for w in selectors.my_waits(user=second)] == [2]
    services.booking_cancel(actor=holder, booking_id=bookings[0].pk)
    entries[0].refresh_from_db()
    assert entries[0].status == WaitStatus.OFFERED and taken(course) == [1, 1, 1]  # every seat held, none on sale
    with pytest.raises(services.Refused, match="名额已满"):
        services.booking_create(actor=member(), session_id=course.sessions.first().pk)
    booking = services.waitlist_confirm(actor=first, entry_id=entries[0].pk)
    mine = Booking.objects.filter(group=booking.group, status=BookingStatus.ACTIVE)
    assert mine.count() == 3 and taken(course) == [1, 1, 1]
    services.booking_cancel(actor=first, booking_id=booking.pk)  # cancelled as a whole, offered on to the next
    entries[1].refresh_from_db()
    assert entries[1].status == WaitStatus.OFFERED and taken(course) == [1, 1, 1]


def test_the_terms_window_skips_the_night_and_then_passes_on(world, clock):
    clock.set(dt.datetime(2026, 11, 26, 21, 0, tzinfo=LOCAL))  # a Thursday evening
    course, holder, bookings = full_term(world)
    first, second = member(), member()
    entries = [services.waitlist_join(actor=p, session_id=course.sessions.first().pk) for p in (first, second)]
    services.booking_cancel(actor=holder, booking_id=bookings[0].pk)
    entries[0].refresh_from_db()
    assert timezone.localtime(entries[0].confirm_by).replace(tzinfo=None) == dt.datetime(2026, 11, 27, 11, 0)
    assert services.waitlist_expire(now=dt.datetime(2026, 11, 27, 7, 0, tzinfo=LOCAL)) == 0
    clock.set(dt.datetime(2026, 11, 27, 11, 1, tzinfo=LOCAL))
    assert services.waitlist_expire() == 1
    entries[0].refresh_from_db()
    entries[1].refresh_from_db()
    assert entries[0].status == WaitStatus.EXPIRED and entries[1].status == WaitStatus.OFFERED and taken(course) == [1, 1, 1]
    with pytest.raises(ApplicationError, match="失效"):
        services.waitlist_confirm(actor=first, entry_id=entries[0].pk)
    services.waitlist_leave(actor=second, entry_id=entries[1].pk)  # given up: the seats go back on sale
    assert taken(course) == [0, 0, 0]


def test_the_window_ends_before_the_first_remaining_session(world, clock):
    clock.set(dt.datetime(2026, 11, 26, 9, 0, tzinfo=LOCAL))
    course, holder, bookings = full_term(world, starts_in=dt.timedelta(hours=3))
    Offering.objects.filter(pk=course.pk).update(cancel_hours=1)
    entry = services.waitlist_join(actor=member(), session_id=course.sessions.first().pk)
    services.booking_cancel(actor=holder, booking_id=bookings[0].pk)
    entry.refresh_from_db()
    assert entry.confirm_by == course.sessions.order_by("starts_at").first().starts_at - services.OFFER_MARGIN


def test_the_offer_page_shows_the_place_in_line_and_the_time_left(world, client):
    course, holder, bookings = full_term(world)
    first, second = member(), member()
    entries = [services.waitlist_join(actor=p, session_id=course.sessions.first().pk) for p in (first, second)]
    client.force_login(second)
    assert "第 2 位" in client.get(f"/h5/bookings/waitlist/{entries[1].pk}/").content.decode()
    services.booking_cancel(actor=holder, booking_id=bookings[0].pk)
    client.force_login(first)
    page = client.get(f"/h5/bookings/waitlist/{entries[0].pk}/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert "整期" in page and "剩余" in page and "小时" in page  # the time left in Chinese whatever the phone's language
    client.post(f"/h5/bookings/waitlist/{entries[0].pk}/", {"op": "confirm"})
    assert Booking.objects.filter(user=first, status=BookingStatus.ACTIVE).count() == 3
    assert WaitlistEntry.objects.get(pk=entries[0].pk).status == WaitStatus.CONFIRMED
