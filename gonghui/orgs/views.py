"""Cadre pages of the org tree and the employer ledger. Thin: parse, call one selector/service, render."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from gonghui.core.permissions import workbench_required
from gonghui.core.exceptions import ApplicationError, NotFound
from gonghui.core.spreadsheets import sniff_xlsx
from gonghui.core.views import form_add_application_error, is_htmx, paginate, xlsx_response
from gonghui.jobs.services import job_create
from gonghui.orgs import assessment, imports, selectors, services
from gonghui.orgs.forms import EmployerForm, ImportForm, OrgCreateForm, OrgEditForm, OrgMoveForm
from gonghui.orgs.models import Industry, OrgType, Ownership

EMPLOYER_FIELD_MAP = {"town": "town_code", "union": "union_code"}


@workbench_required
def org_tree(request):
    roots = list(selectors.org_roots_for(actor=request.user))
    selected = selectors.org_get_for(actor=request.user, org_id=request.GET["org"]) if request.GET.get("org") else None
    return render(request, "orgs/org_tree.html", {"roots": roots, "selected": selected, "org_types": OrgType.choices})


@workbench_required
def org_tree_children(request, org_id: int):
    parent = selectors.org_get_for(actor=request.user, org_id=org_id)
    children = selectors.org_children(actor=request.user, parent=parent)
    return render(request, "orgs/_tree_nodes.html", {"nodes": children})


@workbench_required
def org_search(request):
    orgs = list(selectors.org_list(actor=request.user, q=request.GET.get("q", ""), type=request.GET.get("type", ""))[:50])
    crumbs = selectors.org_breadcrumbs(orgs=orgs)
    results = [(org, crumbs[org.pk]) for org in orgs]
    return render(request, "orgs/_search_results.html", {"results": results, "q": request.GET.get("q", "")})


@workbench_required
def org_detail(request, org_id: int):
    org = selectors.org_get_for(actor=request.user, org_id=org_id)
    employers = paginate(request, selectors.employer_list(actor=request.user, within=org, q=request.GET.get("q", "")), per_page=10)
    context = {
        "org": org,
        "ancestors": selectors.org_ancestors(actor=request.user, org=org),
        "stats": selectors.org_subtree_stats(org=org),
        "links": selectors.org_guidance_links(org=org),
        "moves": selectors.org_move_history(org=org)[:10],
        "employers": employers,
        "org_types": dict(OrgType.choices),
    }
    if request.headers.get("HX-Target") == "org-employers":
        template = "orgs/_org_employers.html"  # the panel's own search refreshes only its table
    else:
        template = "orgs/_org_panel.html" if is_htmx(request) else "orgs/org_detail.html"
    return render(request, template, context)


@workbench_required
@require_http_methods(["GET", "POST"])
def org_create(request, parent_id: int):
    parent = selectors.org_get_for(actor=request.user, org_id=parent_id)
    form = OrgCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.org_create(actor=request.user, parent=parent, **form.cleaned_data)
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            messages.success(request, f"已新建组织：{org.name}")
            return redirect("orgs:detail", org_id=org.pk)
    return render(request, "orgs/org_form.html", {"form": form, "parent": parent})


@workbench_required
@require_http_methods(["GET", "POST"])
def org_edit(request, org_id: int):
    org = selectors.org_get_for(actor=request.user, org_id=org_id)
    initial = {field: getattr(org, field) for field in OrgEditForm.base_fields}
    form = OrgEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.org_update(actor=request.user, org=org, **form.cleaned_data)
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            messages.success(request, f"已保存：{org.name}")
            return redirect(f"{reverse('orgs:tree')}?org={org.pk}")
    return render(request, "orgs/org_form.html", {"form": form, "org": org})


@workbench_required
def org_options(request):
    """<option>s for the org pickers' datalist: orgs of one type in the user's scope."""
    org_type = {"town": OrgType.TOWN, "enterprise": OrgType.ENTERPRISE}.get(request.GET.get("type", ""), OrgType.TOWN)
    q = request.GET.get("town_code") or request.GET.get("union_code") or request.GET.get("q", "")
    orgs = selectors.org_list(actor=request.user, q=q, type=org_type)
    if request.GET.get("scheme"):  # 参评: only the unions the scheme admits
        orgs = orgs.filter(assessment.eligible_q(assessment.scheme_get_for(actor=request.user, scheme_id=request.GET["scheme"])))
    orgs = list(orgs[:20]) if q.strip() else []
    crumbs = selectors.org_breadcrumbs(orgs=orgs)
    return render(request, "orgs/_org_options.html", {"results": [(org, crumbs[org.pk]) for org in orgs]})


@workbench_required
@require_http_methods(["GET", "POST"])
def org_move(request, org_id: int):
    org = selectors.org_get_for(actor=request.user, org_id=org_id)
    form = OrgMoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new_parent = selectors.org_get_by_code_for(actor=request.user, code=form.cleaned_data["new_parent_code"])
            record = services.org_move(actor=request.user, org=org, new_parent=new_parent, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            form_add_application_error(form, exc, field_map={"new_parent": "new_parent_code"})
        else:
            messages.success(request, f"已将{org.name}调整到{record.new_parent_name}之下，随迁下级组织 {record.descendants_moved} 个")
            return redirect("orgs:detail", org_id=org.pk)
    return render(request, "orgs/org_move.html", {"form": form, "org": org})


@workbench_required
def employer_list(request):
    params = request.GET
    within = selectors.org_get_for(actor=request.user, org_id=params["within"]) if params.get("within") else None
    has_union = {"1": True, "0": False}.get(params.get("has_union", ""))
    min_headcount = int(params["min_headcount"]) if params.get("min_headcount", "").isdigit() else None
    employers = selectors.employer_list(
        actor=request.user, q=params.get("q", ""), within=within, industry=params.get("industry", ""),
        ownership=params.get("ownership", ""), has_union=has_union, min_headcount=min_headcount,
    )
    if params.get("export") == "xlsx":
        return xlsx_response(imports.employer_export_xlsx(employers=employers), filename="用人单位台账.xlsx")
    context = {
        "page": paginate(request, employers, per_page=25),
        "within": within,
        "industries": Industry.choices,
        "ownerships": Ownership.choices,
        "query": params.urlencode() if params else "",
        "filters": {key: params.get(key, "") for key in ("q", "industry", "ownership", "has_union", "min_headcount")},
    }
    template = "orgs/_employer_rows.html" if is_htmx(request) else "orgs/employer_list.html"
    return render(request, template, context)


@workbench_required
def employer_detail(request, employer_id: int):
    employer = selectors.employer_get_for(actor=request.user, employer_id=employer_id)
    ancestors = selectors.org_ancestors(actor=request.user, org=employer.town, include_self=True)
    return render(request, "orgs/employer_detail.html", {"employer": employer, "ancestors": ancestors})


def _employer_input(request, form: EmployerForm) -> services.EmployerInput:
    data = dict(form.cleaned_data)
    town_code, union_code = data.pop("town_code"), data.pop("union_code")
    town = selectors.org_get_by_code_for(actor=request.user, code=town_code) if town_code else None
    union = selectors.org_get_by_code_for(actor=request.user, code=union_code) if union_code else None
    return services.EmployerInput(**data, town=town, union=union)


@workbench_required
@require_http_methods(["GET", "POST"])
def employer_edit(request, employer_id: int | None = None):
    employer = selectors.employer_get_for(actor=request.user, employer_id=employer_id) if employer_id else None
    initial = _employer_initial(employer) if employer else {}
    form = EmployerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = _employer_input(request, form)
            if employer is None:
                employer = services.employer_create(actor=request.user, data=data)
            else:
                employer = services.employer_update(actor=request.user, employer=employer, data=data)
        except NotFound as exc:
            form.add_error(None, exc.message)
        except ApplicationError as exc:
            form_add_application_error(form, exc, field_map=EMPLOYER_FIELD_MAP)
        else:
            messages.success(request, f"已保存：{employer.name}")
            return redirect("orgs:employer_detail", employer_id=employer.pk)
    return render(request, "orgs/employer_form.html", {"form": form, "employer": employer})


def _employer_initial(employer) -> dict:
    return {
        "uscc": employer.uscc, "name": employer.name, "industry": employer.industry, "ownership": employer.ownership,
        "town_code": employer.town.code, "address": employer.address, "headcount": employer.headcount,
        "has_union": employer.has_union, "union_code": employer.union.code if employer.union else "",
    }


IMPORT_KINDS = {
    "orgs": ("工会组织", "orgs.import_orgs", imports.org_template_xlsx),
    "employers": ("用人单位", "orgs.import_employers", imports.employer_template_xlsx),
}


@workbench_required
@require_http_methods(["GET", "POST"])
def import_page(request, kind: str):
    """Upload → a background job with a progress bar and, on errors, a downloadable report."""
    if kind not in IMPORT_KINDS:
        raise NotFound()
    label, job_kind, _ = IMPORT_KINDS[kind]
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = upload.read()
            sniff_xlsx(data)
            job = job_create(owner=request.user, kind=job_kind, data=data, file_name=upload.name)
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            return redirect("jobs:detail", job_id=job.pk)
    return render(request, "orgs/import.html", {"form": form, "kind": kind, "label": label})


@workbench_required
def import_template(request, kind: str):
    if kind not in IMPORT_KINDS:
        raise NotFound()
    label, _, template = IMPORT_KINDS[kind]
    return xlsx_response(template(), filename=f"{label}导入模板.xlsx")


@workbench_required
def org_export(request, org_id: int):
    org = selectors.org_get_for(actor=request.user, org_id=org_id)
    orgs = selectors.org_list(actor=request.user, within=org, include_inactive=True)
    return xlsx_response(imports.org_export_xlsx(orgs=orgs), filename=f"{org.name}-组织.xlsx")
