"""Flash demand on one session (issue 17): the real server (gunicorn) on PostgreSQL, one session with 30 seats, thousands of
distinct members each signed in with their own session (created directly in the Redis-backed session store; SMS login is
rate-limited) and their own CSRF token, firing the H5 booking button's own request (an htmx POST of the form) from
hundreds of concurrent keep-alive clients over HTTP on 127.0.0.1, repeat clickers included so the per-person rate limit
is exercised. Then, against the same server in the same run, a trivial signed-in H5 GET (204) as the yardstick.

    .venv/bin/python bench/flash_booking.py [--members 5000] [--clients 200] [--repeaters 200] [--clicks 25]
        [--workers N] [--threads N] [--database-url postgres://postgres@127.0.0.1:5432/gh_flash_bench]
        [--redis-url redis://127.0.0.1:6379/11]

Checks: 0 oversold (taken == active bookings <= seats), every attempt answered with one of the button's answers, no 5xx.
Prints attempts/s, p50/p99 latency, queries per refusal, the trivial endpoint's rate and the ratio. The database named by
--database-url is dropped and created again (or a fresh SQLite file), and the Redis database named by --redis-url emptied.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import datetime as dt
import os
import random
import runpy
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUNICORN_CONFIG = ROOT / "config" / "gunicorn.py"
WORK = Path(os.environ.get("BENCH_DIR", "/tmp/gonghui-flash-bench"))
SEATS = 30
ANSWERS = {"预约成功": "booked", "名额已满": "full", "您已预约": "already", "操作太频繁": "rate_limited"}


def _key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def environment(args) -> dict:
    """Production mode (DEBUG=0, fresh keys), sessions in Redis, persistent database connections."""
    return {**os.environ, "DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url, "SESSIONS_IN_CACHE": "1", "DEBUG": "0",
            "DB_CONN_MAX_AGE": "600", "ALLOWED_HOSTS": "127.0.0.1", "SECURE_COOKIES": "0", "SECURE_HSTS_SECONDS": "0",
            "SECRET_KEY": secrets.token_urlsafe(50), "PII_KEYS": f"bench1:{_key()}", "PII_INDEX_KEY": _key(), "AUDIT_KEYS": f"bench1:{_key()}",
            "AUDIT_ACTIVE_KEY_ID": "bench1", "AUDIT_CHECKPOINT_SINKS": "file", "GONGHUI_VAR_DIR": str(WORK / "var"),
            "DJANGO_SETTINGS_MODULE": "config.settings", "HUEY_IMMEDIATE": "0", "LOG_LEVEL": "WARNING"}


def fresh_database(url: str) -> None:
    """An empty database: a new SQLite file, or the PostgreSQL database dropped and created again."""
    if url.startswith("sqlite:"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(url.replace(parts.path, "/postgres", 1), autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{name}"')


def prepare(args) -> dict:
    """A fresh database with one published session of SEATS seats, `members` members of 天河区 石牌街道 and their sessions."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.cache import caches
    from django.core.management import call_command
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from gonghui.orgs.divisions import divisions_load

    call_command("migrate", verbosity=0)
    divisions_load()
    caches["default"].clear()
    caches["sessions"].clear()

    from gonghui.accounts.models import Post, Role, User
    from gonghui.bookings import services
    from gonghui.bookings.models import OfferingStatus
    from gonghui.core.validators import id_number_generate
    from gonghui.members.models import Membership, Person
    from gonghui.orgs.models import Org

    tianhe, street = Org.objects.get(code="440106"), Org.objects.get(code="440106006")
    cadre = User.objects.create(username="flash_officer", kind="cadre", display_name="夜校管理员")
    Post.objects.create(user=cadre, org=tianhe, role=Role.objects.get(code="bookings_officer"))
    offering = services.offering_create(actor=cadre, org=tianhe, data=services.OfferingInput(
        kind="course", title="大师课：短视频创作（30 席）", opens_at=timezone.now() - dt.timedelta(seconds=1), place="天河区职工服务中心"))
    start = timezone.now() + dt.timedelta(days=3)
    session = services.session_add(actor=cadre, offering_id=offering.pk, starts_at=start, ends_at=start + dt.timedelta(hours=2), capacity=SEATS)
    services.offering_set_status(actor=cadre, offering_id=offering.pk, status=OfferingStatus.PUBLISHED)

    started = time.perf_counter()
    count = args.members + 1  # one more, kept out of the load, for the in-process query count
    users = User.objects.bulk_create([User(username=f"flash{i:05d}", kind="worker", phone=f"139{i:08d}", password="!") for i in range(count)],
                                     batch_size=1000)
    born = dt.date(1980, 1, 1)
    people = Person.objects.bulk_create([
        Person(user=u, name=f"抢课职工{i:05d}", id_number=id_number_generate(region_code="440106", birth_date=born + dt.timedelta(days=i // 900),
                                                                          sequence=i % 900 + 1),
               gender="male", birth_month=born.replace(day=1), phone=u.phone) for i, u in enumerate(users)], batch_size=1000)
    Membership.objects.bulk_create([Membership(person=p, union=street, joined_on=dt.date(2024, 1, 1), member_number=f"44FL{p.pk:010d}")
                                    for p in people], batch_size=1000)
    store = __import__(settings.SESSION_ENGINE, fromlist=["SessionStore"]).SessionStore
    backend = settings.AUTHENTICATION_BACKENDS[-1]
    clients = []
    for user in users:
        session_store = store()
        session_store[SESSION_KEY], session_store[BACKEND_SESSION_KEY] = str(user.pk), backend
        session_store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session_store.create()
        clients.append({"session": session_store.session_key, "csrf": get_random_string(32)})  # a CSRF secret, as the cookie holds it
    print(f"prepared {count:,} members with their sessions in {time.perf_counter() - started:.1f} s")
    return {"session_id": session.pk, "people": clients[:-1], "spare": users[-1], "spare_client": clients[-1]}


def queries_per_refusal(session_id: int, spare) -> list[int]:
    """The button's request in process, for one more member, once the session is full: the SQL it runs the first time
    this process sees the session, and the next time (its rules remembered)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(spare)
    client.get("/h5/bookings/ping/")
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            response = client.post(f"/h5/bookings/sessions/{session_id}/book/", HTTP_HX_REQUEST="true")
        assert "名额已满" in response.content.decode(), response.content.decode()[:300]
        counts.append(len(captured.captured_queries))
    return counts


class Connection:
    """One keep-alive HTTP/1.1 connection: enough of the protocol for these requests."""

    def __init__(self, port: int):
        self.port, self.reader, self.writer = port, None, None

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            try:
                self.writer.write(raw)
                head = await self.reader.readuntil(b"\r\n\r\n")
                break
            except (ConnectionError, asyncio.IncompleteReadError):
                self.writer = None  # the server closed an idle keep-alive: reconnect once
                if attempt == 2:
                    raise
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        if status in (204, 304):
            body = b""
        elif "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        else:
            body = await self.reader.read()
            self.writer = None
        if headers.get("connection", "").lower() == "close":
            self.writer.close()
            self.writer = None
        return status, body


def booking_request(port: int, session_id: int, person: dict) -> bytes:
    body = f"csrfmiddlewaretoken={person['csrf']}".encode()
    return (f"POST /h5/bookings/sessions/{session_id}/book/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Cookie: sessionid={person['session']}; csrftoken={person['csrf']}\r\nHX-Request: true\r\n"
            f"HX-Current-URL: http://127.0.0.1:{port}/h5/bookings/\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def ping_request(port: int, person: dict) -> bytes:
    return (f"GET /h5/bookings/ping/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: sessionid={person['session']}\r\n\r\n").encode()


async def fire(port: int, plans: list[list[bytes]]) -> tuple[float, list[float], list[tuple[int, bytes]]]:
    """Each plan is one client's requests, sent one after another on its own connection; all clients at once."""
    latencies: list[float] = []
    answers: list[tuple[int, bytes]] = []

    async def client(plan: list[bytes]) -> None:
        connection = Connection(port)
        for raw in plan:
            started = time.perf_counter()
            answers.append(await connection.request(raw))
            latencies.append(time.perf_counter() - started)
        if connection.writer is not None:
            connection.writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(plan) for plan in plans))
    return time.perf_counter() - started, latencies, answers


