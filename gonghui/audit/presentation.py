"""Audit events as the page shows them: Chinese labels, the object's name, the operator's name, data as label → value."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from gonghui.audit.labels import action_label, actor_label, data_rows, model_for, object_kind_label, object_label
from gonghui.audit.models import AuditEvent

# What Django's default __str__ gave objects of models without their own, in events written before they had one.
DEFAULT_REPR = re.compile(r"^\w+ object \((\d+)\)$")


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    actor: str
    action: str
    object_kind: str
    object_name: str
    org_name: str
    details: list[tuple[str, str]]
    chain_state: str


def _legacy_object_names(events: list[AuditEvent]) -> dict[tuple[str, str], str]:
    """Names for objects that an older event recorded only as "X object (N)", looked up once per model."""
    wanted = defaultdict(set)
    for event in events:
        if DEFAULT_REPR.match(event.object_repr) and model_for(event.object_type) is not None:
            wanted[event.object_type].add(event.object_id)
    names = {}
    for object_type, ids in wanted.items():
        for pk, obj in model_for(object_type)._default_manager.in_bulk(list(ids)).items():
            names[(object_type, str(pk))] = object_label(obj)
    return names


def _actor(event: AuditEvent) -> str:
    # events written before decision 0014 recorded a worker's machine name; the account still says who it was
    if event.actor is not None and event.actor_name == event.actor.username:
        return actor_label(event.actor)
    return event.actor_name


def _chain_state(event: AuditEvent) -> str:
    if event.seq is not None:
        return str(event.seq)
    return "已拒封存（签名不符）" if hasattr(event, "flag") else "待封存"


def event_rows(events: list[AuditEvent], *, org_names: dict[str, str]) -> list[EventRow]:
    legacy = _legacy_object_names(events)
    return [
        EventRow(
            event=event, actor=_actor(event), action=action_label(event.action), object_kind=object_kind_label(event.object_type),
            object_name=legacy.get((event.object_type, event.object_id), event.object_repr), org_name=org_names.get(event.org_path, ""),
            details=data_rows(event.data, model_for(event.object_type)), chain_state=_chain_state(event),
        )
        for event in events
    ]
