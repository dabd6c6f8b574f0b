"""seed_demo's lotteries: one open for registration, one closed awaiting the numbers, one drawn whose published JSON
checks with the verifier alone."""
import pytest

from gonghui.bookings.demo import LOTTERY_TITLES, seed_lottery_demo
from gonghui.bookings.models import Lottery, LotteryStatus
from gonghui.core import public_draw


@pytest.mark.django_db
def test_demo_lotteries_before_and_after_their_draw(seeded, client):
    by_title = {lot.session.offering.title: lot for lot in Lottery.objects.select_related("session__offering")}
    open_one, awaiting, drawn = (by_title[title] for title in LOTTERY_TITLES)
    assert open_one.status == LotteryStatus.OPEN and open_one.registrations.count() == 5
    assert awaiting.status == LotteryStatus.CLOSED and len(awaiting.entries) == 9 and awaiting.list_hash
    assert drawn.status == LotteryStatus.DRAWN and drawn.entered_by_id != drawn.confirmed_by_id
    published = client.get(f"/h5/bookings/lottery/{drawn.pk}/result.json").json()
    assert all(holds for _, holds in public_draw.verify(published)) and len(published["winners"]) == 5
    assert "核验" in client.get(f"/h5/bookings/lottery/{drawn.pk}/verify/").content.decode()
    assert seed_lottery_demo() == 0  # idempotent
