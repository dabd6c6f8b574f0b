"""Every write of the members app: joining, deciding, transfers, leaving, 冒用 appeals, join codes."""
from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from gonghui.accounts.selectors import actions_for, users_with_action_nearest
from gonghui.audit.services import audit_log
from gonghui.core.exceptions import NOT_FOUND_MESSAGE, ApplicationError, NotFound, PermissionDenied
from gonghui.core.uploads import sniff_upload
from gonghui.core.validators import InvalidIdentifier, parse_id_number
from gonghui.members.identity import IdentityRejected, identity_check
from gonghui.members.models import (
    ApplicationStatus,
    AppealStatus,
    Employment,
    ImpersonationAppeal,
    JoinApplication,
    JoinCode,
    JoinPolicy,
    MemberStarAward,
    MemberTag,
    Membership,
    MembershipEvent,
    MembershipStatus,
    NewFormType,
    Person,
    Transfer,
    TransferStatus,
)
from gonghui.members.routing import route_application
from gonghui.notify.services import notify
from gonghui.orgs.models import Employer, Org, OrgType
from gonghui.worktime.calendar import work_calendar
from gonghui.worktime.deadlines import LimitUnit, deadline

MANAGE = "members.manage"
CARD_VERIFY = "members.card_verify"
CONTACT_WITHIN_WORKING_DAYS = 15  # 申工社: the union makes contact within 15 working days
CARD_SALT = "gonghui.members.card"
CARD_TOKEN_SECONDS = 60
LIVE_STATUSES = (MembershipStatus.ACTIVE, MembershipStatus.TRANSFERRING, MembershipStatus.FROZEN)
MEMBER_UNION_TYPES = (OrgType.ENTERPRISE, OrgType.BRANCH, OrgType.TOWN, OrgType.COMMUNITY, OrgType.SECTOR_FEDERATION,
                      OrgType.COUNTY, OrgType.FUNCTION_ZONE)


def mask_org_name(name: str) -> str:
    """石牌街道总工会 → 石牌**总工会: enough to recognise, not to read off someone else's employer."""
    return name if len(name) <= 5 else f"{name[:2]}**{name[-3:]}"


def _tell_cadres(*, org: Org, template_code: str, params: dict, key: str, link: str) -> None:
    for user in users_with_action_nearest(org=org, action=MANAGE):
        notify(recipient=user, template_code=template_code, params=params, dedupe_key=f"{key}:{user.pk}", link=link)


def _require_manage(*, actor, org: Org) -> None:
    if actor is None:
        return
    if not Org.objects.restrict(actor, MANAGE).filter(pk=org.pk).exists():
        raise NotFound()


def _pending_locked(model, *, actor, pk, related: tuple[str, ...]):
    """A row to decide, row-locked, among those the actor manages (the system, actor None, decides any); missing and
    forbidden ids answer the model's one NotFound."""
    rows = model.objects.select_for_update(of=("self",)).select_related(*related)
    if actor is not None:
        return rows.restrict_get(actor, MANAGE, pk)
    row = rows.filter(pk=pk).first()
    if row is None:
        raise NotFound()
    return row


# ------------------------------------------------------------------ joining


@dataclass
class JoinInput:
    name: str
    id_number: str
    employer_id: int | None = None
    employer_name: str = ""
    employer_uscc: str = ""
    town_code: str = ""
    new_form_type: str = ""
    platform_company: str = ""
    join_code_token: str = ""
    education: str = ""
    political_status: str = ""


def _fail(message: str, code: str, field_name: str | None = None):
    raise ApplicationError(message, code=f"members.{code}", fields={field_name: [message]} if field_name else None)


def _clean_identity(data: JoinInput) -> str:
    name = data.name.strip()
    if not name:
        _fail("请填写姓名", "name", "name")
    try:
        id_number = parse_id_number(data.id_number).value
        identity_check(name=name, id_number=id_number)
    except (InvalidIdentifier, IdentityRejected) as exc:
        _fail(str(exc), "identity", "id_number")
    return id_number


