from __future__ import annotations

from django.db import transaction

from gonghui.accounts.models import Post
from gonghui.accounts.selectors import staff_get_for
from gonghui.audit.services import audit_log
from gonghui.core.exceptions import ApplicationError, NotFound


def post_switch(*, user, session, post_id) -> Post:
    """Make one of the user's own posts the current one (the 工作台 org switcher)."""
    post = Post.objects.filter(user=user, pk=post_id, org__is_active=True).select_related("org").first()
    if post is None:
        raise NotFound("岗位不存在")
    session["current_post_id"] = post.pk
    return post


REVEALABLE_FIELDS = {"phone": "手机号", "id_number": "身份证号"}
MIN_REASON_LENGTH = 4


@transaction.atomic
def user_pii_reveal(*, actor, user_id, field: str, reason: str) -> str:
    """Show one person's full phone or ID number: needs pii.reveal over them and a stated reason; always audited."""
    if field not in REVEALABLE_FIELDS:
        raise ApplicationError("不能查看该字段", code="accounts.pii_field")
    reason = reason.strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ApplicationError(f"请填写查看理由（至少{MIN_REASON_LENGTH}个字）", code="accounts.pii_reason", fields={"reason": ["必填"]})
    target = staff_get_for(actor=actor, user_id=user_id, action="pii.reveal")
    audit_log(
        actor=actor, action="accounts.user.pii_revealed", obj=target,
        org_path=min((post.org.path for post in target.posts.all()), default=""),
        data={"field": field, "field_label": REVEALABLE_FIELDS[field], "reason": reason},
    )
    return getattr(target, field)
