"""API plumbing shared by every app: one error shape `{code, message, fields}` in Chinese."""
from __future__ import annotations

from collections.abc import Callable

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.security import SessionAuth

from gonghui.core.exceptions import ApplicationError

PYDANTIC_MESSAGES = {
    "missing": "必填",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "date_from_datetime_parsing": "日期格式应为 2026-11-26",
    "date_parsing": "日期格式应为 2026-11-26",
    "string_type": "应为文本",
    "string_too_long": "内容过长",
    "string_too_short": "内容过短",
    "literal_error": "不在可选范围内",
    "enum": "不在可选范围内",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "json_invalid": "JSON 格式不正确",
}


class ChineseJSONRenderer(JSONRenderer):
    """UTF-8 JSON without \\u escapes, so Chinese stays readable in responses and logs."""

    json_dumps_params = {"ensure_ascii": False}


def _field_errors(errors: list[dict]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "form", "payload")]
        name = ".".join(location) or "__all__"
        fields.setdefault(name, []).append(PYDANTIC_MESSAGES.get(error.get("type", ""), "格式不正确"))
    return fields


class WorkbenchSessionAuth(SessionAuth):
    """Session auth (with CSRF) for 工作台 users; worker accounts use the H5 pages, not the API."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user and getattr(user, "kind", "") != "worker" else None


class PageRows:
    """A queryset handed to ninja's `paginate` whose page, once sliced, becomes rows through `build`, called once per page.

    For rows that need work beyond the query (a drive's figures, a job's progress in the cache, a calendar loaded once for a
    page of deadlines): the work is done for the page asked for, never for the whole list, and `count` stays one query."""

    def __init__(self, queryset, build: Callable[[list], list]):
        self.queryset, self.build = queryset, build

    def all(self) -> PageRows:  # paginate counts through .all().count()
        return self

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self.build(list(self.queryset[index]))
        return self.build([self.queryset[index]])[0]


def build_api(*, routers: list[tuple[str, object]], key_auth: list | None = None) -> NinjaAPI:
    """`key_auth`: authenticators for integrations' API keys, tried before the browser session."""
    api = NinjaAPI(
        title="gonghui 工会服务平台 API",
        version="1.0",
        description="所有错误都以 {code, message, fields} 返回，message 为中文说明。"
                    "认证：接口密钥（Authorization: Bearer <key> 或 X-API-Key），或工作台登录会话（Cookie + CSRF）。",
        auth=[*(key_auth or []), WorkbenchSessionAuth()],
        renderer=ChineseJSONRenderer(),
        urls_namespace="api",
    )

    def reply(request, status: int, code: str, message: str, fields: dict | None = None):
        return api.create_response(request, {"code": code, "message": message, "fields": fields or {}}, status=status)

    @api.exception_handler(ApplicationError)
    def application_error(request, exc: ApplicationError):
        return reply(request, exc.status_code, str(getattr(exc.code, "value", exc.code)), exc.message, exc.fields)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        fields = _field_errors(exc.errors)
        return reply(request, 422, "invalid", "提交的数据有误：" + "；".join(f"{k} {'、'.join(v)}" for k, v in fields.items()), fields)

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc):
        return reply(request, 401, "not_authenticated", "请先登录")

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return reply(request, 404, "not_found", "对象不存在或无权访问")

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return reply(request, exc.status_code, "http_error", str(exc.message))

    for prefix, router in routers:
        api.add_router(prefix, router)
    return api
