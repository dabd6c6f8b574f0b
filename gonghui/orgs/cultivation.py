"""分级培育计划 (南沙 "分级培育+星级评定"): an org picks enterprise unions to cultivate in a year, sets how many it
means to bring to 初级/中级/高级 by year end, and records each union's 验收 as it passes.

A plan belongs to the org that runs it. Its own cadres (a post with `orgs.manage` at that very org) change it; cadres
of orgs above oversee it and may read it, but their changes answer 403 (decision 0005: readable but not writable);
to anyone else, a plan answers 404, the same as a missing one. Changes lock the plan's row, so two cadres adding or
accepting at once are applied one after the other against what the other left.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from gonghui.audit.services import audit_log
from gonghui.core.exceptions import NotFound, PermissionDenied
from gonghui.orgs import inputs
from gonghui.orgs.models import (
    REGIONAL_TYPES,
    Assessment,
    AssessmentStatus,
    CultivationCandidate,
    CultivationLevel,
    CultivationPlan,
    Org,
    OrgType,
)

VIEW, MANAGE = "orgs.view", "orgs.manage"
MAX_TARGET = 100_000
MAX_UNIONS_PER_ADD = 500
TARGET_FIELDS = {CultivationLevel.BASIC: "target_primary", CultivationLevel.INTERMEDIATE: "target_intermediate",
                 CultivationLevel.ADVANCED: "target_advanced"}


PREFIX = "orgs.cultivation"


def _fail(message: str, code: str, field: str | None = None):
    inputs.fail(message, code, field, prefix=PREFIX)


# ---------------------------------------------------------------- reads


def plan_list(*, actor, q: str = "", year: int | None = None) -> QuerySet[CultivationPlan]:
    plans = CultivationPlan.objects.restrict(actor, VIEW).select_related("org")
    if q.strip():
        plans = plans.filter(name__icontains=q.strip())
    if year:
        plans = plans.filter(year=year)
    return plans


def plan_get_for(*, actor, plan_id) -> CultivationPlan:
    return CultivationPlan.objects.select_related("org").restrict_get(actor, VIEW, plan_id)


def plan_can_change(*, actor, plan: CultivationPlan) -> bool:
    """Only the running org's own cadres: a manage scope that starts at the plan's org, not above it."""
    paths = CultivationPlan.objects.reach(actor, MANAGE)
    return paths is None or plan.org.path in paths


def plan_org_choices(*, actor) -> QuerySet[Org]:
    """The orgs an actor may run a plan for: the places (区/县, 功能区, 镇街 …) where their manage posts sit."""
    paths = Org.objects.reach(actor, MANAGE)
    orgs = Org.objects.filter(parent__isnull=True) if paths is None else Org.objects.filter(path__in=paths)
    return orgs.filter(type__in=REGIONAL_TYPES, is_active=True).order_by("path")


def candidate_list(*, plan: CultivationPlan) -> QuerySet[CultivationCandidate]:
    """The plan's candidates, each with its union's latest 市总评定 (grade, stars, level, year) as a hint, in one query."""
    latest = Assessment.objects.filter(union=OuterRef("union_id"), status=AssessmentStatus.AWARDED).order_by("-scheme__year", "-pk")
    return (plan.candidates.select_related("union", "accepted_by")
            .annotate(hint_year=Subquery(latest.values("scheme__year")[:1]), hint_grade=Subquery(latest.values("grade")[:1]),
                      hint_stars=Subquery(latest.values("stars")[:1]), hint_level=Subquery(latest.values("level")[:1])))


def candidate_hint(candidate: CultivationCandidate) -> str:
    """The union's latest 市总评定 from candidate_list's annotations, e.g. 2025年 优秀 ★4 中级; blank when it has none."""
    if candidate.hint_year is None:
        return ""
    level = CultivationLevel(candidate.hint_level).label if candidate.hint_level in CultivationLevel.values else ""
    stars = f"★{candidate.hint_stars}" if candidate.hint_stars else ""
    return " ".join(part for part in (f"{candidate.hint_year}年", candidate.hint_grade, stars, level) if part)


def union_choices(*, plan: CultivationPlan, q: str = "", limit: int = 100) -> list[Org]:
    """Enterprise unions under the plan's org that are not in it yet, matched by name, 拼音首字母 or code."""
    unions = (Org.objects.subtree_of(plan.org).filter(type=OrgType.ENTERPRISE, is_active=True)
              .exclude(cultivations__plan=plan).order_by("name", "pk"))
    if q.strip():
        text = q.strip()
        unions = unions.filter(Q(name__icontains=text) | Q(name_initials__icontains=text.lower()) | Q(code__iexact=text))
    return list(unions[:limit])


