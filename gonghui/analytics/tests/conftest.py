import pytest

from gonghui.notify.sms import MemoryBackend
from gonghui.tickets.tests.conftest import World


@pytest.fixture
def world(org, settings):
    """广州's 12351 centre over 天河区 and 越秀区 (tickets' test world)."""
    settings.SMS_BACKEND = "gonghui.notify.sms.MemoryBackend"
    MemoryBackend.outbox = []
    return World(org)
