"""Scoped bookings models, one row each inside a place (see core/tests/places.py). Published offerings are open to every
worker by design (who may book is decided at booking); the offering and session walked here are a draft, which nobody
outside the district reaches. Bookings and waitlist entries are members of the place's 街道 on a published activity."""
import datetime as dt

from gonghui.bookings import lottery, services
from gonghui.bookings.models import Amendment, AmendmentKind, Booking, Lottery, Offering, Registration, Session, Term, WaitlistEntry
from gonghui.bookings.tests.factories import member, offering
from gonghui.bookings.tests.lotteries import Timeline, lottery_course


def _draft(place) -> Offering:
    return place.once("booking_draft", lambda: offering(place.cadre, place.district, publish=False, title="越秀区职工插花课"))


def _full(place) -> Session:
    def make():
        session = offering(place.cadre, place.district, capacity=1, title="越秀区书法课").sessions.get()
        services.booking_create(actor=member(place.town.code), session_id=session.pk)
        return session
    return place.once("booking_full", make)


def _lottery(place) -> Lottery:
    """A published lottery (open for registration: its public pages answer anyone, see PUBLIC in the URL walk)."""
    return place.once("lottery", lambda: lottery_course(place.cadre, place.district, timeline=Timeline.from_now(), title="越秀区非遗体验课（抽签）"))


def _amendment(place) -> Amendment:
    # A drawn lottery needs the clock past a public draw; the amendment row is what is walked here, not the draw
    return Amendment.objects.create(lottery=_lottery(place), kind=AmendmentKind.SEAT_ADDED, reason="增加座位", created_by=place.cadre)


FACTORIES = {
    Term: lambda place: services.term_create(actor=place.cadre, org=place.district, name="越秀区2026年秋季学期", starts_on=dt.date(2026, 9, 1),
                                             ends_on=dt.date(2027, 1, 31), max_per_person=3),
    Offering: _draft,
    Session: lambda place: _draft(place).sessions.get(),
    Booking: lambda place: Booking.objects.get(session=_full(place)),
    WaitlistEntry: lambda place: services.waitlist_join(actor=member(place.town.code), session_id=_full(place).pk),
    Lottery: _lottery,
    Registration: lambda place: lottery.lottery_register(actor=member(place.town.code), lottery_id=_lottery(place).pk),
    Amendment: _amendment,
}
