"""Grassroots-union assessment and 星级评定: 自主申报 → 区总推优 → 市总评先 → 激励整改.

Roles follow the tree: an enterprise union's own cadres fill in and submit, attaching evidence files; a cadre
who manages it from a 区/县 (or a 东莞/中山 镇) level recommends or returns it; a 市总 cadre awards the grade,
stars and 培育 level. Indicators scoring under 60% of their weight become improvement tasks. Schemes themselves
are built and published in `assessment_schemes.py`; the 激励整改 tasks are worked in `improvements.py`.
"""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from gonghui.audit.services import audit_log
from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.core.locking import lock_row
from gonghui.core.uploads import display_name, sniff_upload
from gonghui.orgs.models import (
    Assessment,
    AssessmentEvidence,
    AssessmentScheme,
    AssessmentStatus,
    CultivationLevel,
    Employer,
    ImprovementStatus,
    ImprovementTask,
    Org,
    OrgType,
    REGIONAL_TYPES,
)
from gonghui.worktime.calendar import work_calendar
from gonghui.worktime.deadlines import add_calendar_days

VIEW, MANAGE = "orgs.view", "orgs.manage"
DEFAULT_GRADES = [["优秀", 90], ["良好", 80], ["合格", 60]]
FAIL_GRADE = "不合格"
IMPROVE_BELOW = Decimal("0.6")
DISTRICT_DEPTH, CITY_DEPTH = 3, 2
# 整改期限 in calendar days from the 市总评定; the award form starts from this and the 市总 may set another.
DEFAULT_IMPROVEMENT_DAYS = 90
MAX_IMPROVEMENT_DAYS = 365
# Only scores a 区总 has reviewed get a 名次 (see `ranking`).
RANKED_STATES = (AssessmentStatus.RECOMMENDED, AssessmentStatus.AWARDED)
EVIDENCE_KINDS = ("pdf", "jpg", "png", "docx", "xlsx")
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_MAX_FILES = 30
FILLING_STATES = (AssessmentStatus.DRAFT, AssessmentStatus.RETURNED)


def _fail(message: str, code: str, field: str | None = None):
    raise ApplicationError(message, code=f"orgs.assessment.{code}", fields={field: [message]} if field else None)


