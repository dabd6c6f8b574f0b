import datetime as dt

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from gonghui.accounts.selectors import actions_for
from gonghui.audit.labels import action_groups
from gonghui.audit.presentation import event_rows
from gonghui.audit.selectors import audit_event_list
from gonghui.core.permissions import workbench_required
from gonghui.core.views import paginate
from gonghui.orgs.selectors import org_names_by_path, org_places_for, org_within

FILTERS = ("action", "actor", "object", "from", "to", "within")


def _date(value: str, label: str, problems: list[str]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        problems.append(f"{label}“{value}”不是有效日期，请按 2026-11-26 的格式填写")
        return None


@workbench_required
def audit_search(request):
    if "audit.view" not in actions_for(user=request.user):
        raise PermissionDenied
    params = {key: request.GET.get(key, "").strip() for key in FILTERS}
    problems: list[str] = []
    date_from, date_to = _date(params["from"], "开始日期", problems), _date(params["to"], "结束日期", problems)
    if date_from and date_to and date_from > date_to:
        problems.append("开始日期晚于结束日期")
        date_from = date_to = None
    within = org_within(actor=request.user, org_id=params["within"])  # outside the actor's scope: 404, as for a missing org
    events = audit_event_list(
        actor=request.user, action=params["action"], actor_name=params["actor"], object_q=params["object"],
        date_from=date_from, date_to=date_to, within_path=within.path if within else "",
    )
    page = paginate(request, events, per_page=30)
    rows = event_rows(list(page), org_names=org_names_by_path(paths=[event.org_path for event in page]))
    return render(request, "audit/audit_search.html", {
        "page": page, "rows": rows, "filters": params, "problems": problems, "action_groups": action_groups(),
        "places": org_places_for(actor=request.user), "within": within,
    })
