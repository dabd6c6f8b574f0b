import http.client
import time

from csp import middleware as csp_middleware
from csp.constants import HEADER as CSP_HEADER
from csp.utils import build_policy
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, is_valid_path, resolve
from django.views.defaults import page_not_found

from gonghui.core.exceptions import ApplicationError


class ApplicationErrorMiddleware:
    """Pages show an ApplicationError that no view caught as a Chinese error page with its status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ApplicationError) and not request.path.startswith("/api/"):
            return render(request, "error.html", {"error": exception}, status=exception.status_code)
        return None


NUL_MESSAGE = "请求中含有不允许的字符（NUL，空字符），请检查输入后重试"


class NulRefusalMiddleware:
    """PostgreSQL text cannot hold a NUL character: a query string or a form or JSON body carrying one ended as a server
    error wherever it reached a query or a row (found by fuzzing the API: search boxes, filters). It is refused here,
    once for every page and API path, with a clear message and before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _carries_nul(request):
            return self.get_response(request)
        error = ApplicationError(NUL_MESSAGE, code="bad_request")
        if request.path.startswith("/api/"):
            return JsonResponse(error.as_dict(), status=400, json_dumps_params={"ensure_ascii": False})
        return render(request, "error.html", {"error": error}, status=400)


def _carries_nul(request) -> bool:
    """Looks at the query string and at a url-encoded or JSON body (read once and kept, as the view reads it). A multipart
    body is left to the view: parsing it here would use up the stream that the API reads; its files are sniffed by
    core.uploads and Django's form fields refuse NUL themselves. A body over the size limit is left to the view too,
    which answers it as before."""
    if "%00" in request.META.get("QUERY_STRING", "") or "\x00" in request.path:
        return True
    marker = {"application/x-www-form-urlencoded": b"%00", "application/json": b"\\u0000"}.get(request.content_type)
    if marker is None:
        return False
    try:
        return marker in request.body
    except RequestDataTooBig:
        return False


class NotFoundPageMiddleware:
    """With DEBUG on (the demo), Django answers a 404 with a debug page that lists every URL of the site; this answers with
    templates/404.html instead, as production does. DEBUG_404_DETAILS=1 brings the debug page back for a developer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._replaces_debug_page():
            try:
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404 as exc:
                # CommonMiddleware (outside this one) still redirects "/workbench" to "/workbench/".
                if not (settings.APPEND_SLASH and is_valid_path(f"{request.path_info}/", getattr(request, "urlconf", None))):
                    return self._page(request, exc)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404) and self._replaces_debug_page():
            return self._page(request, exception)
        return None

    @staticmethod
    def _page(request, exception):
        response = page_not_found(request, exception)
        # django-csp sends no policy on a 404 while DEBUG is on (Django's debug page is inline-styled); ours needs none of that.
        response[CSP_HEADER] = build_policy()
        return response

    @staticmethod
    def _replaces_debug_page() -> bool:
        return settings.DEBUG and not settings.DEBUG_404_DETAILS


class SessionRefreshMiddleware:
    """Sessions end SESSION_COOKIE_AGE after the last activity. Saving the session on every request would make every
    page a write to the session store; it is saved again (new expiry, new cookie) once SESSION_REFRESH_SECONDS have
    passed since its last save, so the idle limit holds within that margin. Sits just inside SessionMiddleware."""

    KEY = "_refreshed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[self.KEY] = now
        return response


def stamp_session_at_login(sender, request, user, **kwargs):
    """A login writes the session with a fresh expiry, so the next refresh is due SESSION_REFRESH_SECONDS after it, not on
    the first request after signing in."""
    if request is not None and hasattr(request, "session"):
        request.session[SessionRefreshMiddleware.KEY] = int(time.time())


class CSPMiddleware(csp_middleware.CSPMiddleware):
    """django-csp's middleware with the policy built once. Without a nonce, a view's own policy changes or a report-only
    policy, every response carries the same header, and building it from the settings (twice: once for the report-only
    header) was a tenth of a trivial request's CPU (decision 0030). Anything else goes through django-csp unchanged."""

    _PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")
    _built = (None, "")

    def process_response(self, request, response):
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        if (getattr(request, "_csp_nonce", None) is not None or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
                or not policy or any(hasattr(response, name) for name in self._PER_RESPONSE)):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND):
            return response
        if self._built[0] is not policy:  # built again when the settings change (tests)
            CSPMiddleware._built = (policy, build_policy())
        if (CSP_HEADER not in response and getattr(response, "_csp_exempt", False) is False
                and not request.path_info.startswith(tuple(policy.get("EXCLUDE_URL_PREFIXES", None) or ()))):
            response[CSP_HEADER] = self._built[1]
        request.csp_nonce = csp_middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response
