import pytest

from gonghui.notify.sms import MemoryBackend
from gonghui.tickets.tests.factories import cadre_at, worker


class World:
    """广州's 12351 centre (市总) over 天河区 and 越秀区, with the people who act on orders."""

    def __init__(self, org):
        self.city, self.tianhe, self.yuexiu, self.shipai = org("4401"), org("440106"), org("440104"), org("440106006")
        self.agent = cadre_at(self.city, "dispatcher")  # 12351 坐席: 受理, 派单, 回访
        self.city_admin = cadre_at(self.city)  # 督办, 延期审批 for the districts
        self.handler = cadre_at(self.tianhe, "handler")
        self.colleague = cadre_at(self.tianhe, "handler")
        self.district_admin = cadre_at(self.tianhe)  # above the 街道: 督办, 延期审批
        self.street_handler = cadre_at(self.shipai, "handler")
        self.yuexiu_handler = cadre_at(self.yuexiu, "handler")
        self.worker = worker()


@pytest.fixture
def world(org, settings):
    settings.SMS_BACKEND = "gonghui.notify.sms.MemoryBackend"
    MemoryBackend.outbox = []
    return World(org)