def _person_for(*, applicant, name: str, id_number: str) -> Person:
    index = Person._meta.get_field("id_index").index_for(id_number)
    if Person.objects.filter(user=applicant).exclude(id_index=index).exists():
        _fail("您的账号已用另一个身份证号办理过入会，如需更正请联系工会", "account_has_person", "id_number")
    person = Person.objects.select_for_update().filter(id_index=index).first()
    if person is None:
        parsed = parse_id_number(id_number)
        try:
            with transaction.atomic():
                person = Person.objects.create(
                    user=applicant, name=name, id_number=id_number,
                    gender=parsed.gender, birth_month=parsed.birth_month, phone=applicant.phone or "",
                )
        except IntegrityError:  # the same ID submitted at the same moment by another request
            _fail("该身份证号的入会申请正在处理中，请勿重复提交", "duplicate", "id_number")
    membership = Membership.objects.filter(person=person, status__in=LIVE_STATUSES).select_related("union").first()
    if membership is not None:
        _fail(f"该身份证号已是会员（所在工会：{mask_org_name(membership.union.name)}）。如非本人入会，可提交冒用申诉", "already_member", "id_number")
    if person.user_id and person.user_id != applicant.pk:
        _fail("该身份证号已绑定其他账号。如非本人操作，可提交冒用申诉", "bound_elsewhere", "id_number")
    if person.user_id is None:
        Person.objects.filter(pk=person.pk).update(user=applicant)
    return person


@transaction.atomic
def person_verify(*, user, name: str, id_number: str) -> Person:
    """实名 without joining (a non-member booking an activity open to everyone): the same check and the same one person
    per ID number as 一键入会, binding the person to the account."""
    existing = Person.objects.filter(user=user).first()
    if existing is not None:
        return existing
    id_number = _clean_identity(JoinInput(name=name, id_number=id_number))
    index = Person._meta.get_field("id_index").index_for(id_number)
    person = Person.objects.select_for_update().filter(id_index=index).first()
    if person is not None and person.user_id not in (None, user.pk):
        _fail("该身份证号已绑定其他账号。如非本人操作，可提交冒用申诉", "bound_elsewhere", "id_number")
    if person is None:
        parsed = parse_id_number(id_number)
        try:
            with transaction.atomic():
                person = Person.objects.create(user=user, name=name.strip(), id_number=id_number, gender=parsed.gender,
                                               birth_month=parsed.birth_month, phone=user.phone or "")
        except IntegrityError:
            _fail("该身份证号正在办理实名，请勿重复提交", "duplicate", "id_number")
    else:
        Person.objects.filter(pk=person.pk).update(user=user)
    audit_log(actor=user, action="members.person.verified", obj=person)
    return person


def _employment(*, person: Person, data: JoinInput):
    employer = Employer.objects.select_related("union", "town").filter(pk=data.employer_id).first() if data.employer_id else None
    town = Org.objects.filter(code=data.town_code.strip(), type__in=(OrgType.TOWN, OrgType.FUNCTION_ZONE)).first() if data.town_code else None
    if data.town_code and town is None:
        _fail("请选择工作地所在的街道/镇", "town", "town_code")
    if data.new_form_type and data.new_form_type not in NewFormType.values:
        _fail("新就业形态类型不正确", "new_form_type", "new_form_type")
    Employment.objects.update_or_create(person=person, defaults={
        "employer": employer, "employer_name": employer.name if employer else data.employer_name.strip(),
        "employer_uscc": employer.uscc if employer else data.employer_uscc.strip().upper(),
        "town": employer.town if employer else town, "new_form_type": data.new_form_type, "platform_company": data.platform_company.strip(),
    })
    return employer, town


