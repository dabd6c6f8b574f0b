"""Members API for cadres: scoped lists and details (masked), the review queue, card verification, saved segments (用户画像)."""
from __future__ import annotations

import datetime as dt

from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from gonghui.core.api import BodyIn, Pages
from gonghui.core.masking import mask_id_number, mask_name
from gonghui.members import segments, selectors, services
from gonghui.members.models import ApplicationStatus, MembershipStatus

router = Router(tags=["会员"])


class MemberOut(Schema):
    id: int = Field(title="会籍 id")
    member_number: str = Field(title="会员编号")
    name_masked: str = Field(title="姓名（脱敏）", description="如“张*三”")
    id_number_masked: str = Field(title="身份证号（脱敏）", description="如“4401**********1234”")
    union_id: int = Field(title="所在工会 id")
    union_name: str = Field(title="所在工会")
    status: str = Field(title="会籍状态", description="、".join(f"{value} {label}" for value, label in MembershipStatus.choices))
    joined_on: dt.date = Field(title="入会日期")

    @staticmethod
    def resolve_name_masked(membership) -> str:
        return mask_name(membership.person.name)

    @staticmethod
    def resolve_id_number_masked(membership) -> str:
        return mask_id_number(membership.person.id_number)

    @staticmethod
    def resolve_union_name(membership) -> str:
        return membership.union.name


class ApplicationOut(Schema):
    id: int = Field(title="申请 id")
    union_id: int = Field(title="受理工会 id")
    in_holding_pool: bool = Field(title="在周转库", description="无法自动匹配时暂存于区/县总工会，待干部分配")
    routing_reason: str = Field(title="分配说明", description="为什么由这家工会受理")
    status: str = Field(title="状态", description="、".join(f"{value} {label}" for value, label in ApplicationStatus.choices))
    due_at: dt.datetime = Field(title="联系时限", description="受理工会应在此前联系申请人（15 个工作日）")


class CardIn(BodyIn):
    token: str = Field(title="会员卡令牌", description="会员卡二维码的内容，60 秒内有效")


class SegmentOut(Schema):
    id: int = Field(title="分群 id")
    name: str = Field(title="分群名称")
    org_id: int = Field(title="所属组织 id")
    org_name: str = Field(title="所属组织", description="保存者当时的组织；分群覆盖其下各工会的会员")
    created_by: str = Field(title="保存人")
    created_at: dt.datetime = Field(title="保存时间")
    updated_at: dt.datetime = Field(title="修改时间")

    @staticmethod
    def resolve_org_name(segment) -> str:
        return segment.org.name

    @staticmethod
    def resolve_created_by(segment) -> str:
        return str(segment.created_by)


class SegmentConditionOut(Schema):
    field: str = Field(title="条件字段")
    label: str = Field(title="条件名称")
    value: str = Field(title="条件内容")


class SegmentDetailOut(SegmentOut):
    filters: dict = Field(title="筛选条件", description="保存时的条件，键同分群页面的表单字段")
    conditions: list[SegmentConditionOut] = Field(title="条件说明")
    count: int = Field(title="现有人数", description="按调用者现在的管辖范围计数")


class SegmentCountOut(Schema):
    id: int = Field(title="分群 id")
    count: int = Field(title="现有人数")


@router.get("/members", response=list[MemberOut],
            summary="查找会员", description="调用者管辖范围内的会员，姓名和身份证号已脱敏；可按会员编号或完整身份证号查找。")
@paginate(Pages, page_size=50)
def member_list(request, q: str = Query("", description="会员编号开头，或完整的 18 位身份证号"),
                status: str = Query("", description="会籍状态代码；空为全部")):
    return selectors.membership_list(actor=request.user, q=q, status=status)


@router.get("/members/{membership_id}", response=MemberOut,
            summary="会员详情", description="脱敏显示；管辖范围外的与不存在的一样返回 404。")
def member_detail(request, membership_id: int = Path(description="会籍 id")):
    return selectors.membership_get_for(actor=request.user, membership_id=membership_id)


@router.get("/member-applications", response=list[ApplicationOut],
            summary="入会申请队列", description="待调用者所辖工会审核的入会申请，含联系时限。")
@paginate(Pages, page_size=50)
def application_list(request, status: str = Query("pending", description="pending 待审核，approved 已通过，rejected 未通过；空为全部")):
    return selectors.application_queue(actor=request.user, status=status)


@router.post("/member-cards/verify", response=MemberOut,
             summary="核验电子会员卡", description="核验会员卡二维码中的令牌（60 秒内有效），返回脱敏的会员信息；需有会员卡核验权限。")
def card_verify(request, payload: CardIn):
    return services.card_verify(actor=request.user, token=payload.token)


@router.get("/member-segments", response=list[SegmentOut],
            summary="已保存的会员分群", description="调用者管辖范围内各组织保存的分群（用户画像），新的在前；q 按名称查找。")
@paginate(Pages, page_size=50)
def segment_list(request, q: str = Query("", description="分群名称")):
    """Saved segments of the orgs in the caller's scope, newest first; `q` searches names."""
    return segments.segment_list(actor=request.user, q=q)


@router.get("/member-segments/{segment_id}", response=SegmentDetailOut,
            summary="会员分群详情", description="分群保存时的条件（filters）及其文字说明（conditions），和现在覆盖的会员数。")
def segment_detail(request, segment_id: int = Path(description="分群 id")):
    """One segment: its filters as saved (`filters`) and in words (`conditions`), and how many members it covers now."""
    segment = segments.segment_get_for(actor=request.user, segment_id=segment_id)
    filters = segments.segment_filters(segment)
    segment.filters = filters.as_dict()
    segment.conditions = segments.segment_conditions(actor=request.user, filters=filters)
    segment.count = segments.segment_resolve(actor=request.user, segment=segment).count()
    return segment


@router.get("/member-segments/{segment_id}/count", response=SegmentCountOut,
            summary="会员分群人数", description="按调用者现在的管辖范围重新计数（与页面用同一查询）。")
def segment_count(request, segment_id: int = Path(description="分群 id")):
    """The segment's members counted now, as the caller may see them (the same selector the pages use)."""
    segment = segments.segment_get_for(actor=request.user, segment_id=segment_id)
    return {"id": segment.pk, "count": segments.segment_resolve(actor=request.user, segment=segment).count()}