def manage_depth(actor, org: Org) -> int | None:
    """The depth of the actor's outermost manage post covering `org` (1 省, 2 市, 3 区/县 …), None if none does."""
    paths = Org.objects.reach(actor, MANAGE)
    if paths is None:
        return 1
    covering = [len(path) // 4 for path in paths if org.path.startswith(path)]
    return min(covering) if covering else None


def posted_at_or_just_above(actor, union: Org) -> bool:
    """The union's own cadres (or its direct parent's) fill in the self-assessment, not someone far above."""
    if actor.is_superuser:
        return True
    return actor.posts.filter(org__in=[union.pk, union.parent_id]).exists()


def scheme_list(*, actor, q: str = "", year: int | None = None) -> QuerySet[AssessmentScheme]:
    """Published schemes from above the actor (they take part) or within their subtree (they run them), and the
    drafts of orgs the actor manages (they are building them)."""
    drafting = AssessmentScheme.objects.restrict(actor, MANAGE, posts_only=True).values("pk")
    schemes = (AssessmentScheme.objects.restrict(actor, VIEW).select_related("owner")
               .filter(Q(published_at__isnull=False) | Q(pk__in=drafting)))
    if q.strip():
        schemes = schemes.filter(Q(name__icontains=q.strip()) | Q(owner__name__icontains=q.strip()))
    if year:
        schemes = schemes.filter(year=year)
    return schemes


def scheme_get_for(*, actor, scheme_id) -> AssessmentScheme:
    """A scheme scheme_list shows the actor; NotFound for any other, as for a missing one."""
    return scheme_list(actor=actor).restrict_get(actor, VIEW, scheme_id)


def eligible_q(scheme: AssessmentScheme) -> Q:
    """Enterprise unions the scheme admits: their employer has at least its headcount (and one of its ownerships)."""
    employers = Employer.objects.filter(union=OuterRef("pk"), headcount__gte=scheme.min_headcount)
    if scheme.ownerships:
        employers = employers.filter(ownership__in=scheme.ownerships)
    return Q(type=OrgType.ENTERPRISE) & Q(Exists(employers))


def eligible(scheme: AssessmentScheme, union: Org) -> bool:
    return Org.objects.filter(eligible_q(scheme), pk=union.pk).exists()


@transaction.atomic
def assessment_start(*, actor, scheme: AssessmentScheme, union: Org) -> Assessment:
    if manage_depth(actor, union) is None or not union.path.startswith(scheme.owner.path):
        raise NotFound()
    if scheme.published_at is None:
        _fail("该方案尚未发布，发布后才能参评", "unpublished")
    if not scheme.is_open:
        _fail("该方案已停止申报", "closed")
    if not eligible(scheme, union):
        _fail(f"{union.name}不符合参评条件（职工{scheme.min_headcount}人以上的企业工会）", "ineligible")
    try:
        with transaction.atomic():
            # The editor locks the scheme to withdraw or delete it: a start either sees it still published or waits.
            if not AssessmentScheme.objects.select_for_update().filter(pk=scheme.pk, published_at__isnull=False).exists():
                _fail("该方案已撤回发布，暂不能参评", "unpublished")
            assessment = Assessment.objects.create(scheme=scheme, union=union)
    except IntegrityError:
        _fail("该工会已参加本方案的评价", "duplicate")
    audit_log(actor=actor, action="orgs.assessment.started", obj=assessment, org_path=union.path)
    return assessment


def _scores(assessment: Assessment, raw: dict) -> dict[str, float]:
    scores = {}
    for indicator in assessment.scheme.indicators.all():
        value = raw.get(str(indicator.pk), raw.get(indicator.pk))
        try:
            number = float(value)
        except (TypeError, ValueError):
            _fail(f"请为“{indicator.name}”打分", "score_missing", f"score_{indicator.pk}")
        if not 0 <= number <= indicator.weight:
            _fail(f"“{indicator.name}”的分数应在 0 到 {indicator.weight} 之间", "score_range", f"score_{indicator.pk}")
        scores[str(indicator.pk)] = number
    return scores


def _locked(actor, assessment_id) -> Assessment:
    """The assessment, row-locked, among those the actor manages; NotFound for any other."""
    return lock_row(Assessment.objects.restrict(actor, MANAGE).select_related("scheme", "union"), assessment_id,
                    required=True)


def _filling(actor, assessment_id, *, doing: str) -> Assessment:
    """The assessment, locked, if the actor may fill it in now: the union's side, while it is a draft or returned."""
    assessment = _locked(actor, assessment_id)
    if not posted_at_or_just_above(actor, assessment.union):
        raise PermissionDenied(f"{doing}由企业工会（或其直接上级）的干部办理")
    if assessment.status not in FILLING_STATES:
        _fail(f"当前状态为“{assessment.get_status_display()}”，不能{doing}", "state")
    return assessment


def can_fill(*, actor, assessment: Assessment) -> bool:
    return (assessment.status in FILLING_STATES and manage_depth(actor, assessment.union) is not None
            and posted_at_or_just_above(actor, assessment.union))


def next_step_for(*, actor, assessment: Assessment) -> str:
    """The step the actor may take on the assessment now ("fill", "recommend", "award"), or "" where it waits on
    someone else. The page offers only this step's form; the services check the same rules when it is sent."""
    depth = manage_depth(actor, assessment.union)
    if depth is None:
        return ""
    if can_fill(actor=actor, assessment=assessment):
        return "fill"
    if (assessment.status == AssessmentStatus.SELF_SUBMITTED and depth <= DISTRICT_DEPTH
            and assessment.submitted_by_id != actor.pk):
        return "recommend"
    if (assessment.status == AssessmentStatus.RECOMMENDED and depth <= CITY_DEPTH
            and actor.pk not in (assessment.submitted_by_id, assessment.recommended_by_id)):
        return "award"
    return ""


@transaction.atomic
def assessment_submit(*, actor, assessment_id, scores: dict, evidence: str) -> Assessment:
    """自主申报: the union scores itself with evidence. From the first submission on, the scheme's indicators are
    locked; the scheme row lock orders this against an editor's change in the same instant."""
    assessment = _filling(actor, assessment_id, doing="提交自主申报")
    scheme = AssessmentScheme.objects.select_for_update().get(pk=assessment.scheme_id)
    if scheme.published_at is None:
        _fail("该方案已撤回修改，重新发布后才能申报", "unpublished")
    if len(evidence.strip()) < 10:
        _fail("请填写佐证说明（至少10个字）", "evidence", "evidence")
    assessment.self_scores, assessment.evidence = _scores(assessment, scores), evidence.strip()
    assessment.review_scores = {}  # a resubmission is judged afresh
    assessment.total = Decimal(str(sum(assessment.self_scores.values())))
    assessment.submitted_by = actor
    assessment.status = AssessmentStatus.SELF_SUBMITTED
    assessment.save()
    audit_log(actor=actor, action="orgs.assessment.self_submitted", obj=assessment, org_path=assessment.union.path,
              data={"total": str(assessment.total)})
    return assessment


@transaction.atomic
def assessment_recommend(*, actor, assessment_id, recommend: bool | None, comment: str, scores: dict | None = None) -> Assessment:
    """区总推优: recommend (optionally re-scoring), decline, or return for changes (recommend=None)."""
    assessment = _locked(actor, assessment_id)
    depth = manage_depth(actor, assessment.union)
    if depth is None:
        raise NotFound()
    if depth > DISTRICT_DEPTH:  # depth 3 is a 区/县, or a 东莞/中山 镇/街道 directly under its 市总
        raise PermissionDenied("区/县总工会（东莞、中山为镇/街道总工会）及以上的干部才能推优")
    if assessment.status != AssessmentStatus.SELF_SUBMITTED:
        _fail(f"当前状态为“{assessment.get_status_display()}”，不能推优", "state")
    if assessment.submitted_by_id == actor.pk:
        raise PermissionDenied("申报人不能为自己的申报推优，请由区/县总工会的其他干部办理")
    if recommend is not True and len(comment.strip()) < 2:
        _fail("请填写意见，申报单位会看到", "comment", "comment")
    if scores:
        assessment.review_scores = _scores(assessment, scores)
        assessment.total = Decimal(str(sum(assessment.review_scores.values())))
    assessment.district_comment, assessment.recommended_by = comment.strip(), actor
    assessment.status = {True: AssessmentStatus.RECOMMENDED, False: AssessmentStatus.NOT_RECOMMENDED, None: AssessmentStatus.RETURNED}[recommend]
    assessment.save()
    audit_log(actor=actor, action=f"orgs.assessment.{assessment.status}", obj=assessment, org_path=assessment.union.path,
              data={"comment": comment, "total": str(assessment.total)})
    return assessment


def grade_for(scheme: AssessmentScheme, total: Decimal) -> str:
    """The highest band the total reaches, whatever order the bands were entered in; below every band, 不合格."""
    for name, line in sorted(scheme.grades or DEFAULT_GRADES, key=lambda band: Decimal(str(band[1])), reverse=True):
        if total >= Decimal(str(line)):
            return name
    return FAIL_GRADE


def improvement_due(*, days: int) -> dt.date:
    """The last day of a 整改期限 of `days` calendar days from today; one that ends on a holiday or weekend runs to
    the next working day (DESIGN.md rule 7)."""
    return add_calendar_days(work_calendar(), timezone.now(), days).date()


@transaction.atomic
def assessment_award(*, actor, assessment_id, stars: int, level: str, improvement_days: int = DEFAULT_IMPROVEMENT_DAYS) -> Assessment:
    """市总评先: the grade follows the score; stars and 培育 level are the city's call; weak indicators become tasks
    due in `improvement_days` calendar days.

    A passing grade carries 1 to 5 stars. 不合格 carries none: the stars are left empty, and a star count sent with it
    is refused rather than dropped, so the cadre sees the rule instead of a result they did not choose.
    """
    assessment = _locked(actor, assessment_id)
    depth = manage_depth(actor, assessment.union)
    if depth is None:
        raise NotFound()
    if depth > CITY_DEPTH:
        raise PermissionDenied("市总工会及以上的干部才能评定等级")
    if assessment.status != AssessmentStatus.RECOMMENDED:
        _fail("只有区总已推优的评价才能评定", "state")
    if actor.pk in (assessment.submitted_by_id, assessment.recommended_by_id):
        raise PermissionDenied("申报或推优的干部不能再评定同一评价")
    grade = grade_for(assessment.scheme, assessment.total)
    if grade == FAIL_GRADE and stars:
        _fail(f"得分 {assessment.total} 未达合格线，等级为不合格，不评星级", "stars_not_allowed", "stars")
    if grade != FAIL_GRADE and not 1 <= stars <= 5:
        _fail("请选择1到5星", "stars", "stars")
    if level not in CultivationLevel.values:
        _fail("请选择培育等级", "level", "level")
    if not 1 <= improvement_days <= MAX_IMPROVEMENT_DAYS:
        _fail(f"整改期限应为 1 到 {MAX_IMPROVEMENT_DAYS} 天的整数", "improvement_days", "improvement_days")
    assessment.grade, assessment.stars, assessment.level = grade, (None if grade == FAIL_GRADE else stars), level
    assessment.status, assessment.awarded_by = AssessmentStatus.AWARDED, actor
    assessment.save()
    scores = assessment.review_scores or assessment.self_scores
    due = improvement_due(days=improvement_days)
    tasks = ImprovementTask.objects.bulk_create([
        ImprovementTask(assessment=assessment, indicator=indicator, due_on=due,
                        description=f"{indicator.dimension}：{indicator.name}（得分 {scores.get(str(indicator.pk), 0):g}/{indicator.weight}）")
        for indicator in assessment.scheme.indicators.select_related("dimension")
        if Decimal(str(scores.get(str(indicator.pk), 0))) < IMPROVE_BELOW * indicator.weight
    ])
    audit_log(actor=actor, action="orgs.assessment.awarded", obj=assessment, org_path=assessment.union.path,
              data={"grade": assessment.grade, "stars": assessment.stars, "level": level, "tasks": len(tasks),
                    "improvement_days": improvement_days, "due_on": due.isoformat() if tasks else None})
    return assessment


# ---------------------------------------------------------------- 排名 and 评价历史 (reads)


def _visible(actor, scheme: AssessmentScheme, within: Org | None) -> QuerySet[Assessment]:
    assessments = Assessment.objects.restrict(actor, VIEW).filter(scheme=scheme)
    return assessments.filter(union__path__startswith=within.path) if within is not None else assessments


def ranking(*, actor, scheme: AssessmentScheme, within: Org | None = None, q: str = "") -> QuerySet[Assessment]:
    """名次 among the assessments the actor sees (narrowed to `within`, one 区 say, when given).

    Only reviewed scores are ranked: those a 区总 recommended (its score, awaiting the 市总) and those the 市总 awarded.
    A draft has no score, a 自主申报 not yet reviewed has only the union's own, and a returned or declined one is out of
    the running: they are listed by `unranked`, without a 名次. Best total first; equal totals share a 名次 and the next
    one skips (90, 90, 85 → 1, 1, 3). `rank` counts better totals over the whole set, so searching by name (`q`)
    finds a union without renumbering anyone.
    """
    ranked = _visible(actor, scheme, within).filter(status__in=RANKED_STATES, total__isnull=False)
    better = ranked.filter(total__gt=OuterRef("total")).order_by().values("scheme").annotate(n=Count("pk")).values("n")
    rows = ranked.annotate(rank=Coalesce(Subquery(better), Value(0)) + 1)
    if q.strip():
        rows = rows.filter(union__name__icontains=q.strip())
    return rows.select_related("union").prefetch_related("tasks").order_by(F("total").desc(nulls_last=True), "union__name", "pk")


def unranked(*, actor, scheme: AssessmentScheme, within: Org | None = None, q: str = "") -> QuerySet[Assessment]:
    """The assessments without a 名次 (drafts, 自主申报 awaiting the 区总, returned, declined), by state and name."""
    rows = _visible(actor, scheme, within).exclude(status__in=RANKED_STATES)
    if q.strip():
        rows = rows.filter(union__name__icontains=q.strip())
    return rows.select_related("union").order_by("status", "union__name", "pk")


def areas_above(*, actor, union_paths) -> list[Org]:
    """The places (市, 区/县, 街道/镇) above these unions that the actor sees: what a list can be narrowed to."""
    prefixes = {path[:end] for path in union_paths for end in range(8, min(len(path) - 4, 16) + 1, 4)}
    return list(Org.objects.restrict(actor, VIEW).filter(path__in=prefixes, type__in=REGIONAL_TYPES).order_by("path"))


def ranking_areas(*, actor, scheme: AssessmentScheme) -> list[Org]:
    paths = Assessment.objects.restrict(actor, VIEW).filter(scheme=scheme).values_list("union__path", flat=True)
    return areas_above(actor=actor, union_paths=set(paths))


def union_assessments(*, actor, union: Org) -> QuerySet[Assessment]:
    """评价历史: every assessment of one union the actor sees, across schemes and years, newest first."""
    return (Assessment.objects.restrict(actor, VIEW).filter(union=union).select_related("scheme__owner")
            .annotate(tasks_open=Count("tasks", filter=~Q(tasks__status=ImprovementStatus.CONFIRMED)), tasks_total=Count("tasks"))
            .order_by("-scheme__year", "-scheme_id"))


def ranking_item(*, actor, assessment_id) -> Assessment:
    return (Assessment.objects.select_related("scheme", "union").prefetch_related("tasks")
            .restrict_get(actor, VIEW, assessment_id))


# ---------------------------------------------------------------- 佐证材料 (evidence files)


@transaction.atomic
def evidence_add(*, actor, assessment_id, uploads: list, indicator_id=None) -> list[AssessmentEvidence]:
    """Attach files to a 自主申报 still being filled in. All or nothing: one bad file and none is kept."""
    assessment = _filling(actor, assessment_id, doing="上传佐证材料")
    if not uploads:
        _fail("请选择要上传的文件", "evidence_none", "files")
    indicator = None
    if indicator_id:
        indicator = assessment.scheme.indicators.filter(pk=indicator_id).first() if str(indicator_id).isdecimal() else None
        if indicator is None:
            _fail("请选择本方案中的指标", "evidence_indicator", "indicator")
    if assessment.files.count() + len(uploads) > EVIDENCE_MAX_FILES:
        _fail(f"每份申报最多 {EVIDENCE_MAX_FILES} 个佐证材料，请合并或删除部分文件", "evidence_count")
    kinds = [sniff_upload(upload, allowed=EVIDENCE_KINDS, max_bytes=EVIDENCE_MAX_BYTES, what="文件", field="files") for upload in uploads]
    added = []
    for upload, kind in zip(uploads, kinds, strict=True):
        item = AssessmentEvidence(assessment=assessment, indicator=indicator, name=display_name(upload.name, kind), size=upload.size,
                                  uploaded_by=actor)
        item.file.save(f"assessment-{assessment.pk}-{uuid.uuid4().hex}.{kind.extension}", upload, save=True)
        added.append(item)
    audit_log(actor=actor, action="orgs.assessment.evidence_added", obj=assessment, org_path=assessment.union.path,
              data={"files": [{"id": item.pk, "name": item.name, "size": item.size} for item in added],
                    "indicator": indicator.pk if indicator else None})
    return added


@transaction.atomic
def evidence_remove(*, actor, assessment_id, evidence_id) -> None:
    """Only the union's side takes a file back, and only before the assessment goes up for review."""
    assessment = _filling(actor, assessment_id, doing="删除佐证材料")
    item = assessment.files.filter(pk=evidence_id).first() if str(evidence_id).isdecimal() else None
    if item is None:
        raise NotFound()
    storage, stored = item.file.storage, item.file.name
    item.delete()
    transaction.on_commit(lambda: storage.delete(stored))  # the bytes go only once the row is surely gone
    audit_log(actor=actor, action="orgs.assessment.evidence_removed", obj=assessment, org_path=assessment.union.path,
              data={"id": int(evidence_id), "name": item.name})


def evidence_list(*, actor, assessment: Assessment) -> QuerySet[AssessmentEvidence]:
    """The files of an assessment for the union and the cadres above who review it; nothing for anyone else."""
    return (AssessmentEvidence.objects.restrict(actor, MANAGE).filter(assessment=assessment)
            .select_related("indicator__dimension", "uploaded_by"))


def evidence_open(*, actor, evidence_id) -> AssessmentEvidence:
    """One file for download, after the same scope check as the list; every look is audited."""
    item = AssessmentEvidence.objects.select_related("assessment__union").restrict_get(actor, MANAGE, evidence_id)
    audit_log(actor=actor, action="orgs.assessment.evidence_viewed", obj=item.assessment, org_path=item.assessment.union.path,
              data={"id": item.pk, "name": item.name})
    return item