@dataclass(frozen=True)
class LevelProgress:
    level: str
    label: str
    target: int
    reached: int
    cultivating: int  # candidates aimed at this level, not yet through 验收

    @property
    def percent(self) -> int:
        if not self.target:
            return 100 if self.reached else 0
        return min(100, round(self.reached * 100 / self.target))

    @property
    def short(self) -> int:
        return max(0, self.target - self.reached)


def plan_progress(*, plan: CultivationPlan, candidates: list[CultivationCandidate] | None = None) -> list[LevelProgress]:
    """Target vs reached per level (reached: candidates whose 验收 level is that level). `candidates`: the loaded
    list when the caller has it, so the page counts without asking the database again."""
    if candidates is None:
        candidates = list(plan.candidates.only("aimed_level", "reached_level"))
    return [
        LevelProgress(level=level, label=label, target=plan.target_for(level),
                      reached=sum(1 for c in candidates if c.reached_level == level),
                      cultivating=sum(1 for c in candidates if not c.reached_level and c.aimed_level == level))
        for level, label in CultivationLevel.choices
    ]


# ---------------------------------------------------------------- checks shared by the writes


def _plan_for_change(actor, plan_id) -> CultivationPlan:
    """The plan, row-locked; 404 when the actor cannot see it, 403 when they see it from above."""
    plan = CultivationPlan.objects.select_related("org").select_for_update(of=("self",)).restrict_get(actor, VIEW, plan_id)
    if not plan_can_change(actor=actor, plan=plan):
        raise PermissionDenied("培育计划由实施组织的干部维护，上级组织只能查看")
    return plan


def _candidate_for_change(actor, candidate_id) -> CultivationCandidate:
    plan = _plan_for_change(actor, CultivationCandidate.objects.restrict_get(actor, VIEW, candidate_id).plan_id)
    candidate = plan.candidates.select_related("union").filter(pk=candidate_id).first()
    if candidate is None:  # removed while the plan's lock was awaited
        raise NotFound()
    candidate.plan = plan
    return candidate


def _targets(targets: dict[str, int | None]) -> dict[str, int]:
    """{level: number} → {model field: number}; every level must be given, 0 to MAX_TARGET."""
    checked = {}
    for level, field in TARGET_FIELDS.items():
        value = targets.get(level)
        if value is None or not 0 <= value <= MAX_TARGET:
            _fail(f"{CultivationLevel(level).label}目标应为 0 到 {MAX_TARGET} 之间的整数", "target", field)
        checked[field] = value
    return checked


def _level(value: str, *, field: str) -> str:
    if value not in CultivationLevel.values:
        _fail("请选择培育等级（初级、中级或高级）", "level", field)
    return value


def _unique_name(org: Org, year: int, name: str, *, exclude: int | None = None) -> None:
    if CultivationPlan.objects.filter(org=org, year=year, name=name).exclude(pk=exclude).exists():
        _fail(f"{org.name}{year}年已有名为“{name}”的培育计划", "duplicate", "name")


def _targets_of(plan: CultivationPlan) -> dict[str, int]:
    return {field: getattr(plan, field) for field in TARGET_FIELDS.values()}


# ---------------------------------------------------------------- writes


@transaction.atomic
def plan_create(*, actor, org: Org, year: int | None, name: str, targets: dict[str, int | None]) -> CultivationPlan:
    if not plan_org_choices(actor=actor).filter(pk=org.pk).exists():
        raise NotFound()
    name, year, fields = inputs.required_text(name, label="计划名称", limit=100, prefix=PREFIX), inputs.year(year, prefix=PREFIX), _targets(targets)
    _unique_name(org, year, name)
    plan = CultivationPlan.objects.create(org=org, year=year, name=name, created_by=actor, **fields)
    audit_log(actor=actor, action="orgs.cultivation_plan.created", obj=plan, org_path=org.path, data={"year": year, **fields})
    return plan


@transaction.atomic
def plan_update(*, actor, plan_id, name: str, targets: dict[str, int | None]) -> CultivationPlan:
    plan = _plan_for_change(actor, plan_id)
    name, fields = inputs.required_text(name, label="计划名称", limit=100, prefix=PREFIX), _targets(targets)
    _unique_name(plan.org, plan.year, name, exclude=plan.pk)
    before = {"name": plan.name, **_targets_of(plan)}
    plan.name = name
    for field, value in fields.items():
        setattr(plan, field, value)
    plan.save(update_fields=["name", *fields, "updated_at"])
    audit_log(actor=actor, action="orgs.cultivation_plan.updated", obj=plan, org_path=plan.org.path,
              data={"before": before, "after": {"name": name, **fields}})
    return plan


