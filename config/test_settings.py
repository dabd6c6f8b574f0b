"""Test overrides: only speed and determinism change, never behaviour."""
import os

from config.settings import *  # noqa: F401,F403
from config.settings import DATABASES, HUEY, VAR_DIR

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # one file per run, so two people (or two runs) on one checkout never share a test database
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-gonghui-{os.getpid()}.sqlite3")}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "immediate": True}
CACHES = {alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"} for alias in ("default", "sessions")}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SMS_BACKEND = "gonghui.notify.sms.MemoryBackend"
WECHAT_BACKEND = "gonghui.notify.wechat.LogWechatBackend"
