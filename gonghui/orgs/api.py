"""JSON API of the org tree and employer ledger: parse, call one selector/service, serialise."""
from __future__ import annotations

import datetime as dt

from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.core.api import BodyIn, Pages
from gonghui.orgs import selectors, services
from gonghui.orgs.models import Industry, OrgType, Ownership

router = Router(tags=["组织与单位台账"])


class OrgOut(Schema):
    id: int = Field(title="组织 id")
    code: str = Field(title="组织编码")
    name: str = Field(title="名称")
    short_name: str = Field(title="简称")
    type: str = Field(title="类型代码", description="、".join(f"{value} {label}" for value, label in OrgType.choices))
    type_display: str = Field(alias="get_type_display", title="类型")
    parent_id: int | None = Field(title="上级组织 id", description="主上级；顶层为 null")
    depth: int = Field(title="层级", description="省总为 1，往下逐级加 1")
    division_code: str = Field(title="行政区划代码", description="GB/T 2260，非区划工会为空")
    is_active: bool = Field(title="在用", description="撤销的组织为 false")
    contact_name: str = Field(title="联系人")
    address: str = Field(title="地址")
    founded_on: dt.date | None = Field(title="成立日期")


class OrgTreeNodeOut(OrgOut):
    has_children: bool = Field(title="有下级")


class StatsOut(Schema):
    org_count: int = Field(title="组织数", description="该组织及其全部下级")
    orgs_by_type: dict[str, int] = Field(title="按类型的组织数", description="键为类型代码")
    employer_count: int = Field(title="单位数", description="所在地在该组织辖区内的用人单位")
    unionized_count: int = Field(title="已建会单位数")
    unionization_rate: float | None = Field(title="建会率", description="已建会单位数 / 单位数（比例）；没有单位时为 null")
    large_employer_count: int = Field(title="25 人以上单位数")
    large_unionized_count: int = Field(title="25 人以上已建会单位数")
    large_unionization_rate: float | None = Field(title="25 人以上单位建会率", description="比例；没有这类单位时为 null")


class OrgCreateIn(BodyIn):
    name: str = Field(title="名称")
    type: OrgType = Field(title="类型")
    parent_id: int = Field(title="上级组织 id", description="须在调用者的管辖范围内")
    code: str = Field("", title="组织编码", description="省略时自动编号")
    short_name: str = Field("", title="简称")
    division_code: str = Field("", title="行政区划代码", description="GB/T 2260")
    contact_name: str = Field("", title="联系人")
    contact_phone: str = Field("", title="联系电话")
    address: str = Field("", title="地址")
    founded_on: dt.date | None = Field(None, title="成立日期")


class OrgUpdateIn(BodyIn):
    name: str = Field(None, title="名称", description="省略则不变；不能为 null")
    short_name: str = Field(None, title="简称", description="省略则不变；清空请传空字符串")
    contact_name: str = Field(None, title="联系人", description="省略则不变；清空请传空字符串")
    contact_phone: str = Field(None, title="联系电话", description="省略则不变；清空请传空字符串")
    address: str = Field(None, title="地址", description="省略则不变；清空请传空字符串")
    founded_on: dt.date | None = Field(None, title="成立日期", description="省略则不变；传 null 清空")
    is_active: bool = Field(None, title="在用", description="省略则不变；false 为撤销")


class OrgMoveIn(BodyIn):
    new_parent_id: int = Field(title="新上级组织 id", description="不能是该组织自己或其下级")
    reason: str = Field(title="调整原因", description="如“区划调整”，记入组织调整记录和审计日志")


class OrgMoveOut(Schema):
    org_id: int = Field(title="组织 id")
    old_path: str = Field(title="原路径")
    new_path: str = Field(title="新路径")
    descendants_moved: int = Field(title="随之调整的下级组织数")


class EmployerOut(Schema):
    id: int = Field(title="单位 id")
    uscc: str = Field(title="统一社会信用代码")
    name: str = Field(title="单位名称")
    industry: str = Field(title="行业门类代码", description="GB/T 4754-2017 门类 A–T")
    industry_display: str = Field(alias="get_industry_display", title="行业门类")
    ownership: str = Field(title="所有制代码", description="、".join(f"{value} {label}" for value, label in Ownership.choices))
    ownership_display: str = Field(alias="get_ownership_display", title="所有制")
    town_id: int = Field(title="所在街道/镇 id")
    town_name: str = Field(alias="town.name", title="所在街道/镇")
    address: str = Field(title="地址")
    headcount: int = Field(title="职工人数")
    has_union: bool = Field(title="已建会")
    union_id: int | None = Field(title="所属工会 id", description="单位的企业工会；未建会或未关联时为 null")


class EmployerIn(BodyIn):
    uscc: str = Field(title="统一社会信用代码", description="18 位，按 GB 32100 校验")
    name: str = Field(title="单位名称")
    industry: Industry = Field(title="行业门类", description="GB/T 4754-2017 门类 A–T")
    ownership: Ownership = Field(title="所有制")
    town_id: int = Field(title="所在街道/镇 id", description="须在调用者的管辖范围内")
    address: str = Field("", title="地址")
    headcount: int = Field(0, ge=0, title="职工人数", description="0 到 2,000,000")
    has_union: bool = Field(False, title="已建会")
    union_id: int | None = Field(None, title="所属工会 id", description="须在调用者的管辖范围内")


