"""An attacker with the database cannot quietly shorten or rewrite the audit log: each attack is named by verify_audit
against a checkpoint that left the host (decision 0014)."""
import base64
import json
import socket

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from config.env import DEMO_AUDIT_KEYS
from gonghui.audit import services
from gonghui.audit.checkpoints import Checkpoint, latest_in_file
from gonghui.audit.keys import LINK, ROW, sign
from gonghui.audit.models import AuditCheckpoint, AuditEvent, AuditFlag
from gonghui.audit.services import audit_checkpoint_write, audit_seal_pending, audit_verify
from gonghui.audit.tasks import verify_audit_chain, write_audit_checkpoint
from gonghui.audit.tests.tampering import as_table_owner
from gonghui.audit.tests.test_audit import make_events

pytestmark = pytest.mark.django_db
SECOND_KEY = "k2:" + base64.b64encode(b"a-second-audit-key-of-32-bytes-or-more!").decode()


def verify_fails(*args) -> str:
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit", *args)
    return str(failure.value)


def newest(count: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__isnull=False).order_by("-seq")[:count])


def rewrite_with_the_key(event: AuditEvent, data: dict) -> None:
    """An insider holding the audit key: new content, its MAC, and every later link computed again."""
    event.data = data
    as_table_owner("UPDATE audit_auditevent SET data = %s, mac = %s WHERE id = %s",
                   [json.dumps(data), sign(event.row_content(), key_id=event.key_id, purpose=ROW), event.pk])
    prev = event.prev_hash
    for later in AuditEvent.objects.filter(seq__gte=event.seq).order_by("seq"):
        digest = sign(later.link_content(prev_hash=prev, seq=later.seq), key_id=later.key_id, purpose=LINK)
        as_table_owner("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, later.pk])
        prev = digest


def rewrite_without_the_key(event: AuditEvent, data: dict) -> None:
    """An attacker without the key recomputes every later hash the way an unkeyed chain is computed."""
    as_table_owner("UPDATE audit_auditevent SET data = %s WHERE id = %s", [json.dumps(data), event.pk])
    prev = event.prev_hash
    for later in AuditEvent.objects.filter(seq__gte=event.seq).order_by("seq"):
        digest = later.content_digest(prev_hash=prev, seq=later.seq)
        as_table_owner("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, later.pk])
        prev = digest


# ---------------------------------------------------------------- normal operation


def test_normal_operation_passes_against_the_latest_checkpoint(checkpoint_file, capsys):
    make_events(3)
    first = audit_checkpoint_write()
    make_events(2)  # written after the checkpoint: still fine
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert f"对照检查点文件 {checkpoint_file}：第 {first.seq} 条" in out and "审计日志完好" in out
    second = audit_checkpoint_write()
    assert second.seq == first.seq + 2 and latest_in_file(checkpoint_file) == second
    assert audit_verify(checkpoint=second).ok


def test_every_row_carries_a_mac_under_the_active_key_and_the_chain_links_are_keyed():
    event = make_events(1)[0]
    assert event.key_id == "demo1" and event.mac == sign(event.row_content(), key_id="demo1", purpose=ROW)
    assert event.hash == sign(event.link_content(prev_hash=event.prev_hash, seq=event.seq), key_id="demo1", purpose=LINK)


def test_a_checkpoint_is_written_only_when_the_log_moved_and_the_periodic_task_writes_one(checkpoint_file):
    make_events(1)
    write_audit_checkpoint.call_local()
    assert audit_checkpoint_write() is None  # nothing new since
    make_events(1)
    write_audit_checkpoint.call_local()
    lines = checkpoint_file.read_text().splitlines()
    assert len(lines) == 2 == AuditCheckpoint.objects.count()
    assert Checkpoint.parse(lines[-1]).seq == AuditEvent.objects.order_by("-seq").first().seq


# ---------------------------------------------------------------- the four attacks


def test_deleting_the_newest_rows_is_named_against_the_checkpoint():
    make_events(4)
    checkpoint = audit_checkpoint_write()
    last_two = newest(2)
    as_table_owner("DELETE FROM audit_auditevent WHERE id IN (%s, %s)", [last_two[0].pk, last_two[1].pk])
    assert audit_verify().ok  # what is left is a perfect chain: only the checkpoint can tell
    message = verify_fails()
    assert f"最新的记录被删除：检查点（{checkpoint.created_at_display}）时哈希链到第 {checkpoint.seq} 条，现在只到第 {checkpoint.seq - 2} 条" in message
    assert f"事件总数从检查点（{checkpoint.created_at_display}）时的 {checkpoint.count} 条减少到 {checkpoint.count - 2} 条" in message


def test_emptying_the_log_is_named_against_the_checkpoint():
    make_events(2)
    checkpoint = audit_checkpoint_write()
    as_table_owner("DELETE FROM audit_auditevent", [])
    report = audit_verify(checkpoint=checkpoint)
    assert report.kinds == {services.EMPTIED}
    assert f"审计日志已被清空：检查点（{checkpoint.created_at_display}）时共 {checkpoint.count} 条，现在 0 条" in verify_fails()


def test_rewriting_a_row_and_recomputing_the_chain_without_the_key_is_named_at_that_row():
    events = make_events(5)
    audit_checkpoint_write()
    rewrite_without_the_key(events[1], {"n": 999})
    message = verify_fails()
    assert f"第 {events[1].seq} 条（id={events[1].pk}）内容与哈希不符（该记录被篡改：行签名不符" in message


def test_rewriting_a_row_and_recomputing_the_chain_with_the_key_is_named_by_the_checkpoint():
    events = make_events(5)
    checkpoint = audit_checkpoint_write()
    rewrite_with_the_key(events[1], {"n": 999})
    assert audit_verify().ok  # the chain alone is consistent again
    report = audit_verify(checkpoint=checkpoint)
    assert report.kinds == {services.HEAD_MISMATCH}
    assert f"第 {checkpoint.seq} 条的哈希与检查点（{checkpoint.created_at_display}）不符：此前的哈希链被改写并重新计算" in verify_fails()


def test_a_forged_backdated_row_is_flagged_not_sealed_and_named(mailoutbox, settings):
    settings.ADMINS = [("安全管理员", "security@example.org")]
    make_events(2)
    audit_checkpoint_write()
    legit = make_events(1)[0]
    forged = AuditEvent.objects.create(action="members.application.approved", actor_name="张主席", created_at=legit.created_at.replace(year=2025),
                                       key_id=legit.key_id, mac=legit.mac)  # a MAC copied from a real row does not fit this one
    message = verify_fails()
    assert f"id={forged.pk}：未链入哈希链的伪造记录（members.application.approved，自称 2025-" in message and "行签名不符" in message
    forged.refresh_from_db()
    assert forged.seq is None and AuditFlag.objects.get(event=forged).reason.startswith("行签名不符")
    assert len(mailoutbox) == 1 and f"id={forged.pk}" in mailoutbox[0].body
    after = make_events(1)[0]
    assert after.seq == legit.seq + 1  # the chain goes on past the forged row
    unsigned = AuditEvent.objects.create(action="orgs.org.updated")
    audit_seal_pending()
    assert AuditFlag.objects.get(event=unsigned).reason == "没有行签名（不是由系统写入的记录）"


def test_a_copied_row_is_refused_as_a_duplicate():
    event = make_events(1)[0]
    copy = AuditEvent(**{f.attname: getattr(event, f.attname) for f in AuditEvent._meta.concrete_fields if f.name not in ("id", "seq")})
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


def test_a_checkpoint_edited_to_hide_a_deletion_is_refused(checkpoint_file):
    make_events(3)
    checkpoint = audit_checkpoint_write()
    as_table_owner("DELETE FROM audit_auditevent WHERE id = %s", [newest(1)[0].pk])
    lowered = Checkpoint(seq=checkpoint.seq - 1, head_hash=newest(1)[0].hash, count=checkpoint.count - 1, at=checkpoint.at,
                         key_id=checkpoint.key_id, signature=checkpoint.signature)
    assert "检查点签名不符（密钥 demo1）：该检查点不可信" in verify_fails("--checkpoint", lowered.line())


def test_a_checkpoint_given_on_the_command_line_wins_over_the_file(checkpoint_file, tmp_path):
    make_events(2)
    older = audit_checkpoint_write()
    make_events(2)
    audit_checkpoint_write()
    as_table_owner("DELETE FROM audit_auditevent WHERE id = %s", [newest(1)[0].pk])
    assert "最新的记录被删除" in verify_fails()
    call_command("verify_audit", "--checkpoint", older.line())  # the older one predates the deleted row
    saved = tmp_path / "from-mail.txt"
    saved.write_text(f"some mail text\n{older.line()}\n")
    call_command("verify_audit", "--checkpoint", str(saved))
    assert "无法读取检查点" in verify_fails("--checkpoint", '{"seq": "x"}')


def test_without_a_checkpoint_file_the_database_copy_is_used_and_said_to_be_weaker(checkpoint_file, capsys):
    make_events(1)
    audit_checkpoint_write()
    checkpoint_file.unlink()
    call_command("verify_audit")
    assert "数据库中的检查点副本" in capsys.readouterr().out


def test_the_nightly_check_holds_the_log_against_the_checkpoint(settings, mailoutbox):
    settings.ADMINS = [("安全管理员", "security@example.org")]
    make_events(3)
    audit_checkpoint_write()
    verify_audit_chain.call_local()
    assert mailoutbox == []
    as_table_owner("DELETE FROM audit_auditevent WHERE id = %s", [newest(1)[0].pk])
    verify_audit_chain.call_local()
    assert len(mailoutbox) == 1 and "最新的记录被删除" in mailoutbox[0].body


def test_the_nightly_check_reports_a_damaged_checkpoint_file(settings, mailoutbox, checkpoint_file):
    settings.ADMINS = [("安全管理员", "security@example.org")]
    make_events(1)
    checkpoint_file.write_text('gonghui-audit-checkpoint {"seq": 3}\n')
    verify_audit_chain.call_local()
    assert len(mailoutbox) == 1 and "检查点文件无法读取" in mailoutbox[0].body


# ---------------------------------------------------------------- sinks


def test_checkpoints_go_to_the_administrators_by_mail_and_verify_from_the_mail(settings, mailoutbox):
    settings.AUDIT_CHECKPOINT_SINKS, settings.ADMINS = ["mail"], [("安全管理员", "security@example.org")]
    make_events(2)
    checkpoint = audit_checkpoint_write()
    assert len(mailoutbox) == 1 and f"第 {checkpoint.seq} 条" in mailoutbox[0].subject
    line = next(line for line in mailoutbox[0].body.splitlines() if "--checkpoint" in line).split("--checkpoint ", 1)[1].strip("'")
    assert Checkpoint.parse(line) == checkpoint
    as_table_owner("DELETE FROM audit_auditevent WHERE id = %s", [newest(1)[0].pk])
    assert "最新的记录被删除" in verify_fails("--checkpoint", line)


def test_checkpoints_go_to_syslog(settings):
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(10)
    settings.AUDIT_CHECKPOINT_SINKS = ["syslog"]
    settings.AUDIT_SYSLOG_ADDRESS = f"127.0.0.1:{receiver.getsockname()[1]}"
    make_events(1)
    checkpoint = audit_checkpoint_write()
    datagram = receiver.recv(4096).decode()
    receiver.close()
    assert checkpoint.line() in datagram


class BrokenSink:
    def send(self, checkpoint):
        raise OSError("mail server down")


def test_a_sink_that_fails_does_not_keep_the_checkpoint_from_the_others(settings, checkpoint_file, caplog):
    settings.AUDIT_CHECKPOINT_SINKS = [f"{__name__}.BrokenSink", "file"]
    make_events(1)
    checkpoint = audit_checkpoint_write()
    assert latest_in_file(checkpoint_file) == checkpoint and "BrokenSink" in caplog.text


# ---------------------------------------------------------------- keys


def test_rotation_keeps_old_rows_verifying_and_needs_the_old_key_kept(settings, capsys):
    settings.AUDIT_KEYS, settings.AUDIT_ACTIVE_KEY_ID = f"{DEMO_AUDIT_KEYS},{SECOND_KEY}", "demo1"
    old = make_events(2)
    audit_checkpoint_write()
    settings.AUDIT_ACTIVE_KEY_ID = "k2"
    call_command("rotate_audit_key")
    out = capsys.readouterr().out
    assert "新记录和检查点已改用密钥 k2" in out and "密钥 demo1：" in out
    rotated = AuditEvent.objects.get(action="audit.key.rotated")
    new = make_events(2)
    assert {e.key_id for e in old} == {"demo1"} and rotated.key_id == "k2" and {e.key_id for e in new} == {"k2"}
    assert AuditCheckpoint.objects.order_by("-id").first().key_id == "k2"
    call_command("verify_audit")
    settings.AUDIT_KEYS = SECOND_KEY  # the old key dropped: its rows can no longer be checked, and verify says so
    settings.AUDIT_ACTIVE_KEY_ID = "k2"
    assert "行签名所用密钥 demo1 不在 AUDIT_KEYS 中" in verify_fails()


def test_rotation_is_refused_while_the_log_does_not_verify(settings):
    make_events(3)
    audit_checkpoint_write()
    as_table_owner("DELETE FROM audit_auditevent WHERE id = %s", [newest(1)[0].pk])
    with pytest.raises(CommandError, match="审计日志校验未通过"):
        call_command("rotate_audit_key")


def test_an_unkeyed_row_sealed_after_a_keyed_one_is_named_as_forged():
    """Rows from before decision 0014 carry no key id and verify by their unkeyed hash, only at the start of the chain:
    a row made to look like one of them, chained after signed rows, is found."""
    make_events(1)
    legacy = AuditEvent.objects.create(action="tests.legacy", created_at=timezone.now())
    last = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").first()
    as_table_owner("UPDATE audit_auditevent SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s",
                   [last.seq + 1, last.hash, legacy.content_digest(prev_hash=last.hash, seq=last.seq + 1), legacy.pk])
    report = audit_verify()
    assert report.kinds == {services.LEGACY_AFTER_KEYED} and report.broken_event_id == legacy.pk
