"""Many unions booking one departure at once, with real threads and connections on PostgreSQL: never oversold, and
the ledger never past a budget."""
import pytest
from django.db import connection

from gonghui.orgs.tests.test_concurrency import run_in_threads
from gonghui.trips import services
from gonghui.trips.models import LedgerEntry, Participant
from gonghui.trips.tests.conftest import World
from gonghui.trips.tests.factories import member

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and concurrent writers: PostgreSQL")


@pytest.fixture
def world(transactional_db, divisions_after_flush):
    divisions_after_flush()
    from gonghui.orgs.models import Org

    return World(lambda code: Org.objects.get(code=code))


def outcomes(results) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in results:
        key = "booked" if hasattr(result, "departure_id") else getattr(result, "code", repr(result))
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_thirty_bookings_at_once_for_ten_places_get_exactly_ten(world):
    world.departure.__class__.objects.filter(pk=world.departure.pk).update(capacity=10)
    members = [member() for _ in range(30)]
    results = run_in_threads(lambda i: services.batch_book(actor=world.th, org=world.tianhe, departure_id=world.departure.pk,
                                                           membership_ids=[members[i].pk]), 30)
    assert outcomes(results) == {"booked": 10, "trips.full": 20}, outcomes(results)
    world.departure.refresh_from_db()
    assert world.departure.taken == 10 == Participant.objects.filter(departure=world.departure).count()
    assert LedgerEntry.objects.filter(org=world.tianhe).count() == 10


def test_spenders_racing_for_one_budget_never_pass_it(world):
    services.budget_set(actor=world.th, org=world.tianhe, year=world.year, amount_fen=4 * 30000)  # 配套 for four people
    members = [member() for _ in range(12)]
    results = run_in_threads(lambda i: services.batch_book(actor=world.th, org=world.tianhe, departure_id=world.departure.pk,
                                                           membership_ids=[members[i].pk]), 12)
    assert outcomes(results) == {"booked": 4, "trips.over_budget": 8}, outcomes(results)
    world.departure.refresh_from_db()
    assert world.departure.taken == 4
    assert sum(LedgerEntry.objects.filter(org=world.tianhe).values_list("amount_fen", flat=True)) == 4 * 30000


def test_cancellations_racing_new_bookings_lose_no_place_and_sell_none_twice(world):
    world.departure.__class__.objects.filter(pk=world.departure.pk).update(capacity=10)
    batch = services.batch_book(actor=world.th, org=world.tianhe, departure_id=world.departure.pk, membership_ids=[member().pk for _ in range(10)])
    places = list(batch.participants.values_list("pk", flat=True))[:5]
    newcomers = [member() for _ in range(15)]

    def act(i):
        if i < 5:
            return services.place_cancel(actor=world.th, participant_id=places[i], reason="临时有事")
        return services.batch_book(actor=world.th, org=world.tianhe, departure_id=world.departure.pk, membership_ids=[newcomers[i - 5].pk])

    results = run_in_threads(act, 20)
    errors = [r for r in results if isinstance(r, Exception) and getattr(r, "code", "") != "trips.full"]
    assert not errors, errors
    world.departure.refresh_from_db()
    approved = Participant.objects.filter(departure=world.departure, status="approved").count()
    assert world.departure.taken == approved <= 10
    assert Participant.objects.filter(departure=world.departure, status="cancelled").count() == 5
    assert sum(LedgerEntry.objects.filter(org=world.tianhe).values_list("amount_fen", flat=True)) == approved * 30000
