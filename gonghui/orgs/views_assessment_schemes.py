"""The scheme editor pages (评价方案): create, settings, dimensions and indicators, publication, deleting a draft.

Each change posts one small form and comes back to the editor. When the service refuses, the editor is shown
again with that row's form as the user typed it and the message beside it; nothing was saved.
"""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.core.permissions import workbench_required
from gonghui.core.views import form_add_application_error
from gonghui.orgs import assessment
from gonghui.orgs import assessment_schemes as service
from gonghui.orgs.forms import PointsItemForm, SchemeCreateForm, SchemeSettingsForm

STEPS = {"up": -1, "down": 1}


def _settings_form(data=None, *, scheme):
    settings = service.scheme_settings(scheme)
    return SchemeSettingsForm(data, initial=SchemeSettingsForm.initial_from(settings), grade_rows=max(service.MAX_GRADES, len(settings.grades)))


def _editor(request, scheme, *, bound: dict | None = None):
    """The editor; `bound` holds the one form that was refused, under its row's key, so what the user typed stays."""
    bound = bound or {}
    loaded = list(scheme.dimensions.prefetch_related("indicators"))
    dimensions = [
        {
            "dimension": dimension,
            "form": bound.get(f"dimension-{dimension.pk}") or PointsItemForm(initial={"name": dimension.name, "points": dimension.points}),
            "indicators": [(indicator, bound.get(f"indicator-{indicator.pk}")
                            or PointsItemForm(initial={"name": indicator.name, "points": indicator.weight}))
                           for indicator in dimension.indicators.all()],
            "indicator_total": sum(indicator.weight for indicator in dimension.indicators.all()),
            "new_indicator": bound.get(f"new-indicator-{dimension.pk}") or PointsItemForm(),
        }
        for dimension in loaded
    ]
    submitted = service.submitted_count(scheme)
    scoring_editable = not submitted and scheme.published_at is None
    settings_form = bound.get("settings") or _settings_form(scheme=scheme)
    if not scoring_editable:
        settings_form.lock_scoring()
    return render(request, "orgs/assessment_scheme_edit.html", {
        "scheme": scheme,
        "settings_form": settings_form,
        "dimensions": dimensions,
        "dimension_total": sum(row["dimension"].points for row in dimensions),
        "new_dimension": bound.get("new-dimension") or PointsItemForm(),
        "problems": service.scheme_problems(scheme, loaded),
        "submitted": submitted,
        "scoring_editable": scoring_editable,
        "rows_readonly": not scoring_editable,
        "deletable": service.scheme_delete_refusal(scheme) is None,
    })


def _change(request, scheme, *, key: str, action, success: str, form=None, done: str | None = None):
    """Run one change: on to `done` (by default the editor at the changed part) when it works; the editor with the
    error when not."""
    if form is not None and not form.is_valid():
        messages.error(request, "未保存：请按提示修改后再提交")
    else:
        try:
            action(form.cleaned_data if form is not None else None)
        except (NotFound, PermissionDenied):
            raise
        except ApplicationError as exc:
            messages.error(request, exc.message)
            if form is None:
                return redirect("assessments:scheme_edit", scheme_id=scheme.pk)
            form_add_application_error(form, exc)
        else:
            messages.success(request, success)
            return redirect(done or f"{reverse('assessments:scheme_edit', kwargs={'scheme_id': scheme.pk})}#{key}")
    return _editor(request, scheme, bound={key: form})


@workbench_required
@require_http_methods(["GET", "POST"])
def scheme_create(request):
    visible = assessment.scheme_list(actor=request.user)
    sources = list(service.TEMPLATES.items()) + [(f"copy-{scheme.pk}", f"复制：{scheme}（{scheme.owner.name}）") for scheme in visible]
    owners = service.scheme_owner_choices(actor=request.user)
    form = SchemeCreateForm(request.POST or None, owners=owners, sources=sources,
                            initial={"year": timezone.localdate().year, "source": service.ZHUHAI})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        source = data["source"]
        try:
            owner = owners.get(pk=data["owner"])
            copy_from = visible.get(pk=source.removeprefix("copy-")) if source.startswith("copy-") else None
            scheme = service.scheme_create(actor=request.user, owner=owner, name=data["name"], year=data["year"],
                                           template=source, copy_from=copy_from)
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            messages.success(request, f"已创建方案草稿：{scheme}")
            return redirect("assessments:scheme_edit", scheme_id=scheme.pk)
    return render(request, "orgs/assessment_scheme_new.html", {"form": form})