@transaction.atomic
def join_submit(*, applicant, data: JoinInput) -> JoinApplication:
    """一键入会: real-name check, one person one member, route, and approve at once where the union auto-approves."""
    id_number = _clean_identity(data)
    person = _person_for(applicant=applicant, name=data.name.strip(), id_number=id_number)
    if JoinApplication.objects.filter(person=person, status=ApplicationStatus.PENDING).exists():
        _fail("您已有入会申请正在审核，请耐心等待", "pending", None)
    Person.objects.filter(pk=person.pk).update(education=data.education, political_status=data.political_status)
    employer, town = _employment(person=person, data=data)
    code = JoinCode.objects.select_related("org").filter(token=data.join_code_token).first() if data.join_code_token else None
    try:
        route = route_application(employer=employer, town=town, new_form_type=data.new_form_type, code_org=code.org if code else None)
    except LookupError:
        _fail("请选择您的工作单位或工作地所在的街道/镇，以便分配到对应工会", "route", "town_code")
    now = timezone.now()
    try:
        with transaction.atomic():
            application = JoinApplication.objects.create(
                person=person, applicant=applicant, union=route.union, in_holding_pool=route.holding_pool,
                routing_reason=route.reason, join_code=code,
                due_at=deadline(work_calendar(), now, CONTACT_WITHIN_WORKING_DAYS, LimitUnit.WORKING_DAYS),
            )
    except IntegrityError:
        _fail("您已有入会申请正在审核，请耐心等待", "pending", None)
    audit_log(actor=applicant, action="members.application.submitted", obj=application, org_path=route.union.path,
              data={"union": route.union.code, "reason": route.reason, "holding_pool": route.holding_pool})
    policy = JoinPolicy.objects.filter(org=route.union).first()
    if policy is not None and policy.auto_approve and not route.holding_pool:
        _approve(application, actor=None, note="工会设置为自动通过")
    else:
        notify(recipient=applicant, template_code="member.application_received", dedupe_key=f"application:{application.pk}:received",
               params={"union": route.union.name}, link="/h5/member/")
    return application


def member_number_for(*, person_id: int, joined_on) -> str:
    """44 + year + the person's id: unique because a person holds one membership (shared with bulk imports)."""
    return f"44{joined_on.year:04d}{person_id:08d}"


def _approve(application: JoinApplication, *, actor, note: str = "") -> Membership:
    former = Membership.objects.select_for_update().filter(person=application.person).first()
    if former is not None and former.status in LIVE_STATUSES:
        _fail("该人员已是会员", "already_member", None)
    if former is not None:  # someone who left (or got their identity back) joins again: one record, a new chapter
        membership, kind = former, "rejoined"
        membership.union, membership.status, membership.joined_on = application.union, MembershipStatus.ACTIVE, timezone.localdate()
        membership.save(update_fields=["union", "status", "joined_on", "updated_at"])
    else:
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    person=application.person, union=application.union, joined_on=timezone.localdate(), member_number=f"tmp-{application.pk}",
                )
        except IntegrityError:
            _fail("该人员已是会员", "already_member", None)
        membership.member_number = member_number_for(person_id=membership.person_id, joined_on=membership.joined_on)
        membership.save(update_fields=["member_number"])
        kind = "joined"
    MembershipEvent.objects.create(membership=membership, kind=kind, to_union=application.union,
                                   status=MembershipStatus.ACTIVE, note=note, actor=actor)
    application.status, application.decided_by, application.decided_at = ApplicationStatus.APPROVED, actor, timezone.now()
    application.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_log(actor=actor, action="members.application.approved", obj=application, org_path=application.union.path,
              data={"member_number": membership.member_number})
    notify(recipient=application.applicant, template_code="member.approved", dedupe_key=f"application:{application.pk}:decided",
           params={"union": application.union.name, "member_number": membership.member_number}, link="/h5/member/card/")
    return membership


def _pending_application(*, actor, application_id) -> JoinApplication:
    application = _pending_locked(JoinApplication, actor=actor, pk=application_id, related=("union", "person", "applicant"))
    if application.status != ApplicationStatus.PENDING:
        _fail(f"该申请{application.get_status_display()}，不能重复处理", "decided", None)  # 已通过 / 未通过
    return application


