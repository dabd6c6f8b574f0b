"""Settings come from the environment; production refuses the demo keys."""
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from gonghui.core.tasks import worker_heartbeat

from config.env import DEMO_AUDIT_KEYS, DEMO_PII_INDEX_KEY, DEMO_PII_KEYS, DEMO_SECRET_KEY, refuse_demo_keys_in_production

ROOT = Path(__file__).resolve().parents[3]


DEMO = {"secret_key": DEMO_SECRET_KEY, "pii_keys": DEMO_PII_KEYS, "pii_index_key": DEMO_PII_INDEX_KEY, "audit_keys": DEMO_AUDIT_KEYS}


def test_demo_keys_are_fine_in_debug():
    refuse_demo_keys_in_production(debug=True, **DEMO)


@pytest.mark.parametrize("which", sorted(DEMO))
def test_production_refuses_any_demo_key(which):
    keys = {"secret_key": "a-real-secret-" * 4, "pii_keys": "k2:cmVhbC1rZXktbWF0ZXJpYWwtMzItYnl0ZXMtbG9uZyE=", "pii_index_key": "cmVhbA==",
            "audit_keys": "a2:cmVhbC1hdWRpdC1rZXktMzItYnl0ZXMtbG9uZyEhIQ=="}
    keys[which] = DEMO[which]
    with pytest.raises(ImproperlyConfigured, match="禁止使用演示密钥"):
        refuse_demo_keys_in_production(debug=False, **keys)


