"""The audit log: append-only, keyed and hash-chained (DESIGN.md rule 3, decisions 0004 and 0014).

Rows are written by `audit_log()` inside the business transaction with a MAC under the audit key but without touching
the chain, so audited writes never queue behind one another. Right after commit (and again by a periodic task, for
anything missed) `audit_seal_pending()` links unsealed rows whose MAC checks into the chain in one short transaction:
each gets the next `seq`, the previous row's hash and its own keyed hash; a row whose MAC fails is flagged
(`AuditFlag`) and never chained. Signed `AuditCheckpoint`s of the chain's head leave the host, so deleting the newest
rows or the whole log is found. Nothing may change a sealed row: the ORM refuses, and on PostgreSQL a trigger refuses
raw SQL too.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from gonghui.core.access import Access, ScopedQuerySet


class AuditImmutable(Exception):
    """Raised on any attempt to change or remove an audit event."""


class AuditEventQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise AuditImmutable("审计日志只能追加，不能修改")

    def delete(self):
        raise AuditImmutable("审计日志只能追加，不能删除")

    def _seal(self, **kwargs) -> int:
        """The one update allowed: filling the chain columns of a row not yet sealed."""
        return models.QuerySet.update(self.filter(seq__isnull=True), **kwargs)


class AuditEvent(models.Model):
    """审计事件: who did what to which object, in which org, from where, when."""

    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)  # set before the MAC is computed
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    actor_name = models.CharField("操作人名称", max_length=150, blank=True)
    action = models.CharField("操作", max_length=100, db_index=True)  # dotted: orgs.org.moved
    object_type = models.CharField("对象类型", max_length=100, blank=True, db_index=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True, db_index=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    org_path = models.CharField("所属组织路径", max_length=255, blank=True, db_index=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    user_agent = models.CharField("终端", max_length=300, blank=True)
    data = models.JSONField("变更内容", default=dict, blank=True)
    # Written with the row: a random id that makes a copied row a duplicate (refused), the key and the row's MAC.
    # Empty on rows written before decision 0014, which nothing may update.
    uid = models.UUIDField("事件标识", null=True, default=uuid.uuid4, unique=True, editable=False)
    key_id = models.CharField("密钥编号", max_length=32, blank=True)
    mac = models.CharField("行签名", max_length=64, blank=True)
    seq = models.BigIntegerField("链序号", null=True, blank=True, unique=True)
    prev_hash = models.CharField("前一条哈希", max_length=64, blank=True)
    hash = models.CharField("哈希", max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()
    # Events with no org (system work, logins) reach superusers only: no org path starts with "".
    access = Access(paths=("org_path",))

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["-id"]
        indexes = [models.Index(fields=["org_path"], name="audit_org_path_prefix_idx", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AuditImmutable("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutable("审计日志只能追加，不能删除")

    def row_content(self) -> dict:
        """Everything the event says, as the row MAC covers it (the chain columns and the database id excluded: the MAC
        is written before the row has an id)."""
        return {
            "uid": str(self.uid), "at": self.created_at.astimezone(dt.UTC).isoformat(), "actor": self.actor_id,
            "actor_name": self.actor_name, "action": self.action, "object_type": self.object_type,
            "object_id": self.object_id, "object_repr": self.object_repr, "org_path": self.org_path,
            "ip": self.ip, "user_agent": self.user_agent, "data": self.data,
        }

    def link_content(self, *, prev_hash: str, seq: int) -> dict:
        """What a keyed chain link covers: the row's place in the chain, its id and its MAC (which covers the rest)."""
        return {"seq": seq, "prev": prev_hash, "id": self.pk, "mac": self.mac}

    def content_digest(self, *, prev_hash: str, seq: int) -> str:
        """The unkeyed SHA-256 of rows sealed before decision 0014 (no key id): they verify as they were sealed."""
        content = {
            "seq": seq, "prev": prev_hash, "id": self.pk, "at": self.created_at.isoformat(), "actor": self.actor_id,
            "actor_name": self.actor_name, "action": self.action, "object_type": self.object_type,
            "object_id": self.object_id, "object_repr": self.object_repr, "org_path": self.org_path,
            "ip": self.ip, "user_agent": self.user_agent, "data": self.data,
        }
        canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


class AuditFlag(models.Model):
    """A row the sealer refused to chain (被拒封存): its MAC is missing or wrong, so the application did not write it."""

    event = models.OneToOneField(AuditEvent, verbose_name="审计事件", on_delete=models.PROTECT, related_name="flag")
    flagged_at = models.DateTimeField("发现时间", auto_now_add=True)
    reason = models.CharField("原因", max_length=200)

    class Meta:
        verbose_name = "被拒封存的审计事件"
        verbose_name_plural = "被拒封存的审计事件"

    def __str__(self) -> str:
        return f"#{self.event_id}：{self.reason}"


class AuditCheckpoint(models.Model):
    """检查点: the chain's head at one moment, signed with the audit key. A copy leaves the host (mail, syslog, a file in
    the demo); `verify_audit` holds the log against the latest copy, so rows deleted from the end are found."""

    created_at = models.DateTimeField("时间")
    seq = models.BigIntegerField("链序号")
    head_hash = models.CharField("链头哈希", max_length=64)
    count = models.BigIntegerField("事件总数")
    key_id = models.CharField("密钥编号", max_length=32)
    signature = models.CharField("签名", max_length=64)

    class Meta:
        verbose_name = "审计检查点"
        verbose_name_plural = "审计检查点"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} 第 {self.seq} 条"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AuditImmutable("审计检查点只能追加，不能修改")
        super().save(*args, **kwargs)