@transaction.atomic
def application_approve(*, actor, application_id) -> Membership:
    application = _pending_application(actor=actor, application_id=application_id)
    if application.in_holding_pool:
        _fail("周转库中的申请请先分配到具体工会", "holding_pool", None)
    return _approve(application, actor=actor)


APPROVE_AT_ONCE = 100  # the queue shows 20 a page; a batch larger than a few pages is a mistake, not a workload


@dataclass(frozen=True)
class ApprovalOutcome:
    application_id: str
    member_number: str = ""
    refused: str = ""  # why it was not approved, as application_approve said it


def applications_approve(*, actor, application_ids: list[str]) -> list[ApprovalOutcome]:
    """Approve several applications from the queue, each through `application_approve` in its own transaction, so each
    is checked, audited and notified as if approved alone, and one refused (decided meanwhile, in the 周转库, out of
    scope) leaves the others approved. The outcomes come back in the order given, repeats once."""
    wanted = list(dict.fromkeys(str(value).strip() for value in application_ids if str(value).strip()))
    if not wanted:
        _fail("请先勾选要通过的申请", "batch_empty", "ids")
    if len(wanted) > APPROVE_AT_ONCE:
        _fail(f"一次最多通过 {APPROVE_AT_ONCE} 份申请，请分批办理", "batch_too_large", "ids")
    outcomes = []
    for application_id in wanted:
        try:
            if not application_id.isdigit():
                raise NotFound()
            membership = application_approve(actor=actor, application_id=int(application_id))
        except NotFound:  # one answer for missing and out of scope, whichever check found it
            outcomes.append(ApprovalOutcome(application_id, refused=NOT_FOUND_MESSAGE))
        except ApplicationError as exc:
            outcomes.append(ApprovalOutcome(application_id, refused=exc.message))
        else:
            outcomes.append(ApprovalOutcome(application_id, member_number=membership.member_number))
    return outcomes


@transaction.atomic
def application_reject(*, actor, application_id, reason: str) -> JoinApplication:
    reason = reason.strip()
    if len(reason) < 2:
        _fail("请填写未通过的原因，申请人会看到", "reason", "reason")
    application = _pending_application(actor=actor, application_id=application_id)
    application.status, application.reject_reason = ApplicationStatus.REJECTED, reason
    application.decided_by, application.decided_at = actor, timezone.now()
    application.save()
    audit_log(actor=actor, action="members.application.rejected", obj=application, org_path=application.union.path, data={"reason": reason})
    notify(recipient=application.applicant, template_code="member.rejected", dedupe_key=f"application:{application.pk}:decided",
           params={"union": application.union.name, "reason": reason}, link="/h5/member/")
    return application


@transaction.atomic
def application_reroute(*, actor, application_id, union: Org, note: str = "") -> JoinApplication:
    """Send an application (e.g. from the 周转库) to the right union; the actor must manage both ends."""
    application = _pending_application(actor=actor, application_id=application_id)
    _require_manage(actor=actor, org=union)
    if union.type not in MEMBER_UNION_TYPES or union.pk == application.union_id:
        _fail("请选择另一个可以接收会员的工会组织", "reroute_target", "union")
    previous = application.union
    application.union, application.in_holding_pool = union, False
    application.routing_reason = f"由{previous.name}转至{union.name}" + (f"：{note.strip()}" if note.strip() else "")
    application.save()
    audit_log(actor=actor, action="members.application.rerouted", obj=application, org_path=union.path,
              data={"from": previous.code, "to": union.code})
    return application