def test_starting_in_production_with_demo_keys_fails_loudly(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "PII_KEYS", "PII_INDEX_KEY", "AUDIT_KEYS")}
    env.update(DEBUG="0", DJANGO_SETTINGS_MODULE="config.settings", GONGHUI_VAR_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "禁止使用演示密钥" in result.stderr


def test_sqlite_is_tuned_for_concurrent_writers():
    options = settings.SQLITE_OPTIONS
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"] and "busy_timeout" in options["init_command"]
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        assert settings.DATABASES["default"]["OPTIONS"] is options


def settings_with(database_url: str, expression: str, tmp_path, **environment: str) -> str:
    """What `expression` prints in a fresh process whose settings read `database_url` (and `environment`)."""
    env = dict(os.environ, DATABASE_URL=database_url.format(var=tmp_path), GONGHUI_VAR_DIR=str(tmp_path),
               DJANGO_SETTINGS_MODULE="config.settings", REDIS_URL="", **environment)
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(("database_url", "engine"), [("sqlite:///{var}/x.sqlite3", "django.contrib.sessions.backends.cache"),
                                                     ("postgres://postgres@127.0.0.1:5432/x", "django.contrib.sessions.backends.db")])
def test_sessions_stay_out_of_sqlite_so_a_long_import_does_not_stall_every_page(tmp_path, database_url, engine):
    """On SQLite an import holds the one write lock until it commits; a session saved per request would wait for it."""
    session_engine, max_entries = settings_with(
        database_url, "settings.SESSION_ENGINE, settings.CACHES[settings.SESSION_CACHE_ALIAS].get('OPTIONS', {}).get('MAX_ENTRIES')",
        tmp_path).split()
    assert session_engine == engine
    if engine.endswith("cache"):  # not the default cache, which culls a third of its entries at random past 300
        assert int(max_entries) >= 100_000


def test_postgresql_connections_are_opened_without_jit(tmp_path):
    """JIT compiled the ledger's subqueries for 10 s to run them in 0.6 s: every PostgreSQL connection turns it off."""
    options = settings_with("postgres://postgres@127.0.0.1:5432/x", "settings.DATABASES['default']['OPTIONS']", tmp_path)
    assert "-c jit=off" in options


def test_huey_uses_redis_only_when_configured():
    expected = "huey.RedisHuey" if os.environ.get("REDIS_URL") else "huey.SqliteHuey"
    assert settings.HUEY["huey_class"] == expected


@pytest.mark.django_db
def test_worker_heartbeat_shows_in_health(client):
    worker_heartbeat.call_local()
    assert client.get("/healthz").json()["worker_heartbeat"]


HTTPS_SETTINGS = ("settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.SECURE_HSTS_PRELOAD, "
                  "settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
                  "getattr(settings, 'SECURE_PROXY_SSL_HEADER', None)")
PRODUCTION_KEYS = {"DEBUG": "0", "SECRET_KEY": "a-real-secret-" * 4, "PII_KEYS": "k2:cmVhbC1rZXktbWF0ZXJpYWwtMzItYnl0ZXMtbG9uZyE=",
                   "PII_INDEX_KEY": "cmVhbA==", "AUDIT_KEYS": "a2:cmVhbC1hdWRpdC1rZXktMzItYnl0ZXMtbG9uZyEhIQ==",
                   "ALLOWED_HOSTS": "gonghui.example"}
CLEARED = {name: "" for name in ("SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
                                 "SECURE_SSL_REDIRECT", "SECURE_COOKIES", "PROXY_SSL_HEADER")}


def test_https_is_strict_in_production_and_every_part_of_it_comes_from_the_environment(tmp_path, monkeypatch):
    for name in CLEARED:
        monkeypatch.delenv(name, raising=False)
    sqlite = "sqlite:///{var}/x.sqlite3"
    assert settings_with(sqlite, HTTPS_SETTINGS, tmp_path, DEBUG="1") == "0 False False False False False None"
    assert settings_with(sqlite, HTTPS_SETTINGS, tmp_path, **PRODUCTION_KEYS) == "31536000 False False False True True None"
    chosen = settings_with(sqlite, HTTPS_SETTINGS, tmp_path, **PRODUCTION_KEYS, SECURE_HSTS_SECONDS="63072000",
                           SECURE_HSTS_INCLUDE_SUBDOMAINS="1", SECURE_HSTS_PRELOAD="1", SECURE_SSL_REDIRECT="1",
                           PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert chosen == "63072000 True True True True True ('HTTP_X_FORWARDED_PROTO', 'https')"
    assert settings_with(sqlite, HTTPS_SETTINGS, tmp_path, DEBUG="1", SECURE_COOKIES="1").endswith("True True None")


@pytest.mark.django_db
def test_every_page_carries_the_strict_content_security_policy(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split("; ")}
    assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"] and directives["form-action"] == ["'self'"]
    assert sorted(directives["img-src"]) == sorted(["'self'", "data:", "blob:"])
    assert "unsafe" not in policy
    assert client.get("/no-such-page/")["Content-Security-Policy"] == policy  # error pages too


def test_production_with_every_key_but_the_audit_one_still_refuses_to_start(tmp_path):
    env = dict(os.environ, DEBUG="0", DJANGO_SETTINGS_MODULE="config.settings", GONGHUI_VAR_DIR=str(tmp_path), SECRET_KEY="a-real-secret-" * 4,
               PII_KEYS="k2:cmVhbC1rZXktbWF0ZXJpYWwtMzItYnl0ZXMtbG9uZyE=", PII_INDEX_KEY="cmVhbA==", ALLOWED_HOSTS="example.org")
    env.pop("AUDIT_KEYS", None)
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "AUDIT_KEYS" in result.stderr


def _gunicorn_settings(monkeypatch, **environ) -> dict:
    for name in ("WEB_WORKERS", "WEB_THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "config" / "gunicorn.py"))


def test_the_server_runs_two_processes_per_core_of_two_threads_each_unless_told_otherwise(monkeypatch):
    cores = len(os.sched_getaffinity(0))
    served = _gunicorn_settings(monkeypatch)
    assert (served["worker_class"], served["workers"], served["threads"]) == ("gthread", 2 * cores, 2)
    assert served["workers"] * served["threads"] < 100, "every thread may hold a database connection"
    told = _gunicorn_settings(monkeypatch, WEB_WORKERS="3", WEB_THREADS="4")
    assert (told["workers"], told["threads"]) == (3, 4)
