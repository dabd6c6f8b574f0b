"""预约 for the worker on a phone: two taps (list → detail → 预约), 我的预约 with the check-in QR and 取消, the waitlist
offer to confirm, and 实名 for non-members. The 预约 button's POST is the light path: the session's rules (remembered
once read, checked against its stamp), the person's facts in one query, and one UPDATE for the seat: at most 3 queries
for a refusal with the user's row, 2 when the session is remembered (decision 0024)."""
from __future__ import annotations

import functools

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.bookings import selectors, services
from gonghui.bookings.models import Kind
from gonghui.bookings.services import Refused
from gonghui.core.exceptions import ApplicationError
from gonghui.core.ratelimit import rate_limited
from gonghui.core.views import flash_outcome, is_htmx, paginate
from gonghui.members import services as member_services

H5_LOGIN = "accounts:h5_login"


def offering_list(request):
    kind = request.GET.get("kind", "")
    page = paginate(request, selectors.open_offerings(kind=kind, q=request.GET.get("q", "")), per_page=20)
    return render(request, "bookings/h5_list.html", {"page": page, "kinds": Kind.choices, "kind": kind, "q": request.GET.get("q", ""), "tab": "services"})


def offering_detail(request, offering_id):
    offering = selectors.public_offering(offering_id=offering_id)
    return render(request, "bookings/h5_detail.html", {
        "offering": offering, "sessions": selectors.offering_sessions(offering=offering, user=request.user), "tab": "services",
        "completion": selectors.completion(user=request.user, offering=offering) if request.user.is_authenticated else None})


def _answer(request, *, session, refusal: ApplicationError | None = None, booked: list | None = None, waiting=None):
    """The button's answer: an htmx fragment in place of the button, else a message on the offering's page. Rendered
    without the page's context processors (no queries of theirs on the light path)."""
    if is_htmx(request):
        if refusal is not None:
            return HttpResponse(_refusal_fragment(session_id=session.pk, starts_at=session.starts_at, ends_at=session.ends_at,
                                                  code=refusal.code, message=refusal.message, waitlist=getattr(refusal, "waitlist", False)))
        return HttpResponse(render_to_string("bookings/_answer.html", {"booked": booked, "waiting": waiting, "session": session}))
    if refusal is not None:
        messages.error(request, refusal.message)
    else:
        messages.success(request, "预约成功，可在“我的预约”查看签到码" if booked else "已加入候补，有名额时会通知您")
    return redirect("bookings_h5:mine" if refusal is None else "bookings_h5:list")


@functools.lru_cache(maxsize=1024)
def _refusal_fragment(*, session_id: int, starts_at, ends_at, code: str, message: str, waitlist: bool) -> str:
    """A refusal names nobody (the waitlist form's CSRF token comes from the page's hx-headers), so under flash demand
    thousands of "full" answers are one rendering; the key holds everything the fragment shows, so an edited session or
    another wording renders anew."""
    return render_to_string("bookings/_answer.html", {
        "refusal": {"code": code, "message": message, "waitlist": waitlist},
        "session": {"starts_at": starts_at, "ends_at": ends_at}, "session_id": session_id})


def _limited(request) -> bool:
    return rate_limited(request, group="bookings.book", value=str(request.user.pk), rate=settings.BOOKINGS_RATE, method="POST")


@require_POST
def book(request, session_id):
    """预约 (the button). Answers every attempt: booked, full (with the waitlist), not eligible (why), already booked,
    not open yet (when), or too many attempts."""
    if not request.user.is_authenticated:
        return _sign_in(request)
    session = services.remembered_session(session_id=session_id)  # a missing id answers 404 before any limit counts
    if _limited(request):
        return _answer(request, session=session, refusal=ApplicationError("操作太频繁，请稍后再试", code="bookings.rate"))
    try:
        booked = services.booking_create(actor=request.user, session=session, topic=request.POST.get("topic", ""))
    except Refused as refusal:
        return _answer(request, session=refusal.session or session, refusal=refusal)
    return _answer(request, session=next((b.session for b in booked if b.session_id == session.pk), session), booked=booked)


