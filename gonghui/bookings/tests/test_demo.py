"""seed_demo's bookings: offerings in several cities, one full with people waiting, one opening in a few minutes."""
import pytest
from django.utils import timezone

from gonghui.bookings.demo import seed_bookings_demo
from gonghui.bookings.models import Kind, Offering, WaitlistEntry


@pytest.mark.django_db
def test_demo_offerings_cover_every_kind_and_the_flash_cases(seeded):
    offerings = Offering.objects.all()
    assert set(offerings.values_list("kind", flat=True)) == set(Kind.values)
    assert {o.org.path[:8] for o in offerings.select_related("org")} >= {Offering.objects.get(title="周末花艺沙龙").org.path[:8]}
    assert len({o.org.code[:4] for o in offerings.select_related("org")}) >= 3  # 广州, 东莞, 佛山
    full = Offering.objects.get(title="书法体验课（名家示范）").sessions.get()
    assert full.taken == full.capacity and WaitlistEntry.objects.filter(session=full, status="waiting").count() == 2
    soon = Offering.objects.get(title="周末花艺沙龙")
    assert timezone.now() < soon.opens_at
    assert offerings.filter(opens_at__lte=timezone.now(), status="published").count() >= 6
    assert seed_bookings_demo() == 0  # idempotent
