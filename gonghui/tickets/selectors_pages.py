"""Reads the pages need beside the domain selectors: the districts an intake form offers, a page of the desk with clocks,
the 值班 list."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from gonghui.orgs.models import Org, OrgType
from gonghui.tickets.models import HANDLE, DutyShift, Extension, ExtensionStatus, Ticket
from gonghui.tickets.presentation import Countdown, countdown
from gonghui.worktime.calendar import WorkCalendar


def district_choices() -> list[tuple[int, str]]:
    """Where a problem happened: every 区/县 and 功能区, and the 镇/街道 of cities without counties (东莞, 中山)."""
    places = Org.objects.filter(Q(type__in=(OrgType.COUNTY, OrgType.FUNCTION_ZONE)) | Q(type=OrgType.TOWN, parent__type=OrgType.CITY),
                                is_active=True).select_related("parent").order_by("path")
    return [(place.pk, f"{place.parent.name.removesuffix('总工会')} · {place.name.removesuffix('总工会')}") for place in places]


@dataclass(frozen=True)
class DeskRow:
    ticket: Ticket
    clock: Countdown


def desk_rows(tickets, *, calendar: WorkCalendar, now: dt.datetime) -> list[DeskRow]:
    return [DeskRow(ticket, countdown(ticket, calendar=calendar, now=now)) for ticket in tickets]


def pending_extension(ticket: Ticket) -> Extension | None:
    return ticket.extensions.filter(status=ExtensionStatus.PENDING).order_by("-pk").first()


DUTY_WHEN = {"now": "当前和今后", "past": "已结束"}


def duty_shifts(*, actor, org_id: int | None = None, when: str = "now", q: str = "", now: dt.datetime | None = None):
    """值班安排 of the actor's orgs: current and coming ones soonest first, or ended ones latest first."""
    now = now or timezone.now()
    rows = DutyShift.objects.restrict(actor, HANDLE).select_related("org", "user")
    if org_id:
        rows = rows.filter(org_id=org_id)
    if q.strip():
        rows = rows.filter(Q(user__display_name__icontains=q.strip()) | Q(user__username=q.strip()))
    if when == "past":
        return rows.filter(ends_at__lte=now).order_by("-ends_at", "-id")
    return rows.filter(ends_at__gt=now).order_by("starts_at", "id")
