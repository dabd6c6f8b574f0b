"""岗位管理, 接口密钥 and 对象授权: the 工作台 pages where a cadre with accounts.manage manages posts, API keys and object
grants in their subtree (object grants also by whoever gave them)."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.accounts import selectors
from gonghui.accounts.api_keys import api_key_issue, api_key_revoke
from gonghui.accounts.forms import ApiKeyIssueForm, ObjectGrantForm, PostGrantForm, RoleForm
from gonghui.core.registry import action_labels
from gonghui.accounts.services import object_grant_give, object_grant_revoke, post_grant, post_revoke, role_create, role_update
from gonghui.core.exceptions import ApplicationError
from gonghui.core.permissions import workbench_required
from gonghui.core.views import form_add_application_error, paginate, posted_int

MANAGE = "accounts.manage"


def _require_manage(request) -> None:
    if MANAGE not in selectors.actions_for(user=request.user):
        raise PermissionDenied


def _confirm_then(request, run, *, done: str, back: str, template: str, context: dict):
    """A confirmation page (GET) whose POST runs `run`: success goes back to the list with `done`, a refusal stays on the
    page with the service's message."""
    error = ""
    if request.method == "POST":
        try:
            run()
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, done)
            return redirect(back)
    return render(request, template, {**context, "error": error})


def _submit_then(request, form, run, *, page, back: str, field_map: dict[str, str]):
    """A posted form: valid and accepted by `run(data)` (which returns the success message) goes back to `back`; invalid or
    refused, the page (`page(request, form)`) comes again with what was typed and the service's message."""
    if form.is_valid():
        try:
            done = run(form.cleaned_data)
        except ApplicationError as exc:
            form_add_application_error(form, exc, field_map=field_map)
        else:
            messages.success(request, done)
            return redirect(back)
    return page(request, form)


# A refused form is shown again, as the other 工作台 forms are, with the service's message whatever refused it: an org
# outside the subtree reads exactly like a code that does not exist.
def _post_list_page(request, form: PostGrantForm):
    filters = {"q": request.GET.get("q", ""), "org_id": posted_int(request.GET.get("org")), "role_id": posted_int(request.GET.get("role"))}
    posts = selectors.post_list(actor=request.user, **filters)
    context = {"page": paginate(request, posts, per_page=25), "form": form, "filters": filters,
               "orgs": selectors.post_filter_orgs(actor=request.user), "roles": selectors.role_list()}
    return render(request, "accounts/post_list.html", context)


@workbench_required
def post_list(request):
    _require_manage(request)
    return _post_list_page(request, PostGrantForm(roles=selectors.role_list()))


@workbench_required
@require_POST
def post_grant_view(request):
    _require_manage(request)

    def grant(data) -> str:
        post = post_grant(actor=request.user, user=selectors.cadre_by_username(username=data["username"]),
                          org=selectors.managed_org_get(actor=request.user, code=data["org_code"]),
                          role=selectors.role_list().get(pk=data["role"]), guidance_read=data["guidance_read"], title=data["title"])
        return f"已授予：{post.user} · {post.org.name} · {post.role.name}"

    return _submit_then(request, PostGrantForm(request.POST, roles=selectors.role_list()), grant, page=_post_list_page,
                        back="staff:posts", field_map={"org": "org_code"})


@workbench_required
@require_http_methods(["GET", "POST"])
def post_revoke_view(request, post_id: int):
    _require_manage(request)
    post = selectors.post_get_for(actor=request.user, post_id=post_id)
    labels = action_labels()
    return _confirm_then(request, lambda: post_revoke(actor=request.user, post=post),
                         done=f"已撤销：{post.user} · {post.org.name} · {post.role.name}", back="staff:posts",
                         template="accounts/post_revoke.html",
                         context={"post": post, "action_labels": [labels.get(action, action) for action in post.role.permissions]})


@workbench_required
def org_options(request):
    """<option>s for the org code inputs: orgs under the user's accounts.manage posts."""
    q = request.GET.get("org_code") or request.GET.get("q", "")
    orgs = selectors.managed_org_options(actor=request.user, q=q)
    return render(request, "accounts/_org_options.html", {"orgs": orgs})


def _api_key_page(request, form: ApiKeyIssueForm, *, issued=None, secret: str = ""):
    context = {"page": paginate(request, selectors.api_key_list(actor=request.user), per_page=25), "form": form,
               "issued": issued, "secret": secret, "action_labels": action_labels()}
    return render(request, "accounts/api_key_list.html", context)