@router.get("/orgs", response=list[OrgOut], summary="查找组织", description="调用者管辖范围内的组织，按名称、简称、编码、全拼或拼音首字母（thq → 天河区）查找。")
@paginate(Pages, page_size=50)
def org_list(request, q: str = Query("", description="名称、简称、编码或拼音"), type: str = Query("", description="组织类型代码"),
             within: int | None = Query(None, description="只查这个组织（id）以下的")):
    parent = selectors.org_get_for(actor=request.user, org_id=within) if within else None
    return selectors.org_list(actor=request.user, q=q, type=type, within=parent)


@router.get("/orgs/roots", response=list[OrgTreeNodeOut], summary="组织树的顶层", description="调用者各岗位所在的最高组织，作为组织树的起点。")
def org_roots(request):
    return list(selectors.org_roots_for(actor=request.user))


@router.get("/orgs/{org_id}", response=OrgOut, summary="组织详情", description="管辖范围外的组织与不存在的一样返回 404。")
def org_detail(request, org_id: int = Path(description="组织 id")):
    return selectors.org_get_for(actor=request.user, org_id=org_id)


@router.get("/orgs/{org_id}/children", response=list[OrgTreeNodeOut], summary="直属下级组织", description="组织树展开一层：该组织的直属下级，含是否还有下级。")
def org_children(request, org_id: int = Path(description="组织 id")):
    parent = selectors.org_get_for(actor=request.user, org_id=org_id)
    return list(selectors.org_children(actor=request.user, parent=parent))


@router.get("/orgs/{org_id}/stats", response=StatsOut, summary="组织统计", description="该组织及其全部下级的组织数、用人单位数和建会率。")
def org_stats(request, org_id: int = Path(description="组织 id")):
    stats = selectors.org_subtree_stats(org=selectors.org_get_for(actor=request.user, org_id=org_id))
    return {**stats.__dict__, "unionization_rate": stats.unionization_rate, "large_unionization_rate": stats.large_unionization_rate}


@router.post("/orgs", response={201: OrgOut}, summary="新建组织", description="在管辖范围内的上级组织下新建组织；写入审计日志。可带 Idempotency-Key 头安全重试。")
def org_create(request, payload: OrgCreateIn):
    parent = selectors.org_get_for(actor=request.user, org_id=payload.parent_id)
    fields = payload.dict(exclude={"parent_id"})
    return Status(201, services.org_create(actor=request.user, parent=parent, **fields))


@router.patch("/orgs/{org_id}", response=OrgOut, summary="修改组织信息", description="只修改传入的字段；写入审计日志。")
def org_update(request, payload: OrgUpdateIn, org_id: int = Path(description="组织 id")):
    org = selectors.org_get_for(actor=request.user, org_id=org_id)
    return services.org_update(actor=request.user, org=org, **payload.dict(exclude_unset=True))


@router.post("/orgs/{org_id}/move", response=OrgMoveOut, summary="调整组织隶属", description="把组织连同全部下级移到新上级之下（如区划调整），记录调整原因；写入审计日志。")
def org_move(request, payload: OrgMoveIn, org_id: int = Path(description="组织 id")):
    org = selectors.org_get_for(actor=request.user, org_id=org_id)
    new_parent = selectors.org_get_for(actor=request.user, org_id=payload.new_parent_id)
    record = services.org_move(actor=request.user, org=org, new_parent=new_parent, reason=payload.reason)
    return {"org_id": org.pk, "old_path": record.old_path, "new_path": record.new_path, "descendants_moved": record.descendants_moved}


@router.get("/employers", response=list[EmployerOut], summary="查找用人单位", description="所在地在调用者管辖范围内的用人单位（单位台账）。")
@paginate(Pages, page_size=50)
def employer_list(
    request, q: str = Query("", description="单位名称、信用代码开头或拼音首字母"),
    within: int | None = Query(None, description="只查所在地在这个组织（id）以下的"),
    industry: str = Query("", description="行业门类代码 A–T"), ownership: str = Query("", description="所有制代码"),
    has_union: bool | None = Query(None, description="true 已建会，false 未建会"),
    min_headcount: int | None = Query(None, description="职工人数不少于"),
):
    org = selectors.org_get_for(actor=request.user, org_id=within) if within else None
    return selectors.employer_list(
        actor=request.user, q=q, within=org, industry=industry, ownership=ownership,
        has_union=has_union, min_headcount=min_headcount,
    )


@router.get("/employers/{employer_id}", response=EmployerOut, summary="用人单位详情", description="管辖范围外的单位与不存在的一样返回 404。")
def employer_detail(request, employer_id: int = Path(description="用人单位 id")):
    return selectors.employer_get_for(actor=request.user, employer_id=employer_id)


def _employer_input(request, payload: EmployerIn) -> services.EmployerInput:
    town = selectors.org_get_for(actor=request.user, org_id=payload.town_id)
    union = selectors.org_get_for(actor=request.user, org_id=payload.union_id) if payload.union_id else None
    fields = payload.dict(exclude={"town_id", "union_id"})
    return services.EmployerInput(**fields, town=town, union=union)


@router.post("/employers", response={201: EmployerOut}, summary="登记用人单位", description="信用代码按 GB 32100 校验，同一代码只能登记一次；写入审计日志。可带 Idempotency-Key 头安全重试。")
def employer_create(request, payload: EmployerIn):
    return Status(201, services.employer_create(actor=request.user, data=_employer_input(request, payload)))


@router.put("/employers/{employer_id}", response=EmployerOut, summary="修改用人单位", description="整条替换单位信息；写入审计日志。")
def employer_update(request, payload: EmployerIn, employer_id: int = Path(description="用人单位 id")):
    employer = selectors.employer_get_for(actor=request.user, employer_id=employer_id)
    return services.employer_update(actor=request.user, employer=employer, data=_employer_input(request, payload))
