"""Checkpoints of the audit chain and where they go (decision 0014).

A checkpoint is one JSON line: the chain's last sequence number and hash, the number of events, the time, the key id
and an HMAC signature under the audit key. It is worth something only away from the database an attacker could
rewrite, so each one goes to every sink in AUDIT_CHECKPOINT_SINKS: `mail` (to ADMINS), `syslog` (SysLogHandler to
AUDIT_SYSLOG_ADDRESS, forwarded off the host by the system's syslog), `file` (AUDIT_CHECKPOINT_FILE, append-only: the
demo's sink; on a real host make it `chattr +a` or put it on another machine), or a dotted path to a class with
`send(checkpoint)`. `verify_audit` reads the latest one from the file, or takes one from the command line.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import logging.handlers
import os
from dataclasses import dataclass, replace
from pathlib import Path

from django.conf import settings
from django.core.mail import mail_admins
from django.utils import timezone
from django.utils.module_loading import import_string

LINE_PREFIX = "gonghui-audit-checkpoint "


class CheckpointUnreadable(ValueError):
    pass


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    head_hash: str
    count: int
    at: str  # ISO 8601, UTC
    key_id: str
    signature: str

    def content(self) -> dict:
        """What the signature covers (with the key id)."""
        return {"seq": self.seq, "head": self.head_hash, "count": self.count, "at": self.at}

    def signed(self, signature: str) -> Checkpoint:
        return replace(self, signature=signature)

    @property
    def created_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.at)

    @property
    def created_at_display(self) -> str:
        return f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"

    def line(self) -> str:
        return LINE_PREFIX + json.dumps({**self.content(), "key_id": self.key_id, "sig": self.signature}, separators=(",", ":"))

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """One checkpoint line as a sink wrote it (the prefix may be missing, e.g. pasted from a mail)."""
        text = text.strip().removeprefix(LINE_PREFIX.strip()).strip()
        try:
            raw = json.loads(text)
            dt.datetime.fromisoformat(raw["at"])  # a time that does not parse is refused here, not later
            checkpoint = cls(seq=int(raw["seq"]), head_hash=str(raw["head"]), count=int(raw["count"]), at=str(raw["at"]),
                             key_id=str(raw["key_id"]), signature=str(raw["sig"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise CheckpointUnreadable(f"无法读取检查点：{text[:80]}") from exc
        return checkpoint


def latest_in_file(path: str | Path) -> Checkpoint | None:
    """The last checkpoint line of a sink file (or of any file holding such lines, e.g. a syslog extract)."""
    path = Path(path)
    if not path.exists():
        return None
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if LINE_PREFIX.strip() in line]
    if not lines:
        return None
    return Checkpoint.parse(lines[-1][lines[-1].index(LINE_PREFIX.strip()):])


def checkpoint_from(source: str) -> Checkpoint:
    """`--checkpoint`: a checkpoint line itself, or a file whose last checkpoint line is taken."""
    if source.strip().startswith(("{", LINE_PREFIX.strip())):
        return Checkpoint.parse(source)
    checkpoint = latest_in_file(source)
    if checkpoint is None:
        raise CheckpointUnreadable(f"{source} 中没有检查点")
    return checkpoint


class FileSink:
    """Appends each checkpoint as a line and syncs it to disk (the demo's sink)."""

    def send(self, checkpoint: Checkpoint) -> None:
        path = Path(settings.AUDIT_CHECKPOINT_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as sink:
            sink.write(checkpoint.line() + "\n")
            sink.flush()
            os.fsync(sink.fileno())


class MailSink:
    """Mails each checkpoint to ADMINS: a copy in every administrator's mailbox that no database change reaches."""

    def send(self, checkpoint: Checkpoint) -> None:
        mail_admins(f"【gonghui】审计检查点：第 {checkpoint.seq} 条，共 {checkpoint.count} 条",
                    "请保存本邮件。校验审计日志时可用：\n\n"
                    f"manage.py verify_audit --checkpoint '{checkpoint.line()}'\n")


class SyslogSink:
    """Sends each checkpoint to syslog (a socket path such as /dev/log, or host:port over UDP)."""

    def send(self, checkpoint: Checkpoint) -> None:
        address = settings.AUDIT_SYSLOG_ADDRESS
        if not address.startswith("/"):
            host, _, port = address.rpartition(":")
            address = (host, int(port))
        handler = logging.handlers.SysLogHandler(address=address, facility=logging.handlers.SysLogHandler.LOG_AUTH)
        try:
            handler.emit(logging.LogRecord("gonghui.audit", logging.WARNING, __file__, 0, checkpoint.line(), None, None))
        finally:
            handler.close()


SINKS = {"file": FileSink, "mail": MailSink, "syslog": SyslogSink}


def checkpoint_sinks() -> list:
    return [SINKS[name]() if name in SINKS else import_string(name)() for name in settings.AUDIT_CHECKPOINT_SINKS]


def checkpoint_for_verify(source: str | None = None) -> tuple[Checkpoint | None, str]:
    """The checkpoint `verify_audit` holds the log against, and where it came from: the one given, else the latest in
    the sink file, else the copy in the database (which an attacker with the database could remove as well)."""
    from gonghui.audit.models import AuditCheckpoint

    if source:
        return checkpoint_from(source), "命令行给出的检查点"
    if "file" in settings.AUDIT_CHECKPOINT_SINKS:
        checkpoint = latest_in_file(settings.AUDIT_CHECKPOINT_FILE)
        if checkpoint is not None:
            return checkpoint, f"检查点文件 {settings.AUDIT_CHECKPOINT_FILE}"
    record = AuditCheckpoint.objects.order_by("-id").first()
    if record is None:
        return None, ""
    checkpoint = Checkpoint(seq=record.seq, head_hash=record.head_hash, count=record.count, at=record.created_at.isoformat(),
                            key_id=record.key_id, signature=record.signature)
    return checkpoint, "数据库中的检查点副本（与日志同库，删库者也能删它；请用 --checkpoint 给出邮件或 syslog 中的检查点）"

