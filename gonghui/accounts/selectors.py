from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from gonghui.accounts.models import Post, User
from gonghui.accounts.permissions import ACTIONS
from gonghui.core.access import active_posts
from gonghui.core.exceptions import NotFound


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
        return frozenset(ACTIONS)
    if "_actions_cache" not in user.__dict__:
        actions = {action for post in post_list_for(user=user) for action in post.role.permissions}
        if user.external_bindings.filter(employer__isnull=False).exists():
            actions.add("employers.view")
        user.__dict__["_actions_cache"] = frozenset(actions)
    return user.__dict__["_actions_cache"]


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
        raise NotFound(Post.access.not_found_message) from None


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
