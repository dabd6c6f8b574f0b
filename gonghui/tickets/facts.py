"""What the figures about orders count (诉求工单统计口径), one condition per fact, shared by the analytics rollups and the
desk list a figure links to, so a figure and the list behind it can never disagree.

An order counts on its 受理 date (`created_at`, Asia/Shanghai). "On time" is against the deadline as it stands: the 签收
limit of the latest 派单/转办, and the 办结 limit after any approved 延期 (an approval moves `resolve_due_at`) and any
pause for material. 满意率 is (满意 + 基本满意) ÷ successful 回访; 未回访 counts in neither and is shown apart.
"""
from __future__ import annotations

from django.db.models import F, Q

from gonghui.tickets.models import OPEN_STATES, Satisfaction, State

RATED = (Satisfaction.SATISFIED, Satisfaction.BASIC, Satisfaction.DISSATISFIED)

FACTS: dict[str, tuple[str, Q]] = {
    "received": ("受理", Q()),
    "open": ("未办结", Q(state__in=OPEN_STATES)),
    "dispatched": ("已派单", Q(dispatched_at__isnull=False)),
    "accepted": ("已签收", Q(accepted_at__isnull=False)),
    "accepted_on_time": ("按时签收", Q(accepted_at__isnull=False, accept_due_at__isnull=False, accepted_at__lte=F("accept_due_at"))),
    "closed": ("已办结", Q(state=State.CLOSED)),
    "closed_on_time": ("按时办结", Q(state=State.CLOSED, replied_at__isnull=False, replied_at__lte=F("resolve_due_at"))),
    "follow_up_due": ("应回访", Q(state=State.REPLIED) | ~Q(satisfaction="")),
    "rated": ("回访成功", Q(satisfaction__in=RATED)),
    "satisfied": ("满意", Q(satisfaction=Satisfaction.SATISFIED)),
    "basic": ("基本满意", Q(satisfaction=Satisfaction.BASIC)),
    "dissatisfied": ("不满意", Q(satisfaction=Satisfaction.DISSATISFIED)),
    "unreached": ("未回访", Q(satisfaction=Satisfaction.UNREACHED)),
    "repeated": ("重复诉求", Q(duplicate_of__isnull=False)),
}


def fact_q(name: str) -> Q:
    return FACTS[name][1]


def orders_received_between(start, end):
    """System read for rollups and early warning (never a page's): every order received in [start, end), unscoped, with
    the places and the employer the figures group by."""
    from gonghui.tickets.models import Ticket

    return Ticket.objects.filter(created_at__gte=start, created_at__lt=end).select_related("employer", "holder")


def receipt_times_changed_since(moment):
    """When the orders changed since `moment` were received: the days whose rollups are stale."""
    from gonghui.tickets.models import Ticket

    return Ticket.objects.filter(updated_at__gte=moment).values_list("created_at", flat=True)


def named_union_paths(ticket_ids) -> set[str]:
    """The paths of the unions the orders name as parties (被反映对象: a union, or an employer's union): early warning
    never tells a union about complaints against itself."""
    from gonghui.tickets.models import TicketParty

    paths = set()
    for party in TicketParty.objects.filter(ticket_id__in=list(ticket_ids)).select_related("org", "employer__union"):
        if party.org_id:
            paths.add(party.org.path)
        elif party.employer_id and party.employer.union_id:
            paths.add(party.employer.union.path)
    return paths
