"""Pages of the grassroots-union assessment (星级评定): schemes with their ranking, one union's history, and the
assessment page where each step is taken. A step the service refuses comes back on the same page with what was
typed (scores, notes, choices) and the message beside the input; nothing was saved."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.core.permissions import workbench_required
from gonghui.core.uploads import download_response
from gonghui.core.views import form_add_application_error, is_htmx, paginate, posted_int
from gonghui.orgs import assessment as service
from gonghui.orgs import assessment_schemes, improvements, selectors
from gonghui.orgs.forms import EvidenceUploadForm, ImprovementReportForm, ImprovementReviewForm
from gonghui.orgs.models import AssessmentStatus, CultivationLevel


@workbench_required
def scheme_index(request):
    q, year = request.GET.get("q", ""), posted_int(request.GET.get("year")) or None
    schemes = service.scheme_list(actor=request.user, q=q, year=year)
    years = service.scheme_list(actor=request.user).order_by("-year").values_list("year", flat=True).distinct()
    page = paginate(request, schemes, per_page=20)
    editable = assessment_schemes.scheme_editable(actor=request.user).filter(pk__in=[scheme.pk for scheme in page])
    return render(request, "orgs/assessment_schemes.html", {"page": page, "years": years, "q": q, "year": year,
                                                            "editable": set(editable.values_list("pk", flat=True))})



@workbench_required
@require_http_methods(["GET", "POST"])
def scheme_detail(request, scheme_id: int):
    """The scheme, its ranking (or the unions without a 名次) narrowed to one area or a name, and the 参评 form."""
    scheme = service.scheme_get_for(actor=request.user, scheme_id=scheme_id)
    union_code, join_error = "", ""
    if request.method == "POST":
        union_code = request.POST.get("union_code", "").strip()
        try:
            union = selectors.org_get_by_code_for(actor=request.user, code=union_code)
            started = service.assessment_start(actor=request.user, scheme=scheme, union=union)
        except PermissionDenied:
            raise
        except ApplicationError as exc:  # a mistyped or foreign code included: it is what was typed, not a link
            join_error = exc.message
        else:
            messages.success(request, f"{union.name}已参评")
            return redirect("assessments:detail", assessment_id=started.pk)
    within = selectors.org_within(actor=request.user, org_id=request.GET.get("within"))
    q, show = request.GET.get("q", ""), request.GET.get("show", "")
    ranked = service.ranking(actor=request.user, scheme=scheme, within=within, q=q)
    others = service.unranked(actor=request.user, scheme=scheme, within=within, q=q)
    return render(request, "orgs/assessment_scheme.html", {
        "scheme": scheme, "page": paginate(request, others if show == "others" else ranked, per_page=20),
        "show": show, "ranked_count": ranked.count(), "others_count": others.count(), "q": q, "within": within,
        "areas": service.ranking_areas(actor=request.user, scheme=scheme), "union_code": union_code, "join_error": join_error,
        "editable": assessment_schemes.scheme_editable(actor=request.user).filter(pk=scheme.pk).exists(),
    })


@workbench_required
def union_history(request, union_id: int):
    """评价历史: one union's assessments across schemes and years."""
    union = selectors.org_get_for(actor=request.user, org_id=union_id)
    return render(request, "orgs/assessment_union.html", {"union": union,
                                                          "assessments": service.union_assessments(actor=request.user, union=union)})


def _evidence_context(request, item, *, indicators, upload_form: EvidenceUploadForm | None = None) -> dict:
    """What the 佐证材料 section shows, on the page and as the fragment an htmx upload or removal gets back."""
    can_fill = service.can_fill(actor=request.user, assessment=item)
    return {"a": item, "can_fill": can_fill, "files": service.evidence_list(actor=request.user, assessment=item),
            "upload_form": upload_form or (EvidenceUploadForm(indicators=indicators) if can_fill else None)}


def _task_rows(request, item, *, bound: dict) -> list[dict]:
    """Each 整改 task with its time left and the forms the actor may use; `bound` holds a refused form as typed."""
    reporter, reviewer = improvements.sides(actor=request.user, union=item.union)
    rows = []
    for timing in improvements.improvement_timing(item.tasks.select_related("done_by", "reviewed_by")):
        task = timing.task
        can_report = improvements.can_report(task, reporter=reporter)
        can_review = improvements.can_review(task, actor=request.user, reviewer=reviewer)
        rows.append({
            "t": task, "overdue": timing.overdue, "days_left": timing.days_left,
            "report_form": bound.get(("report", task.pk)) or (ImprovementReportForm(prefix=f"task-{task.pk}",
                                                                                   initial={"note": task.done_note}) if can_report else None),
            "review_form": bound.get(("review", task.pk)) or (ImprovementReviewForm(prefix=f"task-{task.pk}") if can_review else None),
        })
    return rows


