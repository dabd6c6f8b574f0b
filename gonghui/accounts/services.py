from __future__ import annotations

import datetime as dt
import re

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.accounts.models import ObjectGrant, Post, Role, UserKind
from gonghui.accounts.selectors import actions_missing_at, holds_action_at, staff_get_for
from gonghui.audit.services import audit_log
from gonghui.core.access import Access
from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.core.locking import lock_row
from gonghui.core.registry import action_labels


def post_switch(*, user, session, post_id) -> Post:
    """Make one of the user's own posts the current one (the 工作台 org switcher)."""
    post = Post.objects.filter(user=user, pk=post_id, org__is_active=True).select_related("org").first()
    if post is None:
        raise NotFound()
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


def _require_manages(actor, org) -> None:
    """Posts are managed by `accounts.manage` over the org; anywhere else the org is as good as missing."""
    if not holds_action_at(actor=actor, action="accounts.manage", org=org):
        raise NotFound()


def _require_holds(actor, actions, org, *, verb: str) -> None:
    """Nobody hands on (or takes away) an action they do not hold at that org themselves."""
    missing = actions_missing_at(actor=actor, actions=actions, org=org)
    if missing:
        raise PermissionDenied(f"该角色含有您在{org.name}没有的权限（{'、'.join(action_labels().get(action, action) for action in missing)}），不能{verb}",
                               code="accounts.post_escalation")


def _guided_orgs_outside(actor, role, org) -> list[str]:
    """Names of orgs a guidance-read post at `org` would open to `role`'s read actions beyond what the actor reads."""
    read_actions = [action for action in role.permissions if action.endswith(".view")]
    guided = apps.get_model("orgs", "GuidanceLink").objects.filter(guide__path__startswith=org.path).select_related("org")
    return [link.org.name for link in guided
            if actions_missing_at(actor=actor, actions=read_actions, org=link.org)]


def _post_data(post: Post) -> dict:
    return {"user": post.user.username, "org": post.org.name, "org_code": post.org.code, "role": post.role.code,
            "actions": list(post.role.permissions), "guidance_read": post.guidance_read, "title": post.title}


@transaction.atomic
def post_grant(*, actor, user, org, role, guidance_read: bool = False, title: str = "") -> Post:
    """授予岗位: `role` at `org` for a cadre account, inside the actor's own subtree and never beyond what they hold there."""
    _require_manages(actor, org)
    if user.pk == actor.pk:
        raise ApplicationError("不能给自己授予岗位", code="accounts.post_self", fields={"username": ["不能是您本人"]})
    if user.kind != UserKind.CADRE or not user.is_active:
        raise ApplicationError("只能为有效的工会干部账号授予岗位", code="accounts.post_user_kind", fields={"username": ["不是有效的干部账号"]})
    _require_holds(actor, role.permissions, org, verb="授予")
    if guidance_read:
        outside = _guided_orgs_outside(actor, role, org)
        if outside:
            raise PermissionDenied(f"勾选“可查看业务指导对象”后，该岗位可查看您管辖范围以外的组织（{'、'.join(outside[:3])}），不能授予",
                                   code="accounts.post_escalation")
    title = title.strip()
    if len(title) > Post._meta.get_field("title").max_length:
        raise ApplicationError("职务名称过长（最多50个字）", code="accounts.post_title", fields={"title": ["最多50个字"]})
    duplicate = ApplicationError(f"{user}在{org.name}已有“{role.name}”岗位", code="accounts.post_exists", fields={"role": ["已有此岗位"]})
    if Post.objects.filter(user=user, org=org, role=role).exists():
        raise duplicate
    try:
        with transaction.atomic():
            post = Post.objects.create(user=user, org=org, role=role, guidance_read=guidance_read, title=title)
    except IntegrityError:  # the same grant made at the same moment by someone else
        raise duplicate from None
    audit_log(actor=actor, action="accounts.post.granted", obj=post, org_path=org.path, data=_post_data(post))
    return post


@transaction.atomic
def post_revoke(*, actor, post: Post) -> None:
    """撤销岗位: only inside the actor's subtree, never their own, and only a role they could have granted there."""
    post = lock_row(Post.objects.select_related("user", "org", "role"), post.pk, required=True)
    _require_manages(actor, post.org)
    if post.user_id == actor.pk:
        raise ApplicationError("不能撤销自己的岗位，请联系上级管理员", code="accounts.post_self")
    _require_holds(actor, post.role.permissions, post.org, verb="撤销")
    audit_log(actor=actor, action="accounts.post.revoked", obj=post, org_path=post.org.path, data=_post_data(post))
    post.delete()


