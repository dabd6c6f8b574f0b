"""激励整改: working the improvement tasks a 市总评定 leaves behind.

The flow: 待整改 → the enterprise union's own cadre (or its direct parent's, the same people who filled in the
自主申报) reports a task done with a note and, if they have one, a file (待确认) → a cadre of its 区/县 (东莞/中山 镇/街道)
or above, not the one who reported it, confirms it (已确认销号) or reopens it with a reason (back to 待整改, same
deadline). An open task past its last day is overdue; a daily scan tells the union and its reviewers once.

Deadlines are calendar days (the end of `due_on`); pages show the working days left, as other 工作台 queues do.
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from gonghui.audit.services import audit_log
from gonghui.core.exceptions import NotFound, PermissionDenied
from gonghui.core.locking import lock_row
from gonghui.core.uploads import display_name, sniff_upload
from gonghui.notify.services import notify
from gonghui.orgs import inputs
from gonghui.orgs.assessment import (
    DISTRICT_DEPTH,
    EVIDENCE_KINDS,
    EVIDENCE_MAX_BYTES,
    MANAGE,
    VIEW,
    areas_above,
    manage_depth,
    posted_at_or_just_above,
)
from gonghui.orgs.models import PATH_STEP_LENGTH, ImprovementStatus, ImprovementTask, Org
from gonghui.worktime.calendar import WorkCalendar, work_calendar
from gonghui.worktime.deadlines import END_OF_DAY, LOCAL, working_days_between

PREFIX = "orgs.improvement"
MIN_NOTE, MAX_NOTE = 10, 500
STATES = {"open": "待整改", "overdue": "已超期", "done": "待确认", "confirmed": "已销号"}


def _fail(message: str, code: str, field: str | None = None):
    inputs.fail(message, code, field, prefix=PREFIX)


# ---------------------------------------------------------------- reads


def improvement_list(*, actor, state: str = "", q: str = "", year: int | None = None, within: Org | None = None,
                     today: dt.date | None = None) -> QuerySet[ImprovementTask]:
    """Tasks of unions in the actor's subtree: open ones first, soonest due first. `state` is one of STATES."""
    today = today or timezone.localdate()
    tasks = (ImprovementTask.objects.restrict(actor, VIEW)
             .select_related("assessment__union", "assessment__scheme"))
    if within is not None:
        tasks = tasks.filter(assessment__union__path__startswith=within.path)
    if state == "overdue":
        tasks = tasks.filter(status=ImprovementStatus.OPEN, due_on__lt=today)
    elif state in STATES:
        tasks = tasks.filter(status=state)
    if q.strip():
        tasks = tasks.filter(Q(assessment__union__name__icontains=q.strip()) | Q(description__icontains=q.strip()))
    if year:
        tasks = tasks.filter(assessment__scheme__year=year)
    order = Case(When(status=ImprovementStatus.OPEN, then=Value(0)), When(status=ImprovementStatus.DONE, then=Value(1)),
                 default=Value(2), output_field=IntegerField())
    return tasks.order_by(order, "due_on", "pk")


def improvement_years(*, actor) -> list[int]:
    return list(ImprovementTask.objects.restrict(actor, VIEW)
                .order_by("-assessment__scheme__year").values_list("assessment__scheme__year", flat=True).distinct())


def improvement_areas(*, actor) -> list[Org]:
    paths = ImprovementTask.objects.restrict(actor, VIEW).values_list("assessment__union__path", flat=True)
    return areas_above(actor=actor, union_paths=set(paths))


def improvement_get_for(*, actor, task_id) -> ImprovementTask:
    return ImprovementTask.objects.select_related("assessment__union").restrict_get(actor, VIEW, task_id)


def is_overdue(task: ImprovementTask, *, today: dt.date) -> bool:
    return task.status == ImprovementStatus.OPEN and task.due_on < today


def working_days_left(task: ImprovementTask, *, calendar: WorkCalendar, now: dt.datetime) -> int:
    """Working days from now to the end of the last day: 0 on the last day itself, negative once it has passed."""
    return working_days_between(calendar, now, dt.datetime.combine(task.due_on, END_OF_DAY, tzinfo=LOCAL))


@dataclass(frozen=True)
class TaskTiming:
    task: ImprovementTask
    overdue: bool
    days_left: int  # working_days_left; the pages show it for open tasks only


