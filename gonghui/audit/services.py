"""Writing, sealing, checkpointing and checking the audit log (decisions 0004 and 0014)."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from django.core.mail import mail_admins
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from gonghui.audit.checkpoints import Checkpoint, checkpoint_sinks
from gonghui.audit.keys import CHECKPOINT, LINK, ROW, audit_keyring, sign, signature_matches
from gonghui.audit.labels import actor_label, object_label
from gonghui.audit.models import AuditCheckpoint, AuditEvent, AuditFlag
from gonghui.core.masking import scrub_pii
from gonghui.core.request_context import current_request_info

GENESIS_HASH = "0" * 64
SEAL_LOCK_KEY = 0x6761756469  # advisory lock id for sealing on PostgreSQL ("gaudi")
IP_FIELD = AuditEvent._meta.get_field("ip")

logger = logging.getLogger("gonghui.audit")


def _scrubbed(value):
    """Defence in depth: whatever a caller passes, no ID or mobile number reaches the log in clear."""
    if isinstance(value, str):
        return scrub_pii(value)
    if isinstance(value, dict):
        return {key: _scrubbed(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrubbed(item) for item in value]
    return value


def _as_stored(data: dict) -> dict:
    """The data as the database will give it back (keys as strings, dates as text), so the MAC written now matches the
    row read later."""
    return json.loads(json.dumps(_scrubbed(data), cls=DjangoJSONEncoder))


def audit_log(*, actor, action: str, obj: models.Model | None = None, org_path: str = "", data: dict | None = None) -> AuditEvent:
    """Record one state change (or one batch of a bulk job) with its MAC. Sealed into the chain after commit.

    `actor_name` and `object_repr` are what a cadre reads on the audit page, fixed when it happened: the operator's
    display name (a worker's masked name) and the object's own name with PII masked."""
    info = current_request_info()
    has_user = getattr(actor, "pk", None) is not None
    event = AuditEvent(
        created_at=timezone.now(),
        actor=actor if has_user else None,
        actor_name=actor_label(actor)[:150] if has_user else "系统",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=object_label(obj)[:200] if obj is not None else "",
        org_path=org_path,
        ip=IP_FIELD.get_prep_value(info.ip) if info and info.ip else None,
        user_agent=info.user_agent[:300] if info else "",
        data=_as_stored(data or {}),
        key_id=audit_keyring().active_key_id,
    )
    event.mac = sign(event.row_content(), key_id=event.key_id, purpose=ROW)
    event.save()
    transaction.on_commit(audit_seal_pending)
    return event


def _take_seal_lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])
    # SQLite: the IMMEDIATE transaction already holds the database's single write lock.


def _row_problem(event: AuditEvent) -> str:
    """Why a row cannot be trusted as the application's own, or "" when its MAC checks."""
    if not event.key_id or not event.mac:
        return "没有行签名（不是由系统写入的记录）"
    if event.key_id not in audit_keyring().keys:
        return f"行签名所用密钥 {event.key_id} 不在 AUDIT_KEYS 中"
    if not signature_matches(event.row_content(), key_id=event.key_id, purpose=ROW, signature=event.mac):
        return "行签名不符（内容被改动，或记录是伪造的）"
    return ""


def _link_hash(event: AuditEvent, *, prev_hash: str, seq: int) -> str:
    return sign(event.link_content(prev_hash=prev_hash, seq=seq), key_id=event.key_id, purpose=LINK)


def audit_seal_pending(batch_size: int = 1000) -> int:
    """Link committed, unsealed events whose MAC checks into the chain in id order; flag the others, which stay out of
    it and are reported. Idempotent; safe to run concurrently."""
    sealed, flagged = 0, []
    while True:
        with transaction.atomic():
            _take_seal_lock()
            last = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").values("seq", "hash").first()
            seq, prev_hash = (last["seq"], last["hash"]) if last else (0, GENESIS_HASH)
            pending = list(AuditEvent.objects.filter(seq__isnull=True, flag__isnull=True).order_by("id")[:batch_size])
            for event in pending:
                problem = _row_problem(event)
                if problem:
                    AuditFlag.objects.create(event=event, reason=problem)
                    flagged.append((event.pk, problem))
                    continue
                seq += 1
                digest = _link_hash(event, prev_hash=prev_hash, seq=seq)
                AuditEvent.objects.filter(pk=event.pk)._seal(seq=seq, prev_hash=prev_hash, hash=digest)
                prev_hash = digest
                sealed += 1
        if len(pending) < batch_size:
            break
    if flagged:
        message = "\n".join(f"审计事件 id={pk} 未链入哈希链：{problem}" for pk, problem in flagged)
        logger.critical(message)
        mail_admins("【gonghui】发现伪造或被改动的审计记录", message, fail_silently=True)
    return sealed


# ---------------------------------------------------------------- checkpoints


def audit_checkpoint_write(*, force: bool = False) -> Checkpoint | None:
    """Seal what is pending, sign the chain's head and send it to every sink (and keep a copy in the database).
    Nothing is written when the log has not changed since the last checkpoint, unless `force`."""
    audit_seal_pending()
    with transaction.atomic():
        _take_seal_lock()
        head = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").values("seq", "hash").first()
        seq, head_hash = (head["seq"], head["hash"]) if head else (0, GENESIS_HASH)
        count = AuditEvent.objects.count()
        previous = AuditCheckpoint.objects.order_by("-id").first()
        if not force and previous is not None and (previous.seq, previous.count) == (seq, count):
            return None
        key_id = audit_keyring().active_key_id
        checkpoint = Checkpoint(seq=seq, head_hash=head_hash, count=count, at=timezone.now().isoformat(), key_id=key_id, signature="")
        checkpoint = checkpoint.signed(sign(checkpoint.content(), key_id=key_id, purpose=CHECKPOINT))
        AuditCheckpoint.objects.create(created_at=checkpoint.created_at, seq=seq, head_hash=head_hash, count=count, key_id=key_id,
                                       signature=checkpoint.signature)
    for sink in checkpoint_sinks():
        try:
            sink.send(checkpoint)
        except Exception:  # one sink down (mail server, syslog) must not keep the checkpoint from the others
            logger.exception("审计检查点未能写入 %s", type(sink).__name__)
    return checkpoint


def checkpoint_signature_ok(checkpoint: Checkpoint) -> bool:
    return signature_matches(checkpoint.content(), key_id=checkpoint.key_id, purpose=CHECKPOINT, signature=checkpoint.signature)


# ---------------------------------------------------------------- verification

# What `audit_verify` can name.
GAP, LINK_BROKEN, ROW_TAMPERED, LEGACY_AFTER_KEYED = "gap", "link", "row", "legacy"
FORGED, CHECKPOINT_FORGED, EMPTIED, NEWEST_DELETED, HEAD_MISMATCH, COUNT_DROPPED = (
    "forged", "checkpoint_forged", "emptied", "newest_deleted", "head_mismatch", "count_dropped")
MAX_FORGED_LISTED = 20


@dataclass(frozen=True)
class Problem:
    kind: str
    message: str
    event_id: int | None = None
    seq: int | None = None

    def __str__(self) -> str:
        where = f"第 {self.seq} 条（id={self.event_id}）" if self.seq is not None else (f"id={self.event_id}：" if self.event_id else "")
        return where + self.message


@dataclass(frozen=True)
class ChainReport:
    checked: int
    problems: tuple[Problem, ...] = ()
    checkpoint: Checkpoint | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def kinds(self) -> set[str]:
        return {problem.kind for problem in self.problems}

    def _first_in_chain(self) -> Problem | None:
        return next((p for p in self.problems if p.seq is not None), None)

    @property
    def broken_event_id(self) -> int | None:
        first = self._first_in_chain()
        return first.event_id if first else None

    @property
    def broken_seq(self) -> int | None:
        first = self._first_in_chain()
        return first.seq if first else None

    @property
    def reason(self) -> str:
        first = self._first_in_chain() or (self.problems[0] if self.problems else None)
        return first.message if first else ""


def _walk_chain(chunk_size: int, head_seq: int | None) -> tuple[int, Problem | None, str | None]:
    """Walk the sealed chain from the start: (rows checked, the first break, the hash at `head_seq`). Rows sealed before
    decision 0014 (no key id) verify by their unkeyed hash, and only before the first keyed row."""
    prev_hash, expected_seq, checked, keyed_seen, head_hash = GENESIS_HASH, 1, 0, False, None
    for event in AuditEvent.objects.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=chunk_size):
        problem = None
        if event.seq != expected_seq:
            problem = Problem(GAP, f"链序号缺失：期望 {expected_seq}，实际 {event.seq}（有记录被删除）", event.pk, event.seq)
        elif event.prev_hash != prev_hash:
            problem = Problem(LINK_BROKEN, "前一条哈希不符（前面的记录被删除或替换）", event.pk, event.seq)
        elif event.key_id:
            keyed_seen = True
            row_problem = _row_problem(event)
            if row_problem:
                problem = Problem(ROW_TAMPERED, f"内容与哈希不符（该记录被篡改：{row_problem}）", event.pk, event.seq)
            elif _link_hash(event, prev_hash=prev_hash, seq=event.seq) != event.hash:
                problem = Problem(ROW_TAMPERED, "内容与哈希不符（链接哈希被改写）", event.pk, event.seq)
        elif keyed_seen:
            problem = Problem(LEGACY_AFTER_KEYED, "没有行签名的记录出现在签名记录之后（伪造的记录）", event.pk, event.seq)
        elif event.content_digest(prev_hash=prev_hash, seq=event.seq) != event.hash:
            problem = Problem(ROW_TAMPERED, "内容与哈希不符（该记录被篡改）", event.pk, event.seq)
        if problem is not None:
            return checked, problem, head_hash
        if event.seq == head_seq:
            head_hash = event.hash
        prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    return checked, None, head_hash


