"""Pages of the grassroots-union assessment (星级评定)."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.core.permissions import workbench_required
from gonghui.core.uploads import download_response
from gonghui.core.views import form_add_application_error, is_htmx, paginate
from gonghui.orgs import assessment as service
from gonghui.orgs import assessment_schemes, selectors
from gonghui.orgs.forms import EvidenceUploadForm
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
def scheme_index(request):
    q, year = request.GET.get("q", ""), _int(request.GET.get("year")) or None
    schemes = service.scheme_list(actor=request.user, q=q, year=year)
    years = service.scheme_list(actor=request.user).order_by("-year").values_list("year", flat=True).distinct()
    page = paginate(request, schemes, per_page=20)
    editable = assessment_schemes.scheme_editable(actor=request.user).filter(pk__in=[scheme.pk for scheme in page])
    return render(request, "orgs/assessment_schemes.html", {"page": page, "years": years, "q": q, "year": year,
                                                            "editable": set(editable.values_list("pk", flat=True))})


@workbench_required
@require_http_methods(["GET", "POST"])
def scheme_detail(request, scheme_id: int):
    scheme = _scheme(request, scheme_id)
    if request.method == "POST":
        union = selectors.org_get_by_code_for(actor=request.user, code=request.POST.get("union_code", ""))
        started = _run(request, lambda: service.assessment_start(actor=request.user, scheme=scheme, union=union), f"{union.name}已参评")
        if started:
            return redirect("assessments:detail", assessment_id=started.pk)
    return render(request, "orgs/assessment_scheme.html", {
        "scheme": scheme, "ranking": service.ranking(actor=request.user, scheme=scheme),
        "editable": assessment_schemes.scheme_editable(actor=request.user).filter(pk=scheme.pk).exists(),
    })


def _evidence_context(request, item, *, indicators, upload_form: EvidenceUploadForm | None = None) -> dict:
    """What the 佐证材料 section shows, on the page and as the fragment an htmx upload or removal gets back."""
    can_fill = service.can_fill(actor=request.user, assessment=item)
    return {"a": item, "can_fill": can_fill, "files": service.evidence_list(actor=request.user, assessment=item),
            "upload_form": upload_form or (EvidenceUploadForm(indicators=indicators) if can_fill else None)}


def _detail(request, item, *, upload_form: EvidenceUploadForm | None = None):
    indicators = list(item.scheme.indicators.select_related("dimension"))
    for indicator in indicators:
        indicator.self_score = item.self_scores.get(str(indicator.pk), "")
        indicator.review_score = item.review_scores.get(str(indicator.pk), "")
    return render(request, "orgs/assessment_detail.html", {
        **_evidence_context(request, item, indicators=indicators, upload_form=upload_form),
        "indicators": indicators, "levels": CultivationLevel.choices,
    })


def _evidence_answer(request, item, *, success: str = "", error: str = "", form: EvidenceUploadForm | None = None):
    """After an upload or removal. htmx gets the 佐证材料 section alone, so scores typed on the page but not yet
    submitted stay where they are; a plain post (no JavaScript) gets the page: again with the form's errors, or
    back to it with the message."""
    if is_htmx(request):
        context = _evidence_context(request, item, indicators=item.scheme.indicators.select_related("dimension"), upload_form=form)
        return render(request, "orgs/_evidence.html", {**context, "notice": success, "error": error})
    if success:
        messages.success(request, success)
    if error:
        messages.error(request, error)
    if form is not None:
        return _detail(request, item, upload_form=form)
    return redirect("assessments:detail", assessment_id=item.pk)


@workbench_required
def assessment_detail(request, assessment_id: int):
    return _detail(request, service.ranking_item(actor=request.user, assessment_id=assessment_id))


@workbench_required
@require_POST
def evidence_upload(request, assessment_id: int):
    item = service.ranking_item(actor=request.user, assessment_id=assessment_id)
    form = EvidenceUploadForm(request.POST, request.FILES, indicators=item.scheme.indicators.select_related("dimension"))
    if form.is_valid():
        try:
            added = service.evidence_add(actor=request.user, assessment_id=item.pk, uploads=form.cleaned_data["files"],
                                         indicator_id=form.cleaned_data["indicator"] or None)
        except (NotFound, PermissionDenied):
            raise
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            return _evidence_answer(request, item, success=f"已上传 {len(added)} 个佐证材料")
    return _evidence_answer(request, item, error="材料未上传：请按提示修改后重新选择文件", form=form)


@workbench_required
def evidence_download(request, evidence_id: int):
    """The union's files for the union itself and the cadres above who review it; every look is audited."""
    item = service.evidence_open(actor=request.user, evidence_id=evidence_id)
    return download_response(item.file, filename=item.name)


@workbench_required
@require_POST
def evidence_delete(request, assessment_id: int, evidence_id: int):
    item = service.ranking_item(actor=request.user, assessment_id=assessment_id)
    try:
        service.evidence_remove(actor=request.user, assessment_id=item.pk, evidence_id=evidence_id)
    except (NotFound, PermissionDenied):
        raise
    except ApplicationError as exc:
        return _evidence_answer(request, item, error=exc.message)
    return _evidence_answer(request, item, success="已删除佐证材料")


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