def improvement_timing(tasks, *, today: dt.date | None = None, now: dt.datetime | None = None) -> list[TaskTiming]:
    """Each task with whether it is overdue and its working days left, against one calendar loaded for the lot."""
    calendar, now = work_calendar(), now or timezone.now()
    today = today or timezone.localdate()
    return [TaskTiming(task=task, overdue=is_overdue(task, today=today), days_left=working_days_left(task, calendar=calendar, now=now))
            for task in tasks]


def sides(*, actor, union: Org) -> tuple[bool, bool]:
    """Whether the actor works this union's tasks as its own cadre (reports them done) and as a reviewer above it
    (confirms or reopens them); asked once per page, as every task of a union has the same answer."""
    depth = manage_depth(actor, union)
    return (depth is not None and posted_at_or_just_above(actor, union)), (depth is not None and depth <= DISTRICT_DEPTH)


def can_report(task: ImprovementTask, *, reporter: bool) -> bool:
    return reporter and task.status == ImprovementStatus.OPEN


def can_review(task: ImprovementTask, *, actor, reviewer: bool) -> bool:
    return reviewer and task.status == ImprovementStatus.DONE and task.done_by_id != actor.pk


def evidence_open(*, actor, task_id) -> ImprovementTask:
    """A task's file for download, for the union and the reviewers above it (orgs.manage), as for 佐证材料; audited."""
    task = (ImprovementTask.objects.restrict(actor, MANAGE).filter(pk=task_id)
            .exclude(evidence="").select_related("assessment__union").first() if inputs.is_id(task_id) else None)
    if task is None:
        raise NotFound()
    audit_log(actor=actor, action="orgs.improvement.evidence_viewed", obj=task, org_path=task.assessment.union.path,
              data={"name": task.evidence_name})
    return task


# ---------------------------------------------------------------- who hears about it


def _cadres_nearest(paths: list[str]) -> list:
    """The active holders of orgs.manage posts at the first of `paths` that has any. Reached through the Org → posts
    reverse relation, because orgs imports no accounts code."""
    orgs = {org.path: org for org in Org.objects.filter(path__in=paths, is_active=True).prefetch_related("posts__user", "posts__role")}
    for path in paths:
        users = [post.user for post in orgs[path].posts.all() if MANAGE in post.role.permissions and post.user.is_active] if path in orgs else []
        if users:
            return users
    return []


def _union_side(union: Org) -> list:
    return _cadres_nearest([union.path, union.path[:-PATH_STEP_LENGTH]])


def _reviewers(union: Org) -> list:
    """The union's 区/县 cadres, or if it has none (or the union sits above that level), the nearest org above."""
    district = DISTRICT_DEPTH * PATH_STEP_LENGTH
    return _cadres_nearest([union.path[:end] for end in range(district, 0, -PATH_STEP_LENGTH) if end < len(union.path)])


def _tell(users: list, task: ImprovementTask, *, template_code: str, key: str, **params) -> None:
    union = task.assessment.union
    link = f"{reverse('assessments:detail', kwargs={'assessment_id': task.assessment_id})}#task-{task.pk}"
    for user in users:
        notify(recipient=user, template_code=template_code, dedupe_key=f"improvement:{task.pk}:{key}:{user.pk}", link=link,
               params={"union": union.name, "item": task.description, "due": task.due_on.isoformat(), **params})


# ---------------------------------------------------------------- writes


def _locked(actor, task_id) -> ImprovementTask:
    rows = ImprovementTask.objects.restrict(actor, MANAGE).select_related("assessment__union")
    task = lock_row(rows, task_id) if inputs.is_id(task_id) else None
    if task is None:
        raise NotFound()
    return task


