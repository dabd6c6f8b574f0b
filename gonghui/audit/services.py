from __future__ import annotations

from django.db import models

from gonghui.audit.models import AuditEvent


def audit_log(*, actor, action: str, obj: models.Model | None = None, org_path: str = "", data: dict | None = None) -> AuditEvent:
    """Record one state change. Callers pass PII only masked (DESIGN.md rule 3)."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        org_path=org_path,
        data=data or {},
    )