def applications_flag_overdue(*, now=None) -> int:
    """Tell the union above about applications nobody has handled within 15 working days. Idempotent."""
    now = now or timezone.now()
    flagged = 0
    overdue = JoinApplication.objects.filter(status=ApplicationStatus.PENDING, due_at__lt=now, overdue_flagged_at__isnull=True)
    for application in overdue.select_related("union__parent"):
        with transaction.atomic():
            if not JoinApplication.objects.filter(pk=application.pk, overdue_flagged_at__isnull=True).update(overdue_flagged_at=now):
                continue
            upper = application.union.parent or application.union
            _tell_cadres(org=upper, template_code="member.application_overdue", key=f"application:{application.pk}:overdue",
                         params={"union": application.union.name, "due": timezone.localtime(application.due_at).strftime("%Y-%m-%d")},
                         link=f"/workbench/members/applications/?union={application.union_id}")
            audit_log(actor=None, action="members.application.overdue_flagged", obj=application, org_path=application.union.path)
            flagged += 1
    return flagged


@transaction.atomic
def join_policy_set(*, actor, org: Org, auto_approve: bool) -> JoinPolicy:
    _require_manage(actor=actor, org=org)
    policy, _ = JoinPolicy.objects.update_or_create(org=org, defaults={"auto_approve": auto_approve})
    audit_log(actor=actor, action="members.join_policy.set", obj=policy, org_path=org.path, data={"auto_approve": auto_approve})
    return policy


# ------------------------------------------------------------------ join codes (一县一码)

JOIN_CODE_TYPES = (OrgType.COUNTY, OrgType.FUNCTION_ZONE, OrgType.SECTOR_FEDERATION)


def join_code_eligible(org: Org) -> bool:
    """Every 区/县 union, every 行业工会联合会, and in 东莞/中山 every 镇/街道 union has a join code."""
    return org.type in JOIN_CODE_TYPES or (org.type == OrgType.TOWN and org.parent is not None and org.parent.type == OrgType.CITY)


def join_code_eligible_q() -> Q:
    """`join_code_eligible` as a filter on orgs."""
    return Q(type__in=JOIN_CODE_TYPES) | Q(type=OrgType.TOWN, parent__type=OrgType.CITY)


def join_code_for(*, org: Org) -> JoinCode:
    if not join_code_eligible(org):
        _fail("只有区/县总工会、行业工会联合会（东莞、中山为镇/街道总工会）设有入会码", "join_code_type", None)
    code, _ = JoinCode.objects.get_or_create(org=org)
    return code


def join_code_scan(*, token: str, count: bool = True) -> JoinCode:
    code = JoinCode.objects.select_related("org").filter(token=token, org__is_active=True).first()
    if code is None:
        raise NotFound()
    if count:
        JoinCode.objects.filter(pk=code.pk).update(scan_count=F("scan_count") + 1)
    return code


@transaction.atomic
def join_codes_create(*, actor, orgs: QuerySet[Org]) -> int:
    """Give every eligible union among `orgs` that has none a join code (one audit event for the batch); all of them
    or none if the actor may not manage one of them."""
    missing = list(orgs.filter(join_code_eligible_q(), join_code__isnull=True).order_by("path"))
    if actor is not None and missing:
        managed = Org.objects.restrict(actor, MANAGE).filter(pk__in=[org.pk for org in missing]).count()
        if managed < len(missing):
            raise NotFound()
    JoinCode.objects.bulk_create([JoinCode(org=org) for org in missing])
    if missing:
        audit_log(actor=actor, action="members.join_codes.created", data={"orgs": [org.code for org in missing]})
    return len(missing)


# ------------------------------------------------------------------ the member card


def card_token(*, membership: Membership) -> str:
    return signing.dumps({"m": membership.pk}, salt=CARD_SALT, compress=True)


def card_verifier_check(*, actor) -> None:
    """Only cadres whose role verifies cards may: the answer (masked name, union, status) is about a member of any union,
    so it is not scoped by org, and an external account (an employer) gets nothing."""
    if CARD_VERIFY not in actions_for(user=actor):
        raise PermissionDenied("只有具备“验证会员卡”权限的工会干部可以验证会员卡")


