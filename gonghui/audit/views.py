import datetime as dt

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from gonghui.accounts.selectors import actions_for
from gonghui.audit.selectors import audit_event_list
from gonghui.core.permissions import workbench_required
from gonghui.core.views import paginate


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@workbench_required
def audit_search(request):
    if "audit.view" not in actions_for(user=request.user):
        raise PermissionDenied
    params = {key: request.GET.get(key, "").strip() for key in ("action", "actor", "object", "from", "to")}
    events = audit_event_list(
        actor=request.user, action=params["action"], actor_name=params["actor"], object_q=params["object"],
        date_from=_date(params["from"]), date_to=_date(params["to"]),
    )
    return render(request, "audit/audit_search.html", {"page": paginate(request, events, per_page=30), "filters": params})
