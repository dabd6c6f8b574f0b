"""gonghui settings: defaults suit the demo; every deployment value comes from the environment."""
from pathlib import Path

import dj_database_url

from config.env import (
    DEMO_AUDIT_KEYS,
    DEMO_PII_INDEX_KEY,
    DEMO_PII_KEYS,
    DEMO_SECRET_KEY,
    env_bool,
    env_list,
    env_str,
    refuse_demo_keys_in_production,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("GONGHUI_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", DEMO_SECRET_KEY)
# PII encryption (gonghui/core/crypto.py): "id:base64key,..." (keep old keys until rotate_pii_keys has run),
# the id new values use, the algorithm (aes-256-gcm or sm4-gcm) and the blind-index HMAC key.
PII_KEYS = env_str("PII_KEYS", DEMO_PII_KEYS)
PII_ACTIVE_KEY_ID = env_str("PII_ACTIVE_KEY_ID", PII_KEYS.split(":", 1)[0])
PII_ALGORITHM = env_str("PII_ALGORITHM", "aes-256-gcm")
PII_INDEX_KEY = env_str("PII_INDEX_KEY", DEMO_PII_INDEX_KEY)
# Audit chain (gonghui/audit/keys.py, decision 0014): "id:base64key,..." like PII_KEYS; old ids stay listed while rows
# sealed under them must verify. Checkpoints go to the sinks named here (file, mail, syslog or a dotted class path).
AUDIT_KEYS = env_str("AUDIT_KEYS", DEMO_AUDIT_KEYS)
AUDIT_ACTIVE_KEY_ID = env_str("AUDIT_ACTIVE_KEY_ID", AUDIT_KEYS.split(":", 1)[0])
AUDIT_CHECKPOINT_SINKS = env_list("AUDIT_CHECKPOINT_SINKS", "file" if DEBUG else "mail,syslog")
AUDIT_CHECKPOINT_FILE = env_str("AUDIT_CHECKPOINT_FILE", str(VAR_DIR / "audit-checkpoints.log"))
AUDIT_SYSLOG_ADDRESS = env_str("AUDIT_SYSLOG_ADDRESS", "/dev/log")  # a socket path, or host:port for UDP
refuse_demo_keys_in_production(debug=DEBUG, secret_key=SECRET_KEY, pii_keys=PII_KEYS, pii_index_key=PII_INDEX_KEY,
                               audit_keys=AUDIT_KEYS)
# Who hears about a broken audit chain and receives checkpoints by mail: "a@example.org,b@example.org".
ADMINS = [(address, address) for address in env_list("ADMINS")]
SERVER_EMAIL = env_str("SERVER_EMAIL", "gonghui@localhost")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env_str("EMAIL_PORT", "25"))

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "gonghui.accounts.axes_app.AxesConfig",  # django-axes, named in Chinese
    "csp",
    "gonghui.core",
    "gonghui.audit",
    "gonghui.notify",
    "gonghui.accounts",
    "gonghui.orgs",
    "gonghui.worktime",
    "gonghui.jobs",
    "gonghui.members",
    "gonghui.tickets",
    "gonghui.bookings",
    "gonghui.trips",
    "gonghui.analytics",
    "gonghui.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gonghui.core.middleware.CSPMiddleware",  # django-csp's, the policy built once
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gonghui.core.middleware.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gonghui.core.request_context.RequestContextMiddleware",
    "gonghui.accounts.api_auth.ApiKeyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gonghui.core.middleware.NulRefusalMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gonghui.core.middleware.ApplicationErrorMiddleware",
    "gonghui.core.middleware.NotFoundPageMiddleware",
    "gonghui.core.idempotency.IdempotencyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gonghui.accounts.context_processors.workbench",
                "gonghui.portal.context_processors.workbench_menu",
                "gonghui.worktime.context_processors.calendar_banner",
                "gonghui.notify.context_processors.unread",
            ],
        },
    },
]

# SQLite by default, tuned so concurrent writers queue instead of failing with
# "database is locked": WAL lets readers run beside one writer, IMMEDIATE takes the
# write lock at BEGIN (no lock upgrade deadlock), the timeout makes writers wait.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA busy_timeout=20000;"
        "PRAGMA foreign_keys=ON;"
    ),
}
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'gonghui.sqlite3'}"),
        conn_max_age=int(env_str("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-gonghui.sqlite3")}
else:
    # PostgreSQL compiles a query to machine code (JIT) when the planner's cost estimate is high. For this app's queries
    # that costs more than it saves: the 建会台账's per-employer subqueries took 10 s to compile and 0.6 s to run (5,000
    # employers, 60,000 members). Off for every connection.
    DATABASES["default"]["OPTIONS"] = {"options": "-c jit=off"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out usernames and IPs
    "gonghui.accounts.backends.ModelBackend",  # Django's, with the signed-in user's row read by SQL compiled once
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "gonghui.accounts.auth.ChineseMinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "gonghui.accounts.auth.LettersAndDigitsValidator"},
]

