"""Building assessment schemes (评价方案) in the 工作台: settings, dimensions and indicators with their points, publication.

A scheme is built as a draft and published once its points add up; unions take part only in published schemes.
To change a published scheme its owner withdraws the publication, which is possible until the first union submits
its 自主申报: from then on the scoring (total, grade lines, dimensions, indicators) is locked, so every union's
score is measured the same way. A draft no union has taken part in may be deleted. Who may edit: any cadre with `orgs.manage` over the owner org; to anyone else a
scheme answers 404, the same as a missing one.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from gonghui.audit.services import audit_log
from gonghui.core.exceptions import NotFound
from gonghui.orgs import inputs
from gonghui.orgs.assessment import DEFAULT_GRADES, MANAGE, manage_depth, scheme_list
from gonghui.orgs.models import (
    REGIONAL_TYPES,
    AssessmentDimension,
    AssessmentIndicator,
    AssessmentScheme,
    AssessmentStatus,
    Org,
    OrgType,
    Ownership,
)

BLANK, ZHUHAI = "blank", "zhuhai"
TEMPLATES = {BLANK: "空白方案", ZHUHAI: "珠海七维度模板（百人以上非公企业工会评价）"}
ZHUHAI_NAME = "百人以上非公企业工会评价"
ZHUHAI_DIMENSIONS = [  # 珠海《百人以上非公企业工会评价方案》's seven dimensions (seed magazine); points are our default
    ("思想政治引领", 15), ("工会自身建设", 15), ("构建服务体系", 15), ("维护职工权益", 15),
    ("促进企业发展", 15), ("智慧工会建设", 10), ("创新工作开展", 15),
]
OWNER_TYPES = REGIONAL_TYPES | {OrgType.INDUSTRY_UNION}
MAX_GRADES = 5
MAX_TOTAL = 1000
MAX_HEADCOUNT = 1_000_000
LOCKED_MESSAGE = "已有工会提交自主申报，本方案的总分、等级线、维度和指标已锁定，不能再修改（保证各单位得分可比）"


@dataclass(frozen=True)
class SchemeSettings:
    """What the settings form holds; numbers are None where the user left them blank."""

    name: str
    year: int | None
    total_points: int | None
    min_headcount: int | None
    ownerships: list[str]
    grades: list[tuple[str, int | None]]
    is_open: bool = True


PREFIX = "orgs.assessment_scheme"


def _fail(message: str, code: str, field: str | None = None):
    inputs.fail(message, code, field, prefix=PREFIX)


# ---------------------------------------------------------------- reads


def scheme_editable(*, actor) -> QuerySet[AssessmentScheme]:
    return AssessmentScheme.objects.restrict(actor, MANAGE).select_related("owner")


def scheme_get_for_edit(*, actor, scheme_id) -> AssessmentScheme:
    return AssessmentScheme.objects.select_related("owner").restrict_get(actor, MANAGE, scheme_id)


def dimension_get_for_edit(*, actor, dimension_id) -> AssessmentDimension:
    return _part_get(actor, AssessmentDimension, dimension_id)


def indicator_get_for_edit(*, actor, indicator_id) -> AssessmentIndicator:
    return _part_get(actor, AssessmentIndicator, indicator_id)


def _part_get(actor, model, item_id):
    return model.objects.select_related("scheme__owner").restrict_get(actor, MANAGE, item_id)


def scheme_owner_choices(*, actor) -> QuerySet[Org]:
    """The orgs an actor may publish a scheme for: the tops of their manage scope that run assessments."""
    paths = Org.objects.reach(actor, MANAGE)
    orgs = Org.objects.filter(parent__isnull=True) if paths is None else Org.objects.filter(path__in=paths)
    return orgs.filter(type__in=OWNER_TYPES, is_active=True).order_by("path")


def scheme_settings(scheme: AssessmentScheme) -> SchemeSettings:
    """The settings as the form shows them: grade lines from the highest down (the defaults where none were set)."""
    grades = sorted(((name, line) for name, line in scheme.grades or DEFAULT_GRADES), key=lambda band: band[1], reverse=True)
    return SchemeSettings(name=scheme.name, year=scheme.year, total_points=scheme.total_points, min_headcount=scheme.min_headcount,
                          ownerships=[value for value in Ownership.values if value in scheme.ownerships], grades=grades,
                          is_open=scheme.is_open)


def submitted_count(scheme: AssessmentScheme) -> int:
    """Assessments that have been submitted at least once (a returned one was submitted too)."""
    return scheme.assessments.exclude(status=AssessmentStatus.DRAFT).count()


def scheme_delete_refusal(scheme: AssessmentScheme) -> tuple[str, str] | None:
    """Why the scheme cannot be deleted, as (message, code); None when it can. Only a draft no union ever took part
    in goes: an assessment, even one only started, keeps its scheme (its scores and files are measured against it)."""
    taking_part = scheme.assessments.count()
    if taking_part:
        return f"已有 {taking_part} 家工会参评本方案，不能删除（参评记录须保留）", "in_use"
    if scheme.published_at is not None:
        return "方案已发布，不能删除：请先撤回发布", "published"
    return None


def scheme_problems(scheme: AssessmentScheme, dimensions: list[AssessmentDimension] | None = None) -> list[str]:
    """What still stops the scheme from being published, in words the editor shows as a checklist. `dimensions`: the
    scheme's dimensions with their indicators prefetched, when the caller has them already."""
    if dimensions is None:
        dimensions = list(scheme.dimensions.prefetch_related("indicators"))
    problems = [] if dimensions else ["还没有评价维度"]
    for dimension in dimensions:
        weights = [indicator.weight for indicator in dimension.indicators.all()]
        if not weights:
            problems.append(f"维度“{dimension.name}”还没有指标")
        elif sum(weights) != dimension.points:
            problems.append(f"维度“{dimension.name}”的指标分值合计 {sum(weights)} 分，应等于维度分值 {dimension.points} 分")
    total = sum(dimension.points for dimension in dimensions)
    if dimensions and total != scheme.total_points:
        problems.append(f"各维度分值合计 {total} 分，应等于方案总分 {scheme.total_points} 分")
    if not scheme.grades:
        problems.append("还没有设置等级线")
    elif any(line > scheme.total_points for _, line in scheme.grades):
        problems.append(f"等级线不能高于方案总分 {scheme.total_points} 分")
    return problems