def card_verify(*, actor, token: str) -> Membership:
    """A token older than a minute or not signed by us is refused."""
    card_verifier_check(actor=actor)
    try:
        payload = signing.loads(token.strip(), salt=CARD_SALT, max_age=CARD_TOKEN_SECONDS)
    except signing.SignatureExpired:
        _fail("会员卡二维码已过期，请让会员刷新后重新出示", "card_expired", "token")
    except signing.BadSignature:
        _fail("无效的会员卡二维码", "card_forged", "token")
    membership = Membership.objects.select_related("union", "person").filter(pk=payload.get("m")).first()
    if membership is None:
        _fail("无效的会员卡二维码", "card_forged", "token")
    return membership


# ------------------------------------------------------------------ transfers and leaving


def _own_membership(user, *, lock: bool = True) -> Membership:
    memberships = Membership.objects.select_related("union", "person")
    if lock:
        memberships = memberships.select_for_update(of=("self",))
    membership = memberships.filter(person__user=user).first()
    if membership is None:
        _fail("您还不是会员", "not_member", None)
    return membership


def transfer_target(*, employer_id: int | None, town_code: str, new_form_type: str) -> Org:
    """The union a transfer goes to: the same routing as joining, without the holding pool."""
    employer = Employer.objects.select_related("union", "town").filter(pk=employer_id).first() if employer_id else None
    town = Org.objects.filter(code=town_code, type__in=(OrgType.TOWN, OrgType.FUNCTION_ZONE)).first() if town_code else None
    try:
        route = route_application(employer=employer, town=town, new_form_type=new_form_type)
    except LookupError:
        route = None
    if route is None or route.holding_pool:
        _fail("请选择新单位或新工作地所在的街道/镇", "transfer_target", "town_code")
    return route.union


@transaction.atomic
def transfer_request(*, user, to_union: Org, new_employer_name: str = "") -> Transfer:
    """会籍转接 in one step from the worker's side."""
    membership = _own_membership(user)
    if membership.status != MembershipStatus.ACTIVE:
        _fail(f"会籍状态为“{membership.get_status_display()}”，暂不能转接", "transfer_status", None)
    if to_union.type not in MEMBER_UNION_TYPES or not to_union.is_active or to_union.pk == membership.union_id:
        _fail("请选择另一个可以接收会员的工会", "transfer_target", "to_union")
    transfer = Transfer.objects.create(membership=membership, from_union=membership.union, to_union=to_union,
                                       new_employer_name=new_employer_name.strip())
    _set_status(membership, MembershipStatus.TRANSFERRING, kind="transfer_requested", actor=user, to_union=to_union)
    audit_log(actor=user, action="members.transfer.requested", obj=transfer, org_path=to_union.path,
              data={"from": membership.union.code, "to": to_union.code})
    _tell_cadres(org=to_union, template_code="member.transfer_incoming", key=f"transfer:{transfer.pk}:incoming",
                 params={"from_union": membership.union.name}, link="/workbench/members/transfers/")
    return transfer


def _set_status(membership: Membership, status: str, *, kind: str, actor, to_union: Org | None = None, note: str = "") -> None:
    previous_union = membership.union
    membership.status = status
    if kind == "transferred":
        membership.union = to_union
    membership.save(update_fields=["status", "union", "updated_at"])
    MembershipEvent.objects.create(membership=membership, kind=kind, from_union=previous_union, to_union=to_union,
                                   status=status, note=note, actor=actor)


def _pending_transfer(*, actor, transfer_id) -> Transfer:
    transfer = _pending_locked(Transfer, actor=actor, pk=transfer_id, related=("membership__person__user", "from_union", "to_union"))
    if transfer.status != TransferStatus.PENDING:
        _fail("该转接申请已处理", "decided", None)
    return transfer


