"""建会 and 入会 drives: targets per org and period with 分解目标 for the orgs under it, weekly progress (周调度), monthly
analysis (月分析) and visit logs. The 建会 ledger with member coverage per employer is `ledger`.

Weeks and months are one aggregation (`period_series`) parameterised by the period; empty periods count as zero. Sub-orgs are
one aggregation too (`by_sub_org`), for achievements and visits alike. Every figure is taken through a `DriveScope`: the whole
drive for cadres whose scope covers its org, or their own slice of a higher org's drive (a 区总 under a 市总's drive)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from gonghui.audit.services import audit_log
from gonghui.core.access import covers
from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.core.spreadsheets import Column, write_xlsx
from gonghui.members.imports import IMPORTED, IMPORTED_UNDATED
from gonghui.members.models import Drive, DriveMetric, DriveTarget, Membership, MembershipEvent, VisitLog
from gonghui.members.services import LIVE_STATUSES
from gonghui.orgs.models import PATH_STEP_LENGTH, Org, OrgType
from gonghui.orgs.rollups import MONTH, WEEK, by_sub_org, period_buckets, period_end, period_series
from gonghui.orgs.selectors import with_child_flag

MANAGE, VIEW = "members.manage", "members.view"


def _require(actor, org: Org, action: str) -> None:
    if not Org.objects.restrict(actor, action).filter(pk=org.pk).exists():
        raise NotFound()


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
    """走访记录 (平安夜访), kept at the org that made the visit: for a drive, any org inside it that the actor manages, so 月分析 can
    count visits per sub-org (a 区总 cadre logs its 街道's visits against the 市总's drive)."""
    _require(actor, org, MANAGE)  # first, so an org the actor cannot see never gets a message about where it sits
    if drive is not None and not org.path.startswith(drive.org.path):
        raise ApplicationError(f"{org.name}不在本行动范围内，走访组织应为{drive.org.name}或其下级组织", code="members.visit_org",
                               fields={"org": ["不在本行动范围内"]})
    if visited_on > timezone.localdate():
        raise ApplicationError("走访日期不能晚于今天", code="members.visit_date", fields={"visited_on": ["晚于今天"]})
    if drive is not None and not drive.starts_on <= visited_on <= drive.ends_on:  # it would count in neither 周调度 nor 月分析
        raise ApplicationError(f"走访日期应在行动期间内（{drive.starts_on:%Y-%m-%d} 至 {drive.ends_on:%Y-%m-%d}）", code="members.visit_date",
                               fields={"visited_on": ["不在行动期间"]})
    if not place.strip():
        raise ApplicationError("请填写走访地点", code="members.visit_place", fields={"place": ["必填"]})
    if joined_on_spot > people_met:
        raise ApplicationError("现场入会人数不能多于接触人数", code="members.visit_counts", fields={"joined_on_spot": ["多于接触人数"]})
    visit = VisitLog.objects.create(org=org, drive=drive, visited_on=visited_on, place=place.strip(), people_met=people_met,
                                    joined_on_spot=joined_on_spot, note=note.strip(), created_by=actor)
    audit_log(actor=actor, action="members.visit.logged", obj=visit, org_path=org.path,
              data={"met": people_met, "joined": joined_on_spot, "drive": drive.pk if drive else None})
    return visit


# Orgs offered in the visit form: the levels whose cadres go out on 平安夜访. The service takes any org the rules allow.
VISITING_TYPES = frozenset({OrgType.PROVINCE, OrgType.CITY, OrgType.COUNTY, OrgType.FUNCTION_ZONE, OrgType.TOWN})


def visit_org_choices(*, actor, drive: Drive) -> list[Org]:
    """Orgs the actor may log a visit for on this drive (inside it, where they manage members), tree-ordered: the 市/区/街道
    levels, and the orgs of the actor's own posts wherever they sit. Empty when the actor may log none."""
    paths = Org.objects.reach(actor, MANAGE)
    wanted = Q(type__in=VISITING_TYPES) if paths is None else Q(type__in=VISITING_TYPES) | Q(path__in=paths)
    return list(Org.objects.restrict(actor, MANAGE).filter(wanted, path__startswith=drive.org.path, is_active=True)
                .only("pk", "name", "path", "depth").order_by("path"))


