"""值班安排: who takes urgent orders (30 clock minutes, around the clock) for each org; an urgent order goes to whoever is
on duty there, and to the org above when nobody is."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.accounts.selectors import cadre_by_username
from gonghui.core.exceptions import ApplicationError, NotFound
from gonghui.core.permissions import workbench_required
from gonghui.core.views import form_add_application_error, paginate, posted_int
from gonghui.orgs import selectors as org_selectors
from gonghui.tickets import services
from gonghui.tickets.forms import DutyShiftForm
from gonghui.tickets.models import HANDLE
from gonghui.tickets.selectors_pages import DUTY_WHEN, duty_shifts
from gonghui.tickets.views import _require


@workbench_required
@require_http_methods(["GET", "POST"])
def duty(request):
    _require(request, HANDLE)
    if request.method == "POST":
        form = DutyShiftForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.duty_shift_add(actor=request.user, org=org_selectors.org_get_by_code_for(actor=request.user, code=data["org_code"]),
                                        user=cadre_by_username(username=data["username"]), starts_at=data["starts_at"],
                                        ends_at=data["ends_at"])
            except ApplicationError as exc:
                form_add_application_error(form, exc, field_map={"user_id": "username", "org_id": "org_code"})
            else:
                messages.success(request, "已安排值班")
                return redirect("tickets:duty")
    else:
        form = DutyShiftForm()
    when = request.GET.get("when", "now") if request.GET.get("when") in DUTY_WHEN else "now"
    now = timezone.now()
    shifts = duty_shifts(actor=request.user, org_id=posted_int(request.GET.get("org")), when=when, q=request.GET.get("q", ""), now=now)
    return render(request, "tickets/duty.html", {
        "form": form, "page": paginate(request, shifts, per_page=25), "when": when, "whens": DUTY_WHEN, "now": now,
        "orgs": org_selectors.org_places_for(actor=request.user), "filters": request.GET})


@workbench_required
@require_POST
def duty_remove(request, shift_id: int):
    try:
        services.duty_shift_remove(actor=request.user, shift_id=shift_id)
    except NotFound:
        raise  # another org's shift answers as a missing one, not as a refusal
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已取消该值班")
    return redirect("tickets:duty")
