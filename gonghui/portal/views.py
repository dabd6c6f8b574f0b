from django.shortcuts import render

from gonghui.accounts.selectors import current_post_for
from gonghui.core import registry
from gonghui.core.permissions import workbench_required
from gonghui.orgs import selectors as org_selectors
from gonghui.portal.desk import desk_for

PUBLIC_RESULT_LIMIT = 20


def h5_home(request):
    tiles = [tile for tile in registry.h5_tile_list() if tile.icon]
    return render(request, "portal/h5_home.html", {"tab": "home", "tiles": tiles})


def h5_services(request):
    return render(request, "portal/h5_services.html", {"tab": "services", "tiles": registry.h5_tile_list()})


def h5_me(request):
    return render(request, "portal/h5_me.html", {"tab": "me"})


def h5_find_union(request):
    q = request.GET.get("q", "")
    orgs = org_selectors.org_public_search(q=q, limit=PUBLIC_RESULT_LIMIT)
    crumbs = org_selectors.org_breadcrumbs(orgs=orgs)
    context = {"tab": "services", "q": q, "results": [(org, crumbs[org.pk]) for org in orgs], "limit": PUBLIC_RESULT_LIMIT}
    return render(request, "portal/h5_find_union.html", context)


def h5_employer_check(request):
    q = request.GET.get("q", "")
    results = org_selectors.employer_public_search(q=q, limit=PUBLIC_RESULT_LIMIT)
    context = {"tab": "services", "q": q, "results": results, "limit": PUBLIC_RESULT_LIMIT}
    return render(request, "portal/h5_employer_check.html", context)


@workbench_required
def workbench_home(request):
    post = current_post_for(user=request.user, session=request.session)
    roots = [] if post else list(org_selectors.org_roots_for(actor=request.user))
    org = post.org if post else (roots[0] if roots else None)
    return render(request, "portal/workbench_home.html", {"org": org, "desk": desk_for(actor=request.user, org=org)})