# ---------------------------------------------------------------- checks shared by the writes


def _scheme_for_change(actor, scheme_id, *, scoring: bool) -> AssessmentScheme:
    """The scheme, row-locked against a union's submission in the same instant; scoring changes need it unlocked."""
    scheme = AssessmentScheme.objects.select_for_update(of=("self",)).restrict_get(actor, MANAGE, scheme_id)
    if scoring:
        _require_scoring_editable(scheme)
    return scheme


def _require_unlocked(scheme: AssessmentScheme) -> None:
    if submitted_count(scheme):
        _fail(LOCKED_MESSAGE, "locked")


def _require_scoring_editable(scheme: AssessmentScheme) -> None:
    _require_unlocked(scheme)
    if scheme.published_at is not None:
        _fail("方案已发布：请先撤回发布，修改后再重新发布", "published")


def _part_for_change(actor, model, item_id):
    """A dimension or indicator, with its scheme locked and open for scoring changes."""
    seen = model.objects.restrict_get(actor, MANAGE, item_id)
    scheme = _scheme_for_change(actor, seen.scheme_id, scoring=True)
    item = model.objects.filter(pk=seen.pk).first()  # read again under the scheme's lock
    if item is None:
        raise NotFound()
    item.scheme = scheme
    return item


def _name(value: str, *, label: str, limit: int, field: str = "name") -> str:
    return inputs.required_text(value, label=label, limit=limit, prefix=PREFIX, field=field)


def _points(value: int | None, *, label: str, upper: int, field: str = "points") -> int:
    if value is None or not 1 <= value <= upper:
        _fail(f"{label}应为 1 到 {upper} 之间的整数", "points", field)
    return value