@workbench_required
@require_http_methods(["GET", "POST"])
def scheme_edit(request, scheme_id: int):
    scheme = service.scheme_get_for_edit(actor=request.user, scheme_id=scheme_id)
    if request.method == "GET":
        return _editor(request, scheme)
    form = _settings_form(request.POST, scheme=scheme)

    def save(data):
        settings = service.SchemeSettings(name=data["name"], year=data["year"], total_points=data["total_points"],
                                          min_headcount=data["min_headcount"], ownerships=data["ownerships"],
                                          grades=form.grades(), is_open=data["is_open"])
        service.scheme_update(actor=request.user, scheme_id=scheme.pk, settings=settings)

    return _change(request, scheme, key="settings", form=form, action=save, success="已保存方案设置")


@workbench_required
@require_POST
def scheme_publication(request, scheme_id: int):
    scheme = service.scheme_get_for_edit(actor=request.user, scheme_id=scheme_id)
    publish = request.POST.get("op") == "publish"
    change = service.scheme_publish if publish else service.scheme_unpublish
    return _change(request, scheme, key="publication", action=lambda _: change(actor=request.user, scheme_id=scheme.pk),
                   success="方案已发布，企业工会可以参评" if publish else "已撤回发布，方案回到草稿状态")


@workbench_required
@require_POST
def scheme_delete(request, scheme_id: int):
    scheme = service.scheme_get_for_edit(actor=request.user, scheme_id=scheme_id)
    return _change(request, scheme, key="publication", action=lambda _: service.scheme_delete(actor=request.user, scheme_id=scheme.pk),
                   success=f"已删除方案草稿：{scheme}", done=reverse("assessments:schemes"))


@workbench_required
@require_POST
def dimension_add(request, scheme_id: int):
    scheme = service.scheme_get_for_edit(actor=request.user, scheme_id=scheme_id)
    return _change(request, scheme, key="new-dimension", form=PointsItemForm(request.POST), success="已添加维度",
                   action=lambda data: service.dimension_add(actor=request.user, scheme_id=scheme.pk, **data))


@workbench_required
@require_POST
def dimension_change(request, dimension_id: int):
    dimension = service.dimension_get_for_edit(actor=request.user, dimension_id=dimension_id)
    op, key = request.POST.get("op", "save"), f"dimension-{dimension.pk}"
    if op in STEPS:
        return _change(request, dimension.scheme, key=key, success="已调整维度顺序",
                       action=lambda _: service.dimension_move(actor=request.user, dimension_id=dimension.pk, step=STEPS[op]))
    if op == "delete":
        return _change(request, dimension.scheme, key="dimensions", success=f"已删除维度“{dimension.name}”及其指标",
                       action=lambda _: service.dimension_remove(actor=request.user, dimension_id=dimension.pk))
    return _change(request, dimension.scheme, key=key, form=PointsItemForm(request.POST), success="已保存维度",
                   action=lambda data: service.dimension_update(actor=request.user, dimension_id=dimension.pk, **data))


@workbench_required
@require_POST
def indicator_add(request, dimension_id: int):
    dimension = service.dimension_get_for_edit(actor=request.user, dimension_id=dimension_id)
    return _change(request, dimension.scheme, key=f"new-indicator-{dimension.pk}", form=PointsItemForm(request.POST), success="已添加指标",
                   action=lambda data: service.indicator_add(actor=request.user, dimension_id=dimension.pk, **data))


@workbench_required
@require_POST
def indicator_change(request, indicator_id: int):
    indicator = service.indicator_get_for_edit(actor=request.user, indicator_id=indicator_id)
    op, key = request.POST.get("op", "save"), f"indicator-{indicator.pk}"
    if op in STEPS:
        return _change(request, indicator.scheme, key=key, success="已调整指标顺序",
                       action=lambda _: service.indicator_move(actor=request.user, indicator_id=indicator.pk, step=STEPS[op]))
    if op == "delete":
        return _change(request, indicator.scheme, key=f"dimension-{indicator.dimension_id}", success=f"已删除指标“{indicator.name}”",
                       action=lambda _: service.indicator_remove(actor=request.user, indicator_id=indicator.pk))
    return _change(request, indicator.scheme, key=key, form=PointsItemForm(request.POST), success="已保存指标",
                   action=lambda data: service.indicator_update(actor=request.user, indicator_id=indicator.pk, **data))
