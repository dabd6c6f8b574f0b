import pytest

from gonghui.trips import services
from gonghui.trips.tests.factories import base, cadre_at, route


class World:
    """The 省总 accredits a 清远 base and publishes a route there with its 奖补 policy (¥300 a person, 配套 1:1); 天河区总
    books for its members (石牌街道) and has a budget; 越秀区 is the district beside it."""

    def __init__(self, org):
        self.province, self.city, self.tianhe, self.yuexiu = org("44"), org("4401"), org("440106"), org("440104")
        self.shipai, self.shenzhen = org("440106006"), org("4403")
        self.gd = cadre_at(self.province)
        self.th = cadre_at(self.tianhe)
        self.yx = cadre_at(self.yuexiu)
        self.base = base(self.gd, self.province)
        self.route = route(self.gd, self.province, self.base)
        self.departure = self.route.departures.get()
        self.year = self.departure.starts_on.year
        services.policy_set(actor=self.gd, org=self.province, year=self.year, subsidy_fen=30000, match_ratio="1.00")
        services.budget_set(actor=self.th, org=self.tianhe, year=self.year, amount_fen=100_000_00)


@pytest.fixture
def world(org):
    return World(org)
