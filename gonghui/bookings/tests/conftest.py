import time
import types

import pytest
from django.utils import timezone

from gonghui.bookings.tests.factories import cadre_at


class World:
    """天河区总 publishes; 越秀区 is the district beside it; 石牌街道 (天河) holds the members by default."""

    def __init__(self, org):
        self.city, self.tianhe, self.yuexiu, self.shipai = org("4401"), org("440106"), org("440104"), org("440106006")
        self.officer = cadre_at(self.tianhe)
        self.admin = cadre_at(self.tianhe, "admin")  # also reads members (segments)
        self.yuexiu_officer = cadre_at(self.yuexiu)
        self.street_officer = cadre_at(self.shipai)


@pytest.fixture
def world(org):
    return World(org)


class Clock:
    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    def set(self, moment):
        self.monkeypatch.setattr(timezone, "now", lambda: moment)

    def shift_signing(self, seconds: float):
        """Signed tokens read time.time(): move it on for django.core.signing only."""
        import django.core.signing as signing_module

        real = time.time
        self.monkeypatch.setattr(signing_module, "time", types.SimpleNamespace(time=lambda: real() + seconds))


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture(autouse=True)
def _fresh_session_rules():
    """Rules remembered by the booking button (services.remembered_session) belong to one test's rows."""
    from gonghui.bookings.services import forget_sessions

    forget_sessions()
    yield
    forget_sessions()
