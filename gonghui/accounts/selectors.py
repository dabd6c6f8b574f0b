from __future__ import annotations

from gonghui.accounts.models import Post


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
