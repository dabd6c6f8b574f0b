"""Helpers every page uses to show ApplicationError the same way."""
from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.contrib import messages as flash
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme

from gonghui.core.exceptions import ApplicationError
from gonghui.core.uploads import XLSX_CONTENT_TYPE


def form_add_application_error(form: forms.Form, exc: ApplicationError, *, field_map: dict[str, str] | None = None) -> None:
    """Put a service's field errors next to the inputs; the rest goes on top of the form."""
    field_map = field_map or {}
    placed = False
    for field, messages in exc.fields.items():
        name = field_map.get(field, field)
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
            placed = True
    if not placed or exc.message not in sum(exc.fields.values(), []):
        form.add_error(None, exc.message)


def flash_outcome(request, call, *, done: str = "") -> bool:
    """Run a service call for a button: a refusal is flashed as an error, `done` as a success. A 404 (forbidden or
    missing) propagates so it answers like any missing object. True when the call went through."""
    try:
        call()
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise
        flash.error(request, exc.message)
        return False
    if done:
        flash.success(request, done)
    return True


def posted_int(value) -> int:
    """A number from a form or query string, or 0 (which the services refuse with a clear message) when it is not one."""
    text = str(value or "").strip()
    return int(text) if text.isdecimal() else 0


def is_htmx(request) -> bool:
    """An htmx request, answered with the fragment it swaps in rather than the whole page."""
    return request.headers.get("HX-Request") == "true"


def safe_next_url(request, target: str | None, default: str) -> str:
    """Only same-site targets: a `next` from a form or query must never send the user off-site."""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def paginate(request, items, *, per_page: int = 20) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def xlsx_response(content: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