def _seen_paths(actor, drive: Drive) -> list[str]:
    """Where the actor sees a drive: its org when their scope covers it; when it is a higher org's drive, the orgs of their scope
    inside it (their slice); nothing otherwise. `drive_list` says the same in SQL."""
    paths = Drive.objects.reach(actor, VIEW)
    if covers(paths, drive.org.path):
        return [drive.org.path]
    return [path for path in paths if path.startswith(drive.org.path)]


def drive_list(*, actor) -> QuerySet[Drive]:
    """Drives of the actor's subtree, and the higher drives that cover it (`higher`: a 市总's drive seen by a 区总, read-only)."""
    drives = Drive.objects.restrict(actor, VIEW).select_related("org")
    higher = Drive.objects.above(actor, VIEW)
    return drives.annotate(higher=Value(False) if higher is None else ExpressionWrapper(higher, output_field=BooleanField()))


def drive_get_for(*, actor, drive_id, action: str = VIEW) -> Drive:
    """Fetch and authorize: NotFound when missing or out of sight; for MANAGE, PermissionDenied when the actor sees the drive but
    may not change it (a higher org's drive)."""
    drive = drive_list(actor=actor).restrict_get(actor, VIEW, drive_id)
    if action == MANAGE:
        _require_drive_manager(actor, drive)
    return drive


def _manages(actor, drive: Drive) -> bool:
    """A members.manage post at the drive's org or above."""
    return covers(Drive.objects.reach(actor, MANAGE), drive.org.path)


def _require_drive_manager(actor, drive: Drive) -> None:
    """A drive's settings and 分解目标 belong to its own org (and those above): 403 for a cadre who only sees a slice of it."""
    if _manages(actor, drive):
        return
    if not _seen_paths(actor, drive):
        raise NotFound()
    raise PermissionDenied(f"本行动由{drive.org.name}设定，只有{drive.org.name}（或其上级）有会员管理权限的干部可以修改行动和分解目标")


@dataclass(frozen=True)
class DriveScope:
    """The part of a drive the pages show to one actor: the whole drive, or their slice of a higher org's drive."""

    drive: Drive
    paths: tuple[str, ...]  # org paths whose subtrees count
    root: Org  # where the breakdown starts: the drive's org, or the actor's org inside it
    target: int | None  # the drive's target, or the slice's 分解目标 (None when the drive's org gave it none)
    manageable: bool  # may change the drive's 分解目标

    @classmethod
    def whole(cls, drive: Drive, *, manageable: bool = False) -> DriveScope:
        return cls(drive=drive, paths=(drive.org.path,), root=drive.org, target=drive.target, manageable=manageable)

    @property
    def is_slice(self) -> bool:
        return self.paths != (self.drive.org.path,)

    def planned(self, *, as_of: dt.date) -> int | None:
        """序时进度 of this scope's target by `as_of`; None without a target."""
        return None if self.target is None else _planned(self.target, self.drive, as_of)


def drive_scope_for(*, actor, drive: Drive) -> DriveScope:
    """The actor's view of a drive they may see (fetch it with drive_get_for). For a slice: figures of their subtree only, their 分解目标
    as the target (the sum of them when their posts hold several orgs inside the drive), and the breakdown starting at their org."""
    seen = _seen_paths(actor, drive)
    if not seen:
        raise NotFound()
    if seen == [drive.org.path]:
        return DriveScope.whole(drive, manageable=_manages(actor, drive))
    common = seen[0] if len(seen) == 1 else _common_ancestor(seen)
    orgs = {org.path: org for org in _with_share(Org.objects.filter(path__in={common, *seen}), drive)}
    shares = [orgs[path].share for path in seen]
    return DriveScope(drive=drive, paths=tuple(seen), root=orgs[common], manageable=False,
                      target=None if None in shares else sum(shares))


def _with_share(orgs: QuerySet[Org], drive: Drive) -> QuerySet[Org]:
    """`share` on each org: its 分解目标 in the drive, or None."""
    return orgs.annotate(share=Subquery(DriveTarget.objects.filter(drive=drive, org=OuterRef("pk")).values("target")[:1]))


