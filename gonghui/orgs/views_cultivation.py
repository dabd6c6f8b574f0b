"""Pages of the 分级培育计划: the list, a new plan, and the plan page where its own cadres set targets, add
candidates and record 验收. When the service refuses, the plan page is shown again with the refused form as the user
typed it and the message beside it; nothing was saved."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.core.permissions import workbench_required
from gonghui.core.spreadsheets import Column, write_xlsx
from gonghui.core.views import form_add_application_error, paginate, posted_int, xlsx_response
from gonghui.orgs import cultivation as service
from gonghui.orgs.forms import CandidateAcceptForm, CultivationPlanForm
from gonghui.orgs.models import CultivationLevel

EXPORT_COLUMNS = (
    Column("union", "企业工会", width=40), Column("code", "组织编码", text=True, width=24), Column("aimed", "培育目标等级"),
    Column("reached", "验收达标等级"), Column("accepted_at", "验收时间", width=20), Column("hint", "最近评定", width=30),
    Column("note", "验收意见", width=30),
)



def _plan_form(plan, data=None) -> CultivationPlanForm:
    return CultivationPlanForm(data, initial={"name": plan.name, "target_basic": plan.target_primary,
                                              "target_intermediate": plan.target_intermediate, "target_advanced": plan.target_advanced})


def export_rows(candidates) -> list[dict]:
    return [{"union": c.union.name, "code": c.union.code, "aimed": c.get_aimed_level_display(), "reached": c.get_reached_level_display(),
             "accepted_at": timezone.localtime(c.accepted_at).strftime("%Y-%m-%d %H:%M") if c.accepted_at else "",
             "hint": service.candidate_hint(c), "note": c.note} for c in candidates]


@workbench_required
def plan_index(request):
    q, year = request.GET.get("q", ""), posted_int(request.GET.get("year")) or None
    page = paginate(request, service.plan_list(actor=request.user, q=q, year=year), per_page=20)
    years = service.plan_list(actor=request.user).order_by("-year").values_list("year", flat=True).distinct()
    return render(request, "orgs/cultivation_plans.html", {"page": page, "years": years, "q": q, "year": year,
                                                          "can_create": service.plan_org_choices(actor=request.user).exists()})


@workbench_required
@require_http_methods(["GET", "POST"])
def plan_create(request):
    orgs = list(service.plan_org_choices(actor=request.user))
    form = CultivationPlanForm(request.POST or None, orgs=orgs, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            org = next((org for org in orgs if str(org.pk) == form.cleaned_data["org"]), None)
            if org is None:
                raise NotFound()
            plan = service.plan_create(actor=request.user, org=org, year=form.cleaned_data["year"], name=form.cleaned_data["name"],
                                       targets=form.targets())
        except ApplicationError as exc:
            form_add_application_error(form, exc, field_map=CultivationPlanForm.FIELD_MAP)
        else:
            messages.success(request, f"已创建培育计划：{plan}")
            return redirect("cultivation:detail", plan_id=plan.pk)
    return render(request, "orgs/cultivation_plan_new.html", {"form": form})


def _detail(request, plan, *, bound: dict | None = None):
    bound = bound or {}
    candidates = list(service.candidate_list(plan=plan))
    can_change = service.plan_can_change(actor=request.user, plan=plan)
    uq = request.GET.get("uq", "")
    rows = [{"c": c, "hint": service.candidate_hint(c), "form": bound.get(f"accept-{c.pk}") or CandidateAcceptForm(initial={"level": c.aimed_level})}
            for c in candidates]
    return render(request, "orgs/cultivation_plan.html", {
        "plan": plan, "rows": rows, "can_change": can_change, "uq": uq,
        "progress": service.plan_progress(plan=plan, candidates=candidates),
        "plan_form": bound.get("plan") or _plan_form(plan),
        "add": bound.get("add") or {"level": CultivationLevel.BASIC, "selected": set(), "error": ""},
        "union_choices": service.union_choices(plan=plan, q=uq) if can_change else [],
        "levels": CultivationLevel.choices,
    })


@workbench_required
def plan_detail(request, plan_id: int):
    plan = service.plan_get_for(actor=request.user, plan_id=plan_id)
    if request.GET.get("export") == "xlsx":
        rows = export_rows(service.candidate_list(plan=plan))
        return xlsx_response(write_xlsx(columns=EXPORT_COLUMNS, rows=rows, sheet_name="培育对象"), filename=f"{plan.name}-培育对象.xlsx")
    return _detail(request, plan)


def _after(request, plan, *, success: str, key: str):
    messages.success(request, success)
    return redirect(f"{reverse('cultivation:detail', kwargs={'plan_id': plan.pk})}#{key}")


@workbench_required
@require_POST
def plan_edit(request, plan_id: int):
    plan = service.plan_get_for(actor=request.user, plan_id=plan_id)
    form = _plan_form(plan, request.POST)
    if form.is_valid():
        try:
            service.plan_update(actor=request.user, plan_id=plan.pk, name=form.cleaned_data["name"], targets=form.targets())
        except (NotFound, PermissionDenied):
            raise
        except ApplicationError as exc:
            form_add_application_error(form, exc, field_map=CultivationPlanForm.FIELD_MAP)
        else:
            return _after(request, plan, success="已保存计划名称和年底目标", key="targets")
    messages.error(request, "未保存：请按提示修改后再提交")
    return _detail(request, plan, bound={"plan": form})


@workbench_required
@require_POST
def candidates_add(request, plan_id: int):
    plan = service.plan_get_for(actor=request.user, plan_id=plan_id)
    union_ids, level = request.POST.getlist("union_ids"), request.POST.get("aimed_level", "")
    try:
        added = service.candidates_add(actor=request.user, plan_id=plan.pk, union_ids=union_ids, aimed_level=level)
    except (NotFound, PermissionDenied):
        raise
    except ApplicationError as exc:
        messages.error(request, "未加入：请按提示修改后再提交")
        return _detail(request, plan, bound={"add": {"level": level, "selected": set(union_ids), "error": exc.message}})
    return _after(request, plan, success=f"已加入 {len(added)} 家培育对象" if added else "所选工会都已在计划中", key="candidates")


@workbench_required
@require_POST
def candidate_act(request, plan_id: int, candidate_id: int):
    """验收, 撤销验收 or 移出 one row; a refused 验收 comes back with that row's form as typed."""
    plan = service.plan_get_for(actor=request.user, plan_id=plan_id)
    form = CandidateAcceptForm(request.POST)
    ops = {
        "accept": (lambda: service.candidate_accept(actor=request.user, candidate_id=candidate_id, level=form.cleaned_data["level"],
                                                    note=form.cleaned_data["note"]), "已记录验收结果"),
        "reopen": (lambda: service.candidate_reopen(actor=request.user, candidate_id=candidate_id), "已撤销验收，该工会回到培育中"),
        "remove": (lambda: service.candidate_remove(actor=request.user, candidate_id=candidate_id), "已移出培育计划"),
    }
    op = request.POST.get("op")
    if op not in ops:
        raise NotFound()
    action, success = ops[op]
    if form.is_valid():
        try:
            action()
        except (NotFound, PermissionDenied):
            raise
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            return _after(request, plan, success=success, key="candidates")
    if op == "accept":
        messages.error(request, "未保存：请按提示修改后再提交")
        return _detail(request, plan, bound={f"accept-{candidate_id}": form})
    messages.error(request, form.non_field_errors()[0])
    return redirect(f"{reverse('cultivation:detail', kwargs={'plan_id': plan.pk})}#candidates")
