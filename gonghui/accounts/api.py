"""对象授权 API: open one object to a person outside the org tree (an external lawyer, a partner agency), as the 工作台 page does."""
from __future__ import annotations

import datetime as dt

from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.accounts import selectors, services
from gonghui.accounts.models import ObjectGrant
from gonghui.core.api import BodyIn, PageRows, Pages

router = Router(tags=["对象授权"])


class ObjectGrantOut(Schema):
    id: int = Field(title="授权 id")
    grantee: str = Field(title="被授权人账号")
    kind: str = Field(title="对象类型", description="如 members.joinapplication；可选值见新增授权的 kind 说明")
    kind_label: str = Field(title="对象类型名称")
    object_id: int = Field(title="对象 id")
    actions: list[str] = Field(title="可执行的操作")
    valid_since: dt.datetime = Field(title="生效时间")
    valid_until: dt.datetime | None = Field(title="失效时间", description="null：长期有效，直到撤销")
    granted_by: str = Field(title="授权人账号")
    revoked_at: dt.datetime | None = Field(title="撤销时间")


class ObjectGrantIn(BodyIn):
    kind: str = Field(title="对象类型", description="app.model 形式，如 members.joinapplication；必须是按组织划分管辖范围的对象")
    object_id: int = Field(ge=1, title="对象 id")
    grantee: str = Field(min_length=1, title="被授权人账号（用户名）", description="不能是调用者本人")
    actions: list[str] = Field(min_length=1, title="可执行的操作", description="只能是调用者在该对象所属组织拥有的权限")
    valid_until: dt.datetime | None = Field(None, title="失效时间", description="省略或 null：长期有效，直到撤销")


def _grant_row(grant: ObjectGrant) -> dict:
    return {"id": grant.pk, "grantee": grant.grantee.username, "kind": f"{grant.content_type.app_label}.{grant.content_type.model}",
            "kind_label": grant.content_type.name, "object_id": grant.object_id, "actions": grant.actions,
            "valid_since": grant.valid_since, "valid_until": grant.valid_until, "granted_by": grant.granted_by.username,
            "revoked_at": grant.revoked_at}


@router.get("/object-grants", response=list[ObjectGrantOut], summary="对象授权列表",
            description="调用者管辖范围内（本人有人员管理权限的组织及其下级）的对象授权，以及调用者本人授出的，新的在前。")
@paginate(Pages, page_size=50)
def object_grant_list(request, q: str = Query("", description="被授权人用户名或姓名"),
                      state: str = Query("", description="valid 有效，expired 已到期，revoked 已撤销；省略为全部")):
    return PageRows(selectors.object_grant_list(actor=request.user, q=q, state=state), lambda grants: [_grant_row(grant) for grant in grants])


@router.post("/object-grants", response={201: ObjectGrantOut}, summary="新增对象授权",
             description="把一个对象开放给一个账号执行所列操作。对象不存在与不在管辖范围内一样返回 404；不能授权给自己，"
                         "也不能授予自己在该对象所属组织没有的权限。写入审计日志。")
def object_grant_give(request, payload: ObjectGrantIn):
    obj = selectors.grant_target_get(actor=request.user, kind=payload.kind, object_id=payload.object_id, action=payload.actions[0])
    grant = services.object_grant_give(actor=request.user, grantee=selectors.cadre_by_username(username=payload.grantee), obj=obj,
                                       actions=payload.actions, until=payload.valid_until)
    return Status(201, _grant_row(grant))


@router.post("/object-grants/{grant_id}/revoke", response=ObjectGrantOut, summary="撤销对象授权",
             description="立即生效；授权人本人或在该对象所属组织拥有同样权限的干部可以撤销。写入审计日志。")
def object_grant_revoke(request, grant_id: int = Path(description="授权 id")):
    grant = selectors.object_grant_get_for(actor=request.user, grant_id=grant_id)
    return _grant_row(services.object_grant_revoke(actor=request.user, grant=grant))
