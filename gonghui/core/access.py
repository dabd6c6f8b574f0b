"""The one access rule: which rows of a model an actor may see or change for an action.

Every model that belongs to an org declares, once, how its rows reach their org (`Access`) and uses `ScopedQuerySet`
as its manager, so `Model.objects.restrict(actor, action)` is where every selector, service check, admin queryset, export
and API endpoint starts. Nothing else turns posts into filters. A row is in reach when:

- it lies in the subtree of an org where one of the actor's posts (at an active org) grants the action (any of the declared
  paths; `read_paths` count for read actions only);
- the action is a read, the model admits guidance reads (`guided`) and a `guidance_read` post's org guides the row's org
  (业务指导: the guided unions' own orgs, employers and members, decision 0011);
- the model declares upward reads (`Above`) for the action and the row is held by an org above the actor's own posts
  (a 区总 reads the 市总's published schemes), never above the orgs they only guide;
- the actor owns it (`owner`, a lookup to the user: a worker's own applications), for the declared owner actions;
- an `accounts.ObjectGrant` gives the actor that action on that row, valid now and not revoked.

A model may also declare a conflict of interest (回避, `conflict`): its rows about someone are withheld from them, whatever
else would give them. About an employer (`Conflict.employers`): cadres with a post at the employer's union (or anywhere
under it) and the employer's external accounts (a complaint about an employer never reaches the employer). About a union
(`Conflict.orgs`): cadres with a post at that org or under it. About a person (`Conflict.people`): that person.
Paths may cross to-many relations (an order read by every org that has held it); such a path is matched by subquery so
rows never repeat.

Superusers reach everything; anonymous callers nothing. Missing and forbidden rows answer the same `NotFound`, whose one
message (`core.exceptions.NOT_FOUND_MESSAGE`) is the same for every model and every page.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.utils import timezone

from gonghui.core.exceptions import NotFound

PATH_STEP = 4  # the fixed width of one step of an org's materialized path (decision 0002)


def is_read_action(action: str) -> bool:
    return action.endswith(".view")


@dataclass(frozen=True)
class Above:
    """An upward read: rows held by the orgs above the actor's posts, for `actions`, when `when` holds."""

    actions: frozenset[str]
    when: Q = field(default_factory=Q)


@dataclass(frozen=True)
class Conflict:
    """回避: lookups to whom a row is about; each may cross to-many relations (the parties a complaint names)."""

    employers: tuple[str, ...] = ()  # lookups to orgs.Employer
    orgs: tuple[str, ...] = ()  # lookups to orgs.Org
    people: tuple[str, ...] = ()  # lookups to accounts.User


@dataclass(frozen=True)
class Access:
    """How a model's rows reach their org, declared once on the model (`access = Access(...)`)."""

    paths: tuple[str, ...]  # lookups to the org's materialized path, e.g. ("union__path",)
    read_paths: tuple[str, ...] = ()  # more lookups that count for read actions only (an employer's own union)
    guided: bool = False  # guidance_read posts read the rows of the orgs they guide
    above: Above | None = None
    owner: str = ""  # lookup to the user who owns a row
    owner_actions: frozenset[str] = frozenset()
    conflict: Conflict | None = None  # who the row is about, who therefore never reaches it


def active_posts(actor) -> list:
    """The actor's posts at active orgs, with org and role, in tree order; loaded once per actor object (one per request)."""
    if actor is None or not actor.is_authenticated:
        return []
    if "_access_posts" not in actor.__dict__:
        actor.__dict__["_access_posts"] = actor.active_posts()  # an API key's account acts through its key's grant
    return actor.__dict__["_access_posts"]


def _outermost(paths) -> list[str]:
    ordered = sorted(set(paths))
    return [p for i, p in enumerate(ordered) if not any(p.startswith(q) for q in ordered[:i])]


def _post_paths(actor, action: str) -> list[str]:
    return _outermost(post.org.path for post in active_posts(actor) if action in post.role.permissions)


def _guided_paths(actor, action: str) -> list[str]:
    """Paths of the orgs that the orgs of the actor's `guidance_read` posts (and their subtrees) guide."""
    guides = [post.org.path for post in active_posts(actor) if post.guidance_read and action in post.role.permissions]
    if not guides:
        return []
    cache = actor.__dict__.setdefault("_access_guided", {})
    key = tuple(guides)
    if key not in cache:
        link = apps.get_model("orgs", "GuidanceLink")
        condition = Q(pk__in=[])
        for path in guides:
            condition |= Q(guide__path__startswith=path)
        cache[key] = list(link.objects.filter(condition).values_list("org__path", flat=True))
    return cache[key]


def reach(actor, action: str, *, guided: bool = False) -> list[str] | None:
    """Path prefixes under which the actor's posts give `action` (with guided orgs' subtrees for a read when `guided`);
    None means everywhere (a superuser)."""
    if actor is None or not actor.is_authenticated:
        return []
    if actor.is_superuser:
        return None
    paths = _post_paths(actor, action)
    if guided and is_read_action(action):
        paths = _outermost([*paths, *_guided_paths(actor, action)])
    return paths


def covers(paths: list[str] | None, path: str) -> bool:
    """`reach`'s answer asked of one org path."""
    return paths is None or any(path.startswith(prefix) for prefix in paths)


def _ancestors(paths: list[str]) -> list[str]:
    return sorted({path[:end] for path in paths for end in range(PATH_STEP, len(path), PATH_STEP)})