@transaction.atomic
def transfer_decide(*, actor, transfer_id, accept: bool, reason: str = "") -> Transfer:
    transfer = _pending_transfer(actor=actor, transfer_id=transfer_id)
    if not accept and len(reason.strip()) < 2:
        _fail("请填写拒绝原因", "reason", "reason")
    membership = Membership.objects.select_for_update().get(pk=transfer.membership_id)
    if membership.status != MembershipStatus.TRANSFERRING:
        _fail(f"会籍状态已变为“{membership.get_status_display()}”，该转接已失效", "transfer_stale", None)
    transfer.status = TransferStatus.ACCEPTED if accept else TransferStatus.REJECTED
    transfer.decided_by, transfer.decided_at, transfer.reject_reason = actor, timezone.now(), reason.strip()
    transfer.save()
    if accept:
        _set_status(membership, MembershipStatus.ACTIVE, kind="transferred", actor=actor, to_union=transfer.to_union)
    else:
        _set_status(membership, MembershipStatus.ACTIVE, kind="transfer_rejected", actor=actor, note=reason.strip())
    outcome = "accepted" if accept else "rejected"
    audit_log(actor=actor, action=f"members.transfer.{outcome}", obj=transfer, org_path=transfer.to_union.path, data={"reason": reason})
    params = {"from_union": transfer.from_union.name, "to_union": transfer.to_union.name, "reason": reason or "—"}
    worker = transfer.membership.person.user
    if worker is not None:
        notify(recipient=worker, template_code=f"member.transfer_{outcome}", params=params, dedupe_key=f"transfer:{transfer.pk}:worker",
               link="/h5/member/")
    _tell_cadres(org=transfer.from_union, template_code=f"member.transfer_{outcome}", params=params,
                 key=f"transfer:{transfer.pk}:sender", link="/workbench/members/")
    return transfer


@transaction.atomic
def membership_leave(*, user, reason: str) -> Membership:
    reason = reason.strip()
    if len(reason) < 2:
        _fail("请填写退会原因", "reason", "reason")
    membership = _own_membership(user)
    if membership.status not in (MembershipStatus.ACTIVE,):
        _fail(f"会籍状态为“{membership.get_status_display()}”，暂不能退会", "leave_status", None)
    _set_status(membership, MembershipStatus.LEFT, kind="left", actor=user, note=reason)
    audit_log(actor=user, action="members.membership.left", obj=membership, org_path=membership.union.path, data={"reason": reason})
    return membership


# ------------------------------------------------------------------ 冒用 appeals


EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


@transaction.atomic
def appeal_file(*, user, name: str, id_number: str, statement: str, evidence=None) -> ImpersonationAppeal:
    """The real holder of an ID says someone else joined with it: the membership is frozen while a cadre decides."""
    id_number = _clean_identity(JoinInput(name=name, id_number=id_number))
    if len(statement.strip()) < 10:
        _fail("请说明情况（至少10个字），例如何时发现、是否认识冒用人", "statement", "statement")
    index = Person._meta.get_field("id_index").index_for(id_number)
    membership = Membership.objects.select_for_update(of=("self",)).select_related("person", "union").filter(person__id_index=index).first()
    if membership is None or membership.status not in LIVE_STATUSES:
        _fail("没有查到使用该身份证号的会籍", "appeal_nothing", "id_number")
    if membership.person.user_id == user.pk:
        _fail("该会籍绑定的就是您的账号，无需申诉", "appeal_self", "id_number")
    if membership.appeals.filter(status=AppealStatus.PENDING).exists():
        _fail("该会籍已有申诉正在审查", "appeal_pending", None)
    previous_status = membership.status
    if previous_status == MembershipStatus.TRANSFERRING:  # the transfer cannot go on while ownership is in doubt
        Transfer.objects.filter(membership=membership, status=TransferStatus.PENDING).update(
            status=TransferStatus.REJECTED, reject_reason="冒用申诉审查中，转接已取消", decided_at=timezone.now())
        previous_status = MembershipStatus.ACTIVE
    appeal = ImpersonationAppeal.objects.create(membership=membership, appellant=user, statement=statement.strip(),
                                                previous_status=previous_status)
    if evidence is not None:
        kind = sniff_upload(evidence, allowed=("jpg", "png", "pdf"), max_bytes=EVIDENCE_MAX_BYTES, what="证明材料", field="evidence")
        appeal.evidence.save(f"appeal-{appeal.pk}.{kind.extension}", evidence, save=True)
    _set_status(membership, MembershipStatus.FROZEN, kind="frozen", actor=user, note="冒用申诉审查中")
    audit_log(actor=user, action="members.appeal.filed", obj=appeal, org_path=membership.union.path)
    if membership.person.user is not None:
        notify(recipient=membership.person.user, template_code="member.frozen", params={"union": membership.union.name},
               dedupe_key=f"appeal:{appeal.pk}:frozen", link="/h5/member/")
    _tell_cadres(org=membership.union, template_code="member.appeal_filed", params={"union": membership.union.name},
                 key=f"appeal:{appeal.pk}:filed", link="/workbench/members/appeals/")
    return appeal


