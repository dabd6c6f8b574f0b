"""我要疗休养 for the worker on a phone: the routes open to them (every published route: 会员互送 is by design), a
route's departures with places left and what they would pay, the request for a place, and 我的疗休养 with the
union's decision."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gonghui.core.exceptions import ApplicationError
from gonghui.core.views import paginate
from gonghui.members.selectors import my_membership
from gonghui.trips import selectors, services


def route_list(request):
    q = request.GET.get("q", "")
    page = paginate(request, selectors.public_routes(q=q), per_page=20)
    return render(request, "trips/h5_routes.html", {"page": page, "q": q, "tab": "services"})


def route_detail(request, route_id):
    route = selectors.public_route(route_id=route_id)
    membership = my_membership(user=request.user)
    split = problem = None
    if membership is not None:
        problem = services.eligibility_problem(route=route, membership=membership)
        split = services.funding_split(price_fen=route.price_fen, policy=services.policy_for(payer=membership.union, year=selectors.today().year))
    return render(request, "trips/h5_route.html", {"route": route, "departures": selectors.upcoming_departures(route=route),
                                                   "membership": membership, "problem": problem, "split": split, "tab": "services"})


@login_required(login_url="accounts:h5_login")
@require_POST
def place_request(request, departure_id):
    departure = selectors.departure_for_booking(departure_id=departure_id)
    try:
        services.place_request(actor=request.user, departure_id=departure.pk)
        messages.success(request, "申请已提交，由您所在工会审批")
        return redirect("trips_h5:mine")
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("trips_h5:route", route_id=departure.route_id)


@login_required(login_url="accounts:h5_login")
def mine(request):
    return render(request, "trips/h5_mine.html", {"places": selectors.my_places(user=request.user)[:50], "tab": "services"})
