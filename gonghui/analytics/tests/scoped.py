"""Scoped analytics models, one row each inside a place (see core/tests/places.py): the day's rollup of an order held by
the place's district, and an alert about the place's employer raised by a rule of its city."""
from django.utils import timezone

from gonghui.analytics import rollups, services
from gonghui.analytics.models import Alert, AlertNote, AlertRoute, AlertRule, RuleKind, TicketDaily
from gonghui.tickets.tests.factories import file
from gonghui.tickets.tests.scoped import _signed


def rollup(place) -> TicketDaily:
    _signed(place)
    today = timezone.localdate()
    rollups.rebuild_rollups(first=today, last=today)
    return TicketDaily.objects.filter(org=place.district).first()


def alert_rule(place) -> AlertRule:
    return place.once("alert_rule", lambda: AlertRule.objects.create(
        org=place.district, name="同一单位两人反映", kind=RuleKind.EMPLOYER_PEOPLE, window_days=7, yellow=2, orange=3, red=4))


def alert(place) -> Alert:
    def make():
        alert_rule(place)
        for phone in ("13700000001", "13700000002"):
            file(place.city_cadre, district=place.district, employer=place.employer, caller_phone=phone)
        services.alerts_evaluate()
        return Alert.objects.get(rule__org=place.district)
    return place.once("alert", make)


FACTORIES = {
    TicketDaily: rollup,
    AlertRule: alert_rule,
    Alert: alert,
    AlertRoute: lambda place: alert(place).routes.order_by("pk").first(),
    AlertNote: lambda place: alert(place).notes.order_by("pk").first(),
}
