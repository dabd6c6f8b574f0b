"""API key authentication: `Authorization: Bearer <key>` or `X-API-Key: <key>` on /api/.

`ApiKeyMiddleware` resolves the key early (before the Idempotency-Key middleware, so an integration's retries are safe
too) and makes the key's integration account the request's user. A request that presents a key is answered on that key
alone: a bad key is refused even when a browser session comes with it, and no CSRF token is asked (nothing ambient
authorizes the call). Failures are counted per IP; past the limit every key attempt from that IP is refused until the
window passes, so prefixes and secrets cannot be walked. The ninja authenticators below only admit what the middleware
resolved, and describe the two headers in the OpenAPI document."""
from __future__ import annotations

from django.http import JsonResponse
from django_ratelimit.core import get_usage, is_ratelimited
from ninja.security import APIKeyHeader, HttpBearer

from gonghui.accounts.api_keys import api_key_authenticate
from gonghui.core.request_context import client_ip

API_PREFIX = "/api/"
KEY_HEADER = "X-API-Key"
FAILED_KEY_GROUP, FAILED_KEY_RATE = "api-key-failures", "20/10m"


def presented_key(request) -> str | None:
    """The key a request presents, if any ("" when a header is there but empty)."""
    if KEY_HEADER in request.headers:
        return request.headers[KEY_HEADER].strip()
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _refuse(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "fields": {}}, status=status, json_dumps_params={"ensure_ascii": False})


class KeyRefused(Exception):
    """A presented key that does not authenticate: the status, code and Chinese message to answer with."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def key_account(request, raw: str):
    """The integration account a presented key acts as, counting failures per IP (also for Open311, whose key comes in
    a form field); raises `KeyRefused` for a bad key or once the IP is past the failure limit."""
    failures = get_usage(request, group=FAILED_KEY_GROUP, key="ip", rate=FAILED_KEY_RATE)
    if failures is not None and failures["count"] >= failures["limit"]:
        raise KeyRefused(429, "api_key_rate_limited", "接口密钥验证失败次数过多，请10分钟后再试")
    account = api_key_authenticate(raw=raw, ip=client_ip(request))
    if account is None:
        is_ratelimited(request, group=FAILED_KEY_GROUP, key="ip", rate=FAILED_KEY_RATE, increment=True)
        raise KeyRefused(401, "invalid_api_key", "接口密钥无效或已吊销")
    return account


class ApiKeyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = presented_key(request) if request.path.startswith(API_PREFIX) else None
        if raw is None:
            return self.get_response(request)
        try:
            account = key_account(request, raw)
        except KeyRefused as refused:
            return _refuse(refused.status, refused.code, refused.message)
        request.user = request.api_key_account = account
        return self.get_response(request)


def _resolved_account(request):
    return getattr(request, "api_key_account", None)


class ApiKeyBearer(HttpBearer):
    def authenticate(self, request, token):
        return _resolved_account(request)


class ApiKeyHeader(APIKeyHeader):
    param_name = KEY_HEADER

    def authenticate(self, request, key):
        return _resolved_account(request)


def api_key_auth() -> list:
    """The key authenticators for `core.api.build_api`, tried before the session."""
    return [ApiKeyBearer(), ApiKeyHeader()]
