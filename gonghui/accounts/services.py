from __future__ import annotations

from gonghui.accounts.models import Post
from gonghui.core.exceptions import NotFound


def post_switch(*, user, session, post_id) -> Post:
    """Make one of the user's own posts the current one (the 工作台 org switcher)."""
    post = Post.objects.filter(user=user, pk=post_id, org__is_active=True).select_related("org").first()
    if post is None:
        raise NotFound("岗位不存在")
    session["current_post_id"] = post.pk
    return post