@workbench_required
@never_cache
def api_key_list(request):
    _require_manage(request)
    return _api_key_page(request, ApiKeyIssueForm())


@workbench_required
@require_POST
@never_cache
def api_key_issue_view(request):
    """The secret is in this one response only (never stored, never in a redirect or a message)."""
    _require_manage(request)
    form = ApiKeyIssueForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            key, secret = api_key_issue(actor=request.user, client_name=data["client_name"], actions=data["actions"],
                                        org=selectors.managed_org_get(actor=request.user, code=data["org_code"]))
        except ApplicationError as exc:
            form_add_application_error(form, exc, field_map={"org": "org_code"})
            return _api_key_page(request, form)
        return _api_key_page(request, ApiKeyIssueForm(), issued=key, secret=secret)
    return _api_key_page(request, form)


@workbench_required
@require_http_methods(["GET", "POST"])
def api_key_revoke_view(request, key_id: int):
    _require_manage(request)
    key = selectors.api_key_get_for(actor=request.user, key_id=key_id)
    return _confirm_then(request, lambda: api_key_revoke(actor=request.user, key=key), done=f"已吊销接口密钥：{key}",
                         back="staff:api_keys", template="accounts/api_key_revoke.html", context={"key": key})


@workbench_required
def role_list(request):
    """角色与权限: what each role may do, for everyone who grants posts; system administrators also edit them."""
    _require_manage(request)
    roles = [(role, [action_labels().get(action, action) for action in role.permissions]) for role in selectors.role_list_with_post_counts(actor=request.user)]
    return render(request, "accounts/role_list.html", {"roles": roles})


@workbench_required
@require_http_methods(["GET", "POST"])
def role_edit(request, role_id: int | None = None):
    if not request.user.is_superuser:
        raise PermissionDenied
    role = selectors.role_get(role_id=role_id) if role_id else None
    initial = {"code": role.code, "name": role.name, "description": role.description, "permissions": role.permissions} if role else None
    form = RoleForm(request.POST or None, initial=initial)
    if role:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if role:
                role_update(actor=request.user, role=role, name=data["name"], permissions=data["permissions"], description=data["description"])
            else:
                role = role_create(actor=request.user, code=data["code"], name=data["name"], permissions=data["permissions"],
                                   description=data["description"])
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            messages.success(request, f"已保存角色：{role.name}")
            return redirect("staff:roles")
    return render(request, "accounts/role_form.html", {"form": form, "role": role})


def _object_grant_page(request, form: ObjectGrantForm):
    filters = {"q": request.GET.get("q", ""), "state": request.GET.get("state", "")}
    context = {"page": paginate(request, selectors.object_grant_list(actor=request.user, **filters), per_page=25), "form": form,
               "filters": filters, "states": selectors.GRANT_STATES, "action_labels": action_labels(), "now": timezone.now()}
    return render(request, "accounts/object_grant_list.html", context)


@workbench_required
def object_grant_list(request):
    """对象授权: the list, and the give form, prefilled when a domain page links here with ?kind=…&object_id=…."""
    initial = {key: request.GET[key] for key in ("kind", "object_id") if request.GET.get(key)}
    return _object_grant_page(request, ObjectGrantForm(initial=initial, kinds=selectors.grantable_kinds()))


def _end_of(day: dt.date | None) -> dt.datetime | None:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)) if day else None


@workbench_required
@require_POST
def object_grant_give_view(request):

    def give(data) -> str:
        obj = selectors.grant_target_get(actor=request.user, kind=data["kind"], object_id=data["object_id"], action=data["actions"][0])
        grant = object_grant_give(actor=request.user, grantee=selectors.cadre_by_username(username=data["username"]), obj=obj,
                                  actions=data["actions"], until=_end_of(data["until"]))
        return f"已授权：{grant.grantee} 可对“{obj}”执行 {len(grant.actions)} 项操作"

    return _submit_then(request, ObjectGrantForm(request.POST, kinds=selectors.grantable_kinds()), give, page=_object_grant_page,
                        back="staff:object_grants", field_map={"grantee": "username"})


@workbench_required
@require_http_methods(["GET", "POST"])
def object_grant_revoke_view(request, grant_id: int):
    grant = selectors.object_grant_get_for(actor=request.user, grant_id=grant_id)
    labels = action_labels()
    return _confirm_then(request, lambda: object_grant_revoke(actor=request.user, grant=grant), done=f"已撤销授权：{grant}",
                         back="staff:object_grants", template="accounts/object_grant_revoke.html",
                         context={"grant": grant, "action_labels": [labels.get(action, action) for action in grant.actions]})
