from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from gonghui.accounts.models import Post, User
from gonghui.core import registry
from gonghui.core.exceptions import NotFound


def post_list_for(*, user) -> list[Post]:
    """The user's posts, loaded once per request (cached on the user object, which lives as long as the request)."""
    if not user.is_authenticated:
        return []
    if "_posts_cache" not in user.__dict__:
        user.__dict__["_posts_cache"] = list(Post.objects.filter(user=user, org__is_active=True).select_related("org", "role").order_by("org__path"))
    return user.__dict__["_posts_cache"]


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


def _posts_in_scope(actor, action: str) -> Q:
    """Posts whose org lies where the actor may `action` (the one scoping rule, applied to people)."""
    if actor.is_superuser:
        return Q()
    paths = [post.org.path for post in post_list_for(user=actor) if action in post.role.permissions]
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(org__path__startswith=path)
    return condition


def staff_list(*, actor, q: str = "", action: str = "accounts.manage") -> QuerySet[User]:
    """Cadres holding a post somewhere in the actor's subtree."""
    posts = Post.objects.filter(_posts_in_scope(actor, action), user=OuterRef("pk"))
    users = User.objects.filter(Exists(posts)).prefetch_related("posts__org", "posts__role").order_by("username")
    q = q.strip()
    if q:
        users = users.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    return users


def staff_get_for(*, actor, user_id, action: str = "accounts.manage") -> User:
    try:
        return staff_list(actor=actor, action=action).get(pk=int(user_id))
    except (User.DoesNotExist, ValueError, TypeError):
        raise NotFound("人员不存在或不在您的管辖范围内") from None


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