def _common_ancestor(paths: list[str]) -> str:
    prefix = paths[0]
    while not all(path.startswith(prefix) for path in paths):
        prefix = prefix[:-PATH_STEP_LENGTH]
    return prefix


def _in_scope(rows: QuerySet, scope: DriveScope) -> QuerySet:
    """Rows carrying an `org_path` inside the scope's subtrees."""
    return rows.filter(reduce(or_, (Q(org_path__startswith=path) for path in scope.paths)))


# The events that set a membership's 入会日期: 一键入会 (approved), rejoining, and imports with and without a date in the row.
ENTRY_KINDS = ("joined", "rejoined", IMPORTED, IMPORTED_UNDATED)


def _achievements(scope: DriveScope) -> QuerySet:
    """The rows that count towards the drive, each with `day` (the date it counts on) and `org_path` (the org it counts under).

    新建企业工会: active enterprise unions by their 成立日期 (`founded_on`). One entered without it counts on the day it was
    registered in the system (`created_at`, Asia/Shanghai), the only date it has; `drive_progress` says how many did, so cadres
    can fill the dates in. An existing union registered during the drive with its real 成立日期 does not count.
    新增会员: live memberships by their 入会日期, except where it came from an import row that left it blank: the import dates those
    the day it ran, so importing an existing roster during a drive would count everyone on it as joining. Only the latest event
    that set the 入会日期 decides, so such a person who leaves and rejoins through 一键入会 counts on the day they rejoin. Imports
    run before the import marked blank dates (IMPORTED_UNDATED) cannot be told apart and count on their date."""
    drive = scope.drive
    if drive.metric == DriveMetric.NEW_UNIONS:
        rows = (Org.objects.filter(type=OrgType.ENTERPRISE, is_active=True)
                .annotate(day=Coalesce("founded_on", TruncDate("created_at")), org_path=F("path"))
                .filter(day__range=(drive.starts_on, drive.ends_on)))
        return _in_scope(rows, scope)
    entry = MembershipEvent.objects.filter(membership=OuterRef("pk"), kind__in=ENTRY_KINDS).order_by("-at", "-pk").values("kind")[:1]
    members = (Membership.objects.filter(status__in=LIVE_STATUSES, joined_on__range=(drive.starts_on, drive.ends_on))
               .alias(entry=Coalesce(Subquery(entry), Value(""))).exclude(entry=IMPORTED_UNDATED))  # "": no event says
    if drive.metric == DriveMetric.NEW_FORM_MEMBERS:
        members = members.filter(person__employment__new_form_type=drive.new_form_type)
    return _in_scope(members.annotate(day=F("joined_on"), org_path=F("union__path")), scope)


VISIT_SUMS = {"n": Count("pk"), "met": Sum("people_met"), "joined": Sum("joined_on_spot")}  # a visit row's figures, summed


def _visits(scope: DriveScope) -> QuerySet:
    """The drive's visits in its period, with `day` and `org_path` (the org that made the visit) like achievements."""
    drive = scope.drive
    rows = drive.visits.filter(visited_on__range=(drive.starts_on, drive.ends_on)).annotate(day=F("visited_on"), org_path=F("org__path"))
    return _in_scope(rows, scope)


def visit_list(*, scope: DriveScope) -> QuerySet[VisitLog]:
    """The visits the scope's figures count, newest first, with the org that made each."""
    return _visits(scope).select_related("org").order_by("-visited_on", "-id")


def _elapsed(drive: Drive, as_of: dt.date) -> tuple[int, int]:
    """Calendar days of the drive gone by the end of `as_of`, and its length in days."""
    total = (drive.ends_on - drive.starts_on).days + 1
    return min(max((as_of - drive.starts_on).days + 1, 0), total), total


def drive_planned(drive: Drive, *, as_of: dt.date) -> int:
    """序时进度: how much of the target is due by `as_of` had the work gone evenly over the drive's calendar days (rounded)."""
    return _planned(drive.target, drive, as_of)


