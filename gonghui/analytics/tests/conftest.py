import pytest

from gonghui.analytics import services
from gonghui.analytics.tests.alerting import employer_with_union, reports, rule

from gonghui.notify.sms import MemoryBackend
from gonghui.tickets.tests.conftest import World


@pytest.fixture
def world(org, settings):
    """广州's 12351 centre over 天河区 and 越秀区 (tickets' test world)."""
    settings.SMS_BACKEND = "gonghui.notify.sms.MemoryBackend"
    MemoryBackend.outbox = []
    return World(org)


@pytest.fixture
def alert(world):
    """A yellow alert about an employer in 石牌街道 (天河区), raised by a city rule at two callers."""
    rule(world.city, yellow=2)
    reports(world, employer_with_union(world.shipai), 2)
    return services.alerts_evaluate()[0]