# Brute force (django-axes): 5 failures lock the username and, separately, the IP for 30 minutes.
# Administrators unlock in the admin (访问尝试) or with `manage.py axes_reset_username <name>` / `axes_reset_ip <ip>`.
AXES_FAILURE_LIMIT = int(env_str("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False

# SMS (gonghui/notify/sms.py): template code + parameters; the demo backend prints and writes a file.
SMS_BACKEND = env_str("SMS_BACKEND", "gonghui.notify.sms.ConsoleFileBackend")
SMS_OUTBOX_FILE = env_str("SMS_OUTBOX_FILE", str(VAR_DIR / "sms-outbox.log"))
# 实名 check before joining (gonghui/members/identity.py); the demo checks ID checksums only.
# 预约: after N no-shows within a period a person cannot book for M days (bookings.services.no_shows_record)
BOOKINGS_NO_SHOW_LIMIT = int(env_str("BOOKINGS_NO_SHOW_LIMIT", "3"))
BOOKINGS_NO_SHOW_WINDOW_DAYS = int(env_str("BOOKINGS_NO_SHOW_WINDOW_DAYS", "90"))
BOOKINGS_NO_SHOW_BAN_DAYS = int(env_str("BOOKINGS_NO_SHOW_BAN_DAYS", "30"))
BOOKINGS_RATE = env_str("BOOKINGS_RATE", "20/m")  # booking attempts per person (django-ratelimit)
IDENTITY_CHECKER = env_str("IDENTITY_CHECKER", "gonghui.members.identity.ChecksumOnlyChecker")
WECHAT_BACKEND = env_str("WECHAT_BACKEND", "gonghui.notify.wechat.LogWechatBackend")
WECHAT_OUTBOX_FILE = env_str("WECHAT_OUTBOX_FILE", str(VAR_DIR / "wechat-outbox.log"))

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
LOCALE_PATHS = [BASE_DIR / "locale"]  # Chinese for packages that ship none (django-axes)
USE_TZ = True  # stored in UTC, shown in Asia/Shanghai

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG  # the demo serves static files without collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Sessions end after 2 hours without activity (saved again at most every 5 minutes: SessionRefreshMiddleware), and at
# once everywhere when the user chooses 退出所有设备 (User.session_version is part of the session hash).
SESSION_COOKIE_AGE = int(env_str("SESSION_COOKIE_AGE", str(2 * 3600)))
SESSION_REFRESH_SECONDS = 300
# On SQLite a long import holds the one write lock until it commits, and a session saved on every request would queue
# behind it: every other page, and the job's own progress bar, would stand still. There sessions live in the shared
# cache (files on one box) instead; on PostgreSQL they stay in the database.
# Their own cache: the default one culls a third of its files at random once it holds 300, which would log people out.
# SESSIONS_IN_CACHE=1 keeps them in the cache on PostgreSQL too (Redis when REDIS_URL is set): a signed-in request then reads
# no session row, which matters under flash demand (bench/flash_booking.py).
if DATABASES["default"]["ENGINE"].endswith("sqlite3") or env_bool("SESSIONS_IN_CACHE", False):
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    SESSION_CACHE_ALIAS = "sessions"
SESSION_COOKIE_HTTPONLY = True

# HTTPS (decision 0017). Production (DEBUG=0) sends HSTS for a year and marks cookies secure; the redirect to https is off
# by default because the reverse proxy in front usually does it (turn it on when gunicorn faces clients, or behind a proxy
# that sets PROXY_SSL_HEADER, e.g. X-Forwarded-Proto, and strips it from clients).
SECURE_HSTS_SECONDS = int(env_str("SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
if PROXY_SSL_HEADER := env_str("PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + PROXY_SSL_HEADER.upper().replace("-", "_"), "https")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp), in the demo and tests as in production: scripts and styles only from our own
# static files, no inline script, handler or style attribute, no eval (Alpine's CSP build, htmx with eval off).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
    },
}
# Django's debug page for an unknown URL lists every URL of the site; the demo runs with DEBUG=1 and shows our 404 page
# instead (gonghui.core.middleware.NotFoundPageMiddleware). A developer who wants the list sets DEBUG_404_DETAILS=1.
DEBUG_404_DETAILS = env_bool("DEBUG_404_DETAILS", False)

# Background work: SQLite storage on one box, Redis when REDIS_URL is set. Exactly one
# consumer runs periodic tasks (`manage.py run_huey`); extra consumers add `--no-periodic`.
REDIS_URL = env_str("REDIS_URL")
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "gonghui", "url": REDIS_URL, "immediate": HUEY_IMMEDIATE}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "gonghui",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
    }
HUEY["consumer"] = {"workers": int(env_str("HUEY_WORKERS", "2")), "worker_type": "thread"}

CACHES = {
    "default": (
        {"BACKEND": "gonghui.core.cache.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        # shared by the web and worker processes of one box
        else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "cache")}
    ),
    "sessions": (
        {"BACKEND": "gonghui.core.cache.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "sessions"),
              "OPTIONS": {"MAX_ENTRIES": 1_000_000}}
    ),
}

# Uploaded spreadsheets are sniffed and capped (DESIGN.md rule 4).
IMPORT_MAX_BYTES = int(env_str("IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub_pii": {"()": "gonghui.core.logging.ScrubPiiFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["scrub_pii"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