def _planned(target: int, drive: Drive, as_of: dt.date) -> int:
    elapsed, total = _elapsed(drive, as_of)
    return (target * elapsed + total // 2) // total


def drive_planned_share(drive: Drive, *, as_of: dt.date) -> float:
    """序时进度 as a share of any target: 0.5 when half the drive's days have gone ("时间过半")."""
    elapsed, total = _elapsed(drive, as_of)
    return elapsed / total


def drive_days_left(drive: Drive, *, today: dt.date | None = None) -> int:
    """Calendar days from today to the drive's last day: 0 on that day and once the drive is over."""
    return max((drive.ends_on - (today or timezone.localdate())).days, 0)


def drive_countdown(drive: Drive, *, today: dt.date | None = None) -> str:
    """Where the drive stands in time, for its pages: days until it starts, calendar days from today to its last day, or ended."""
    today = today or timezone.localdate()
    if today < drive.starts_on:
        return f"{(drive.starts_on - today).days} 天后开始"
    if today > drive.ends_on:
        return f"已于 {drive.ends_on:%Y-%m-%d} 结束"
    left = drive_days_left(drive, today=today)
    return f"距结束还有 {left} 天" if left else "今天是最后一天"


# ---------------------------------------------------------------- 周调度

@dataclass(frozen=True)
class DriveProgress:
    achieved: int
    weekly: list[tuple[dt.date, int, int]]  # week start, that week, running total
    planned: list[int | None]  # 序时进度 at the end of each week (today for the current one); None without a target
    visits: int
    people_met: int
    joined_on_spot: int
    by_registration: int = 0  # 新建企业工会 counted on the day they were registered, for want of a 成立日期

    def percent(self, target: int | None) -> float | None:
        return min(self.achieved / target, 9.99) if target else None


def drive_progress(*, drive: Drive, scope: DriveScope | None = None) -> DriveProgress:
    """周调度 of the scope (default: the whole drive, for system use; pages pass drive_scope_for's)."""
    scope = scope or DriveScope.whole(drive)
    today = timezone.localdate()
    sums = {"n": Count("pk")}
    if drive.metric == DriveMetric.NEW_UNIONS:
        sums["undated"] = Count("pk", filter=Q(founded_on__isnull=True))
    series = period_series(_achievements(scope), period=WEEK, start=drive.starts_on, end=min(drive.ends_on, today), **sums)
    weekly, running = [], 0
    for week, values in series:
        running += values["n"]
        weekly.append((week, values["n"], running))
    planned = [scope.planned(as_of=min(period_end(week, WEEK), today)) for week, _, _ in weekly]
    visits = _visits(scope).aggregate(**VISIT_SUMS)
    return DriveProgress(achieved=running, weekly=weekly, planned=planned,
                         visits=visits["n"], people_met=visits["met"] or 0, joined_on_spot=visits["joined"] or 0,
                         by_registration=sum(values.get("undated", 0) for _, values in series))


@dataclass(frozen=True)
class DriveStanding:
    """Where a drive stands today for one actor: the headline of 周调度 and of the API's drive rows."""

    scope: DriveScope
    progress: DriveProgress
    planned: int | None  # 序时进度 today (the whole target once the drive is over); None without a target
    days_left: int
    countdown: str

    @property
    def percent(self) -> float | None:
        return self.progress.percent(self.scope.target)


def drive_standing(*, actor, drive: Drive) -> DriveStanding:
    """周调度's figures of a drive the actor may see (fetch it with drive_get_for), in the actor's scope (drive_scope_for)."""
    scope, today = drive_scope_for(actor=actor, drive=drive), timezone.localdate()
    return DriveStanding(scope=scope, progress=drive_progress(drive=drive, scope=scope), planned=scope.planned(as_of=today),
                         days_left=drive_days_left(drive, today=today), countdown=drive_countdown(drive, today=today))


# ---------------------------------------------------------------- 月分析

@dataclass(frozen=True)
class MonthFigures:
    """One month of a drive: what was achieved, the running total against 序时进度, and the visits (平安夜访)."""

    month: dt.date
    achieved: int
    cumulative: int
    planned: int | None  # None when the scope has no target (a slice its drive's org gave no 分解目标)
    target: int | None
    visits: int
    people_met: int
    joined_on_spot: int

    @property
    def rate(self) -> float | None:
        return self.cumulative / self.target if self.target else None

    @property
    def shortfall(self) -> int:
        """How far the running total is behind 序时进度 (0 when on or ahead of it, or without a target)."""
        return max(self.planned - self.cumulative, 0) if self.planned is not None else 0


@dataclass(frozen=True)
class OrgFigures:
    """One org under the analysed org: achieved in the month and to its end, against its 分解目标 if it has one, and the visits
    its subtree made from the drive's start to the same day."""

    org: Org
    month_achieved: int
    achieved: int
    target: int | None
    has_children: bool = False
    direct: bool = False  # members held (and visits made) by the analysed org itself (本级直属), not by any org under it
    visits: int = 0
    people_met: int = 0
    joined_on_spot: int = 0

    @property
    def rate(self) -> float | None:
        return self.achieved / self.target if self.target else None


@dataclass(frozen=True)
class MonthlyAnalysis:
    drive: Drive
    scope: DriveScope  # the whole drive, or the actor's slice of it
    month: dt.date  # the month chosen (the analysis runs from the drive's start to its end)
    as_of: dt.date  # the last day counted: month end, the drive's end or today, whichever comes first
    months: list[MonthFigures]
    choices: list[dt.date]  # the months that may be chosen
    within: Org  # the org whose sub-orgs are compared (the scope's root, or one under it)
    trail: list[Org]  # the scope's root down to `within`, for the breadcrumb
    within_target: int | None
    within_achieved: int
    orgs: list[OrgFigures]  # lagging first
    direct: OrgFigures | None
    allocated: int  # sum of the 分解目标 given to the listed orgs

    @property
    def planned_rate(self) -> float:
        """序时进度 as a share: where every org should be by `as_of`."""
        return drive_planned_share(self.drive, as_of=self.as_of)

    @property
    def current(self) -> MonthFigures:
        return self.months[-1]

    def is_behind(self, row: OrgFigures) -> bool:
        return row.rate is not None and row.rate < self.planned_rate


# Orgs that stand for a place are listed even with nothing achieved (a 区 at zero is the news); others only when they have numbers.
ALWAYS_LISTED = frozenset({OrgType.CITY, OrgType.COUNTY, OrgType.FUNCTION_ZONE, OrgType.TOWN, OrgType.COMMUNITY})
MONTH_PATTERN = re.compile(r"([0-9]{4})-([0-9]{2})")


def drive_months(*, drive: Drive) -> list[dt.date]:
    """The months a 月分析 can be asked for: from the drive's first month to the month of its end or of today."""
    last = max(min(drive.ends_on, timezone.localdate()), drive.starts_on)
    return period_buckets(start=drive.starts_on, end=last, period=MONTH)


def _parse_month(value: str | None, choices: list[dt.date]) -> dt.date:
    if not value:
        return choices[-1]
    match = MONTH_PATTERN.fullmatch(value.strip())
    if match is None or not 1 <= int(match[2]) <= 12:
        raise ApplicationError("月份格式不正确，请按“2026-03”的格式选择月份", code="members.drive_month", fields={"month": ["格式应为 2026-03"]})
    month = dt.date(int(match[1]), int(match[2]), 1)
    if month not in choices:
        raise ApplicationError(f"{month:%Y-%m} 不在本行动可分析的月份内（{choices[0]:%Y-%m} 至 {choices[-1]:%Y-%m}）",
                               code="members.drive_month", fields={"month": ["不在行动期间"]})
    return month


def _within(*, actor, scope: DriveScope, within_id) -> Org:
    if within_id in (None, "", str(scope.root.pk)):
        return scope.root
    try:  # the actor's scope inside the drive: for a slice, its own subtree, never a sibling's or the drive's org
        return Org.objects.restrict(actor, VIEW).filter(path__startswith=scope.drive.org.path).get(pk=int(within_id))
    except (Org.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def _trail(actor, scope: DriveScope, within: Org) -> list[Org]:
    if within.pk == scope.root.pk:
        return [scope.root]
    prefixes = [within.path[:end] for end in range(len(scope.root.path), len(within.path) + 1, PATH_STEP_LENGTH)]
    return list((Org.objects.restrict(actor, VIEW) | Org.objects.filter(pk=scope.root.pk)).filter(path__in=prefixes).order_by("path"))


def drive_month_analysis(*, actor, drive: Drive, month: str | None = None, within_id=None) -> MonthlyAnalysis:
    """月分析 of a drive the actor may see (fetch it with drive_get_for): months from the start to `month` ("YYYY-MM", default the
    latest), visits per month, and the orgs directly under `within_id` (default the scope's root) compared against their 分解目标,
    with the visits each made. A cadre seeing a higher org's drive gets their slice (drive_scope_for). Only orgs the actor may see
    are compared; a month outside the drive is refused with a message, an org outside it with NotFound."""
    scope = drive_scope_for(actor=actor, drive=drive)
    choices = drive_months(drive=drive)
    chosen = _parse_month(month, choices)
    within = _within(actor=actor, scope=scope, within_id=within_id)
    as_of = min(period_end(chosen, MONTH), drive.ends_on, timezone.localdate())
    rows, visits = _achievements(scope).filter(day__lte=as_of), _visits(scope).filter(day__lte=as_of)

    achieved = period_series(rows, period=MONTH, start=drive.starts_on, end=chosen, n=Count("pk"))
    seen = period_series(visits, period=MONTH, start=drive.starts_on, end=chosen, **VISIT_SUMS)
    months, running = [], 0
    for (bucket, done), (_, went) in zip(achieved, seen, strict=True):
        running += done["n"]
        months.append(MonthFigures(month=bucket, achieved=done["n"], cumulative=running, target=scope.target,
                                   planned=scope.planned(as_of=min(period_end(bucket, MONTH), as_of)),
                                   visits=went["n"], people_met=went["met"], joined_on_spot=went["joined"]))
    return MonthlyAnalysis(drive=drive, scope=scope, month=chosen, as_of=as_of, months=months, choices=choices, within=within,
                           trail=_trail(actor, scope, within),
                           **_breakdown(actor=actor, scope=scope, within=within, rows=rows, visits=visits, month_start=chosen))


def _breakdown(*, actor, scope: DriveScope, within: Org, rows: QuerySet, visits: QuerySet, month_start: dt.date) -> dict:
    """Achievements and visits summed per org directly under `within` (by_sub_org: one query each)."""
    done = by_sub_org(rows, within=within, total=Count("pk"), month=Count("pk", filter=Q(day__gte=month_start)))
    went = by_sub_org(visits, within=within, **VISIT_SUMS)
    children = list(_with_share(with_child_flag(Org.objects.restrict(actor, VIEW).filter(parent=within)), scope.drive))

    def figures(org: Org, **extra) -> OrgFigures:
        numbers, visited = done.get(org.path, {}), went.get(org.path, {})
        return OrgFigures(org=org, month_achieved=numbers.get("month", 0), achieved=numbers.get("total", 0), visits=visited.get("n", 0),
                          people_met=visited.get("met") or 0, joined_on_spot=visited.get("joined") or 0, **extra)

    orgs = [figures(child, target=child.share, has_children=child.has_children) for child in children
            if child.type in ALWAYS_LISTED or child.path in done or child.path in went or child.share is not None]
    orgs.sort(key=lambda row: (row.rate is None, row.rate or 0, row.achieved, row.org.name))
    direct = figures(within, target=None, direct=True) if within.path in done or within.path in went else None
    return {"orgs": orgs, "direct": direct, "within_achieved": sum(row["total"] for row in done.values()),
            "within_target": scope.target if within.pk == scope.root.pk else
            DriveTarget.objects.filter(drive=scope.drive, org=within).values_list("target", flat=True).first(),
            "allocated": sum(row.target or 0 for row in orgs)}


@transaction.atomic
def drive_targets_set(*, actor, drive: Drive, targets: dict[int, int]) -> None:
    """分解目标: give orgs under the drive's org (any depth) their share of the target; 0 takes a share away.

    Shares are not forced to add up to the parent's: a 市总 may hand out more than its own target. A cadre who sees only a
    slice of the drive (a 区总 under the 市总's drive) is refused: the shares are the drive's org's to give."""
    _require_drive_manager(actor, drive)
    if any(not 0 < org_id < 2**63 for org_id in targets):  # not an id any database could hold
        raise NotFound()
    if any(value < 0 for value in targets.values()):
        raise ApplicationError("分解目标应为 0 或正整数", code="members.drive_target", fields={"targets": ["应为 0 或正整数"]})
    orgs = {org.pk: org for org in Org.objects.restrict(actor, MANAGE).filter(path__startswith=drive.org.path, pk__in=targets)
            .exclude(pk=drive.org_id)}
    if set(targets) - set(orgs):
        raise NotFound()
    existing = {share.org_id: share for share in DriveTarget.objects.select_for_update().filter(drive=drive, org_id__in=orgs).order_by("pk")}
    changed = {org_id: value for org_id, value in sorted(targets.items())
               if (existing[org_id].target if org_id in existing else 0) != value}
    DriveTarget.objects.filter(pk__in=[existing[org_id].pk for org_id, value in changed.items() if value == 0]).delete()
    now = timezone.now()
    kept = [existing[org_id] for org_id, value in changed.items() if value and org_id in existing]
    for share in kept:
        share.target, share.updated_at = changed[share.org_id], now
    DriveTarget.objects.bulk_update(kept, ["target", "updated_at"])
    DriveTarget.objects.bulk_create([DriveTarget(drive=drive, org_id=org_id, target=value)
                                     for org_id, value in changed.items() if value and org_id not in existing])
    changes = {orgs[org_id].code: value for org_id, value in changed.items()}
    if changes:
        audit_log(actor=actor, action="members.drive.targets_set", obj=drive, org_path=drive.org.path, data={"targets": changes})


MONTH_EXPORT = (Column("month", "月份", text=True, width=10), Column("achieved", "本月完成"), Column("cumulative", "累计完成"),
                Column("planned", "序时进度（计划累计）", width=20), Column("rate", "累计完成率（%）"), Column("visits", "走访次数"),
                Column("people_met", "接触人数"), Column("joined_on_spot", "现场入会人数", width=14))
ORG_EXPORT = (Column("org", "组织", width=30), Column("code", "组织编码", text=True, width=16), Column("month_achieved", "本月完成"),
              Column("achieved", "累计完成"), Column("target", "分解目标"), Column("rate", "完成率（%）"), Column("behind", "落后序时进度"),
              Column("visits", "累计走访次数", width=14), Column("people_met", "接触人数"), Column("joined_on_spot", "现场入会人数", width=14))


def month_analysis_xlsx(*, analysis: MonthlyAnalysis, part: str) -> bytes:
    """The figures behind the charts: `months` (one row a month) or `orgs` (one row an org under the analysed one)."""
    if part == "orgs":
        rows = [{"org": f"{row.org.name}（本级直属）" if row.direct else row.org.name, "code": row.org.code,
                 "month_achieved": row.month_achieved, "achieved": row.achieved, "target": row.target,
                 "rate": None if row.rate is None else round(row.rate * 100, 1), "behind": analysis.is_behind(row),
                 "visits": row.visits, "people_met": row.people_met, "joined_on_spot": row.joined_on_spot}
                for row in [*analysis.orgs, *([analysis.direct] if analysis.direct else [])]]
        return write_xlsx(columns=ORG_EXPORT, rows=rows, sheet_name=f"分解完成情况{analysis.month:%Y-%m}")
    rows = [{"month": f"{m.month:%Y-%m}", "achieved": m.achieved, "cumulative": m.cumulative, "planned": m.planned,
             "rate": None if m.rate is None else round(m.rate * 100, 1), "visits": m.visits, "people_met": m.people_met, "joined_on_spot": m.joined_on_spot}
            for m in analysis.months]
    return write_xlsx(columns=MONTH_EXPORT, rows=rows, sheet_name="月分析")

