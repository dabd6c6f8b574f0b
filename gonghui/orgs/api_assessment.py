"""星级评定 API, read-only: schemes, their 排名, one assessment with its scores and 整改 tasks, the 激励整改 list and the
分级培育计划, through the reads the 工作台 pages use and in the same scope (another district's ids answer 404)."""
from __future__ import annotations

import datetime as dt

from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from gonghui.core.api import PageRows, Pages
from gonghui.orgs import assessment, cultivation, improvements, selectors
from gonghui.orgs.models import ImprovementStatus

router = Router(tags=["星级评定与分级培育"])


class RefOut(Schema):
    id: int = Field(title="id", description="所指对象（组织或方案）的 id")
    name: str = Field(title="名称")


class SchemeRefOut(RefOut):
    year: int = Field(title="年度")


class GradeLineOut(Schema):
    name: str = Field(title="等级")
    line: float = Field(title="最低得分")


class SchemeOut(Schema):
    id: int = Field(title="方案 id")
    name: str = Field(title="方案名称")
    year: int = Field(title="年度")
    owner: RefOut = Field(title="发布组织")
    total_points: int = Field(title="总分")
    eligibility: str = Field(title="参评条件")
    grades: list[GradeLineOut] = Field(title="等级线", description="低于最后一档为“不合格”")
    published: bool = Field(title="已发布", description="未发布的是草稿，只有能编辑它的干部看得到")
    is_open: bool = Field(title="接受申报")

    @staticmethod
    def resolve_owner(scheme) -> dict:
        return {"id": scheme.owner_id, "name": scheme.owner.name}

    @staticmethod
    def resolve_grades(scheme) -> list[dict]:
        return [{"name": name, "line": line} for name, line in scheme.grades]

    @staticmethod
    def resolve_published(scheme) -> bool:
        return scheme.published_at is not None


class RankingRowOut(Schema):
    rank: int = Field(title="名次", description="同分并列，下一名次跳过（1, 1, 3）")
    assessment_id: int = Field(alias="pk", title="评定 id")
    union: RefOut = Field(title="企业工会")
    status: str = Field(title="状态")
    status_display: str = Field(alias="get_status_display", title="状态说明")
    total: float = Field(title="得分")
    grade: str = Field(title="等级", description="市总评定后才有")
    stars: int | None = Field(title="星级")
    level: str = Field(title="培育等级")
    level_display: str = Field(alias="get_level_display", title="培育等级说明")
    tasks: int = Field(title="整改任务数")

    @staticmethod
    def resolve_union(item) -> dict:
        return {"id": item.union_id, "name": item.union.name}

    @staticmethod
    def resolve_tasks(item) -> int:
        return len(item.tasks.all())  # prefetched by `ranking`


class ScoreOut(Schema):
    indicator_id: int = Field(title="指标 id")
    dimension: str = Field(title="维度")
    name: str = Field(title="指标")
    weight: int = Field(title="分值")
    self_score: float | None = Field(title="自评分")
    review_score: float | None = Field(title="审核分", description="区总推优时复核的分数")


class TaskOut(Schema):
    id: int = Field(title="整改任务 id")
    assessment_id: int = Field(title="评定 id")
    union: RefOut = Field(title="企业工会")
    scheme: SchemeRefOut = Field(title="评价方案")
    description: str = Field(title="整改事项")
    due_on: dt.date = Field(title="整改期限", description="该日结束前；遇节假日已顺延")
    status: str = Field(title="状态", description="open 待整改，done 已报完成待确认，confirmed 已确认销号")
    status_display: str = Field(title="状态说明")
    overdue: bool = Field(title="已超期")
    working_days_left: int | None = Field(title="剩余工作日", description="待整改的任务才有；到期当天为 0，超期为负数")
    overdue_flagged: bool = Field(title="已发超期提醒")
    done_on: dt.date | None = Field(title="完成日期")
    done_note: str = Field(title="整改情况")
    review_note: str = Field(title="确认/退回意见")
    reviewed_at: dt.datetime | None = Field(title="确认/退回时间")


