"""Pages of the grassroots-union assessment (星级评定)."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.core.permissions import workbench_required
from gonghui.orgs import assessment as service
from gonghui.orgs import selectors
from gonghui.orgs.models import AssessmentScheme, CultivationLevel


def _scheme(request, scheme_id) -> AssessmentScheme:
    scheme = service.scheme_list(actor=request.user).filter(pk=scheme_id).first()
    if scheme is None:
        raise NotFound("方案不存在或不在您的管辖范围内")
    return scheme


def _run(request, action, success: str):
    try:
        result = action()
    except (NotFound, PermissionDenied):
        raise  # rendered as 404/403 pages
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, success)
    return result


@workbench_required
@require_http_methods(["GET", "POST"])
def scheme_index(request):
    if request.method == "POST":
        owner = selectors.org_get_for(actor=request.user, org_id=request.POST.get("owner"))
        scheme = _run(request, lambda: service.scheme_create_zhuhai(actor=request.user, owner=owner, year=timezone.localdate().year),
                      "已创建七维度评价方案")
        if scheme:
            return redirect("assessments:scheme", scheme_id=scheme.pk)
    return render(request, "orgs/assessment_schemes.html", {"schemes": service.scheme_list(actor=request.user),
                                                            "roots": list(selectors.org_roots_for(actor=request.user))})


@workbench_required
@require_http_methods(["GET", "POST"])
def scheme_detail(request, scheme_id: int):
    scheme = _scheme(request, scheme_id)
    if request.method == "POST":
        union = selectors.org_get_by_code_for(actor=request.user, code=request.POST.get("union_code", ""))
        started = _run(request, lambda: service.assessment_start(actor=request.user, scheme=scheme, union=union), f"{union.name}已参评")
        if started:
            return redirect("assessments:detail", assessment_id=started.pk)
    return render(request, "orgs/assessment_scheme.html", {"scheme": scheme, "ranking": service.ranking(actor=request.user, scheme=scheme)})


@workbench_required
def assessment_detail(request, assessment_id: int):
    item = service.ranking_item(actor=request.user, assessment_id=assessment_id)
    indicators = list(item.scheme.indicators.all())
    for indicator in indicators:
        indicator.self_score = item.self_scores.get(str(indicator.pk), "")
        indicator.review_score = item.review_scores.get(str(indicator.pk), "")
    return render(request, "orgs/assessment_detail.html", {"a": item, "indicators": indicators, "levels": CultivationLevel.choices})


def _int(value) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdecimal() else 0


@workbench_required
@require_POST
def assessment_act(request, assessment_id: int):
    step = request.POST.get("step")
    scores = {key.removeprefix("score_"): value for key, value in request.POST.items() if key.startswith("score_")}
    actions = {
        "submit": (lambda: service.assessment_submit(actor=request.user, assessment_id=assessment_id, scores=scores,
                                                     evidence=request.POST.get("evidence", "")), "已提交自主申报"),
        "recommend": (lambda: service.assessment_recommend(actor=request.user, assessment_id=assessment_id, recommend=True,
                                                           comment=request.POST.get("comment", ""), scores=scores or None), "已推优"),
        "decline": (lambda: service.assessment_recommend(actor=request.user, assessment_id=assessment_id, recommend=False,
                                                         comment=request.POST.get("comment", "")), "已标记为未推荐"),
        "return": (lambda: service.assessment_recommend(actor=request.user, assessment_id=assessment_id, recommend=None,
                                                        comment=request.POST.get("comment", "")), "已退回修改"),
        "award": (lambda: service.assessment_award(actor=request.user, assessment_id=assessment_id,
                                                   stars=_int(request.POST.get("stars")), level=request.POST.get("level", "")), "已评定"),
    }
    if step not in actions:
        raise NotFound()
    action, success = actions[step]
    _run(request, action, success)
    return redirect("assessments:detail", assessment_id=assessment_id)
