"""Who is asking from where, for the audit log, without threading the request through services."""
from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None
    user_agent: str


_current: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar("gonghui_request", default=None)


def current_request_info() -> RequestInfo | None:
    return _current.get()


def client_ip(request) -> str | None:
    # Behind a proxy, configure it to set REMOTE_ADDR (gunicorn --forwarded-allow-ips); never trust a raw header here.
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(RequestInfo(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:300]))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)


@contextlib.contextmanager
def request_info_withheld():
    """Audit rows written inside carry no IP or user agent: for events that must not say who acted (counselling)."""
    token = _current.set(None)
    try:
        yield
    finally:
        _current.reset(token)