class AssessmentOut(Schema):
    id: int = Field(title="评定 id")
    scheme: SchemeRefOut = Field(title="评价方案")
    union: RefOut = Field(title="企业工会")
    status: str = Field(title="状态")
    status_display: str = Field(title="状态说明")
    total: float | None = Field(title="得分", description="自主申报后为自评总分，区总复核后为审核总分")
    grade: str = Field(title="等级", description="市总评定后才有")
    stars: int | None = Field(title="星级", description="不合格不评星")
    level: str = Field(title="培育等级")
    level_display: str = Field(title="培育等级说明")
    district_comment: str = Field(title="区总意见")
    scores: list[ScoreOut] = Field(title="各指标得分")
    tasks: list[TaskOut] = Field(title="激励整改任务")


def _task_rows(tasks) -> list[dict]:
    rows = []
    for timing in improvements.improvement_timing(tasks):
        task, item = timing.task, timing.task.assessment
        rows.append({
            "id": task.pk, "assessment_id": item.pk, "union": {"id": item.union_id, "name": item.union.name},
            "scheme": {"id": item.scheme_id, "name": item.scheme.name, "year": item.scheme.year}, "description": task.description,
            "due_on": task.due_on, "status": task.status, "status_display": task.get_status_display(), "overdue": timing.overdue,
            "working_days_left": timing.days_left if task.status == ImprovementStatus.OPEN else None,
            "overdue_flagged": task.overdue_flagged_at is not None, "done_on": task.done_on, "done_note": task.done_note,
            "review_note": task.review_note, "reviewed_at": task.reviewed_at,
        })
    return rows


@router.get("/assessment-schemes", response=list[SchemeOut],
            summary="星级评定方案", description="上级组织已发布的方案（调用者参评）、辖区内组织的方案（调用者组织评定），以及调用者可编辑的草稿。")
@paginate(Pages, page_size=50)
def scheme_index(request, q: str = Query("", description="方案或发布组织名称"), year: int | None = Query(None, description="年度")):
    """Published schemes above the caller (they take part) or in their subtree (they run them), and drafts they may edit."""
    return assessment.scheme_list(actor=request.user, q=q, year=year)


@router.get("/assessment-schemes/{scheme_id}/ranking", response=list[RankingRowOut],
            summary="方案排名", description="与方案页面相同：只排区总已推优和市总已评定的得分，高分在前，只含调用者能看到的工会。")
@paginate(Pages, page_size=50)
def scheme_ranking(request, scheme_id: int = Path(description="评定方案 id"), within: str = Query("", description="只排这个市/区/街道（组织 id）以下的工会"),
                   q: str = Query("", description="企业工会名称；名次不因搜索而改变")):
    """排名 as on the scheme page: only 区总已推优 and 市总已评定 scores, best first, the unions the caller sees."""
    scheme = assessment.scheme_get_for(actor=request.user, scheme_id=scheme_id)
    area = selectors.org_get_for(actor=request.user, org_id=within) if within else None
    return assessment.ranking(actor=request.user, scheme=scheme, within=area, q=q)


@router.get("/assessments/{assessment_id}", response=AssessmentOut,
            summary="一家工会的评定", description="状态、各指标的自评分和审核分、评定结果和激励整改任务。")
def assessment_detail(request, assessment_id: int = Path(description="评定 id")):
    """One union's assessment: its state, the score per indicator (self and reviewed), the award and the 整改 tasks."""
    item = assessment.ranking_item(actor=request.user, assessment_id=assessment_id)
    scores = [{"indicator_id": indicator.pk, "dimension": indicator.dimension.name, "name": indicator.name, "weight": indicator.weight,
               "self_score": item.self_scores.get(str(indicator.pk)), "review_score": item.review_scores.get(str(indicator.pk))}
              for indicator in item.scheme.indicators.select_related("dimension")]
    return {
        "id": item.pk, "scheme": {"id": item.scheme_id, "name": item.scheme.name, "year": item.scheme.year},
        "union": {"id": item.union_id, "name": item.union.name}, "status": item.status, "status_display": item.get_status_display(),
        "total": item.total, "grade": item.grade, "stars": item.stars, "level": item.level, "level_display": item.get_level_display(),
        "district_comment": item.district_comment, "scores": scores,
        "tasks": _task_rows(item.tasks.select_related("assessment__union", "assessment__scheme")),
    }


@router.get("/improvement-tasks", response=list[TaskOut],
            summary="激励整改任务", description="调用者辖区内工会的整改任务：待整改在前，期限近的在前，与激励整改页面一致。")
