"""API plumbing shared by every app: one error shape `{code, message, fields}` in Chinese."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, get_args

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger
from ninja.pagination import PageNumberPagination
from ninja.renderers import JSONRenderer
from ninja.security import SessionAuth
from pydantic import ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from gonghui.core.exceptions import NOT_FOUND_MESSAGE, ApplicationError

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
    "bool_type": "应为 true 或 false",
    "int_from_float": "应为整数",
    "date_type": "日期格式应为 2026-11-26",
    "datetime_type": "时间格式应为 2026-11-26T09:00:00+08:00",
    "null_refused": "不能为空",
}

UNPARSABLE_BODY = "请求无法解析：请求体应为 JSON（Content-Type: application/json），或带 boundary 的 multipart/form-data"
# ninja's own HttpError texts, by how they start (it appends the parser's error when DEBUG is on)
NINJA_MESSAGES = {"Cannot parse request body": ("bad_request", UNPARSABLE_BODY)}


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


class BodyIn(Schema):
    """Base of request bodies. A field's type says whether null is a value (a date that may be cleared) or not: a partial update
    (PATCH) leaves out what stays unchanged and declares such fields `name: str = None`, whose default is never validated; an
    explicit null for them is refused by name, here, before any service sees it."""

    @field_validator("*", mode="before")
    @classmethod
    def _null_only_where_declared(cls, value, info: ValidationInfo):
        if value is None and type(None) not in get_args(cls.model_fields[info.field_name].annotation):
            raise PydanticCustomError("null_refused", "不能为空")
        return value


class WorkbenchSessionAuth(SessionAuth):
    """Session auth (with CSRF) for 工作台 users; worker accounts use the H5 pages, not the API."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user and getattr(user, "kind", "") != "worker" else None


class WorkerSessionAuth(SessionAuth):
    """Session auth (with CSRF) for a signed-in worker, on the few endpoints that act for the worker themselves (their own
    bookings): the same services as their H5 pages, for a union's own app."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user and getattr(user, "kind", "") == "worker" else None


MAX_PAGE = 10_000_000  # 100 rows a page: a billion rows deep, far inside a 64-bit OFFSET


class Pages(PageNumberPagination):
    """`?page=&page_size=` for every list, answering `{items, count}`. The page number is bounded so that its offset always fits
    the database's integer (SQLite refuses a larger OFFSET as a datatype mismatch); a page past the end is an empty page, and a
    `page_size` above the cap is served at the cap, as ninja does."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, title="页码", description="从 1 开始；超出末页时 items 为空")
        page_size: int | None = Field(None, ge=1, title="每页条数", description="省略时取该接口的默认值；超过 100 按 100 返回")

    class Output(Schema):
        items: list[Any] = Field(title="本页条目")
        count: int = Field(title="总条数", description="符合条件的全部条目，不只本页")


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


class LocalSwagger(Swagger):
    """/api/docs from the Swagger UI vendored under static/vendor (ninja's own page loads it from a CDN unless "ninja" is an
    installed app), started by static/js/api-docs.js rather than an inline script."""

    template = "api_docs.html"

    def render_page(self, request, api: NinjaAPI, **kwargs):
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        return render(request, self.template, {"api": api, "swagger_settings": settings})


HAN = re.compile("[\u4e00-\u9fff]")


class ErrorOut(Schema):
    code: str = Field(title="错误代码", description="如 invalid、not_found、busy、bad_request")
    message: str = Field(title="说明", description="给用户看的中文说明")
    fields: dict[str, list[str]] = Field(title="字段错误", description="字段名 → 该字段的中文说明；与具体字段无关时为空")


ERROR_RESPONSE = {
    "description": "请求有误（400 无法解析或业务规则不允许、401 未登录、403 无权、404 不存在或不在管辖范围内、409 系统繁忙请重试、"
                   "422 字段格式不对），一律为 {code, message, fields}",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
}


class DocumentedAPI(NinjaAPI):
    """The OpenAPI document as Swagger UI shows it: every operation may answer a 4xx in the error shape, and a field's
    Chinese name, given as its title (`Field(title="年度")`), leads its description (Swagger UI shows no titles)."""

    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["ErrorOut"] = ErrorOut.model_json_schema()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                operation.setdefault("responses", {}).setdefault("4XX", ERROR_RESPONSE)
        for component in components.values():
            for spec in component.get("properties", {}).values():
                title, description = spec.get("title", ""), spec.get("description", "")
                if HAN.search(title) and not description.startswith(title):
                    spec["description"] = f"{title}：{description}" if description else title
        return schema


def build_api(*, routers: list[tuple[str, object]], key_auth: list | None = None) -> NinjaAPI:
    """`key_auth`: authenticators for integrations' API keys, tried before the browser session."""
    api = DocumentedAPI(
        title="gonghui 工会服务平台 API",
        version="1.0",
        description="所有错误都以 {code, message, fields} 返回，message 为中文说明。"
                    "认证：接口密钥（Authorization: Bearer <key> 或 X-API-Key，见 docs/api.md），或工作台登录会话（Cookie + CSRF）。",
        auth=[*(key_auth or []), WorkbenchSessionAuth()],
        renderer=ChineseJSONRenderer(),
        urls_namespace="api",
        docs=LocalSwagger(settings={"docExpansion": "list", "defaultModelsExpandDepth": 0, "defaultModelRendering": "model",
                                     "defaultModelExpandDepth": 2, "tryItOutEnabled": False}),
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
        return reply(request, 404, "not_found", NOT_FOUND_MESSAGE)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        text = str(exc.message)
        code, message = next((known for start, known in NINJA_MESSAGES.items() if text.startswith(start)), ("http_error", text))
        return reply(request, exc.status_code, code, message)

    # The CSRF check of a session POST reads request.POST, where Django parses a multipart body before any view runs
    @api.exception_handler(MultiPartParserError)
    def unparsable_body(request, exc):
        return reply(request, 400, "bad_request", UNPARSABLE_BODY)

    @api.exception_handler(RequestDataTooBig)
    @api.exception_handler(TooManyFieldsSent)
    @api.exception_handler(TooManyFilesSent)
    def oversized_body(request, exc):
        return reply(request, 400, "too_large", "请求体过大或字段过多")

    for prefix, router in routers:
        api.add_router(prefix, router)
    return api
