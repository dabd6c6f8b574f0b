"""What the keyed audit chain costs (decision 0014): writing events with their MAC, sealing them into the chain, writing a
checkpoint and verifying the whole log against it, on a fresh database.

    .venv/bin/python bench/audit_chain.py [--events 100000] [--database-url sqlite:////tmp/gonghui-audit-bench/audit.sqlite3]

Prints wall-clock and CPU seconds and events/s for each phase (CPU time is what to compare on a busy machine).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(os.environ.get("BENCH_DIR", "/tmp/gonghui-audit-bench"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--database-url", default=f"sqlite:///{WORK / 'audit.sqlite3'}")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if args.database_url.startswith("sqlite:"):
        Path(args.database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    os.environ.update(DATABASE_URL=args.database_url, DJANGO_SETTINGS_MODULE="config.settings", GONGHUI_VAR_DIR=str(WORK / "var"))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction

    from gonghui.audit.models import AuditEvent
    from gonghui.audit.services import audit_checkpoint_write, audit_log, audit_seal_pending, audit_verify

    call_command("flush" if not args.database_url.startswith("sqlite:") else "migrate", interactive=False, verbosity=0)
    if not args.database_url.startswith("sqlite:"):
        call_command("migrate", verbosity=0)
    settings.AUDIT_CHECKPOINT_SINKS = ["file"]
    settings.AUDIT_CHECKPOINT_FILE = str(WORK / "checkpoints.log")
    n = args.events

    def phase(name: str, work, *, per_event: bool = True) -> None:
        started, cpu_started = time.perf_counter(), time.process_time()
        work()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        rates = f"  {n / seconds:9,.0f} events/s wall  {n / cpu:9,.0f} events/s CPU" if per_event else ""
        print(f"{name:<30} {seconds:8.2f} s wall {cpu:8.2f} s CPU{rates}")

    def write() -> None:
        for start in range(0, n, 1000):
            with transaction.atomic():  # sealing waits for the commit; run it below as its own phase
                for i in range(start, min(start + 1000, n)):
                    audit_log(actor=None, action="bench.thing.done", org_path="0001", data={"n": i, "note": "批量"})

    print(f"{n:,} events on {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    from unittest import mock

    with mock.patch("gonghui.audit.services.transaction.on_commit"):
        phase("audit_log (row + MAC)", write)
    phase("seal (check MAC, keyed link)", audit_seal_pending)
    phase("checkpoint", lambda: audit_checkpoint_write(force=True), per_event=False)
    checkpoint = audit_checkpoint_write(force=True)
    report = None

    def verify() -> None:
        nonlocal report
        report = audit_verify(checkpoint=checkpoint)

    phase("verify against checkpoint", verify)
    assert report.ok and report.checked == AuditEvent.objects.count(), report.problems


if __name__ == "__main__":
    main()
