"""How the pages show an order's clock: time left in the limit's own unit, and how urgent that is."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gonghui.core.templatetags.gonghui import duration_zh
from gonghui.tickets.models import Ticket
from gonghui.tickets.selectors import time_left
from gonghui.worktime.calendar import WorkCalendar
from gonghui.worktime.deadlines import LimitUnit, working_days_between

DAY_UNITS = (LimitUnit.WORKING_DAYS, LimitUnit.CALENDAR_DAYS)
SOON = dt.timedelta(hours=4)  # clock and working-hour limits turn amber this close to the end


@dataclass(frozen=True)
class Countdown:
    text: str  # 剩余 3 个工作日 · 已超时 25分钟 · 已暂停（待补充材料）
    tone: str  # overdue / soon / ok / paused / none


def countdown(ticket: Ticket, *, calendar: WorkCalendar, now: dt.datetime) -> Countdown:
    if ticket.due_at is None:
        return Countdown("—", "none")
    if ticket.paused_at is not None:
        return Countdown("已暂停（待补充材料）", "paused")
    unit = LimitUnit(ticket.due_unit)
    left = time_left(ticket, calendar=calendar, now=now)
    if unit in DAY_UNITS:
        days = working_days_between(calendar, now, ticket.due_at) if unit == LimitUnit.WORKING_DAYS else (ticket.due_at - now).days
        noun = "个工作日" if unit == LimitUnit.WORKING_DAYS else "天"
        if left < dt.timedelta(0):
            return Countdown(f"已超时 {max(abs(days), 1)} {noun}", "overdue")
        if days <= 0:
            return Countdown("今日到期", "soon")
        return Countdown(f"剩余 {days} {noun}", "soon" if days <= 1 else "ok")
    if left < dt.timedelta(0):
        return Countdown(f"已超时 {duration_zh(left)}", "overdue")
    return Countdown(f"剩余 {duration_zh(left)}", "soon" if left <= SOON else "ok")