def _forged_rows() -> list[Problem]:
    """Rows outside the chain that the application did not write: flagged by the sealer, or not yet seen by it."""
    problems = []
    for event in AuditEvent.objects.filter(seq__isnull=True).select_related("flag").order_by("id")[: MAX_FORGED_LISTED * 10]:
        flag = getattr(event, "flag", None)
        reason = flag.reason if flag is not None else _row_problem(event)
        if reason:
            problems.append(Problem(FORGED, f"未链入哈希链的伪造记录（{event.action}，自称 {event.created_at:%Y-%m-%d %H:%M}）：{reason}",
                                    event.pk))
    return problems[:MAX_FORGED_LISTED]


def _against_checkpoint(checkpoint: Checkpoint, head_hash: str | None, chain_broken: bool) -> list[Problem]:
    if not checkpoint_signature_ok(checkpoint):
        return [Problem(CHECKPOINT_FORGED, f"检查点签名不符（密钥 {checkpoint.key_id}）：该检查点不可信")]
    when = checkpoint.created_at_display
    count = AuditEvent.objects.count()
    if count == 0 and checkpoint.count > 0:
        return [Problem(EMPTIED, f"审计日志已被清空：检查点（{when}）时共 {checkpoint.count} 条，现在 0 条")]
    problems = []
    last_seq = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").values_list("seq", flat=True).first() or 0
    if last_seq < checkpoint.seq:
        problems.append(Problem(NEWEST_DELETED, f"最新的记录被删除：检查点（{when}）时哈希链到第 {checkpoint.seq} 条，现在只到第 {last_seq} 条"))
    elif checkpoint.seq and (head_hash is not None or not chain_broken) and head_hash != checkpoint.head_hash:
        problems.append(Problem(HEAD_MISMATCH, f"第 {checkpoint.seq} 条的哈希与检查点（{when}）不符：此前的哈希链被改写并重新计算"))
    if count < checkpoint.count:
        problems.append(Problem(COUNT_DROPPED, f"事件总数从检查点（{when}）时的 {checkpoint.count} 条减少到 {count} 条：有记录被删除"))
    return problems


def audit_verify(*, checkpoint: Checkpoint | None = None, chunk_size: int = 2000) -> ChainReport:
    """Check every link and row MAC of the chain, the rows left out of it, and the log against a checkpoint that was
    sent off the host: deleted newest rows, an emptied log and a recomputed chain show only there."""
    checked, chain_problem, head_hash = _walk_chain(chunk_size, checkpoint.seq if checkpoint else None)
    problems = [chain_problem] if chain_problem else []
    problems += _forged_rows()
    if checkpoint is not None:
        problems += _against_checkpoint(checkpoint, head_hash, chain_broken=chain_problem is not None)
    return ChainReport(checked, tuple(problems), checkpoint)
