from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from django.apps import apps
from django.utils import timezone

from gonghui.accounts.models import ApiKey, ObjectGrant, Post, Role, User
from gonghui.core import registry
from gonghui.core.access import active_posts, covers, reach, scoped_models
from gonghui.core.exceptions import ApplicationError, NotFound


def post_list_for(*, user) -> list[Post]:
    """The user's posts at active orgs, loaded once per request: the same list the access rule works from."""
    return active_posts(user)


def current_post_for(*, user, session) -> Post | None:
    """The post the cadre is acting in (the org switcher), defaulting to the first."""
    posts = post_list_for(user=user)
    chosen = session.get("current_post_id")
    for post in posts:
        if post.pk == chosen:
            return post
    return posts[0] if posts else None


def actions_for(*, user) -> frozenset[str]:
    """Every action the user may perform somewhere: decides which 工作台 menus show. Worked out once per request,
    like the posts it comes from (the menu and the calendar banner both ask)."""
    if not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        return frozenset(registry.action_list())
    if "_actions_cache" not in user.__dict__:
        actions = {action for post in post_list_for(user=user) for action in post.role.permissions}
        if user.external_bindings.filter(employer__isnull=False).exists():
            actions.add("employers.view")
        user.__dict__["_actions_cache"] = frozenset(actions)
    return user.__dict__["_actions_cache"]


def holds_action_at(*, actor, action: str, org) -> bool:
    """Whether a post of the actor grants `action` at `org` (its own subtree, never a guidance read): what the actor
    may hand on to someone else there."""
    return covers(reach(actor, action), org.path)


def actions_missing_at(*, actor, actions, org) -> list[str]:
    """The actions in `actions` the actor does not hold at `org`, in the given order."""
    return [action for action in actions if not holds_action_at(actor=actor, action=action, org=org)]


def managed_org_get(*, actor, code: str):
    """An org (by its code) where the actor may manage people (accounts.manage), or NotFound as for a missing one."""
    org = apps.get_model("orgs", "Org").objects.filter(code=code.strip(), is_active=True).first() if code.strip() else None
    if org is None or not holds_action_at(actor=actor, action="accounts.manage", org=org):
        raise NotFound()
    return org


def managed_org_options(*, actor, q: str, limit: int = 20) -> list:
    """Orgs under the actor's accounts.manage posts matching a name, code or pinyin initials (the grant form's picker)."""
    q = q.strip()
    if not q:
        return []
    orgs = apps.get_model("orgs", "Org").objects.restrict(actor, "accounts.manage").filter(is_active=True)
    orgs = orgs.filter(Q(name__contains=q) | Q(code__startswith=q) | Q(name_initials__startswith=q.lower()))
    return list(orgs.order_by("path")[:limit])


def post_list(*, actor, q: str = "", org_id: int | None = None, role_id: int | None = None) -> QuerySet[Post]:
    """岗位 in the actor's accounts.manage subtree, searchable by person (username or name) and filtered by org and role."""
    posts = Post.objects.restrict(actor, "accounts.manage").select_related("user", "org", "role")
    q = q.strip()
    if q:
        posts = posts.filter(Q(user__username__icontains=q) | Q(user__display_name__icontains=q))
    if org_id:
        posts = posts.filter(org_id=org_id)
    if role_id:
        posts = posts.filter(role_id=role_id)
    return posts.order_by("org__path", "user__username", "role_id")


