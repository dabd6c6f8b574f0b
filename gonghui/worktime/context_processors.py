from gonghui.accounts.selectors import actions_for
from gonghui.worktime.selectors import provisional_years


def calendar_banner(request):
    """Calendar managers see a banner while a year's holidays rest on provisional data."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not request.path.startswith("/workbench"):
        return {}
    if "calendar.manage" not in actions_for(user=user):
        return {}
    return {"provisional_years": provisional_years()}