def _grades(rows: list[tuple[str, int | None]], total: int) -> list[list]:
    """Bands from the highest line down; a row left entirely blank is no band."""
    bands = [((name or "").strip(), line) for name, line in rows if (name or "").strip() or line is not None]
    if not bands:
        _fail("请至少设置一档等级线，如“合格 60”", "grades", "grades")
    if len(bands) > MAX_GRADES:
        _fail(f"等级线最多 {MAX_GRADES} 档", "grades", "grades")
    for name, line in bands:
        if not name:
            _fail(f"分数线 {line} 分缺少等级名称", "grade_name", "grades")
        if len(name) > 10:
            _fail(f"等级名称“{name}”不能超过 10 个字", "grade_name", "grades")
        if name == "不合格":
            _fail("“不合格”是低于最低一档的结果，不用设置", "grade_name", "grades")
        if line is None or not 1 <= line <= total:
            _fail(f"“{name}”的分数线应在 1 到 {total} 分之间（方案总分 {total} 分）", "grade_line", "grades")
    if len({name for name, _ in bands}) < len(bands):
        _fail("等级名称不能重复", "grade_name", "grades")
    if len({line for _, line in bands}) < len(bands):
        _fail("两档等级的分数线不能相同", "grade_line", "grades")
    return [[name, line] for name, line in sorted(bands, key=lambda band: band[1], reverse=True)]


def _next_position(items: QuerySet) -> int:
    last = items.aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def _move(items: QuerySet, item, step: int) -> bool:
    """Swap an item with its neighbour and renumber the run, so positions stay 0..n-1 whatever came before."""
    ordered = list(items)
    index = next(i for i, other in enumerate(ordered) if other.pk == item.pk)
    target = index + step
    if not 0 <= target < len(ordered):
        return False
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, other in enumerate(ordered):
        other.position = position
    type(item).objects.bulk_update(ordered, ["position"])
    return True


def _audit(actor, scheme: AssessmentScheme, change: str, data: dict) -> None:
    audit_log(actor=actor, action=f"orgs.assessment_scheme.{change}", obj=scheme, org_path=scheme.owner.path, data=data)


# ---------------------------------------------------------------- the scheme


@transaction.atomic
def scheme_create(*, actor, owner: Org, name: str, year: int | None, template: str = BLANK,
                  copy_from: AssessmentScheme | None = None) -> AssessmentScheme:
    """A draft: blank, from the 珠海 seven-dimension template (one indicator per dimension), or a copy of a scheme
    the actor can see (its settings, dimensions and indicators; nothing of its assessments)."""
    if manage_depth(actor, owner) is None:
        raise NotFound()
    if owner.type not in OWNER_TYPES:
        _fail("评价方案由省、市、区/县、街道/镇总工会、功能区工会或产业工会发布", "owner_type", "owner")
    if copy_from is not None:
        if not scheme_list(actor=actor).filter(pk=copy_from.pk).exists():
            raise NotFound()
        outline = [(d.name, d.points, [(i.name, i.weight) for i in d.indicators.all()])
                   for d in copy_from.dimensions.prefetch_related("indicators")]
        settings = {"total_points": copy_from.total_points, "min_headcount": copy_from.min_headcount,
                    "ownerships": copy_from.ownerships, "grades": copy_from.grades}
        default_name = copy_from.name
    elif template == ZHUHAI:
        outline = [(dimension, points, [(f"{dimension}工作成效", points)]) for dimension, points in ZHUHAI_DIMENSIONS]
        settings = {"ownerships": [Ownership.NON_PUBLIC], "grades": DEFAULT_GRADES}
        default_name = ZHUHAI_NAME
    elif template == BLANK:
        outline, settings, default_name = [], {"grades": DEFAULT_GRADES}, ""
    else:
        _fail("请选择新建方式", "template", "source")
    scheme = AssessmentScheme.objects.create(owner=owner, name=_name(name or default_name, label="方案名称", limit=100),
                                             year=inputs.year(year, prefix=PREFIX), **settings)
    for position, (dimension_name, points, indicators) in enumerate(outline):
        dimension = AssessmentDimension.objects.create(scheme=scheme, name=dimension_name, points=points, position=position)
        AssessmentIndicator.objects.bulk_create([
            AssessmentIndicator(scheme=scheme, dimension=dimension, name=indicator_name, weight=weight, position=index)
            for index, (indicator_name, weight) in enumerate(indicators)
        ])
    _audit(actor, scheme, "created", {"template": template if copy_from is None else "copy",
                                      "copied_from": copy_from.pk if copy_from else None})
    return scheme


