from django.shortcuts import render
from django.utils import timezone

from gonghui.core.permissions import workbench_required
from gonghui.worktime.calendar import work_calendar
from gonghui.worktime.deadlines import LimitUnit, deadline, remaining
from gonghui.worktime.forms import DeadlineForm
from gonghui.worktime.selectors import calendar_special_days


@workbench_required
def calendar_page(request):
    """The year's holidays and 调休 days with their source, and a deadline calculator."""
    calendar = work_calendar()
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else timezone.localdate().year
    form = DeadlineForm(request.GET if "amount" in request.GET else None)
    result = None
    if form.is_bound and form.is_valid():
        start, unit = form.cleaned_data["start"], LimitUnit(form.cleaned_data["unit"])
        due = deadline(calendar, start, form.cleaned_data["amount"], unit)
        result = {"due": due, "left": remaining(calendar, due, timezone.now(), unit), "unit": unit}
    context = {
        "year": year, "status": calendar.year_status(year), "days": calendar_special_days(calendar=calendar, year=year),
        "periods": calendar.periods, "form": form, "result": result, "years": range(year - 1, year + 3),
    }
    return render(request, "worktime/calendar.html", context)