def post_get_for(*, actor, post_id) -> Post:
    try:
        return post_list(actor=actor).get(pk=int(post_id))
    except (Post.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def post_filter_orgs(*, actor) -> list:
    """The orgs that hold posts in the actor's subtree: the 岗位管理 org filter's choices."""
    org_ids = post_list(actor=actor).values("org_id")
    return list(apps.get_model("orgs", "Org").objects.filter(pk__in=org_ids).order_by("path"))


def cadre_by_username(*, username: str) -> User:
    """The account a post is granted to, by exact username; the service decides whether it may hold one."""
    user = User.objects.filter(username=username.strip()).first() if username.strip() else None
    if user is None:
        raise ApplicationError("没有这个账号，请核对用户名", code="accounts.user_missing", fields={"username": ["账号不存在"]})
    return user


def role_list() -> QuerySet[Role]:
    return Role.objects.order_by("id")


def role_get(*, role_id) -> Role:
    try:
        return Role.objects.get(pk=int(role_id))
    except (Role.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def role_list_with_post_counts(*, actor) -> QuerySet[Role]:
    """Roles with how many posts in the actor's subtree carry each (posts elsewhere are not theirs to count)."""
    return role_list().annotate(post_count=Count("posts", filter=Q(posts__in=Post.objects.restrict(actor, "accounts.manage"))))


def api_key_list(*, actor) -> QuerySet[ApiKey]:
    """接口密钥 bound to orgs in the actor's accounts.manage subtree (an administrator's: all)."""
    keys = ApiKey.objects.filter(org__in=apps.get_model("orgs", "Org").objects.restrict(actor, "accounts.manage"))
    return keys.select_related("org", "issued_by", "revoked_by").order_by("-id")


def api_key_get_for(*, actor, key_id) -> ApiKey:
    try:
        return api_key_list(actor=actor).get(pk=int(key_id))
    except (ApiKey.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def staff_list(*, actor, q: str = "", action: str = "accounts.manage") -> QuerySet[User]:
    """Cadres holding a post somewhere in the actor's subtree."""
    posts = Post.objects.restrict(actor, action).filter(user=OuterRef("pk"))
    users = User.objects.filter(Exists(posts)).prefetch_related("posts__org", "posts__role").order_by("username")
    q = q.strip()
    if q:
        users = users.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    return users


def staff_get_for(*, actor, user_id, action: str = "accounts.manage") -> User:
    try:
        return staff_list(actor=actor, action=action).get(pk=int(user_id))
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def users_with_action_nearest(*, org, action: str) -> list[User]:
    """Who to tell about an org's work: the posts allowed `action` at the org itself, or else at the
    nearest org above it that has any (a 街道 union without staff is served by its 区总)."""
    chain = org.ancestor_paths() + [org.path]
    posts = Post.objects.filter(org__path__in=chain, org__is_active=True).select_related("user", "role", "org")
    by_depth: dict[int, list[User]] = {}
    for post in posts:
        if action in post.role.permissions and post.user.is_active:
            by_depth.setdefault(post.org.depth, []).append(post.user)
    return by_depth[max(by_depth)] if by_depth else []


GRANT_STATES = {"valid": "有效", "expired": "已到期", "revoked": "已撤销"}


def object_grant_list(*, actor, q: str = "", state: str = "") -> QuerySet[ObjectGrant]:
    """对象授权 of the actor's accounts.manage subtree and those the actor gave, newest first; `q` matches the grantee's
    username or name, `state` one of GRANT_STATES."""
    grants = ObjectGrant.objects.restrict(actor, "accounts.manage").select_related("grantee", "granted_by", "revoked_by", "content_type")
    if q.strip():
        grants = grants.filter(Q(grantee__username__icontains=q.strip()) | Q(grantee__display_name__icontains=q.strip()))
    now = timezone.now()
    if state == "valid":
        grants = grants.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now), revoked_at__isnull=True)
    elif state == "expired":
        grants = grants.filter(valid_until__lte=now, revoked_at__isnull=True)
    elif state == "revoked":
        grants = grants.filter(revoked_at__isnull=False)
    return grants.order_by("-granted_at", "-pk")


def object_grant_get_for(*, actor, grant_id) -> ObjectGrant:
    return ObjectGrant.objects.select_related("grantee", "content_type").restrict_get(actor, "accounts.manage", grant_id)


def object_grants_received(*, user) -> QuerySet[ObjectGrant]:
    """What others opened to this account (an external lawyer sees the cases given to them)."""
    now = timezone.now()
    return (ObjectGrant.objects.filter(grantee=user, revoked_at__isnull=True, valid_since__lte=now)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now)).select_related("content_type", "granted_by"))


def grantable_kinds() -> dict[str, str]:
    """The kinds of object a grant may open ("app_label.model" → its Chinese name): every model with an access rule."""
    return {model._meta.label_lower: str(model._meta.verbose_name) for model in scoped_models() if model is not ObjectGrant}


def grant_target_get(*, actor, kind: str, object_id, action: str):
    """The object a grant would open, found as the giver's own posts reach it for `action`: a kind or id that does not
    exist and one out of reach answer the same NotFound."""
    if kind not in grantable_kinds():
        raise NotFound()
    # restrict_get narrows the posts-only rows again, so what it finds is what the giver's posts reach
    return apps.get_model(kind).objects.restrict(actor, action, posts_only=True).restrict_get(actor, action, object_id)
