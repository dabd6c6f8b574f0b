from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from gonghui.accounts.models import Post, User
from gonghui.accounts.permissions import ACTIONS
from gonghui.core.exceptions import NotFound


def post_list_for(*, user) -> list[Post]:
    if not user.is_authenticated:
        return []
    return list(Post.objects.filter(user=user, org__is_active=True).select_related("org", "role").order_by("org__path"))


def current_post_for(*, user, session) -> Post | None:
    """The post the cadre is acting in (the org switcher), defaulting to the first."""
    posts = post_list_for(user=user)
    chosen = session.get("current_post_id")
    for post in posts:
        if post.pk == chosen:
            return post
    return posts[0] if posts else None


def actions_for(*, user) -> frozenset[str]:
    """Every action the user may perform somewhere: decides which 工作台 menus show."""
    if not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        return frozenset(ACTIONS)
    actions = {action for post in post_list_for(user=user) for action in post.role.permissions}
    if user.external_bindings.filter(employer__isnull=False).exists():
        actions.add("employers.view")
    return frozenset(actions)


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


def users_with_action_at(*, org, action: str) -> list[User]:
    """People holding a post exactly at `org` whose role allows `action` (who to tell about that org's work)."""
    posts = Post.objects.filter(org=org).select_related("user", "role")
    return [post.user for post in posts if action in post.role.permissions and post.user.is_active]
