"""Every URL and API path that takes an id answers an object of a sibling district exactly as it answers an id that
does not exist: for a 天河区 cadre (also staff, so the admin is walked too), a worker, an employer's external account and
an anonymous caller, with GET and POST, for one object of every scoped model (each app's `tests/scoped.py`).

Ids are spread first: every table's next id starts in a range of its own, so an object's id means nothing in another
table and each object can be tried on every path, whatever kind the path expects.
"""
from __future__ import annotations

import importlib
import logging
import re

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.db import connection, models
from django.urls import URLPattern, URLResolver, get_resolver

from gonghui.accounts.models import ExternalBinding, PartyType, UserKind
from gonghui.accounts.tests.factories import PostFactory, UserFactory
from gonghui.core.access import scoped_models
from gonghui.core.exceptions import NOT_FOUND_MESSAGE
from gonghui.core.tests.places import Place
from gonghui.members.tests.factories import worker
from gonghui.orgs.models import OrgType
from gonghui.orgs.tests.factories import EmployerFactory, OrgFactory

pytestmark = pytest.mark.django_db
MISSING = 9_999_999_999
ID_STEP = 10_000_000
# Paths that take an id and answer anyone on purpose (a public page of a union, a lottery's verification page): each
# is named here with why, and the test prints the list so a reviewer sees it.
PUBLIC = {
    "h5/unions/<int:org_id>/": "找工会 → 工会主页: every active union's public fields (address, phone, hours, services), by design",
    "h5/bookings/lottery/<int:lottery_id>/": "抽签公示页: a published lottery's receipt codes and result, never a name (decision 0025)",
    "h5/bookings/lottery/<int:lottery_id>/result.json": "抽签公示数据: the exact input of the standalone verifier (decision 0025)",
    "h5/bookings/lottery/<int:lottery_id>/verify/": "抽签核验页: recomputes the published draw in the browser (decision 0025)",
    "h5/bookings/lottery/<int:lottery_id>/register/": "抽签报名: any worker may try a published lottery; eligibility answers why not",
    "h5/bookings/lottery/<int:lottery_id>/withdraw/": "撤回抽签报名: answers the worker's own registration only",
}


def _factories() -> dict[type[models.Model], object]:
    found = {}
    for config in apps.get_app_configs():
        name = f"{config.name}.tests.scoped"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as missing:
            if not name.startswith(missing.name or "-"):  # a broken import inside the module is an error, not "none"
                raise
            continue
        found.update(module.FACTORIES)
    return found


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _id_params(route: str) -> list[str]:
    names = [converter or group for converter, group in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)]
    return [name for name in names if name == "pk" or name.endswith("_id")]


def id_routes() -> list[str]:
    """Every registered route (pages, admin, ninja API) with an id in it, as a format string."""
    routes = set()
    for route, _ in _routes(get_resolver().url_patterns):
        if _id_params(route) and not route.startswith("^"):
            routes.add(route)
    return sorted(routes)


def url_for(route: str, value) -> str:
    def fill(match):
        name = match.group(1)
        return str(value) if name == "pk" or name.endswith("_id") else "xlsx"
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", fill, route).lstrip("^").rstrip("$")


def spread_ids() -> None:
    """Start every table's next id at its own multiple of ID_STEP."""
    with connection.cursor() as cursor:
        for number, model in enumerate(apps.get_models(), start=1):
            if not isinstance(model._meta.pk, models.AutoField) or model._meta.proxy:
                continue
            table, start = model._meta.db_table, number * ID_STEP
            if connection.vendor == "postgresql":
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, %s), %s)", [table, model._meta.pk.column, start])
            else:
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start])


def flashed(response) -> list[str]:
    """The messages this request added (a page that redirects tells its refusal this way); not those of earlier requests."""
    storage = getattr(response.wsgi_request, "_messages", None)
    return [str(message.message) for message in getattr(storage, "_queued_messages", [])]


