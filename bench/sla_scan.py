"""The 诉求工单 time-limit scan at province scale (tickets.scan): 1,000,000 open orders on PostgreSQL, 1% of them newly
overdue, 1% due a reminder, others already flagged, paused or comfortably inside their limits.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gh_tickets .venv/bin/python bench/sla_scan.py [--orders 1000000] [--orgs 300]

The database is flushed and migrated first. Prints the time of each run, the rows it touched and the messages it sent;
the second run must change nothing.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(os.environ.get("BENCH_DIR", "/tmp/gonghui-sla-bench"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--orgs", type=int, default=300, help="holder orgs (街道/镇), each with one handler")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL database (it is flushed)")
    WORK.mkdir(parents=True, exist_ok=True)
    os.environ.update(DJANGO_SETTINGS_MODULE="config.settings", GONGHUI_VAR_DIR=str(WORK / "var"))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from gonghui.accounts.models import Post, Role, User
    from gonghui.audit.models import AuditEvent
    from gonghui.core.registry import reference_data_loaders
    from gonghui.notify.models import Notification
    from gonghui.orgs.divisions import divisions_load
    from gonghui.orgs.models import Org, OrgType
    from gonghui.tickets.models import Supervision, Ticket, TicketEvent
    from gonghui.tickets.scan import sla_scan

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    for load in reference_data_loaders():  # roles, message templates, time-limit policies: gone with the flush
        load(apps, None)
    divisions_load()
    towns = list(Org.objects.filter(type=OrgType.TOWN).select_related("parent").order_by("path")[: args.orgs])
    role = Role.objects.get(code="handler")
    users = User.objects.bulk_create([User(username=f"bench_handler_{i}", display_name=f"街道干事{i}", kind="cadre") for i in range(len(towns))])
    Post.objects.bulk_create([Post(user=user, org=town, role=role) for user, town in zip(users, towns, strict=True)])
    print(f"setup: {len(towns)} holder orgs with one handler each ({time.perf_counter() - started:.1f} s)")

    # Orders by their index i: i % 100 == 0 newly overdue (the 1 %); 1 reminder due; 2–6 flagged overdue earlier;
    # 7–8 paused (待补充材料) past their due time; the rest due in 1–10 days.
    now = timezone.now()
    towns_sql = ",".join(str(t.pk) for t in towns)
    centres_sql = ",".join(str(t.parent_id) for t in towns)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO tickets_ticket (number, channel, category, topic, urgency, tier, title, description, affected_count,
                new_form_type, employer_name, employer_uscc, centre_id, holder_id, state, caller_name, caller_phone,
                callback_phone, call_ref, contact_preference, anonymous, query_code_index, closing_kind, referral_agency,
                referral_agency_name, satisfaction, reopen_count, bounce_count, transfer_count, escalated, extended, breach_count,
                resolve_unit, resolve_amount, resolve_started_at, resolve_due_at, paused_at, paused_days, due_at, due_kind, due_unit,
                warn_at, warned_at, breached_at, created_at, updated_at)
            SELECT 'BENCH-' || i, 'h5', 'complaint', 'wages', 'normal', 'general', '拖欠工资', '基准测试工单', 1, '', '', '',
                (ARRAY[{centres_sql}])[1 + (i / 100) %% {len(towns)}], (ARRAY[{towns_sql}])[1 + (i / 100) %% {len(towns)}],
                CASE WHEN i %% 100 IN (7, 8) THEN 'waiting_material' ELSE 'in_progress' END, '', '', '', '', 'phone', false, '', '',
                '', '', '', 0, 0, 0, false, false, CASE WHEN i %% 100 BETWEEN 2 AND 6 THEN 1 ELSE 0 END,
                'working_days', 5, d.due - interval '7 days', d.due,
                CASE WHEN i %% 100 IN (7, 8) THEN %(now)s - interval '3 days' END, 0,
                d.due, 'resolve', 'working_days', d.due - interval '9 hours',
                CASE WHEN i %% 100 = 0 OR i %% 100 BETWEEN 2 AND 6 THEN d.due - interval '9 hours' END,
                CASE WHEN i %% 100 BETWEEN 2 AND 6 THEN d.due + interval '1 minute' END,
                d.due - interval '7 days', d.due - interval '7 days'
            FROM generate_series(1, %(n)s) AS i,
                LATERAL (SELECT CASE
                    WHEN i %% 100 = 0 THEN %(now)s - interval '1 hour'
                    WHEN i %% 100 = 1 THEN %(now)s + interval '2 hours'
                    WHEN i %% 100 BETWEEN 2 AND 8 THEN %(now)s - interval '2 days'
                    ELSE %(now)s + (1 + i %% 10) * interval '1 day' END AS due) AS d
        """, {"now": now, "n": args.orders})
        cursor.execute("ANALYZE tickets_ticket")
    print(f"loaded {Ticket.objects.count():,} open orders ({time.perf_counter() - started:.1f} s)")

    def counts():
        return (Supervision.objects.count(), TicketEvent.objects.count(), Notification.objects.count(),
                AuditEvent.objects.filter(action="tickets.sla.scanned").count())

    for run in (1, 2):
        before = counts()
        scan_started, cpu_started = time.perf_counter(), time.process_time()
        result = sla_scan(now=now + (run - 1) * dt.timedelta(minutes=5))  # the next run, five minutes on
        seconds, cpu = time.perf_counter() - scan_started, time.process_time() - cpu_started
        after = counts()
        touched = result.breached + result.warned + result.supervised + (after[1] - before[1])
        print(f"run {run}: {seconds:6.2f} s wall {cpu:6.2f} s CPU | breached {result.breached:,}, reminded {result.warned:,}, "
              f"督办 {result.supervised:,}, timeline steps {after[1] - before[1]:,} → rows touched {touched:,} | "
              f"digests sent {after[2] - before[2]:,} to {result.orgs:,} orgs | audit events {after[3] - before[3]}")


if __name__ == "__main__":
    main()
