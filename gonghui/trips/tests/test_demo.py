"""seed_demo's 疗休养: bases in several Guangdong cities and one in 贵州, one expired, routes, a group trip whose 奖补
was claimed and paid, budgets."""
import datetime as dt

import pytest

from gonghui.trips.demo import seed_trips_demo
from gonghui.trips.models import GUANGDONG, Base, Batch, ClaimStatus, LedgerEntry, Participant, PlaceStatus, Route, SubsidyClaim


@pytest.mark.django_db
def test_demo_trips_show_the_whole_way_from_base_to_paid_claim(seeded):
    bases = Base.objects.select_related("division")
    assert len({b.division.code[:4] for b in bases if b.in_guangdong}) >= 4
    assert bases.exclude(province=GUANGDONG).get().division is None
    assert any(b.accreditation_problem(dt.date.today()) for b in bases)  # 江门: ran out
    assert Route.objects.filter(status="published").count() == 5
    claim = SubsidyClaim.objects.get()
    assert claim.status == ClaimStatus.PAID and claim.amount_fen == 8 * 30000
    assert LedgerEntry.objects.filter(org=claim.federation, claim=claim).get().amount_fen == claim.amount_fen
    assert Batch.objects.count() == 3 and Participant.objects.filter(status=PlaceStatus.REQUESTED).count() == 1
    assert seed_trips_demo() == 0  # idempotent