@transaction.atomic
def scheme_update(*, actor, scheme_id, settings: SchemeSettings) -> AssessmentScheme:
    """Name, year, eligibility and 接受申报 may change any time; total and grade lines only while scoring is editable."""
    scheme = _scheme_for_change(actor, scheme_id, scoring=False)
    total = _points(settings.total_points, label="方案总分", upper=MAX_TOTAL, field="total_points")
    if settings.min_headcount is None or not 0 <= settings.min_headcount <= MAX_HEADCOUNT:
        _fail(f"参评单位最少职工人数应为 0 到 {MAX_HEADCOUNT} 之间的整数", "headcount", "min_headcount")
    if set(settings.ownerships) - set(Ownership.values):
        _fail("请选择列表中的经济类型", "ownerships", "ownerships")
    values = {
        "name": _name(settings.name, label="方案名称", limit=100),
        "year": inputs.year(settings.year, prefix=PREFIX),
        "total_points": total,
        "min_headcount": settings.min_headcount,
        "ownerships": [value for value in Ownership.values if value in settings.ownerships],
        "grades": _grades(settings.grades, total),
        "is_open": settings.is_open,
    }
    shown = scheme_settings(scheme)
    current = {**vars(shown), "grades": [list(band) for band in shown.grades]}
    changed = {field: value for field, value in values.items() if current[field] != value}
    if {"total_points", "grades"} & changed.keys():
        _require_scoring_editable(scheme)
    if changed:
        before = {field: current[field] for field in changed}
        for field, value in changed.items():
            setattr(scheme, field, value)
        scheme.save(update_fields=[*changed, "updated_at"])
        _audit(actor, scheme, "updated", {"before": before, "after": changed})
    return scheme


@transaction.atomic
def scheme_publish(*, actor, scheme_id) -> AssessmentScheme:
    scheme = _scheme_for_change(actor, scheme_id, scoring=False)
    if scheme.published_at is not None:
        _fail("方案已发布", "published")
    problems = scheme_problems(scheme)
    if problems:
        _fail("还不能发布：" + "；".join(problems), "not_ready")
    scheme.published_at = timezone.now()
    scheme.save(update_fields=["published_at", "updated_at"])
    _audit(actor, scheme, "published", {"total_points": scheme.total_points, "dimensions": scheme.dimensions.count(),
                                        "indicators": scheme.indicators.count()})
    return scheme


@transaction.atomic
def scheme_unpublish(*, actor, scheme_id) -> AssessmentScheme:
    """Back to a draft for changes; refused once a union has submitted (unions that only started can wait)."""
    scheme = _scheme_for_change(actor, scheme_id, scoring=False)
    if scheme.published_at is None:
        _fail("方案尚未发布", "draft")
    _require_unlocked(scheme)
    scheme.published_at = None
    scheme.save(update_fields=["published_at", "updated_at"])
    _audit(actor, scheme, "unpublished", {})
    return scheme


@transaction.atomic
def scheme_delete(*, actor, scheme_id) -> None:
    """A draft nobody took part in, with its dimensions and indicators (see `scheme_delete_refusal`)."""
    scheme = _scheme_for_change(actor, scheme_id, scoring=False)
    refusal = scheme_delete_refusal(scheme)
    if refusal:
        _fail(*refusal)
    outline = {dimension.name: [indicator.name for indicator in dimension.indicators.all()]
               for dimension in scheme.dimensions.prefetch_related("indicators")}
    # Audited first: once deleted, the scheme has no pk for the event to name.
    _audit(actor, scheme, "deleted", {"name": scheme.name, "year": scheme.year, "dimensions": outline})
    scheme.delete()


# ---------------------------------------------------------------- dimensions and indicators


