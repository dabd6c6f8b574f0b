"""建会 and 入会 drives: targets per org and period, weekly progress (周调度), monthly analysis (月分析), visit logs,
and the 建会 ledger with member coverage per employer."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Cast, TruncMonth, TruncWeek
from django.utils import timezone

from gonghui.audit.services import audit_log
from gonghui.core.exceptions import ApplicationError, NotFound
from gonghui.members.models import Drive, DriveMetric, Membership, VisitLog
from gonghui.members.services import LIVE_STATUSES
from gonghui.orgs.models import Employer, Org, OrgType, subtree_q

MANAGE, VIEW = "members.manage", "members.view"


def _require(actor, org: Org, action: str) -> None:
    if not Org.objects.filter(subtree_q(actor, action, "path"), pk=org.pk).exists():
        raise NotFound("组织不存在或不在您的管辖范围内")


@transaction.atomic
def drive_create(*, actor, org: Org, name: str, metric: str, target: int, starts_on: dt.date, ends_on: dt.date,
                 new_form_type: str = "") -> Drive:
    _require(actor, org, MANAGE)
    if not name.strip():
        raise ApplicationError("请填写行动名称", code="members.drive_name", fields={"name": ["必填"]})
    if metric not in DriveMetric.values:
        raise ApplicationError("请选择指标", code="members.drive_metric", fields={"metric": ["必填"]})
    if target <= 0:
        raise ApplicationError("目标数应大于0", code="members.drive_target", fields={"target": ["应大于0"]})
    if ends_on < starts_on:
        raise ApplicationError("结束日期不能早于开始日期", code="members.drive_period", fields={"ends_on": ["早于开始日期"]})
    if metric == DriveMetric.NEW_FORM_MEMBERS and not new_form_type:
        raise ApplicationError("请选择新就业形态类型", code="members.drive_type", fields={"new_form_type": ["必填"]})
    drive = Drive.objects.create(org=org, name=name.strip(), metric=metric, target=target, starts_on=starts_on, ends_on=ends_on,
                                 new_form_type=new_form_type if metric == DriveMetric.NEW_FORM_MEMBERS else "", created_by=actor)
    audit_log(actor=actor, action="members.drive.created", obj=drive, org_path=org.path, data={"metric": metric, "target": target})
    return drive


@transaction.atomic
def visit_log_create(*, actor, org: Org, visited_on: dt.date, place: str, people_met: int, joined_on_spot: int = 0,
                     note: str = "", drive: Drive | None = None) -> VisitLog:
    _require(actor, org, MANAGE)
    if visited_on > timezone.localdate():
        raise ApplicationError("走访日期不能晚于今天", code="members.visit_date", fields={"visited_on": ["晚于今天"]})
    if not place.strip():
        raise ApplicationError("请填写走访地点", code="members.visit_place", fields={"place": ["必填"]})
    if joined_on_spot > people_met:
        raise ApplicationError("现场入会人数不能多于接触人数", code="members.visit_counts", fields={"joined_on_spot": ["多于接触人数"]})
    visit = VisitLog.objects.create(org=org, drive=drive, visited_on=visited_on, place=place.strip(), people_met=people_met,
                                    joined_on_spot=joined_on_spot, note=note.strip(), created_by=actor)
    audit_log(actor=actor, action="members.visit.logged", obj=visit, org_path=org.path, data={"met": people_met, "joined": joined_on_spot})
    return visit


def drive_list(*, actor) -> QuerySet[Drive]:
    return Drive.objects.filter(subtree_q(actor, VIEW, "org__path")).select_related("org")


def drive_get_for(*, actor, drive_id) -> Drive:
    try:
        return drive_list(actor=actor).get(pk=int(drive_id))
    except (Drive.DoesNotExist, ValueError, TypeError):
        raise NotFound("行动不存在或不在您的管辖范围内") from None


def _achievements(drive: Drive) -> QuerySet:
    """The rows that count towards the drive, with the date field they count by."""
    if drive.metric == DriveMetric.NEW_UNIONS:
        return Org.objects.filter(path__startswith=drive.org.path, type=OrgType.ENTERPRISE,
                                  created_at__date__range=(drive.starts_on, drive.ends_on)).annotate(day=F("created_at"))
    members = Membership.objects.filter(union__path__startswith=drive.org.path, status__in=LIVE_STATUSES,
                                        joined_on__range=(drive.starts_on, drive.ends_on))
    if drive.metric == DriveMetric.NEW_FORM_MEMBERS:
        members = members.filter(person__employment__new_form_type=drive.new_form_type)
    return members.annotate(day=F("joined_on"))


@dataclass(frozen=True)
class DriveProgress:
    achieved: int
    weekly: list[tuple[dt.date, int, int]]  # week start, that week, running total
    monthly: list[tuple[dt.date, int]]
    visits: int
    people_met: int
    joined_on_spot: int

    def percent(self, target: int) -> float:
        return min(self.achieved / target, 9.99) if target else 0.0


def drive_progress(*, drive: Drive) -> DriveProgress:
    rows = _achievements(drive)
    weekly_counts = {_as_date(r["week"]): r["n"] for r in rows.annotate(week=TruncWeek("day")).values("week").annotate(n=Count("pk")).order_by()}
    monthly = sorted((_as_date(r["month"]), r["n"]) for r in rows.annotate(month=TruncMonth("day")).values("month").annotate(n=Count("pk")).order_by())
    weekly, running = [], 0
    week = drive.starts_on - dt.timedelta(days=drive.starts_on.weekday())
    while week <= min(drive.ends_on, timezone.localdate()):
        running += weekly_counts.get(week, 0)
        weekly.append((week, weekly_counts.get(week, 0), running))
        week += dt.timedelta(days=7)
    visits = drive.visits.aggregate(n=Count("id"), met=Sum("people_met"), joined=Sum("joined_on_spot"))
    return DriveProgress(achieved=sum(weekly_counts.values()), weekly=weekly, monthly=monthly,
                         visits=visits["n"], people_met=visits["met"] or 0, joined_on_spot=visits["joined"] or 0)


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def union_ledger(*, actor, org: Org, min_headcount: int = 25, limit: int = 50) -> dict:
    """建会台账: employers with ≥ N staff and no union, and member coverage per employer in the subtree."""
    _require(actor, org, VIEW)
    employers = Employer.objects.in_subtree(org)
    without_union = employers.filter(has_union=False, headcount__gte=min_headcount).select_related("town").order_by("-headcount")[:limit]
    coverage = (employers.filter(headcount__gt=0)
                .annotate(members=Count("employments", filter=Q(employments__person__membership__status__in=LIVE_STATUSES)))
                .annotate(rate=Cast("members", FloatField()) / Cast("headcount", FloatField()))
                .filter(members__gt=0).select_related("town").order_by("rate")[:limit])
    return {"without_union": list(without_union), "coverage": list(coverage),
            "without_union_total": employers.filter(has_union=False, headcount__gte=min_headcount).count()}
