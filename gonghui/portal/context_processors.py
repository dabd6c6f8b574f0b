from gonghui.accounts.selectors import actions_for
from gonghui.core import registry


def workbench_menu(request):
    """The 工作台 menu from the apps' declarations: the entries the user's actions open, the current page's marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not request.path.startswith("/workbench"):
        return {}
    match = getattr(request, "resolver_match", None)
    return {"workbench_menu": registry.menu_for(actions=actions_for(user=user), view_name=match.view_name if match else "",
                                                kwargs=match.kwargs if match else {})}