@transaction.atomic
def appeal_decide(*, actor, appeal_id, upheld: bool, note: str) -> ImpersonationAppeal:
    appeal = _pending_locked(ImpersonationAppeal, actor=actor, pk=appeal_id, related=("membership__person__user", "membership__union", "appellant"))
    if appeal.status != AppealStatus.PENDING:
        _fail("该申诉已处理", "decided", None)
    if len(note.strip()) < 2:
        _fail("请填写处理意见", "note", "note")
    membership, impostor = appeal.membership, appeal.membership.person.user
    if upheld:
        _set_status(membership, MembershipStatus.LEFT, kind="revoked_impersonation", actor=actor, note=note.strip())
        Person.objects.filter(pk=membership.person_id).update(user=appeal.appellant)  # the ID belongs to the appellant
    else:
        _set_status(membership, appeal.previous_status, kind="unfrozen", actor=actor, note=note.strip())
    appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.DISMISSED
    appeal.decided_by, appeal.decided_at, appeal.decision_note = actor, timezone.now(), note.strip()
    appeal.save()
    audit_log(actor=actor, action=f"members.appeal.{appeal.status}", obj=appeal, org_path=membership.union.path, data={"note": note})
    params = {"outcome": appeal.get_status_display(), "note": note.strip()}
    for recipient in filter(None, {appeal.appellant, impostor}):
        notify(recipient=recipient, template_code="member.appeal_decided", params=params, dedupe_key=f"appeal:{appeal.pk}:decided:{recipient.pk}",
               link="/h5/member/")
    return appeal



@transaction.atomic
def member_star_award(*, actor, membership: Membership, year: int, stars: int, reason: str):
    """星级会员: one award per member and year; a later award in the same year replaces the earlier one."""
    _require_manage(actor=actor, org=membership.union)
    if not 1 <= stars <= 5:
        _fail("星级应为1到5星", "stars", "stars")
    if len(reason.strip()) < 4:
        _fail("请填写事迹（至少4个字）", "reason", "reason")
    if membership.status != MembershipStatus.ACTIVE:
        _fail("只有在会会员可以评为星级会员", "star_status", None)
    award, _ = MemberStarAward.objects.update_or_create(membership=membership, year=year,
                                                        defaults={"stars": stars, "reason": reason.strip(), "awarded_by": actor})
    audit_log(actor=actor, action="members.star.awarded", obj=membership, org_path=membership.union.path, data={"year": year, "stars": stars})
    return award


@transaction.atomic
def member_tag_set(*, actor, membership: Membership, add: list[str] = (), remove: list[str] = ()) -> list[str]:
    """Add or remove labels on a member; returns the member's labels."""
    _require_manage(actor=actor, org=membership.union)
    names = [name.strip() for name in add if name.strip()]
    if any(len(name) > 20 for name in names):
        _fail("标签不能超过20个字", "tag_length", "tag")
    for name in names:
        MemberTag.objects.get_or_create(membership=membership, name=name, defaults={"added_by": actor})
    MemberTag.objects.filter(membership=membership, name__in=[name.strip() for name in remove]).delete()
    audit_log(actor=actor, action="members.tags.changed", obj=membership, org_path=membership.union.path,
              data={"added": names, "removed": list(remove)})
    return sorted(membership.tags.values_list("name", flat=True))