def _detail(request, item, *, upload_form: EvidenceUploadForm | None = None, posted=None, errors: dict | None = None,
            bound: dict | None = None):
    """The assessment page. After a refused step, `posted` refills every input with what was sent and `errors` puts
    the service's message beside its input."""
    posted, errors = posted or {}, errors or {}
    indicators = list(item.scheme.indicators.select_related("dimension"))
    for indicator in indicators:
        indicator.self_score = item.self_scores.get(str(indicator.pk), "")
        indicator.review_score = item.review_scores.get(str(indicator.pk), "")
        indicator.input_value = posted.get(f"score_{indicator.pk}", indicator.self_score)
        indicator.error = " ".join(errors.get(f"score_{indicator.pk}", []))
    grade = service.grade_for(item.scheme, item.total) if item.status == AssessmentStatus.RECOMMENDED else ""
    return render(request, "orgs/assessment_detail.html", {
        **_evidence_context(request, item, indicators=indicators, upload_form=upload_form),
        "indicators": indicators, "levels": CultivationLevel.choices, "errors": {key: " ".join(value) for key, value in errors.items()},
        "typed": {"evidence": posted.get("evidence", item.evidence), "comment": posted.get("comment", ""),
                  "stars": posted.get("stars", ""), "level": posted.get("level", ""),
                  "improvement_days": posted.get("improvement_days", service.DEFAULT_IMPROVEMENT_DAYS)},
        "grade": grade, "fails": grade == service.FAIL_GRADE, "tasks": _task_rows(request, item, bound=bound or {}),
        "step": service.next_step_for(actor=request.user, assessment=item),
        "today": timezone.localdate(),
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



@workbench_required
@require_POST
def assessment_act(request, assessment_id: int):
    item = service.ranking_item(actor=request.user, assessment_id=assessment_id)
    step, post = request.POST.get("step"), request.POST
    scores = {key.removeprefix("score_"): value for key, value in post.items() if key.startswith("score_")}
    actions = {
        "submit": (lambda: service.assessment_submit(actor=request.user, assessment_id=item.pk, scores=scores,
                                                     evidence=post.get("evidence", "")), "已提交自主申报"),
        "recommend": (lambda: service.assessment_recommend(actor=request.user, assessment_id=item.pk, recommend=True,
                                                           comment=post.get("comment", ""), scores=scores or None), "已推优"),
        "decline": (lambda: service.assessment_recommend(actor=request.user, assessment_id=item.pk, recommend=False,
                                                         comment=post.get("comment", "")), "已标记为未推荐"),
        "return": (lambda: service.assessment_recommend(actor=request.user, assessment_id=item.pk, recommend=None,
                                                        comment=post.get("comment", "")), "已退回修改"),
        "award": (lambda: service.assessment_award(actor=request.user, assessment_id=item.pk, stars=posted_int(post.get("stars")),
                                                   level=post.get("level", ""), improvement_days=posted_int(post.get("improvement_days"))),
                  "已评定"),
    }
    if step not in actions:
        raise NotFound()
    action, success = actions[step]
    try:
        action()
    except (NotFound, PermissionDenied):
        raise  # rendered as 404/403 pages
    except ApplicationError as exc:
        messages.error(request, f"未提交：{exc.message}" if exc.fields else exc.message)
        return _detail(request, item, posted=post, errors=exc.fields)
    messages.success(request, success)
    return redirect("assessments:detail", assessment_id=item.pk)


# ---------------------------------------------------------------- 激励整改


@workbench_required
def improvement_index(request):
    """整改 tasks in the cadre's subtree: open first, soonest due first, overdue ones marked, with working days left."""
    state, q, year = request.GET.get("state", ""), request.GET.get("q", ""), posted_int(request.GET.get("year")) or None
    within = selectors.org_within(actor=request.user, org_id=request.GET.get("within"))
    page = paginate(request, improvements.improvement_list(actor=request.user, state=state, q=q, year=year, within=within), per_page=25)
    today = timezone.localdate()
    rows = [{"t": timing.task, "overdue": timing.overdue, "days_left": timing.days_left}
            for timing in improvements.improvement_timing(page, today=today)]
    return render(request, "orgs/improvement_list.html", {
        "page": page, "rows": rows, "states": improvements.STATES, "state": state, "q": q, "year": year, "within": within,
        "years": improvements.improvement_years(actor=request.user), "areas": improvements.improvement_areas(actor=request.user),
        "today": today,
    })


@workbench_required
@require_POST
def improvement_act(request, task_id: int):
    """报告完成 (the union), 确认销号 or 退回 (the reviewer); a refusal comes back with that task's form as typed."""
    task = improvements.improvement_get_for(actor=request.user, task_id=task_id)
    op = request.POST.get("op")
    if op not in ("report", "confirm", "reopen"):
        raise NotFound()
    prefix = f"task-{task.pk}"
    form = (ImprovementReportForm(request.POST, request.FILES, prefix=prefix) if op == "report"
            else ImprovementReviewForm(request.POST, prefix=prefix))
    if form.is_valid():
        try:
            if op == "report":
                improvements.improvement_report_done(actor=request.user, task_id=task.pk, note=form.cleaned_data["note"],
                                                     upload=form.cleaned_data["file"])
            else:
                improvements.improvement_review(actor=request.user, task_id=task.pk, confirm=op == "confirm", note=form.cleaned_data["note"])
        except (NotFound, PermissionDenied):
            raise
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            messages.success(request, {"report": "已报告整改完成，等待区总确认", "confirm": "已确认销号", "reopen": "已退回继续整改"}[op])
            return redirect(f"{reverse('assessments:detail', kwargs={'assessment_id': task.assessment_id})}#task-{task.pk}")
    messages.error(request, "未提交：请按提示修改后再提交")
    item = service.ranking_item(actor=request.user, assessment_id=task.assessment_id)
    return _detail(request, item, bound={("report" if op == "report" else "review", task.pk): form})


@workbench_required
def improvement_evidence(request, task_id: int):
    task = improvements.evidence_open(actor=request.user, task_id=task_id)
    return download_response(task.evidence, filename=task.evidence_name)
