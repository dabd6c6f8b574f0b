"""The members app's part of the cadre's desk (declared in MembersConfig): decisions waiting in the actor's scope, soonest
limit first, and the members figures of the org they act for."""
import datetime as dt

from django.urls import reverse
from django.utils import timezone

from gonghui.core.masking import mask_name
from gonghui.core.registry import Figure, TodoItem, TodoList
from gonghui.members import selectors
from gonghui.members.models import ApplicationStatus, MembershipStatus
from gonghui.worktime.deadlines import LOCAL


def join_applications(*, actor, limit: int) -> TodoList:
    """Pending applications: the union must contact the applicant within 15 working days (the queue's first page holds
    these, as it is sorted by the same limit)."""
    pending = selectors.application_queue(actor=actor)
    queue = reverse("members:applications")
    items = [TodoItem(title=f"{mask_name(application.person.name)} 申请加入{application.union.name}" + ("（周转库，待分配）" if application.in_holding_pool else ""),
                      url=f"{queue}#application-{application.pk}", due_at=application.due_at, limit_unit="working_days")
             for application in pending[:limit]]
    return TodoList(count=pending.count(), items=items, url=queue)


def transfers_to_accept(*, actor, limit: int) -> TodoList:
    """Transfers into the actor's unions: no time limit, so the longest waiting first."""
    pending = selectors.transfer_queue(actor=actor).order_by("created_at", "pk")
    queue = reverse("members:transfers")
    items = [TodoItem(title=f"{mask_name(transfer.membership.person.name)} 从{transfer.from_union.name}转入{transfer.to_union.name}",
                      url=f"{queue}#transfer-{transfer.pk}", waiting_since=transfer.created_at) for transfer in pending[:limit]]
    return TodoList(count=pending.count(), items=items, url=queue)


def appeals_pending(*, actor, limit: int) -> TodoList:
    """冒用 appeals: the membership is frozen until someone decides, so the longest waiting first."""
    pending = selectors.appeal_queue(actor=actor).order_by("created_at", "pk")
    queue = reverse("members:appeals")
    items = [TodoItem(title=f"{appeal.membership.union.name}会员 {appeal.membership.member_number} 被申诉冒用身份入会",
                      url=f"{queue}#appeal-{appeal.pk}", waiting_since=appeal.created_at) for appeal in pending[:limit]]
    return TodoList(count=pending.count(), items=items, url=queue)


def member_figures(*, actor, org) -> list[Figure]:
    month_start = dt.datetime.combine(timezone.localdate().replace(day=1), dt.time.min, tzinfo=LOCAL)
    members = selectors.membership_list(actor=actor, within=org, status=MembershipStatus.ACTIVE).count()
    applied = selectors.application_counts(actor=actor, within=org, since=month_start)
    return [
        Figure("在会会员", f"{members:,}", url=f"{reverse('members:list')}?within={org.pk}&status={MembershipStatus.ACTIVE}"),
        Figure("本月入会申请", f"{sum(applied.values()):,}",
               f"已通过 {applied.get(ApplicationStatus.APPROVED, 0):,} · 待审核 {applied.get(ApplicationStatus.PENDING, 0):,}",
               reverse("members:applications")),
    ]
