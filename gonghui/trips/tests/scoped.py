"""Scoped 疗休养 models, one row each inside a place (see core/tests/places.py). Published routes and their departures
are a catalogue open to every cadre and worker by design (anyone may go anywhere: 会员互送); the route and departure
walked here are a draft, which nobody outside the district reaches. The batch, its people, ledger and claim are the
district's own on a published route."""
import datetime as dt

from gonghui.trips import services
from gonghui.trips.models import Base, Batch, Budget, Departure, FundingPolicy, Inspection, LedgerEntry, ModelWorker, Participant, Route, SubsidyClaim
from gonghui.trips.tests.factories import base, member, pdf, route


def _base(place) -> Base:
    return place.once("trip_base", lambda: base(place.cadre, place.district, name="越秀区职工疗休养基地", division=place.district))


def _draft(place) -> Route:
    return place.once("trip_draft", lambda: route(place.cadre, place.district, _base(place), publish=False, title="越秀区草稿线路"))


def _batch(place) -> Batch:
    def make():
        published = route(place.cadre, place.district, _base(place), title="越秀区职工两日游", departures=((10, 20),))
        departure = published.departures.get()
        services.policy_set(actor=place.cadre, org=place.district, year=departure.starts_on.year, subsidy_fen=20000, match_ratio="1")
        services.budget_set(actor=place.cadre, org=place.district, year=departure.starts_on.year, amount_fen=10_000_00)
        membership = member(place.town.code)
        batch = services.batch_book(actor=place.cadre, org=place.district, departure_id=departure.pk, membership_ids=[membership.pk])
        return batch
    return place.once("trip_batch", make)


def _claim(place) -> SubsidyClaim:
    batch = _batch(place)
    Departure.objects.filter(pk=batch.departure_id).update(starts_on=dt.date.today() - dt.timedelta(days=10))  # the trip is over
    return place.once("trip_claim", lambda: services.claim_submit(actor=place.cadre, batch_id=batch.pk, roster=pdf(), invoice=pdf("发票.pdf")))


FACTORIES = {
    Base: _base,
    Inspection: lambda place: services.inspection_add(actor=place.cadre, base_id=_base(place).pk, inspected_on=dt.date.today(), result="passed"),
    Route: _draft,
    Departure: lambda place: _draft(place).departures.get(),
    Batch: _batch,
    Participant: lambda place: _batch(place).participants.get(),
    FundingPolicy: lambda place: (_batch(place), FundingPolicy.objects.get(org=place.district))[1],
    Budget: lambda place: (_batch(place), Budget.objects.get(org=place.district))[1],
    LedgerEntry: lambda place: (_batch(place), LedgerEntry.objects.filter(org=place.district).first())[1],
    SubsidyClaim: _claim,
    ModelWorker: lambda place: services.model_worker_add(actor=place.cadre, org=place.district, name="陈劳模", id_number=member(place.town.code).person.id_number,
                                                          title="越秀区劳动模范"),
}
