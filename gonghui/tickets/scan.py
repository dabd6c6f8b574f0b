"""The periodic time-limit scan (DESIGN.md rule 7): set-based statements over every open order, not a loop over rows.

One run, in one transaction under a named lock (two consumers never scan at once):
1. orders whose current deadline has passed and is not yet marked are marked breached (one UPDATE), and get a 超时 step;
2. each of them that never had an automatic 督办 gets one, from the org above its holder (INSERT … SELECT), once per order;
3. orders whose reminder moment has come, still before the deadline, are marked reminded (one UPDATE);
4. each holder org with new reminders or breaches gets one digest, sent to its handlers (one per org per run, not one
   message per order), and the run writes one audit event.
Every mark is "set once": a second run finds nothing new and changes nothing (and writes no audit event).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from gonghui.audit.services import audit_log
from gonghui.core.locking import advisory_lock
from gonghui.notify.services import notify
from gonghui.orgs.models import Org
from gonghui.tickets.models import HANDLE, DueKind, EventKind, Supervision, Ticket, TicketEvent

AUTO_NOTE = "超过办理时限，系统自动督办"


@dataclass(frozen=True)
class ScanResult:
    breached: int
    warned: int
    supervised: int
    orgs: int
    digests: int

    @property
    def changed(self) -> bool:
        return bool(self.breached or self.warned)


def _insert_select(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@transaction.atomic
def sla_scan(*, now: dt.datetime | None = None) -> ScanResult:
    now = now or timezone.now()
    advisory_lock("tickets.sla_scan", timeout=None)
    running = Ticket.objects.filter(paused_at__isnull=True)
    # a deadline passed before any reminder went out gets none afterwards (warned_at is set with the breach)
    breached = running.filter(due_at__isnull=False, breached_at__isnull=True, due_at__lt=now).update(
        breached_at=now, breach_count=F("breach_count") + 1, warned_at=Coalesce("warned_at", Value(now)))
    warned = running.filter(warn_at__isnull=False, warned_at__isnull=True, warn_at__lte=now, breached_at__isnull=True, due_at__gte=now
                            ).update(warned_at=now)
    if not breached and not warned:
        return ScanResult(breached=0, warned=0, supervised=0, orgs=0, digests=0)
    at = connection.ops.adapt_datetimefield_value(now)
    tickets, orgs, events, supervisions = _table(Ticket), _table(Org), _table(TicketEvent), _table(Supervision)
    supervised = 0
    if breached:
        labels = " ".join("WHEN %s THEN %s" for _ in DueKind.choices)
        step = [part for value, label in DueKind.choices for part in (value, f"超过{label}时限")]
        insert_event = (f"INSERT INTO {events} (ticket_id, at, kind, actor_id, actor_name, org_id, note, visible_to_worker, data) "
                        f"SELECT t.id, %s, %s, NULL, %s, t.holder_id, {{note}}, %s, %s FROM {tickets} t WHERE t.breached_at = %s")
        _insert_select(insert_event.format(note=f"CASE t.due_kind {labels} ELSE %s END"),
                       [at, EventKind.BREACHED, "系统", *step, "超过办理时限", False, "{}", at])
        _insert_select(insert_event.format(note="%s") + " AND t.auto_supervised_at IS NULL",
                       [at, EventKind.SUPERVISED, "系统", AUTO_NOTE, False, "{}", at])
        supervised = _insert_select(
            f"INSERT INTO {supervisions} (created_at, updated_at, ticket_id, kind, org_id, holder_id, by_id, note) "
            f"SELECT %s, %s, t.id, %s, COALESCE(o.parent_id, t.holder_id), t.holder_id, NULL, %s "
            f"FROM {tickets} t JOIN {orgs} o ON o.id = t.holder_id WHERE t.breached_at = %s AND t.auto_supervised_at IS NULL",
            [at, at, Supervision.Kind.AUTO, AUTO_NOTE, at])
        Ticket.objects.filter(breached_at=now, auto_supervised_at__isnull=True).update(
            auto_supervised_at=now, supervised_at=Coalesce("supervised_at", Value(now)))
    per_org = list(Ticket.objects.filter(Q(breached_at=now) | Q(warned_at=now)).values("holder_id").order_by("holder_id").annotate(
        warned=Count("pk", filter=Q(warned_at=now) & ~Q(breached_at=now)), breached=Count("pk", filter=Q(breached_at=now))))
    digests = _send_digests(per_org, now)
    audit_log(actor=None, action="tickets.sla.scanned", data={"breached": breached, "warned": warned, "supervised": supervised,
                                                               "orgs": len(per_org), "digests": digests})
    return ScanResult(breached=breached, warned=warned, supervised=supervised, orgs=len(per_org), digests=digests)


def _send_digests(per_org: list[dict], now: dt.datetime) -> int:
    """One digest per holder org, to each of its handlers (the org's posts with tickets.handle)."""
    from gonghui.accounts.models import Post  # the org's handlers are posts; read in one query for every org of the run

    counts = {row["holder_id"]: row for row in per_org}
    handlers: dict[int, list] = {}
    posts = Post.objects.filter(org_id__in=counts, org__is_active=True, user__is_active=True).select_related("user", "role", "org")
    names = {}
    for post in posts:
        if HANDLE in post.role.permissions:
            handlers.setdefault(post.org_id, {})[post.user_id] = post.user
            names[post.org_id] = post.org.name
    sent, run = 0, now.strftime("%Y%m%d%H%M%S%f")
    for org_id, users in handlers.items():
        row = counts[org_id]
        for user in users.values():
            sent += len(notify(recipient=user, template_code="tickets.digest", dedupe_key=f"tickets.digest:{org_id}:{run}",
                               params={"org": names[org_id], "warned": row["warned"], "breached": row["breached"]}))
    return sent