@transaction.atomic
def dimension_add(*, actor, scheme_id, name: str, points: int | None) -> AssessmentDimension:
    scheme = _scheme_for_change(actor, scheme_id, scoring=True)
    name = _name(name, label="维度名称", limit=50)
    points = _points(points, label="维度分值", upper=scheme.total_points)
    if scheme.dimensions.filter(name=name).exists():
        _fail(f"已有名为“{name}”的维度", "dimension_taken", "name")
    dimension = AssessmentDimension.objects.create(scheme=scheme, name=name, points=points, position=_next_position(scheme.dimensions))
    _audit(actor, scheme, "dimension_added", {"dimension": dimension.pk, "name": name, "points": points})
    return dimension


@transaction.atomic
def dimension_update(*, actor, dimension_id, name: str, points: int | None) -> AssessmentDimension:
    dimension = _part_for_change(actor, AssessmentDimension, dimension_id)
    name = _name(name, label="维度名称", limit=50)
    points = _points(points, label="维度分值", upper=dimension.scheme.total_points)
    if dimension.scheme.dimensions.filter(name=name).exclude(pk=dimension.pk).exists():
        _fail(f"已有名为“{name}”的维度", "dimension_taken", "name")
    before = {"name": dimension.name, "points": dimension.points}
    dimension.name, dimension.points = name, points
    dimension.save(update_fields=["name", "points"])
    _audit(actor, dimension.scheme, "dimension_updated", {"dimension": dimension.pk, "before": before, "after": {"name": name, "points": points}})
    return dimension


@transaction.atomic
def dimension_remove(*, actor, dimension_id) -> None:
    """The dimension and its indicators (only reachable while nobody has scored against them)."""
    dimension = _part_for_change(actor, AssessmentDimension, dimension_id)
    indicators = list(dimension.indicators.values_list("name", flat=True))
    dimension.delete()
    _audit(actor, dimension.scheme, "dimension_removed", {"dimension": int(dimension_id), "name": dimension.name, "indicators": indicators})


@transaction.atomic
def dimension_move(*, actor, dimension_id, step: int) -> bool:
    dimension = _part_for_change(actor, AssessmentDimension, dimension_id)
    moved = _move(dimension.scheme.dimensions.all(), dimension, step)
    if moved:
        _audit(actor, dimension.scheme, "dimension_moved", {"dimension": dimension.pk, "step": step})
    return moved


@transaction.atomic
def indicator_add(*, actor, dimension_id, name: str, points: int | None) -> AssessmentIndicator:
    dimension = _part_for_change(actor, AssessmentDimension, dimension_id)
    name = _name(name, label="指标名称", limit=200)
    points = _points(points, label="指标分值", upper=dimension.points)
    indicator = AssessmentIndicator.objects.create(scheme=dimension.scheme, dimension=dimension, name=name, weight=points,
                                                   position=_next_position(dimension.indicators))
    _audit(actor, dimension.scheme, "indicator_added", {"indicator": indicator.pk, "dimension": dimension.name, "name": name, "points": points})
    return indicator


@transaction.atomic
def indicator_update(*, actor, indicator_id, name: str, points: int | None) -> AssessmentIndicator:
    indicator = _part_for_change(actor, AssessmentIndicator, indicator_id)
    name = _name(name, label="指标名称", limit=200)
    points = _points(points, label="指标分值", upper=indicator.dimension.points)
    before = {"name": indicator.name, "points": indicator.weight}
    indicator.name, indicator.weight = name, points
    indicator.save(update_fields=["name", "weight"])
    _audit(actor, indicator.scheme, "indicator_updated", {"indicator": indicator.pk, "before": before, "after": {"name": name, "points": points}})
    return indicator


@transaction.atomic
def indicator_remove(*, actor, indicator_id) -> None:
    indicator = _part_for_change(actor, AssessmentIndicator, indicator_id)
    indicator.delete()
    _audit(actor, indicator.scheme, "indicator_removed", {"indicator": int(indicator_id), "name": indicator.name})


@transaction.atomic
def indicator_move(*, actor, indicator_id, step: int) -> bool:
    indicator = _part_for_change(actor, AssessmentIndicator, indicator_id)
    moved = _move(indicator.dimension.indicators.all(), indicator, step)
    if moved:
        _audit(actor, indicator.scheme, "indicator_moved", {"indicator": indicator.pk, "step": step})
    return moved
