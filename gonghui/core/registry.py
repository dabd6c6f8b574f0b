"""What each app declares about itself, read by the shells that show it (decision 0012).

An app's `AppConfig` subclasses `DeclaringApp` and fills in what it has:

    class TicketsConfig(DeclaringApp):
        name = "gonghui.tickets"
        actions = (Action("tickets.handle", "办理诉求工单", default_roles=("admin", "handler")),)
        menu = (MenuEntry("诉求工单", "工单列表", "tickets:list", actions=("tickets.handle",), order=300),)
        ...

The 工作台 menu, the H5 service tiles, the roles' default grants, the API, the URLs, `seed_demo`, the 待办 desk and its
figures read the installed apps here; no central list grows with each app. Job kinds are registered in `ready()` with
`gonghui.jobs.registry.register`, as before. Dotted paths (routers, URL modules, callables) are imported only when used,
so `apps.py` never imports the app's models. `manage.py check` reports a declaration that does not hold together.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import AppConfig, apps
from django.core import checks
from django.urls import NoReverseMatch, include, path, reverse
from django.utils.module_loading import import_string


# ---------------------------------------------------------------- what an app declares


@dataclass(frozen=True)
class Action:
    """An action a role may grant ("members.manage"), and the default roles that get it when it first appears.
    Roles keep their actions as data: after that first grant, administrators decide (accounts `role_defaults_sync`)."""

    code: str
    label: str
    default_roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class DefaultRole:
    """A role every federation starts with; created when missing, never changed afterwards except by new actions' grants."""

    code: str
    name: str
    description: str = ""
    actions: tuple[str, ...] = ()  # other apps' actions the role starts with (a 派单员 reads the org tree to pick a target)


@dataclass(frozen=True)
class MenuEntry:
    """A link in the 工作台 menu, under `section` (sections come in the order of their lowest entry).

    Shown to users holding any of `actions` (none: every 工作台 user). Marked current on the pages named in `current`
    ("namespace:name", or "namespace:*" for every page of a namespace; by default `url_name`): an exact name wins over a
    namespace, so one entry at most is current. `url_kwargs` are the link's arguments; an entry with them is current
    on its own URL name only when the page's arguments match."""

    section: str
    label: str
    url_name: str
    actions: tuple[str, ...] = ()
    current: tuple[str, ...] = ()
    url_kwargs: dict = field(default_factory=dict)
    order: int = 0


@dataclass(frozen=True)
class H5Tile:
    """A worker service on the H5 办事 page; with an `icon` (a name in templates/_icon.html) also a tile on the H5 home."""

    label: str
    url_name: str
    description: str
    icon: str = ""
    order: int = 0


@dataclass(frozen=True)
class UrlInclude:
    """`path(prefix, include(...))`: a URL module, or `attribute` in it (a `(patterns, app_name)` tuple, or a list of
    patterns that `namespace` names)."""

    prefix: str
    module: str
    attribute: str = ""
    namespace: str = ""


@dataclass(frozen=True)
class DemoOptions:
    employers: int = 4000


@dataclass(frozen=True)
class DemoStep:
    """`run(*, options: DemoOptions) -> str` loads demo data idempotently and says what it did in one line. Steps run in
    `order` across apps: 100 places and orgs, 200 logins, 300 what cadres did with them."""

    order: int
    run: str


@dataclass(frozen=True)
class TodoItem:
    """One thing waiting for the cadre. `due_at`: when it must be done (its time left is counted in `limit_unit`, a
    `worktime.deadlines.LimitUnit` value); without one, `waiting_since` says how long it has waited."""

    title: str
    url: str
    due_at: dt.datetime | None = None
    limit_unit: str = "working_days"
    waiting_since: dt.datetime | None = None
    note: str = ""


@dataclass(frozen=True)
class TodoList:
    """What a provider found: `count` items in all, the most urgent of them in `items`, all of them at `url`."""

    count: int
    items: Sequence[TodoItem]
    url: str


@dataclass(frozen=True)
class TodoProvider:
    """`collect(*, actor, limit) -> TodoList`, reading through the app's selectors in the actor's scope. Asked only
    for users holding any of `actions`."""

    label: str
    collect: str
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    note: str = ""
    url: str = ""


@dataclass(frozen=True)
class FigureProvider:
    """`collect(*, actor, org) -> list[Figure]`: the desk's figures for the org the cadre is acting for."""

    collect: str
    actions: tuple[str, ...] = ()


class DeclaringApp(AppConfig):
    """An app that declares what it adds to the shells. Every attribute is optional."""

    # Django uses the one AppConfig subclass an apps.py holds; importing this base there must not make it a second one.
    default = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.default = cls.__dict__.get("default", True)

    actions: Sequence[Action] = ()
    default_roles: Sequence[DefaultRole] = ()
    menu: Sequence[MenuEntry] = ()
    h5_tiles: Sequence[H5Tile] = ()
    api_routers: Sequence[str] = ()  # dotted paths of django-ninja routers, mounted at /api/
    urls: Sequence[UrlInclude] = ()
    demo: Sequence[DemoStep] = ()
    demo_logins: Sequence[tuple[str, str]] = ()  # (username, what the account sees) the demo prints after seeding
    todo_providers: Sequence[TodoProvider] = ()
    desk_figures: Sequence[FigureProvider] = ()
    reference_data: Sequence[str] = ()  # dotted paths of `load(apps, schema_editor)`: rows the app needs (data migrations)


def _declared(attribute: str) -> list:
    return [item for config in apps.get_app_configs() for item in getattr(config, attribute, ())]


