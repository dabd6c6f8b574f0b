from django.shortcuts import render

from gonghui.accounts.selectors import current_post_for
from gonghui.core import registry
from gonghui.core.masking import mask_name
from gonghui.core.permissions import workbench_required
from gonghui.members import selectors as member_selectors
from gonghui.orgs import selectors as org_selectors
from gonghui.portal.desk import desk_for

PUBLIC_RESULT_LIMIT = 20


def h5_home(request):
    tiles = [tile for tile in registry.h5_tile_list() if tile.icon]
    return render(request, "portal/h5_home.html", {"tab": "home", "tiles": tiles})


def h5_services(request):
    return render(request, "portal/h5_services.html", {"tab": "services", "tiles": registry.h5_tile_list()})


def h5_me(request):
    """我的: the person's masked name once 一键入会 bound one to the account (a worker's username is a machine name)."""
    person = member_selectors.my_person(user=request.user)
    return render(request, "portal/h5_me.html", {"tab": "me", "person_name": mask_name(person.name) if person else ""})


def h5_find_union(request):
    q = request.GET.get("q", "")
    orgs = org_selectors.org_public_search(q=q, limit=PUBLIC_RESULT_LIMIT)
    crumbs = org_selectors.org_breadcrumbs(orgs=orgs)
    context = {"tab": "services", "q": q, "results": [(org, crumbs[org.pk]) for org in orgs], "limit": PUBLIC_RESULT_LIMIT}
    return render(request, "portal/h5_find_union.html", context)


def h5_union(request, org_id: int):
    """工会主页, opened from 找工会: the ONE page that answers anyone for any active union by id, by design (找工会 lists every
    union to the public). It shows only the public fields (`orgs.selectors.PUBLIC_ORG_FIELDS`) and what a worker can do there."""
    org = org_selectors.org_public_get(org_id=org_id)
    context = {"tab": "services", "org": org, "crumb": org_selectors.org_breadcrumbs(orgs=[org])[org.pk],
               "services": member_selectors.union_public_services(org=org)}
    return render(request, "portal/h5_union.html", context)


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
