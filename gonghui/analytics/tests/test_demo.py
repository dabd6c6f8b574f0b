"""seed_demo's analytics: rollups built over every order and one alert of each level, idempotently."""
import pytest
from django.db.models import Sum

from gonghui.analytics.demo import demo_analytics
from gonghui.analytics.models import Alert, AlertState, TicketDaily
from gonghui.core.registry import DemoOptions
from gonghui.tickets.models import Ticket


@pytest.mark.django_db
def test_demo_builds_rollups_and_alerts_of_every_level(seeded):
    assert TicketDaily.objects.aggregate(n=Sum("received"))["n"] == Ticket.objects.count()
    assert {"yellow", "orange", "red"} <= set(Alert.objects.values_list("level", flat=True))
    assert Alert.objects.filter(state=AlertState.HANDLING).exists()
    alerts = Alert.objects.count()
    demo_analytics(options=DemoOptions())
    assert Alert.objects.count() == alerts
