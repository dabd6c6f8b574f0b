"""Where the booking button's CPU goes, without the network or gunicorn (decisions 0028, 0030): the requests of
bench/flash_booking.py (the H5 button's htmx POST with each member's own session and CSRF token, and the trivial
signed-in GET) sent straight to Django's WSGI handler in this one process, on PostgreSQL with sessions in Redis.

    .venv/bin/python bench/flash_profile.py [--members 600] [--requests 2000] [--profile book|ping] [--only book|ping]
        [--database-url postgres://postgres@127.0.0.1:5432/gh_flash_profile] [--redis-url redis://127.0.0.1:6379/13]

Prints this process's CPU per request, and PostgreSQL's and Redis's beside it, and the answers; with --profile, a
cProfile (CPU clock) of that endpoint. The database is dropped and created again, the Redis database emptied.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import flash_booking as bench  # noqa: E402


def environ(raw: bytes) -> dict:
    """The WSGI environ of one of the bench's raw HTTP requests."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    method, path, _ = lines[0].split(" ")
    env = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
           "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
           "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0), "body": body}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().upper().replace("-", "_")
        env[name if name in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{name}"] = value.strip()
    return env


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=600)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--profile", choices=("book", "ping"))
    parser.add_argument("--only", choices=("book", "ping"), help="run one endpoint (for a sampling profiler outside)")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/gh_flash_profile")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args()
    bench.WORK.mkdir(parents=True, exist_ok=True)
    bench.fresh_database(args.database_url)
    os.environ.update(bench.environment(args))
    os.chdir(bench.ROOT)
    sys.path.insert(0, str(bench.ROOT))
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    data = bench.prepare(args)
    handler = WSGIHandler()

    def call(env: dict) -> tuple[str, bytes]:
        env = {**env, "wsgi.input": io.BytesIO(env["body"])}
        status = []
        response = handler(env, lambda line, headers, exc_info=None: status.append(line))
        body = b"".join(response)
        response.close()
        return status[0], body

    rng, people = random.Random(17), data["people"]
    requests = {
        "book": [environ(bench.booking_request(80, data["session_id"], rng.choice(people))) for _ in range(args.requests)],
        "ping": [environ(bench.ping_request(80, rng.choice(people))) for _ in range(args.requests)]}
    for env in requests["book"][:50] + requests["ping"][:50]:
        call(env)  # the session's rules remembered, the compiled queries built
    for name, envs in requests.items():
        if args.only and name != args.only:
            continue
        profile = cProfile.Profile(time.process_time) if args.profile == name else None
        answers: dict[str, int] = {}
        started, clocks = time.process_time(), bench.cpu_clocks(os.getpid())
        if profile:
            profile.enable()
        for env in envs:
            status, body = call(env)
            answer = next((kind for marker, kind in bench.ANSWERS.items() if marker.encode() in body), "") if name == "book" else ""
            key = f"{status.split()[0]} {answer}".strip()
            answers[key] = answers.get(key, 0) + 1
        if profile:
            profile.disable()
        others = bench.cpu_since(os.getpid(), clocks)
        print(f"{name}: {(time.process_time() - started) / len(envs) * 1000:.3f} ms CPU per request{' (profiled)' if profile else ''}, "
              f"PostgreSQL {others['postgresql'] / len(envs) * 1000:.3f} ms, Redis {others['redis'] / len(envs) * 1000:.3f} ms; {answers}")
        if profile:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(50)


if __name__ == "__main__":
    main()
