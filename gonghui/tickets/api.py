"""诉求工单 API: filing by integrations (API keys) and hotline systems, scoped lists and details, and the main steps.
Every operation reads and writes through the selectors and services the pages use, in the same scope."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.accounts.selectors import cadre_by_username
from gonghui.core.api import BodyIn, PageRows, Pages
from gonghui.orgs import selectors as org_selectors
from gonghui.orgs.models import Org
from gonghui.tickets import selectors, services
from gonghui.tickets.models import Agency, Category, Channel, ClosingKind, Satisfaction, State, Tier, Topic, Urgency
from gonghui.tickets.selectors_pages import duty_shifts
from gonghui.worktime.calendar import work_calendar

router = Router(tags=["诉求工单"])


def _codes(choices) -> str:
    return "、".join(f"{value} {label}" for value, label in choices.choices)


class StepOut(Schema):
    at: dt.datetime = Field(title="时间")
    kind: str = Field(title="环节代码")
    step: str = Field(title="环节")
    org: str = Field(title="单位")
    actor: str = Field(title="操作人")
    note: str = Field(title="说明")
    visible_to_worker: bool = Field(title="职工可见")


class TicketOut(Schema):
    id: int = Field(title="工单 id")
    number: str = Field(title="工单号", description="如 GH-20261126-000123")
    channel: str = Field(title="来源渠道", description=_codes(Channel))
    category: str = Field(title="诉求类别", description=_codes(Category))
    topic: str = Field(title="问题类型", description=_codes(Topic))
    urgency: str = Field(title="紧急程度", description=_codes(Urgency))
    tier: str = Field(title="难易程度", description=_codes(Tier))
    title: str = Field(title="标题")
    state: str = Field(title="状态", description=_codes(State))
    state_label: str = Field(title="状态名称")
    affected_count: int = Field(title="涉及人数")
    employer_name: str = Field(title="涉及单位")
    holder_id: int = Field(title="当前承办单位 id")
    holder_name: str = Field(title="当前承办单位")
    centre_name: str = Field(title="派单中心")
    caller_name: str = Field(title="反映人（脱敏）", description="对承办单位匿名的工单显示“（匿名）”")
    caller_phone: str = Field(title="联系电话（脱敏）")
    created_at: dt.datetime = Field(title="受理时间")
    due_at: dt.datetime | None = Field(None, title="当前期限", description="当前环节的期限；已办结、撤回或合并的为空")
    due_step: str = Field(title="当前期限环节", description="受理告知、签收、办结或回访")
    seconds_left: int | None = Field(None, title="剩余时间（秒）", description="按期限的单位计算（工作日、工作小时只计办公时间）；负数为已超时；暂停计时期间不变")
    overdue: bool = Field(title="已超时")
    paused: bool = Field(title="暂停计时", description="待补充材料期间不计时")
    resolve_due_at: dt.datetime = Field(title="办结期限")
    bounce_count: int = Field(title="退单次数")
    reopen_count: int = Field(title="重新办理次数")
    supervised: bool = Field(title="被督办")
    closing_kind: str = Field(title="办结方式", description=_codes(ClosingKind))
    merged_into: str = Field(title="合并至工单号", description="重复反映合并到的工单；否则为空")


class TicketDetailOut(TicketOut):
    description: str = Field(title="诉求内容")
    can: list[str] = Field(title="调用者现在可做的操作", description="如 dispatch、accept、reply、follow_up")
    steps: list[StepOut] = Field(title="办理过程")


class FiledOut(TicketOut):
    created: bool = Field(title="新建", description="false：同一表单令牌再次提交，返回第一次建立的工单")
    query_code: str = Field(title="查询码", description="无账号的反映人凭工单号和查询码查询进度；只在首次建立时返回一次（也已短信发送）")


def _row(actor, ticket, *, calendar, now) -> dict:
    caller = selectors.ticket_caller(actor=actor, ticket=ticket)
    left = selectors.time_left(ticket, calendar=calendar, now=now)
    return {
        "id": ticket.pk, "number": ticket.number, "channel": ticket.channel, "category": ticket.category, "topic": ticket.topic,
        "urgency": ticket.urgency, "tier": ticket.tier, "title": ticket.title, "state": ticket.state, "state_label": ticket.get_state_display(),
        "affected_count": ticket.affected_count, "employer_name": ticket.employer_name, "holder_id": ticket.holder_id,
        "holder_name": ticket.holder.name, "centre_name": ticket.centre.name, "caller_name": caller.name, "caller_phone": caller.phone,
        "created_at": ticket.created_at, "due_at": ticket.due_at, "due_step": ticket.get_due_kind_display() if ticket.due_kind else "",
        "seconds_left": int(left.total_seconds()) if left is not None else None, "overdue": ticket.is_overdue(now),
        "paused": ticket.paused_at is not None, "resolve_due_at": ticket.resolve_due_at, "bounce_count": ticket.bounce_count,
        "reopen_count": ticket.reopen_count, "supervised": ticket.supervised_at is not None, "closing_kind": ticket.closing_kind,
        "merged_into": ticket.duplicate_of.number if ticket.duplicate_of_id else "",
    }


def _detail(actor, ticket) -> dict:
    now = timezone.now()
    row = _row(actor, ticket, calendar=work_calendar(), now=now)
    steps = [{"at": e.at, "kind": e.kind, "step": e.get_kind_display(), "org": e.org.name if e.org_id else "", "actor": e.actor_name,
              "note": e.note, "visible_to_worker": e.visible_to_worker} for e in selectors.ticket_timeline(actor=actor, ticket=ticket)]
    return {**row, "description": ticket.description, "can": sorted(selectors.ticket_capabilities(actor=actor, ticket=ticket, now=now)),
            "steps": steps}


def _fresh(actor, ticket_id) -> dict:
    return _detail(actor, selectors.ticket_get_for(actor=actor, ticket_id=ticket_id))


def _org(org_id: int | None) -> Org | None:
    return Org.objects.filter(pk=org_id).first() if org_id is not None else None


class FileIn(BodyIn):
    channel: str = Field(Channel.API, title="来源渠道", description="api 接口接入（默认）、hotline 12351热线、letter 网上信箱")
    category: str = Field(title="诉求类别", description=_codes(Category))
    topic: str = Field(Topic.OTHER, title="问题类型", description=_codes(Topic))
    urgency: str = Field(Urgency.NORMAL, title="紧急程度", description=_codes(Urgency))
    tier: str = Field(Tier.GENERAL, title="难易程度", description=_codes(Tier))
    title: str = Field(title="标题", description="2–100 字")
    description: str = Field(title="诉求内容", description="5–4000 字")
    affected_count: int = Field(1, title="涉及人数")
    district_id: int | None = Field(None, title="所在地区组织 id", description="问题发生地的区/县或街道工会；须在调用者的受理范围内")
    employer_uscc: str = Field("", title="用人单位统一社会信用代码", description="在台账中的单位会自动关联")
    employer_name: str = Field("", title="用人单位名称", description="咨询、建议可不填")
    new_form_type: str = Field("", title="新就业形态", description="food_delivery 外卖骑手、courier 快递员、ride_hailing 网约车司机、trucking 货车司机等")
    caller_name: str = Field("", title="反映人姓名")
    caller_phone: str = Field(title="联系电话", description="手机号或带区号的固定电话；用于发送查询码和回访")
    callback_phone: str = Field("", title="回访电话")
    call_ref: str = Field("", title="来电流水号或外部编号")
    anonymous: bool = Field(False, title="对承办单位匿名")
    quick_answer: str = Field("", title="当场答复", description="热线咨询当场答复的内容：填写即直接办结")


@router.post("/tickets", response=FiledOut, summary="受理诉求工单",
             description="外部系统或热线系统录入一件诉求（需受理派单权限）。同一 Idempotency-Key 重复提交返回第一次的结果；"
                         "同一反映人就同一单位、同一类别一周内再次反映的，合并到在办工单（state 为 merged，merged_into 为原工单号）。")
def ticket_file(request, payload: FileIn):
    data = services.TicketInput(**payload.dict())
    filing = services.ticket_file(actor=request.user, data=data)
    row = _row(request.user, filing.ticket, calendar=work_calendar(), now=timezone.now())
    return {**row, "created": filing.created, "query_code": filing.query_code}


@router.get("/tickets", response=list[TicketOut], summary="诉求工单列表",
            description="调用者可查看的工单（曾经承办的、派单中心的、下级单位的），在办的按剩余时间排在前面。")
@paginate(Pages, page_size=50)
def ticket_list(request, queue: str = Query("", description="、".join(f"{k} {v}" for k, v in selectors.QUEUES.items()) + "；空为全部"),
                state: str = Query("", description=_codes(State)), category: str = Query("", description=_codes(Category)),
                urgency: str = Query("", description=_codes(Urgency)), tier: str = Query("", description=_codes(Tier)),
                org_id: int | None = Query(None, description="只看承办单位在此组织之下的"),
                employer: str = Query("", description="用人单位名称（包含）或统一社会信用代码"),
                overdue: bool = Query(False, description="只看已超时的"),
                q: str = Query("", description="工单号、反映人手机号（完整）或单位名称")):
    filters = selectors.TicketFilters(queue=queue, state=state, category=category, urgency=urgency, tier=tier, org_id=org_id,
                                      employer=employer, overdue=overdue, q=q)
    calendar, now = work_calendar(), timezone.now()
    return PageRows(selectors.ticket_list(actor=request.user, filters=filters, now=now).select_related("duplicate_of"),
                    lambda rows: [_row(request.user, ticket, calendar=calendar, now=now) for ticket in rows])


@router.get("/tickets/{ticket_id}", response=TicketDetailOut, summary="诉求工单详情",
            description="含办理过程和调用者现在可做的操作；管辖范围外的与不存在的一样返回 404。")
def ticket_detail(request, ticket_id: int = Path(description="工单 id")):
    return _fresh(request.user, ticket_id)


class DispatchIn(BodyIn):
    org_id: int | None = Field(None, title="承办单位 id", description="不填则按单位所在地、诉求类别和新就业形态自动派单")
    note: str = Field("", title="派单说明")


@router.post("/tickets/{ticket_id}/dispatch", response=TicketDetailOut, summary="派单", description="派单中心把待派单的工单派给下属单位。")
def ticket_dispatch(request, payload: DispatchIn, ticket_id: int = Path(description="工单 id")):
    services.ticket_dispatch(actor=request.user, ticket_id=ticket_id, org=_org(payload.org_id) if payload.org_id else None, note=payload.note)
    return _fresh(request.user, ticket_id)


@router.post("/tickets/{ticket_id}/accept", response=TicketDetailOut, summary="签收", description="承办单位的办理人员签收工单；已被他人签收的会说明由谁签收。")
def ticket_accept(request, ticket_id: int = Path(description="工单 id")):
    services.ticket_accept(actor=request.user, ticket_id=ticket_id)
    return _fresh(request.user, ticket_id)


class NoteIn(BodyIn):
    text: str = Field(title="内容")
    internal_message: bool = Field(False, title="内部沟通", description="true：发给承办单位、派单中心和上级的内部沟通；false：办理记录")


@router.post("/tickets/{ticket_id}/notes", response=TicketDetailOut, summary="办理记录或内部沟通", description="不向反映人显示。")
def ticket_note(request, payload: NoteIn, ticket_id: int = Path(description="工单 id")):
    services.ticket_note(actor=request.user, ticket_id=ticket_id, text=payload.text, internal_message=payload.internal_message)
    return _fresh(request.user, ticket_id)


class MaterialIn(BodyIn):
    what: str = Field(title="需补充的材料")


@router.post("/tickets/{ticket_id}/request-material", response=TicketDetailOut, summary="请反映人补充材料",
             description="办理时限暂停，反映人补充后恢复计时。")
def ticket_request_material(request, payload: MaterialIn, ticket_id: int = Path(description="工单 id")):
    services.ticket_request_material(actor=request.user, ticket_id=ticket_id, what=payload.what)
    return _fresh(request.user, ticket_id)


class ReplyIn(BodyIn):
    text: str = Field(title="答复内容", description="至少 10 字")
    agency: str = Field("", title="转交部门", description="转交有关部门时填写：" + _codes(Agency))
    agency_name: str = Field("", title="转交部门名称", description="转交“其他部门”时必填")
    referred_on: dt.date | None = Field(None, title="转交日期")


@router.post("/tickets/{ticket_id}/reply", response=TicketDetailOut, summary="回复反映人",
             description="实质答复，或转交有关部门（记录部门和日期）；之后由派单中心回访。")
def ticket_reply(request, payload: ReplyIn, ticket_id: int = Path(description="工单 id")):
    services.ticket_reply(actor=request.user, ticket_id=ticket_id, text=payload.text, agency=payload.agency,
                          agency_name=payload.agency_name, referred_on=payload.referred_on)
    return _fresh(request.user, ticket_id)


class ReasonIn(BodyIn):
    reason: str = Field(title="理由", description="至少 5 字")


@router.post("/tickets/{ticket_id}/bounce", response=TicketDetailOut, summary="退单", description="派单后 2 个工作日内（按时限标准）退回派单中心，计入退单次数。")
def ticket_bounce(request, payload: ReasonIn, ticket_id: int = Path(description="工单 id")):
    services.ticket_bounce(actor=request.user, ticket_id=ticket_id, reason=payload.reason)
    return _fresh(request.user, ticket_id)


class TransferIn(BodyIn):
    org_id: int = Field(title="转至单位 id")
    reason: str = Field(title="转办理由")


@router.post("/tickets/{ticket_id}/transfer", response=TicketDetailOut, summary="转办",
             description="转给派单中心管辖内的另一单位重新签收；原承办单位仍可查看。")
def ticket_transfer(request, payload: TransferIn, ticket_id: int = Path(description="工单 id")):
    services.ticket_transfer(actor=request.user, ticket_id=ticket_id, org=_org(payload.org_id), reason=payload.reason)
    return _fresh(request.user, ticket_id)


class FollowUpIn(BodyIn):
    result: str = Field(title="回访结果", description=_codes(Satisfaction))
    comment: str = Field("", title="意见", description="不满意时必填")


@router.post("/tickets/{ticket_id}/follow-up", response=TicketDetailOut, summary="回访",
             description="派单中心回访；满意、基本满意、未回访即办结，不满意首次重新办理、再次提级到上一级。")
def ticket_follow_up(request, payload: FollowUpIn, ticket_id: int = Path(description="工单 id")):
    services.ticket_follow_up(actor=request.user, ticket_id=ticket_id, result=payload.result, comment=payload.comment)
    return _fresh(request.user, ticket_id)


class CloseIn(BodyIn):
    answer: str = Field(title="答复内容")
    kind: str = Field(ClosingKind.DIRECT, title="办结方式", description="direct 直接办结（仅咨询）、referred 转交有关部门")
    agency: str = Field("", title="转交部门", description=_codes(Agency))
    agency_name: str = Field("", title="转交部门名称")
    referred_on: dt.date | None = Field(None, title="转交日期")


@router.post("/tickets/{ticket_id}/close", response=TicketDetailOut, summary="直接办结", description="派单中心不派单直接办结：咨询当场答复，或转交有关部门。")
def ticket_close(request, payload: CloseIn, ticket_id: int = Path(description="工单 id")):
    services.ticket_close(actor=request.user, ticket_id=ticket_id, answer=payload.answer, kind=payload.kind, agency=payload.agency,
                          agency_name=payload.agency_name, referred_on=payload.referred_on)
    return _fresh(request.user, ticket_id)


class SuperviseIn(BodyIn):
    note: str = Field(title="督办意见")


@router.post("/tickets/{ticket_id}/supervise", response=TicketDetailOut, summary="督办", description="承办单位的上级工会督办。")
def ticket_supervise(request, payload: SuperviseIn, ticket_id: int = Path(description="工单 id")):
    services.ticket_supervise(actor=request.user, ticket_id=ticket_id, note=payload.note)
    return _fresh(request.user, ticket_id)


class ExtensionIn(BodyIn):
    amount: int = Field(title="延长", description="单位同办结时限（一般为工作日，信访为日），不超过时限标准的延期上限")
    reason: str = Field(title="延期理由")


class ExtensionOut(Schema):
    id: int = Field(title="延期申请 id")
    ticket_id: int = Field(title="工单 id")
    amount: int = Field(title="延长")
    unit: str = Field(title="单位")
    status: str = Field(title="状态", description="pending 待审批、approved 已同意、refused 不同意")
    old_due_at: dt.datetime = Field(title="原期限")
    new_due_at: dt.datetime | None = Field(None, title="新期限")


@router.post("/tickets/{ticket_id}/extensions", response=ExtensionOut, summary="申请延期", description="办结期限届满前申请，一件工单只能延期一次，由上级工会审批。")
def extension_request(request, payload: ExtensionIn, ticket_id: int = Path(description="工单 id")):
    return services.extension_request(actor=request.user, ticket_id=ticket_id, amount=payload.amount, reason=payload.reason)


class DecideIn(BodyIn):
    approve: bool = Field(title="同意")
    note: str = Field("", title="审批意见", description="不同意时必填")


@router.post("/ticket-extensions/{extension_id}/decide", response=ExtensionOut, summary="审批延期", description="承办单位的上级工会同意或不同意延期。")
def extension_decide(request, payload: DecideIn, extension_id: int = Path(description="延期申请 id")):
    return services.extension_decide(actor=request.user, extension_id=extension_id, approve=payload.approve, note=payload.note)


# ---------------------------------------------------------------- 回避, 信访复查/复核, 值班


class PartyIn(BodyIn):
    kind: str = Field(title="类型", description="org 工会组织、employer 用人单位、person 人员")
    org_code: str = Field("", title="工会组织编码", description="类型为 org 时填写")
    employer_uscc: str = Field("", title="统一社会信用代码", description="类型为 employer 时填写，须在用人单位台账中")
    username: str = Field("", title="用户名", description="类型为 person 时填写")
    note: str = Field("", title="说明")


class PartyOut(Schema):
    id: int = Field(title="被反映对象 id")
    kind: str = Field(title="类型")
    name: str = Field(title="名称")
    note: str = Field(title="说明")

    @staticmethod
    def resolve_name(party) -> str:
        return party.named


@router.get("/tickets/{ticket_id}/parties", response=list[PartyOut], summary="被反映对象（回避）", description="反映人本人看不到。")
def ticket_parties(request, ticket_id: int = Path(description="工单 id")):
    ticket = selectors.ticket_get_for(actor=request.user, ticket_id=ticket_id)
    return selectors.ticket_parties(actor=request.user, ticket=ticket)


@router.post("/tickets/{ticket_id}/parties", response=PartyOut, summary="登记被反映对象",
             description="诉求点名的工会组织、用人单位或人员：此后工单不派给他们、他们也看不到；当前承办单位须回避时工单收回派单中心。")
def ticket_party_add(request, payload: PartyIn, ticket_id: int = Path(description="工单 id")):
    named = {"org": lambda: {"org": org_selectors.org_get_by_code_for(actor=request.user, code=payload.org_code)},
             "employer": lambda: {"employer": org_selectors.employer_by_uscc(uscc=payload.employer_uscc)},
             "person": lambda: {"person": cadre_by_username(username=payload.username)}}.get(payload.kind, dict)()
    return services.ticket_party_add(actor=request.user, ticket_id=ticket_id, note=payload.note, **named)


class ReviewIn(BodyIn):
    reason: str = Field(title="不服理由", description="10–1000 字")


class ReviewDecideIn(BodyIn):
    outcome: str = Field(title="结论", description="upheld 维持原处理意见、changed 撤销或变更原处理意见")
    opinion: str = Field(title="复查（复核）意见", description="10–4000 字")


class ReviewOut(Schema):
    id: int = Field(title="复查/复核 id")
    ticket_id: int = Field(title="工单 id")
    stage: str = Field(title="环节", description="recheck 复查、review 复核")
    org_name: str = Field(title="复查/复核单位", alias="org.name")
    reason: str = Field(title="不服理由")
    created_at: dt.datetime = Field(title="申请时间")
    due_at: dt.datetime = Field(title="答复期限", description="自申请之日起30日（最后一日为休息日的顺延）")
    decided_at: dt.datetime | None = Field(None, title="答复时间")
    outcome: str = Field(title="结论")
    opinion: str = Field(title="意见")


@router.get("/tickets/{ticket_id}/reviews", response=list[ReviewOut], summary="信访复查/复核")
def ticket_reviews(request, ticket_id: int = Path(description="工单 id")):
    ticket = selectors.ticket_get_for(actor=request.user, ticket_id=ticket_id)
    return selectors.ticket_reviews(actor=request.user, ticket=ticket)


@router.post("/tickets/{ticket_id}/reviews", response=ReviewOut, summary="申请信访复查/复核",
             description="已办结的信访事项，信访人（或派单中心代为登记）在收到意见之日起30日内申请；复核后不再受理。")
def review_request(request, payload: ReviewIn, ticket_id: int = Path(description="工单 id")):
    return services.review_request(actor=request.user, ticket_id=ticket_id, reason=payload.reason)


@router.post("/ticket-reviews/{review_id}/decide", response=ReviewOut, summary="答复信访复查/复核",
             description="复查（复核）单位有督办权限的干部在30日内答复。")
def review_decide(request, payload: ReviewDecideIn, review_id: int = Path(description="复查/复核 id")):
    return services.review_decide(actor=request.user, review_id=review_id, outcome=payload.outcome, opinion=payload.opinion)


class DutyShiftIn(BodyIn):
    org_code: str = Field(title="值班单位编码")
    username: str = Field(title="值班人用户名", description="须是该单位有工单办理权限的干部")
    starts_at: dt.datetime = Field(title="开始")
    ends_at: dt.datetime = Field(title="结束", description="一次不超过7天")


class DutyShiftOut(Schema):
    id: int = Field(title="值班 id")
    org_name: str = Field(title="值班单位", alias="org.name")
    user_name: str = Field(title="值班人")
    starts_at: dt.datetime = Field(title="开始")
    ends_at: dt.datetime = Field(title="结束")

    @staticmethod
    def resolve_user_name(shift) -> str:
        return str(shift.user)


@router.get("/ticket-duty-shifts", response=list[DutyShiftOut], summary="值班安排", description="当前和今后的值班；past=true 为已结束的。")
@paginate(Pages)
def duty_shift_list(request, past: bool = Query(False, description="已结束的"), org_id: int | None = Query(None, description="单位 id")):
    return duty_shifts(actor=request.user, org_id=org_id, when="past" if past else "now")


@router.post("/ticket-duty-shifts", response=DutyShiftOut, summary="安排值班", description="紧急诉求派单时推送给当班人员。")
def duty_shift_add(request, payload: DutyShiftIn):
    return services.duty_shift_add(actor=request.user, org=org_selectors.org_get_by_code_for(actor=request.user, code=payload.org_code),
                                   user=cadre_by_username(username=payload.username), starts_at=payload.starts_at,
                                   ends_at=payload.ends_at)


@router.delete("/ticket-duty-shifts/{shift_id}", response={204: None}, summary="取消值班", description="只能取消尚未结束的值班。")
def duty_shift_remove(request, shift_id: int = Path(description="值班 id")):
    services.duty_shift_remove(actor=request.user, shift_id=shift_id)
    return Status(204, None)