@transaction.atomic
def improvement_report_done(*, actor, task_id, note: str, upload=None) -> ImprovementTask:
    """The union reports a task done (整改完成情况), with an optional file that replaces any it sent before."""
    task = _locked(actor, task_id)
    union = task.assessment.union
    if not posted_at_or_just_above(actor, union):
        raise PermissionDenied("整改完成情况由企业工会（或其直接上级）的干部报告")
    if task.status != ImprovementStatus.OPEN:
        _fail(f"该整改事项当前为“{task.get_status_display()}”，不能再报完成", "state")
    note = (note or "").strip()
    if len(note) < MIN_NOTE:
        _fail(f"请填写整改情况（至少{MIN_NOTE}个字）", "note", "note")
    if len(note) > MAX_NOTE:
        _fail(f"整改情况不能超过 {MAX_NOTE} 个字", "note_too_long", "note")
    if upload is not None:
        kind = sniff_upload(upload, allowed=EVIDENCE_KINDS, max_bytes=EVIDENCE_MAX_BYTES, what="文件", field="file")
        previous = task.evidence.name
        task.evidence.save(f"improvement-{task.pk}-{uuid.uuid4().hex}.{kind.extension}", upload, save=False)
        task.evidence_name = display_name(upload.name, kind)
        if previous:
            storage = task.evidence.storage
            transaction.on_commit(lambda: storage.delete(previous))  # the old bytes go only once the new row is saved
    task.status, task.done_on, task.done_note, task.done_by = ImprovementStatus.DONE, timezone.localdate(), note, actor
    task.save()
    audit_log(actor=actor, action="orgs.improvement.reported_done", obj=task, org_path=union.path,
              data={"note": note, "file": task.evidence_name or None, "late": task.done_on > task.due_on})
    _tell(_reviewers(union), task, template_code="orgs.improvement_done", key=f"done:{timezone.now().timestamp()}")  # each report anew
    return task


@transaction.atomic
def improvement_review(*, actor, task_id, confirm: bool, note: str = "") -> ImprovementTask:
    """区总确认: confirm a reported task (销号), or reopen it with a reason the union will see."""
    task = _locked(actor, task_id)
    union = task.assessment.union
    if (manage_depth(actor, union) or DISTRICT_DEPTH + 1) > DISTRICT_DEPTH:  # an object grant alone makes no reviewer
        raise PermissionDenied("区/县总工会（东莞、中山为镇/街道总工会）及以上的干部才能确认整改")
    if task.status != ImprovementStatus.DONE:
        _fail(f"该整改事项当前为“{task.get_status_display()}”，只有已报完成的才能确认或退回", "state")
    if task.done_by_id == actor.pk:
        raise PermissionDenied("报完成的干部不能确认自己报告的整改，请由区/县总工会的其他干部办理")
    note = (note or "").strip()
    if not confirm and len(note) < 2:
        _fail("请填写退回原因，企业工会会看到", "reason", "note")
    if len(note) > 300:
        _fail("意见不能超过 300 个字", "note_too_long", "note")
    before = task.done_on
    if confirm:
        task.status = ImprovementStatus.CONFIRMED
    else:
        task.status, task.done_on = ImprovementStatus.OPEN, None
    task.review_note, task.reviewed_by, task.reviewed_at = note, actor, timezone.now()
    task.save()
    audit_log(actor=actor, action=f"orgs.improvement.{'confirmed' if confirm else 'reopened'}", obj=task, org_path=union.path,
              data={"note": note, "reported_done_on": before.isoformat()})
    if not confirm:
        _tell(_union_side(union), task, template_code="orgs.improvement_reopened", key=f"reopened:{task.reviewed_at.timestamp()}",
              reason=note)
    return task


def improvements_flag_overdue(*, today: dt.date | None = None) -> int:
    """Open tasks past their last day are flagged once: the union's cadres and its reviewers are told. Idempotent."""
    today, now = today or timezone.localdate(), timezone.now()
    flagged = 0
    overdue = ImprovementTask.objects.filter(status=ImprovementStatus.OPEN, due_on__lt=today, overdue_flagged_at__isnull=True)
    for task in list(overdue.select_related("assessment__union")):
        with transaction.atomic():
            if not ImprovementTask.objects.filter(pk=task.pk, status=ImprovementStatus.OPEN, overdue_flagged_at__isnull=True).update(
                    overdue_flagged_at=now):
                continue  # reported done, or flagged by another run, since the list was read
            union = task.assessment.union
            recipients = {user.pk: user for user in _union_side(union) + _reviewers(union)}
            _tell(list(recipients.values()), task, template_code="orgs.improvement_overdue", key="overdue")
            audit_log(actor=None, action="orgs.improvement.overdue_flagged", obj=task, org_path=union.path,
                      data={"due_on": task.due_on.isoformat()})
            flagged += 1
    return flagged