def answer(client, method: str, url: str, value) -> tuple:
    client.cookies.pop("messages", None)
    response = getattr(client, method)(url)
    text = response.content.decode(errors="replace") if not getattr(response, "streaming", False) else ""
    text = re.sub(r'(X-CSRFToken": "|csrfmiddlewaretoken" value=")[^"]+', r"\1", text).replace(str(value), "<id>")
    return (response.status_code, response.get("Location", "").replace(str(value), "<id>"),
            [message.replace(str(value), "<id>") for message in flashed(response)], text)


def says_not_found(answer: tuple) -> bool:
    """A missing id gets the one not-found message (a 404 page or JSON, or a redirect that flashes it), or is sent to sign
    in, or refused before any lookup (an empty body 400/422, 403, 405) — never another wording."""
    status, location, messages, text = answer
    if status == 404:
        return NOT_FOUND_MESSAGE in text
    if status == 302:
        return messages in ([], [NOT_FOUND_MESSAGE])  # a redirect to sign in, to the admin index, or back to a queue
    return status in (400, 401, 403, 405, 422)


@pytest.fixture
def walkers(org):
    cadre = PostFactory(org=org("440106"), user=UserFactory(is_staff=True)).user
    cadre.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    employer = EmployerFactory(town=org("440106006"))
    external = UserFactory(kind=UserKind.EXTERNAL)
    ExternalBinding.objects.create(user=external, party_type=PartyType.EMPLOYER, employer=employer)
    return {"天河区干部": cadre, "职工": worker(), "外部账号": external, "匿名": None}


@pytest.fixture
def sibling_objects(org, walkers):
    """One object of every scoped model in 越秀区, the 天河区 cadre's sibling district."""
    spread_ids()
    district = org("440104")
    town = district.children.filter(type=OrgType.TOWN).first()
    union = OrgFactory(parent=town, type=OrgType.ENTERPRISE, name="越秀某科技公司工会委员会")
    place = Place(district=district, town=town, union=union, employer=EmployerFactory(town=town, union=union, headcount=150),
                  cadre=PostFactory(org=district).user, city_cadre=PostFactory(org=org("4401")).user)
    factories = _factories()
    unregistered = sorted(model._meta.label for model in scoped_models() if model not in factories)
    assert not unregistered, f"scoped models without a factory in <app>/tests/scoped.py: {unregistered}"
    return {model._meta.label: factories[model](place) for model in scoped_models()}


def candidates(route: str, objects: dict) -> dict:
    """The objects to try on a route: for an admin page, the objects of its model (the route names it); elsewhere all."""
    admin_page = re.match(r"admin/(\w+)/(\w+)/", route)
    if admin_page:
        return {label: obj for label, obj in objects.items() if obj._meta.label_lower == ".".join(admin_page.groups())}
    return objects


def test_every_path_with_an_id_answers_a_sibling_districts_object_as_a_missing_one(client, walkers, sibling_objects):
    logging.getLogger("django.request").setLevel(logging.ERROR)  # thousands of expected 404s need no log lines
    routes = [route for route in id_routes() if route not in PUBLIC]
    print(f"\n{len(routes)} paths with an id; public, allowed to answer: {PUBLIC or 'none'}")
    failures = []
    for who, user in walkers.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for route in routes:
            tried = candidates(route, sibling_objects)
            if not tried:
                continue
            for method in ("get",) if route.startswith("admin/") else ("get", "post"):  # the admin here is read-only
                missing = answer(client, method, url_for(route, MISSING), MISSING)
                if not says_not_found(missing):
                    failures.append(f"{who} {method.upper()} {url_for(route, MISSING)}: a missing id answers "
                                    f"{missing[0]} {missing[1]} {missing[2]}, not the one not-found message")
                for label, obj in tried.items():
                    got = answer(client, method, url_for(route, obj.pk), obj.pk)
                    if got != missing:
                        failures.append(f"{who} {method.upper()} {url_for(route, obj.pk)} ({label}): {got[0]} {got[1]} "
                                        f"{got[2]} ≠ missing {missing[0]} {missing[1]} {missing[2]}")
    assert not failures, f"{len(failures)} answers differ from a missing id's:\n" + "\n".join(failures[:40])
