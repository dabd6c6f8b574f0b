"""Writing, sealing and checking the audit log."""
from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, models, transaction

from gonghui.audit.models import AuditEvent
from gonghui.core.masking import scrub_pii
from gonghui.core.request_context import current_request_info

GENESIS_HASH = "0" * 64
SEAL_LOCK_KEY = 0x6761756469  # advisory lock id for sealing on PostgreSQL ("gaudi")


def _scrubbed(value):
    """Defence in depth: whatever a caller passes, no ID or mobile number reaches the log in clear."""
    if isinstance(value, str):
        return scrub_pii(value)
    if isinstance(value, dict):
        return {key: _scrubbed(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrubbed(item) for item in value]
    return value


def audit_log(*, actor, action: str, obj: models.Model | None = None, org_path: str = "", data: dict | None = None) -> AuditEvent:
    """Record one state change (or one batch of a bulk job). Sealed into the chain after commit."""
    info = current_request_info()
    has_user = getattr(actor, "pk", None) is not None
    event = AuditEvent.objects.create(
        actor=actor if has_user else None,
        actor_name=str(actor)[:150] if has_user else "系统",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=scrub_pii(str(obj))[:200] if obj is not None else "",
        org_path=org_path,
        ip=info.ip if info else None,
        user_agent=info.user_agent if info else "",
        data=_scrubbed(data or {}),
    )
    transaction.on_commit(audit_seal_pending)
    return event


def _take_seal_lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])
    # SQLite: the IMMEDIATE transaction already holds the database's single write lock.


def audit_seal_pending(batch_size: int = 1000) -> int:
    """Link committed, unsealed events into the chain in id order. Idempotent; safe to run concurrently."""
    sealed = 0
    while True:
        with transaction.atomic():
            _take_seal_lock()
            last = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").values("seq", "hash").first()
            seq, prev_hash = (last["seq"], last["hash"]) if last else (0, GENESIS_HASH)
            pending = list(AuditEvent.objects.filter(seq__isnull=True).order_by("id")[:batch_size])
            for event in pending:
                seq += 1
                digest = event.content_digest(prev_hash=prev_hash, seq=seq)
                AuditEvent.objects.filter(pk=event.pk)._seal(seq=seq, prev_hash=prev_hash, hash=digest)
                prev_hash = digest
        sealed += len(pending)
        if len(pending) < batch_size:
            return sealed


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_event_id: int | None = None
    broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_event_id is None


def audit_verify(*, chunk_size: int = 2000) -> ChainReport:
    """Walk the sealed chain from the start; report the first event whose link or content does not match."""
    prev_hash, expected_seq, checked = GENESIS_HASH, 1, 0
    events = AuditEvent.objects.filter(seq__isnull=False).order_by("seq")
    for event in events.iterator(chunk_size=chunk_size):
        if event.seq != expected_seq:
            return ChainReport(checked, event.pk, event.seq, f"链序号缺失：期望 {expected_seq}，实际 {event.seq}（有记录被删除）")
        if event.prev_hash != prev_hash:
            return ChainReport(checked, event.pk, event.seq, "前一条哈希不符（前面的记录被删除或替换）")
        if event.content_digest(prev_hash=prev_hash, seq=event.seq) != event.hash:
            return ChainReport(checked, event.pk, event.seq, "内容与哈希不符（该记录被篡改）")
        prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    return ChainReport(checked)