@require_POST
def wait(request, session_id):
    """加入候补 for a full session."""
    if not request.user.is_authenticated:
        return _sign_in(request)
    session = services.remembered_session(session_id=session_id)
    if _limited(request):
        return _answer(request, session=session, refusal=ApplicationError("操作太频繁，请稍后再试", code="bookings.rate"))
    try:
        entry = services.waitlist_join(actor=request.user, session=session, topic=request.POST.get("topic", ""))
    except ApplicationError as refusal:
        if refusal.status_code == 404:
            raise
        return _answer(request, session=session, refusal=refusal)
    return _answer(request, session=session, waiting=entry)


def _sign_in(request):
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse(H5_LOGIN)
        return response
    return redirect(H5_LOGIN)


@login_required(login_url=H5_LOGIN)
def mine(request):
    now = timezone.now()
    bookings = selectors.my_bookings(user=request.user)
    return render(request, "bookings/h5_mine.html", {
        "upcoming": [b for b in bookings.filter(session__ends_at__gt=now, status="active")[:50]],
        "past": bookings.exclude(session__ends_at__gt=now, status="active")[:30], "waits": selectors.my_waits(user=request.user), "tab": "me"})


@login_required(login_url=H5_LOGIN)
@never_cache
def booking_detail(request, booking_id):
    """One booking with its check-in QR (a signed token valid CHECKIN_TOKEN_SECONDS; the fragment refreshes every 50 s)."""
    booking = selectors.my_booking(user=request.user, booking_id=booking_id)
    token = services.checkin_token(booking=booking)
    context = {"booking": booking, "qr": segno.make(token, error="m").svg_data_uri(scale=5), "now": timezone.localtime(), "tab": "me",
               "can_cancel": booking.status == "active" and booking.session.starts_at - timezone.timedelta(hours=booking.session.offering.cancel_hours) > timezone.now()}
    return render(request, "bookings/_qr.html" if is_htmx(request) else "bookings/h5_booking.html", context)


@login_required(login_url=H5_LOGIN)
@require_POST
def booking_cancel(request, booking_id):
    if flash_outcome(request, lambda: services.booking_cancel(actor=request.user, booking_id=booking_id), done="已取消预约"):
        return redirect("bookings_h5:mine")
    return redirect("bookings_h5:booking", booking_id=booking_id)


@login_required(login_url=H5_LOGIN)
@require_POST
def booking_finish(request, booking_id):
    flash_outcome(request, lambda: services.booking_finish(actor=request.user, booking_id=booking_id), done="已记录完成学习")
    return redirect("bookings_h5:booking", booking_id=booking_id)


@login_required(login_url=H5_LOGIN)
@require_http_methods(["GET", "POST"])
def waitlist_offer(request, entry_id):
    """候补名额: confirm the held seat before its time runs out, or give it up."""
    entry = selectors.my_wait(user=request.user, entry_id=entry_id)
    if request.method == "POST":
        if request.POST.get("op") == "leave":
            went = flash_outcome(request, lambda: services.waitlist_leave(actor=request.user, entry_id=entry.pk), done="已退出候补")
        else:
            went = flash_outcome(request, lambda: services.waitlist_confirm(actor=request.user, entry_id=entry.pk), done="已确认，预约成功")
        if went:
            return redirect("bookings_h5:mine")
    return render(request, "bookings/h5_offer.html", {"entry": entry, "tab": "me"})


@login_required(login_url=H5_LOGIN)
@require_http_methods(["GET", "POST"])
def verify(request):
    """实名认证 for a worker who is not a member (open activities need a real name, not membership)."""
    error, typed = "", {"name": request.POST.get("name", "")}
    if request.method == "POST":
        try:
            member_services.person_verify(user=request.user, name=request.POST.get("name", ""), id_number=request.POST.get("id_number", ""))
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, "实名认证完成，可以预约了")
            return redirect("bookings_h5:list")
    return render(request, "bookings/h5_verify.html", {"error": error, "typed": typed, "tab": "me"}, status=400 if error else 200)


@require_GET
def ping(request):
    """A trivial signed-in GET through the same middleware (the benchmark's yardstick for the booking button)."""
    return HttpResponse(status=204 if request.user.is_authenticated else 401)
