from __future__ import annotations

import datetime as dt

from django.db import transaction

from gonghui.accounts.selectors import actions_for
from gonghui.audit.services import audit_log
from gonghui.core.exceptions import ApplicationError, PermissionDenied
from gonghui.worktime.models import DayKind, HolidayOverride, HolidayYear


def _require_calendar_manager(actor) -> None:
    if actor is not None and "calendar.manage" not in actions_for(user=actor):
        raise PermissionDenied("只有工作日历管理员可以修改节假日安排")


@transaction.atomic
def holiday_override_set(*, actor, date: dt.date, kind: str, name: str, note: str = "") -> HolidayOverride:
    """Record one day of the State Council arrangement (放假 or 调休上班); replaces an earlier entry for that date."""
    _require_calendar_manager(actor)
    if kind not in DayKind.values:
        raise ApplicationError("类型应为“放假”或“上班（调休）”", code="worktime.kind", fields={"kind": ["不在可选范围内"]})
    if not name.strip():
        raise ApplicationError("请填写名称，如“春节”", code="worktime.name", fields={"name": ["必填"]})
    override, created = HolidayOverride.objects.update_or_create(date=date, defaults={"kind": kind, "name": name.strip(), "note": note.strip()})
    audit_log(actor=actor, action="worktime.holiday.set", obj=override, data={"date": date.isoformat(), "kind": kind, "name": name})
    return override


@transaction.atomic
def holiday_year_confirm(*, actor, year: int, note: str = "") -> HolidayYear:
    """Mark a year's arrangement as entered from the official notice, which ends its provisional banner."""
    _require_calendar_manager(actor)
    if not HolidayOverride.objects.filter(date__year=year).exists():
        raise ApplicationError(f"请先录入{year}年的放假和调休安排，再确认", code="worktime.year_empty")
    record, _ = HolidayYear.objects.update_or_create(year=year, defaults={"confirmed": True, "note": note})
    audit_log(actor=actor, action="worktime.year.confirmed", obj=record, data={"year": year})
    return record