def cpu_clocks(pid: int) -> dict[str, float]:
    """CPU seconds used so far (from /proc) by gunicorn's master and workers, by PostgreSQL's processes and by Redis: where
    the box's cores go, whatever else it runs. The load generator's own is `time.process_time()`."""
    ticks, totals = os.sysconf("SC_CLK_TCK"), {"server": 0.0, "postgresql": 0.0, "redis": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdecimal():
            continue
        try:
            head, _, rest = (entry / "stat").read_text().rpartition(")")
        except OSError:
            continue
        fields, name = rest.split(), head.partition("(")[2]
        owner = ("server" if int(entry.name) == pid or int(fields[1]) == pid else  # fields[1] is the parent pid
                 "postgresql" if name.startswith("postgres") else "redis" if name.startswith("redis-server") else None)
        if owner:
            totals[owner] += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return totals


def cpu_since(pid: int, before: dict[str, float]) -> dict[str, float]:
    return {owner: seconds - before[owner] for owner, seconds in cpu_clocks(pid).items()}


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def loop_seconds() -> float:
    """The box's speed now: CPU seconds of a pure-Python loop that takes about 0.65 s on a quiet machine of this kind
    (figures from different days compare only through it)."""
    started, total = time.process_time(), 0
    for i in range(10_000_000):
        total += i
    return time.process_time() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--repeaters", type=int, default=200, help="members who click again and again")
    parser.add_argument("--clicks", type=int, default=25, help="clicks of each repeat clicker (over the rate limit of 20/min)")
    served = runpy.run_path(str(GUNICORN_CONFIG))  # the deployed configuration, unless a run asks for another
    parser.add_argument("--workers", type=int, default=served["workers"], help="default: config/gunicorn.py's")
    parser.add_argument("--threads", type=int, default=served["threads"], help="default: config/gunicorn.py's")
    parser.add_argument("--worker-class", default=served["worker_class"])
    parser.add_argument("--port", type=int, default=8917)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/gh_flash_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/11")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    fresh_database(args.database_url)
    env = environment(args)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections

    data = prepare(args)
    connections.close_all()
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"box speed: a 10-million-step Python loop took {loop_seconds():.2f} s of CPU")
    print(f"server: gunicorn {args.worker_class}, {args.workers} workers × {args.threads} threads = {args.workers * args.threads} database connections at most "
          f"(persistent, CONN_MAX_AGE=600; PostgreSQL allows 100); database {vendor}; sessions {settings.SESSION_ENGINE.rsplit('.', 1)[-1]} "
          f"in Redis; rate limit {settings.BOOKINGS_RATE} per person; DEBUG={settings.DEBUG}")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application", "-c", str(GUNICORN_CONFIG), "--bind", f"127.0.0.1:{args.port}", "--workers",
         str(args.workers), "--threads", str(args.threads), "--worker-class", args.worker_class, "--keep-alive", "60", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True)
    try:
        wait_for(args.port)
        rng = random.Random(17)
        people, session_id = data["people"], data["session_id"]
        warm = [[ping_request(args.port, people[c])] * 3 for c in range(args.clients)]
        asyncio.run(fire(args.port, warm))  # every worker process up and connected

        # each client: one repeat clicker hammering the button at opening time, then the members who come after
        plans: list[list[bytes]] = [[] for _ in range(args.clients)]
        for index, person in enumerate(people[args.repeaters:]):
            plans[index % args.clients].append(booking_request(args.port, session_id, person))
        for plan in plans:
            rng.shuffle(plan)
        for index, person in enumerate(people[: args.repeaters]):
            plans[index % args.clients][:0] = [booking_request(args.port, session_id, person)] * args.clicks
        cpu, own = cpu_clocks(server.pid), time.process_time()
        seconds, latencies, answers = asyncio.run(fire(args.port, plans))
        booking_cpu, booking_own = cpu_since(server.pid, cpu), time.process_time() - own
        attempts = len(answers)

        ping_plans = [[ping_request(args.port, people[(c * 25 + k) % len(people)]) for k in range(attempts // args.clients)] for c in range(args.clients)]
        cpu, own = cpu_clocks(server.pid), time.process_time()
        ping_seconds, ping_latencies, ping_answers = asyncio.run(fire(args.port, ping_plans))
        ping_cpu, ping_own = cpu_since(server.pid, cpu), time.process_time() - own
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    kinds: dict[str, int] = {}
    server_errors = sum(1 for status, _ in answers if status >= 500)
    for status, body in answers:
        text = body.decode(errors="replace")
        kind = next((name for marker, name in ANSWERS.items() if marker in text), f"unexpected {status}") if status == 200 else f"status {status}"
        kinds[kind] = kinds.get(kind, 0) + 1
    from gonghui.bookings.models import Booking, Session

    session = Session.objects.get(pk=session_id)
    active = Booking.objects.filter(session=session, status="active").count()
    refusal_queries = queries_per_refusal(session_id, data["spare"])
    rate, ping_rate = attempts / seconds, len(ping_answers) / ping_seconds
    print(f"booking: {attempts:,} attempts by {len(people):,} members ({args.repeaters} clicking {args.clicks} times) "
          f"from {args.clients} concurrent clients in {seconds:.2f} s")
    print(f"  answers: {kinds}")
    print(f"  seats {SEATS}: taken {session.taken}, active bookings {active}, oversold {max(active - SEATS, 0)}; 5xx: {server_errors}")
    print(f"  {rate:,.0f} attempts/s, latency p50 {statistics.median(latencies) * 1000:.0f} ms, p99 {percentile(latencies, 0.99) * 1000:.0f} ms; "
          f"SQL queries per refusal: {refusal_queries[0]} (first press in a process), {refusal_queries[1]} (session remembered)")
    ping_ok = sum(1 for status, _ in ping_answers if status == 204)
    print(f"trivial signed-in GET (204): {len(ping_answers):,} requests, {ping_ok:,} answered 204, {ping_rate:,.0f} requests/s, "
          f"p50 {statistics.median(ping_latencies) * 1000:.0f} ms, p99 {percentile(ping_latencies, 0.99) * 1000:.0f} ms")
    per_booking = {owner: seconds / attempts * 1000 for owner, seconds in booking_cpu.items()} | {"load generator": booking_own / attempts * 1000}
    per_ping = {owner: seconds / len(ping_answers) * 1000 for owner, seconds in ping_cpu.items()} | {"load generator": ping_own / len(ping_answers) * 1000}
    print(f"ratio booking/trivial: {rate / ping_rate:.2f} by rate; server CPU per request {per_booking['server']:.2f} ms booking, "
          f"{per_ping['server']:.2f} ms trivial: {per_ping['server'] / per_booking['server']:.2f} by CPU (the box is shared: compare CPU per "
          f"request, not rates)")
    for label, shares in (("booking", per_booking), ("trivial", per_ping)):
        print(f"CPU per {label} request, every process on the box's cores: "
              + ", ".join(f"{owner} {ms:.2f} ms" for owner, ms in shares.items()) + f"; in all {sum(shares.values()):.2f} ms")
    ok = (session.taken == active == SEATS and server_errors == 0 and not any(k.startswith(("unexpected", "status")) for k in kinds)
          and ping_ok == len(ping_answers))
    print("checks:", "passed" if ok else "FAILED")
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