@paginate(Pages, page_size=50)
def improvement_index(request, state: str = Query("", description="open 待整改，overdue 已超期，done 待确认，confirmed 已销号；空为全部"),
                      q: str = Query("", description="企业工会名称或整改事项"), year: int | None = Query(None, description="评价年度"),
                      within: str = Query("", description="只看这个市/区/街道（组织 id）以下的工会")):
    """整改 tasks of the unions in the caller's subtree: open first, soonest due first, as on the 激励整改 page."""
    area = selectors.org_get_for(actor=request.user, org_id=within) if within else None
    return PageRows(improvements.improvement_list(actor=request.user, state=state, q=q, year=year, within=area), _task_rows)


# ---------------------------------------------------------------- 分级培育计划

class TargetsOut(Schema):
    basic: int = Field(title="初级")
    intermediate: int = Field(title="中级")
    advanced: int = Field(title="高级")


class PlanOut(Schema):
    id: int = Field(title="计划 id")
    name: str = Field(title="计划名称")
    year: int = Field(title="年度")
    org: RefOut = Field(title="实施组织")
    targets: TargetsOut = Field(title="年底目标")

    @staticmethod
    def resolve_org(plan) -> dict:
        return {"id": plan.org_id, "name": plan.org.name}

    @staticmethod
    def resolve_targets(plan) -> dict:
        return {"basic": plan.target_primary, "intermediate": plan.target_intermediate, "advanced": plan.target_advanced}


class LevelProgressOut(Schema):
    level: str = Field(title="等级")
    label: str = Field(title="等级说明")
    target: int = Field(title="年底目标")
    reached: int = Field(title="已验收达标")
    cultivating: int = Field(title="培育中", description="以该等级为目标、尚未验收的")
    percent: int = Field(title="完成百分比", description="0–100")
    short: int = Field(title="距目标还差")


class CandidateOut(Schema):
    id: int = Field(title="培育对象 id")
    union: RefOut = Field(title="企业工会")
    union_code: str = Field(title="组织编码")
    aimed_level: str = Field(title="培育目标等级")
    aimed_level_display: str = Field(alias="get_aimed_level_display", title="培育目标等级说明")
    reached_level: str = Field(title="验收达标等级", description="未验收为空")
    reached_level_display: str = Field(alias="get_reached_level_display", title="验收达标等级说明")
    accepted_at: dt.datetime | None = Field(title="验收时间")
    note: str = Field(title="验收意见")
    latest_award: str = Field(title="最近评定", description="该工会最近一次市总评定，如“2025年 优秀 ★4 中级”")

    @staticmethod
    def resolve_union(candidate) -> dict:
        return {"id": candidate.union_id, "name": candidate.union.name}

    @staticmethod
    def resolve_union_code(candidate) -> str:
        return candidate.union.code

    @staticmethod
    def resolve_latest_award(candidate) -> str:
        return cultivation.candidate_hint(candidate)


class PlanDetailOut(PlanOut):
    can_change: bool = Field(title="可修改", description="只有实施组织本级的干部可以修改；上级只读")
    progress: list[LevelProgressOut] = Field(title="各等级进度")
    candidates: list[CandidateOut] = Field(title="培育对象")

    @staticmethod
    def resolve_candidates(plan) -> list:
        return plan.candidate_rows  # candidate_list's rows, annotated with the latest award


@router.get("/cultivation-plans", response=list[PlanOut],
            summary="分级培育计划", description="调用者辖区内各组织的分级培育计划。")
@paginate(Pages, page_size=50)
def plan_index(request, q: str = Query("", description="计划名称"), year: int | None = Query(None, description="年度")):
    """The 分级培育计划 of the orgs in the caller's subtree."""
    return cultivation.plan_list(actor=request.user, q=q, year=year)


@router.get("/cultivation-plans/{plan_id}", response=PlanDetailOut,
            summary="分级培育计划详情", description="各等级的目标和进度，以及每个培育对象的验收情况和最近一次市总评定。")
def plan_detail(request, plan_id: int = Path(description="培育计划 id")):
    """One plan: targets and progress per level, and every candidate with its 验收 and latest 市总评定."""
    plan = cultivation.plan_get_for(actor=request.user, plan_id=plan_id)
    candidates = list(cultivation.candidate_list(plan=plan))
    plan.can_change = cultivation.plan_can_change(actor=request.user, plan=plan)
    plan.progress = [{"level": p.level, "label": p.label, "target": p.target, "reached": p.reached, "cultivating": p.cultivating,
                      "percent": p.percent, "short": p.short} for p in cultivation.plan_progress(plan=plan, candidates=candidates)]
    plan.candidate_rows = candidates
    return plan
