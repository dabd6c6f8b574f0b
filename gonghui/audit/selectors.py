from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from gonghui.audit.models import AuditEvent


def audit_event_list(
    *, actor, action: str = "", actor_name: str = "", object_q: str = "",
    date_from: dt.date | None = None, date_to: dt.date | None = None, within_path: str = "",
) -> QuerySet[AuditEvent]:
    """Events in the actor's scope; `action` is a code or its dotted prefix, `within_path` an org path (its subtree)."""
    events = AuditEvent.objects.restrict(actor, "audit.view").select_related("actor", "flag")
    if within_path:
        events = events.filter(org_path__startswith=within_path)
    if action:
        events = events.filter(action__startswith=action)
    if actor_name:
        events = events.filter(Q(actor_name__icontains=actor_name) | Q(actor__username__icontains=actor_name))
    if object_q:
        events = events.filter(Q(object_repr__icontains=object_q) | Q(object_id=object_q))
    if date_from:
        events = events.filter(created_at__date__gte=date_from)
    if date_to:
        events = events.filter(created_at__date__lte=date_to)
    return events.order_by("-id")


def audit_events_for_object(*, obj, action: str) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action).order_by("-id")