def _is_many(model, lookup: str) -> bool:
    """Whether a lookup crosses a to-many relation (then a plain filter could repeat rows)."""
    for name in lookup.split("__"):
        relation = model._meta.get_field(name)
        if relation.one_to_many or relation.many_to_many:
            return True
        model = relation.related_model
        if model is None:
            return False
    return False


def inside_paths(actor) -> list[str]:
    """The paths of the orgs the actor works inside: the orgs of their posts and every org above them."""
    posts = [post.org.path for post in active_posts(actor)]
    return sorted({path[:end] for path in posts for end in range(PATH_STEP, len(path) + 1, PATH_STEP)})


def own_employers(actor):
    """Ids of the employers the actor belongs to (a subquery): those whose union is the org of one of the actor's posts
    or an org above it (the actor works inside the employer's union), and those the actor's external account is bound to."""
    employer, binding = apps.get_model("orgs", "Employer"), apps.get_model("accounts", "ExternalBinding")
    bound = binding.objects.filter(user_id=actor.pk, employer__isnull=False).values("employer_id")
    return employer.objects.filter(Q(union__path__in=inside_paths(actor)) | Q(pk__in=bound)).values("pk")


class ScopedQuerySet(models.QuerySet):
    """The queryset of a model that declares `access`."""

    def _rule(self) -> Access:
        return self.model.access

    def restrict(self, actor, action: str, *, posts_only: bool = False) -> ScopedQuerySet:
        """Rows the actor may `action`. `posts_only`: through the actor's posts alone (what they may hand on to others),
        leaving out owned rows, object grants and upward reads."""
        if actor is None or not actor.is_authenticated:
            return self.none()
        if actor.is_superuser:
            return self.all()
        rule = self._rule()
        condition = self._subtree_q(reach(actor, action, guided=rule.guided), rule.paths + (rule.read_paths if is_read_action(action) else ()))
        if posts_only:
            return self._without_conflicts(self.filter(condition), actor)
        above = self.above(actor, action)
        if above is not None:
            condition |= above
        if rule.owner and action in rule.owner_actions:
            if _is_many(self.model, rule.owner):
                condition |= Q(pk__in=self.model._base_manager.filter(**{rule.owner: actor}).values("pk"))
            else:
                condition |= Q(**{rule.owner: actor})
        return self._without_conflicts(self.filter(condition | Q(pk__in=granted_ids(actor, self.model, action))), actor)

    def _without_conflicts(self, rows: ScopedQuerySet, actor) -> ScopedQuerySet:
        conflict = self._rule().conflict
        if conflict is None:
            return rows
        # one exclude per lookup: across a to-many relation, a row goes when any of its parties is the actor's
        for lookup in conflict.employers:
            rows = rows.exclude(**{f"{lookup}__in": own_employers(actor)})
        inside = inside_paths(actor)
        for lookup in conflict.orgs if inside else ():
            rows = rows.exclude(**{f"{lookup}__path__in": inside})
        for lookup in conflict.people:
            rows = rows.exclude(**{lookup: actor.pk})
        return rows

    def _subtree_q(self, paths: list[str], fields: tuple[str, ...]) -> Q:
        condition = Q(pk__in=[])
        for name in fields:
            if not paths:
                break
            if _is_many(self.model, name):
                # one semi-join per path prefix list, so a row held by several orgs in reach comes once
                held = Q(pk__in=[])
                for path in paths:
                    held |= Q(**{f"{name}__startswith": path})
                condition |= Q(pk__in=self.model._base_manager.filter(held).values("pk"))
                continue
            for path in paths:
                condition |= Q(**{f"{name}__startswith": path})
        return condition

    def reach(self, actor, action: str) -> list[str] | None:
        """Path prefixes where the actor's posts give `action` on this model's rows (None: everywhere); what a page needs
        when it reasons about paths rather than rows (a drive's slice, the orgs a plan may be run for)."""
        return reach(actor, action, guided=self._rule().guided)

    def above(self, actor, action: str) -> Q | None:
        """The condition for rows the actor reaches upward (a higher org's drive they see as their slice); None when
        the rule gives them none."""
        rule = self._rule()
        if rule.above is None or actor.is_superuser or action not in rule.above.actions:
            return None
        above = _ancestors(_post_paths(actor, action))
        return Q(**{f"{rule.paths[0]}__in": above}) & rule.above.when if above else None

    def restrict_get(self, actor, action: str, pk) -> models.Model:
        """One row the actor may `action`; missing, malformed and forbidden ids raise the same NotFound."""
        try:
            return self.restrict(actor, action).get(pk=int(pk))
        except (self.model.DoesNotExist, ValueError, TypeError, OverflowError):
            raise NotFound() from None


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def granted_ids(actor, model, action: str):
    """Ids of `model` rows that valid object grants give the actor for `action` (a subquery, no query of its own)."""
    grant = apps.get_model("accounts", "ObjectGrant")
    now = timezone.now()
    # Actions are a JSON list; matching the quoted name works alike on SQLite and PostgreSQL ("a.view" is no part of "a.viewer").
    return (grant.objects.filter(grantee_id=actor.pk, content_type__app_label=model._meta.app_label,
                                 content_type__model=model._meta.model_name, revoked_at__isnull=True, valid_since__lte=now,
                                 actions__icontains=f'"{action}"')
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now)).values("object_id"))


def scoped_models() -> list[type[models.Model]]:
    """Every model that declares an access rule (the URL walk needs a factory for each)."""
    return [model for model in apps.get_models() if isinstance(getattr(model, "access", None), Access)]