# ---------------------------------------------------------------- reading them


def demo_login_list() -> list[tuple[str, str]]:
    return _declared("demo_logins")


def action_list() -> dict[str, Action]:
    return {action.code: action for action in _declared("actions")}


def action_labels() -> dict[str, str]:
    """Action code → its Chinese label, for forms and pages that list what a role or key may do."""
    return {code: action.label for code, action in action_list().items()}


def default_role_list() -> list[DefaultRole]:
    return _declared("default_roles")


def default_grants() -> dict[str, list[str]]:
    """Declared default role code → the declared actions it gets by default (a grant to an undeclared role fails the check)."""
    declared = action_list()
    grants: dict[str, list[str]] = {role.code: [code for code in role.actions if code in declared] for role in default_role_list()}
    for action in declared.values():
        for role in action.default_roles:
            if role in grants:
                grants[role].append(action.code)
    return grants


def _visible(required: Iterable[str], held: frozenset[str]) -> bool:
    required = tuple(required)
    return not required or any(action in held for action in required)


@dataclass(frozen=True)
class MenuLink:
    label: str
    href: str
    current: bool


@dataclass(frozen=True)
class MenuSection:
    title: str
    links: list[MenuLink]


def _match(entry: MenuEntry, view_name: str, kwargs: dict) -> int:
    """2: the page is one the entry names; 1: it is in a namespace the entry covers; 0: neither."""
    names = entry.current or (entry.url_name,)
    if view_name in names and (view_name != entry.url_name or not entry.url_kwargs
                               or all(str(kwargs.get(key)) == str(value) for key, value in entry.url_kwargs.items())):
        return 2
    namespace = view_name.rpartition(":")[0]
    return 1 if namespace and f"{namespace}:*" in names else 0


def menu_for(*, actions: frozenset[str], view_name: str = "", kwargs: dict | None = None) -> list[MenuSection]:
    entries = sorted((entry for entry in _declared("menu") if _visible(entry.actions, actions)), key=lambda entry: entry.order)
    matches = [_match(entry, view_name, kwargs or {}) for entry in entries]
    best = max(matches, default=0)
    sections: dict[str, list[MenuLink]] = {}
    for entry, match in zip(entries, matches, strict=True):
        sections.setdefault(entry.section, []).append(
            MenuLink(entry.label, reverse(entry.url_name, kwargs=entry.url_kwargs or None), current=bool(best) and match == best))
    return [MenuSection(title, links) for title, links in sections.items()]


def h5_tile_list() -> list[H5Tile]:
    return sorted(_declared("h5_tiles"), key=lambda tile: tile.order)


def api_router_list() -> list[tuple[str, object]]:
    return [("/", import_string(dotted)) for dotted in _declared("api_routers")]


def url_patterns() -> list:
    patterns = []
    for declared in _declared("urls"):
        target = getattr(import_module(declared.module), declared.attribute) if declared.attribute else declared.module
        if isinstance(target, list) and declared.namespace:  # bare patterns: the namespace is their app name too
            target = (target, declared.namespace)
        patterns.append(path(declared.prefix, include(target, namespace=declared.namespace or None)))
    return patterns


def demo_step_list() -> list[Callable[..., str]]:
    return [import_string(step.run) for step in sorted(_declared("demo"), key=lambda step: step.order)]


def todo_provider_list(*, actions: frozenset[str]) -> list[tuple[TodoProvider, Callable[..., TodoList]]]:
    return [(provider, import_string(provider.collect)) for provider in _declared("todo_providers") if _visible(provider.actions, actions)]


def figure_provider_list(*, actions: frozenset[str]) -> list[Callable[..., list[Figure]]]:
    return [import_string(provider.collect) for provider in _declared("desk_figures") if _visible(provider.actions, actions)]


def reference_data_loaders() -> list[Callable]:
    return [import_string(dotted) for dotted in _declared("reference_data")]


# ---------------------------------------------------------------- manage.py check


@checks.register()
def declarations_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Declarations that cannot work: an action declared twice, a menu entry, tile or provider needing an action nobody
    declares, a grant to a role nobody declares, a link that does not resolve, a dotted path that does not import."""
    errors = []
    codes = [action.code for action in _declared("actions")]
    for code in sorted({code for code in codes if codes.count(code) > 1}):
        errors.append(checks.Error(f"action {code} is declared more than once", id="gonghui.E001"))
    known, roles = set(codes), {role.code for role in default_role_list()}
    for action in _declared("actions"):
        for role in set(action.default_roles) - roles:
            errors.append(checks.Error(f"action {action.code} is granted to undeclared default role {role}", id="gonghui.E002"))
    for item in _declared("menu") + _declared("todo_providers") + _declared("desk_figures"):
        for action in set(item.actions) - known:
            errors.append(checks.Error(f"{item} needs undeclared action {action}", id="gonghui.E003"))
    for item in _declared("menu") + _declared("h5_tiles"):
        try:
            reverse(item.url_name, kwargs=getattr(item, "url_kwargs", None) or None)
        except NoReverseMatch:
            errors.append(checks.Error(f"{item.label}: URL name {item.url_name} does not resolve", id="gonghui.E004"))
    dotted = (_declared("api_routers") + [step.run for step in _declared("demo")] + _declared("reference_data")
              + [provider.collect for provider in _declared("todo_providers") + _declared("desk_figures")])
    for name in dotted:
        try:
            import_string(name)
        except ImportError:
            errors.append(checks.Error(f"{name} does not import", id="gonghui.E005"))
    return errors
