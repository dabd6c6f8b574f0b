from django.utils.functional import SimpleLazyObject

from gonghui.accounts.selectors import actions_for
from gonghui.core import registry


def workbench_menu(request):
    """The 工作台 menu from the apps' declarations: the entries the user's actions open, the current page's marked.
    Built only when a page shows it (the 工作台 shell, also around the account pages under /accounts/)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def build():
        match = getattr(request, "resolver_match", None)
        return registry.menu_for(actions=actions_for(user=user), view_name=match.view_name if match else "",
                                 kwargs=match.kwargs if match else {})

    return {"workbench_menu": SimpleLazyObject(build)}
