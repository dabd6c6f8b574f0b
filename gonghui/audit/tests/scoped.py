"""Scoped audit models, one row each inside a place (see core/tests/places.py)."""
from gonghui.audit.models import AuditEvent
from gonghui.audit.services import audit_log

FACTORIES = {
    AuditEvent: lambda place: audit_log(actor=place.cadre, action="orgs.org.updated", obj=place.union, org_path=place.union.path),
}
