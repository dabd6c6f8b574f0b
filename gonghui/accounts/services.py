from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import ObjectGrant, Post
from gonghui.accounts.selectors import staff_get_for
from gonghui.audit.services import audit_log
from gonghui.core.access import Access
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


# ---------------------------------------------------------------- object grants (对象授权)


def _holds_over(actor, obj, action: str) -> bool:
    """Whether the actor's own posts give `action` over the object's org (a grant received is not passed on)."""
    return type(obj).objects.restrict(actor, action, posts_only=True).filter(pk=obj.pk).exists()


def _org_path_of(obj) -> str:
    return type(obj).objects.filter(pk=obj.pk).values_list(type(obj).access.paths[0], flat=True).first() or ""


@transaction.atomic
def object_grant_give(*, actor, grantee, obj, actions: list[str], until: dt.datetime | None = None,
                      since: dt.datetime | None = None) -> ObjectGrant:
    """Open one object to one person (an external lawyer, mediator, counsellor, supplier, judge, partner agency) for
    `actions`, from `since` (now) until `until` (open-ended when None). The giver must hold every action over the
    object's org through their own posts, and nobody grants to themselves."""
    if not isinstance(getattr(type(obj), "access", None), Access):
        raise ApplicationError("该类对象不能单独授权", code="accounts.grant_kind")
    if grantee.pk == actor.pk:
        raise ApplicationError("不能给自己授权", code="accounts.grant_self", fields={"grantee": ["不能是本人"]})
    actions = sorted({action.strip() for action in actions if action.strip()})
    if not actions:
        raise ApplicationError("请选择授权的操作", code="accounts.grant_actions", fields={"actions": ["必填"]})
    missing = [action for action in actions if not _holds_over(actor, obj, action)]
    if missing:
        raise ApplicationError(f"您在该对象所属组织没有以下权限，不能授予他人：{'、'.join(missing)}", code="accounts.grant_not_held",
                               fields={"actions": missing})
    since = since or timezone.now()
    if until is not None and until <= max(since, timezone.now()):
        raise ApplicationError("授权截止时间应晚于开始时间和当前时间", code="accounts.grant_until", fields={"until": ["应晚于开始时间"]})
    grant = ObjectGrant.objects.create(grantee=grantee, content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk,
                                       actions=actions, valid_since=since, valid_until=until, granted_by=actor)
    audit_log(actor=actor, action="accounts.object_grant.given", obj=grant, org_path=_org_path_of(obj),
              data={"grantee": grantee.pk, "object": f"{obj._meta.label_lower}:{obj.pk}", "actions": actions,
                    "since": since.isoformat(), "until": until.isoformat() if until else None})
    return grant


@transaction.atomic
def object_grant_revoke(*, actor, grant: ObjectGrant) -> ObjectGrant:
    """Take a grant back: its giver, or anyone who could have given it (holds its actions over the object's org)."""
    grant = ObjectGrant.objects.select_for_update().select_related("content_type").get(pk=grant.pk)
    obj = grant.content_type.get_object_for_this_type(pk=grant.object_id)
    if grant.granted_by_id != actor.pk and not all(_holds_over(actor, obj, action) for action in grant.actions):
        raise ApplicationError("只有授权人或在该对象所属组织拥有相同权限的干部可以撤销授权", code="accounts.grant_revoke_not_held")
    if grant.revoked_at is not None:
        raise ApplicationError("该授权已撤销", code="accounts.grant_revoked")
    grant.revoked_at, grant.revoked_by = timezone.now(), actor
    grant.save(update_fields=["revoked_at", "revoked_by"])
    audit_log(actor=actor, action="accounts.object_grant.revoked", obj=grant, org_path=_org_path_of(obj),
              data={"grantee": grant.grantee_id, "object": f"{obj._meta.label_lower}:{obj.pk}", "actions": grant.actions})
    return grant