@transaction.atomic
def candidates_add(*, actor, plan_id, union_ids: list, aimed_level: str) -> list[CultivationCandidate]:
    """Add unions to the plan; unions already in it are skipped. All or nothing when one is refused."""
    plan = _plan_for_change(actor, plan_id)
    aimed_level = _level(aimed_level, field="aimed_level")
    wanted = {int(value) for value in union_ids if inputs.is_id(value)}
    if not wanted:
        _fail("请选择要加入的企业工会", "no_unions", "union_ids")
    if len(wanted) > MAX_UNIONS_PER_ADD:
        _fail(f"一次最多加入 {MAX_UNIONS_PER_ADD} 家工会", "too_many", "union_ids")
    unions = list(Org.objects.filter(pk__in=wanted).order_by("pk"))
    outside = [u for u in unions if not u.path.startswith(plan.org.path)]
    if outside or len(unions) < len(wanted):
        named = "、".join(u.name for u in outside[:3]) or "所选工会"
        _fail(f"{named}不在{plan.org.name}的管辖范围内，不能加入本计划", "outside", "union_ids")
    not_enterprise = [u for u in unions if u.type != OrgType.ENTERPRISE or not u.is_active]
    if not_enterprise:
        _fail(f"{'、'.join(u.name for u in not_enterprise[:3])}不是有效的企业工会，培育对象只能是企业工会", "not_enterprise", "union_ids")
    present = set(plan.candidates.filter(union_id__in=wanted).values_list("union_id", flat=True))
    added = CultivationCandidate.objects.bulk_create(
        [CultivationCandidate(plan=plan, union=union, aimed_level=aimed_level) for union in unions if union.pk not in present]
    )
    if added:
        audit_log(actor=actor, action="orgs.cultivation_plan.candidates_added", obj=plan, org_path=plan.org.path,
                  data={"aimed_level": aimed_level, "union_ids": [c.union_id for c in added], "skipped": sorted(present)})
    return added


@transaction.atomic
def candidate_remove(*, actor, candidate_id) -> None:
    candidate = _candidate_for_change(actor, candidate_id)
    if candidate.reached_level:
        _fail(f"{candidate.union.name}已通过验收，不能移出计划（如验收有误，请先撤销验收）", "accepted")
    audit_log(actor=actor, action="orgs.cultivation_plan.candidate_removed", obj=candidate.plan, org_path=candidate.plan.org.path,
              data={"union_id": candidate.union_id, "aimed_level": candidate.aimed_level})
    candidate.delete()


@transaction.atomic
def candidate_accept(*, actor, candidate_id, level: str, note: str = "") -> CultivationCandidate:
    """验收达标: the level the union reached, which may differ from the one it was aimed at."""
    candidate = _candidate_for_change(actor, candidate_id)
    level = _level(level, field="level")
    note = (note or "").strip()
    if len(note) > 300:
        _fail("验收意见不能超过 300 字", "note_too_long", "note")
    if candidate.reached_level:
        _fail(f"{candidate.union.name}已验收为{candidate.get_reached_level_display()}，如需更改请先撤销验收", "already_accepted")
    candidate.reached_level, candidate.note = level, note
    candidate.accepted_at, candidate.accepted_by = timezone.now(), actor
    candidate.save(update_fields=["reached_level", "note", "accepted_at", "accepted_by", "updated_at"])
    audit_log(actor=actor, action="orgs.cultivation_candidate.accepted", obj=candidate, org_path=candidate.union.path,
              data={"plan_id": candidate.plan_id, "level": level, "aimed_level": candidate.aimed_level})
    return candidate


@transaction.atomic
def candidate_reopen(*, actor, candidate_id) -> CultivationCandidate:
    """撤销验收: back into cultivation, e.g. after a 验收 was recorded for the wrong union."""
    candidate = _candidate_for_change(actor, candidate_id)
    if not candidate.reached_level:
        _fail(f"{candidate.union.name}尚未验收", "not_accepted")
    before = {"level": candidate.reached_level, "note": candidate.note}
    candidate.reached_level, candidate.note, candidate.accepted_at, candidate.accepted_by = "", "", None, None
    candidate.save(update_fields=["reached_level", "note", "accepted_at", "accepted_by", "updated_at"])
    audit_log(actor=actor, action="orgs.cultivation_candidate.reopened", obj=candidate, org_path=candidate.union.path,
              data={"plan_id": candidate.plan_id, "before": before})
    return candidate