ROLE_CODE = re.compile(r"^[a-z][a-z0-9_-]{1,31}$")


def _role_fields(*, name: str, permissions, description: str) -> dict:
    name, description = name.strip(), description.strip()
    if not name or len(name) > Role._meta.get_field("name").max_length:
        raise ApplicationError("请填写角色名称（最多50个字）", code="accounts.role_name", fields={"name": ["必填，最多50个字"]})
    if len(description) > Role._meta.get_field("description").max_length:
        raise ApplicationError("说明过长（最多200个字）", code="accounts.role_description", fields={"description": ["最多200个字"]})
    permissions = sorted(set(permissions))
    if not permissions or any(action not in action_labels() for action in permissions):
        raise ApplicationError("请从列表中选择角色可执行的操作", code="accounts.role_actions", fields={"permissions": ["请从列表中选择"]})
    return {"name": name, "permissions": permissions, "description": description}


def _require_role_editor(actor) -> None:
    """A role is held at every org that has a post with it, so only someone holding every action everywhere edits roles."""
    if not actor.is_superuser:
        raise PermissionDenied("只有系统管理员可以新建或修改角色")


@transaction.atomic
def role_create(*, actor, code: str, name: str, permissions, description: str = "") -> Role:
    """新建角色 (律师, 审核员 …): federations add roles as data, without code."""
    _require_role_editor(actor)
    code = code.strip()
    if not ROLE_CODE.match(code):
        raise ApplicationError("代码应为2–32位小写字母、数字、-或_，以字母开头", code="accounts.role_code", fields={"code": ["格式不正确"]})
    if Role.objects.filter(code=code).exists():
        raise ApplicationError("已有此代码的角色", code="accounts.role_exists", fields={"code": ["已存在"]})
    role = Role.objects.create(code=code, **_role_fields(name=name, permissions=permissions, description=description))
    audit_log(actor=actor, action="accounts.role.created", obj=role, data={"code": code, "permissions": role.permissions})
    return role


@transaction.atomic
def role_update(*, actor, role: Role, name: str, permissions, description: str = "") -> Role:
    """修改角色: changes what every post with this role may do, at once; the code stays (data migrations refer to it)."""
    _require_role_editor(actor)
    role = lock_row(Role, role.pk, required=True)
    changes = _role_fields(name=name, permissions=permissions, description=description)
    before = {field: getattr(role, field) for field in changes}
    for field, value in changes.items():
        setattr(role, field, value)
    role.save(update_fields=list(changes))
    audit_log(actor=actor, action="accounts.role.updated", obj=role,
              data={"before": before, "after": changes, "posts": role.posts.count()})
    return role


# ---------------------------------------------------------------- object grants (对象授权)


def _holds_over(actor, obj, action: str) -> bool:
    """Whether the actor's own posts give `action` over the object's org (a grant received is not passed on)."""
    return type(obj).objects.restrict(actor, action, posts_only=True).filter(pk=obj.pk).exists()


def _who(user) -> str:
    return f"{user.display_name}（{user.username}）" if user.display_name else user.username


def _what(obj) -> str:
    """The object as the audit page names it: its kind, id and own name (which masks any person in it)."""
    return f"{obj._meta.verbose_name} #{obj.pk}：{obj}"


def _when(moment: dt.datetime | None) -> str | None:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else None


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
        raise ApplicationError(f"您在该对象所属组织没有以下权限，不能授予他人：{'、'.join(action_labels().get(action, action) for action in missing)}", code="accounts.grant_not_held",
                               fields={"actions": missing})
    since = since or timezone.now()
    if until is not None and until <= max(since, timezone.now()):
        raise ApplicationError("授权截止时间应晚于开始时间和当前时间", code="accounts.grant_until", fields={"until": ["应晚于开始时间"]})
    grant = ObjectGrant.objects.create(grantee=grantee, content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk,
                                       actions=actions, valid_since=since, valid_until=until, granted_by=actor, org_path=_org_path_of(obj))
    audit_log(actor=actor, action="accounts.object_grant.given", obj=grant, org_path=grant.org_path,
              data={"grantee": _who(grantee), "object": _what(obj), "actions": actions, "since": _when(since), "until": _when(until)})
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
    audit_log(actor=actor, action="accounts.object_grant.revoked", obj=grant, org_path=grant.org_path,
              data={"grantee": _who(grant.grantee), "object": _what(obj), "actions": grant.actions})
    return grant
