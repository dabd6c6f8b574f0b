"""Open311 GeoReport v2 over HTTP (decision 0022): plain views, because the spec wants `.json` paths, form-encoded POST
bodies with `attribute[code]` fields and errors as a bare array of {code, description}.

Nothing here reads the session: a request is keyless (public fields, rate-limited per IP) or carries an API key (`api_key`
in the form or query, or the `X-API-Key` / `Authorization: Bearer` header) and acts as that key's integration account.
"""
from __future__ import annotations

from functools import wraps

from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import is_ratelimited

from gonghui.accounts.api_auth import KeyRefused, key_account, presented_key
from gonghui.core.exceptions import ApplicationError
from gonghui.tickets import open311

PUBLIC_GROUP, PUBLIC_RATE = "open311-public", "120/m"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-04T00:00:00+08:00"


def _json(data, status: int = 200) -> JsonResponse:
    return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def error(status: int, description: str) -> JsonResponse:
    """The spec's error answer: an array of {code, description}."""
    return _json([{"code": status, "description": description}], status)


def _key(request) -> str | None:
    raw = request.POST.get("api_key") if request.method == "POST" else None
    return (raw or request.GET.get("api_key") or presented_key(request) or "").strip() or None


def endpoint(*methods: str):
    """Method check, key resolution, the keyless rate limit and the error answers, around a view taking (request, actor)."""
    def wrap(view):
        @wraps(view)
        def run(request, **kwargs):
            if request.method not in methods:
                return error(405, f"不支持 {request.method} 方法")
            actor, raw = None, _key(request)
            try:
                if raw is not None:
                    actor = key_account(request, raw)
                elif is_ratelimited(request, group=PUBLIC_GROUP, key="ip", rate=PUBLIC_RATE, increment=True):
                    return error(429, "请求过于频繁，请稍后再试（无密钥的查询每分钟最多120次）")
                return view(request, actor, **kwargs)
            except KeyRefused as refused:
                return error(403 if refused.status == 401 else refused.status, refused.message)
            except ApplicationError as failed:  # NotFound 404 (the one message), PermissionDenied 403, the rest 400
                return error(failed.status_code, failed.message)
        return run
    return wrap


@endpoint("GET")
def discovery(request, actor):
    return _json({
        "changeset": CHANGESET, "contact": "广东省总工会 12351 职工服务热线",
        "key_service": "接口密钥由所在市总工会在“工作台 → 接口密钥”签发，须含“受理与派单”和“查看诉求工单”权限",
        "endpoints": [{"specification": SPECIFICATION, "url": request.build_absolute_uri(reverse("open311:discovery")).rsplit("/", 1)[0],
                       "changeset": CHANGESET, "type": "production", "formats": ["application/json"]}],
    })


@endpoint("GET")
def services(request, actor):
    return _json(open311.service_list())


@endpoint("GET")
def service_definition(request, actor, code: str):
    return _json(open311.service_definition(code))


@csrf_exempt  # no session is read: a POST is authorized by the key it carries, nothing ambient
@endpoint("GET", "POST")
def requests(request, actor):
    if request.method == "POST":
        if actor is None:
            return error(403, "提交诉求需要接口密钥（api_key）")
        return _json([open311.open311_file(actor=actor, params=request.POST)])
    filters = open311.parse_filters(request.GET)
    if actor is None:
        return _json(open311.requests_public(filters))
    return _json(open311.requests_own(actor=actor, filters=filters))


@endpoint("GET")
def request_detail(request, actor, number: str):
    if actor is None:
        return _json([open311.request_public(number)])
    return _json([open311.request_own(actor=actor, number=number)])


@endpoint("GET")
def token(request, actor, token: str):
    return _json([open311.token_lookup(token)])
