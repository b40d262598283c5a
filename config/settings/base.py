"""Settings shared by every environment. Everything that differs comes from environment variables."""

import json
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me-" + "x" * 20)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "captcha",
    # ours, in dependency order: core imports no domain app
    "core",
    "regions",
    "accounts",
    "audit",
    "jobs",
    "sms",
    "people",
    "plans",
    "blacklist",
    "candidates",
    "review",
    "questions",
    "papers",
    "exams",
    "proctoring",
    "results",
    "answercards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.IdleTimeoutMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
                "core.context_processors.shell",
            ],
        },
    },
]

# Database: SQLite is the embedded default; DATABASE_URL selects PostgreSQL in production and CI.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while an import writes; IMMEDIATE avoids upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Our queries are short; PostgreSQL's JIT compile cost more than it saved (the blacklist
    # bench: 152 ms → 58 ms for a region's list page with jit off).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = os.environ.get("PG_OPTIONS", "-c jit=off")
    # A persistent connection is checked before a request reuses it: after a database restart
    # every worker's first request would otherwise fail on its dead connection (bench/load,
    # docs/decisions.md#db-health-checks: PostgreSQL restarted mid-exam).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("DB_CONN_HEALTH_CHECKS", True)

# A streaming replica for the heavy reads that do not need the last second (core.replica:
# the background exports); without DATABASE_REPLICA_URL every query goes to "default".
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {**DATABASES["default"], **dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=DATABASES["default"].get("CONN_MAX_AGE", 0))}
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (counters, codes and locks then hold across processes).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "sanlei"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "sanlei",
        }
    }

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [  # 等保 2.0 三级 身份鉴别 (accounts/password_validation.py)
    {"NAME": "accounts.password_validation.ComplexityValidator"},
    {"NAME": "accounts.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.password_validation.PasswordHistoryValidator"},
]

SESSION_ENGINE = "django.contrib.sessions.backends.cache" if REDIS_URL else "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 12 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# An idle session ends after this many seconds (docs/decisions.md#session-idle: 30 minutes).
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(30 * 60)))

LANGUAGE_CODE = "zh-hans"
# The interface is Chinese only: a browser asking for English still gets Chinese messages.
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

# Uploads: the import issue caps files at 10 MB; keep big uploads on disk, not in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Celery: Redis broker when REDIS_URL (or CELERY_BROKER_URL) is set; otherwise tasks run eagerly
# in-process so the embedded default works end to end.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# How background jobs run when Celery is eager: "thread" (the page can be left and progress
# polled; the default for `make run`) or "inline" (tests: the job finishes inside the request).
JOBS_EAGER_MODE = os.environ.get("JOBS_EAGER_MODE", "thread")
# Days after publication during which a candidate may object to a violation (申诉); central may
# set another number for a plan when publishing (review.services.review_publish).
REVIEW_OBJECTION_DAYS = int(os.environ.get("REVIEW_OBJECTION_DAYS", "10"))
# Periodic work (run `celery -A config beat` beside the worker). Papers are drawn once a
# plan's roster freezes, 48 hours before its start (docs/decisions.md#paper-draws); every 5 minutes catches
# central's later corrections too. Without a broker, the plan page starts the same work as a job.
CELERY_BEAT_SCHEDULE = {
    # the server submits every attempt past its deadline + grace (reads do it too: exams.services)
    "exams-close-due": {"task": "exams.close_due", "schedule": float(os.environ.get("EXAMS_CLOSE_SECONDS", 30))},
    "papers-generate-due": {"task": "papers.generate_due", "schedule": float(os.environ.get("PAPERS_SCAN_SECONDS", 300))},
    # remote proctoring: camera snapshots older than the retention are deleted (docs/decisions.md#snapshot-retention), and
    # snapshots whose face check was lost (a worker down) are analysed again
    "proctoring-purge-expired": {"task": "proctoring.purge_expired",
                                 "schedule": float(os.environ.get("PROCTORING_PURGE_SECONDS", 6 * 3600))},
    "proctoring-analyse-pending": {"task": "proctoring.analyse_pending",
                                   "schedule": float(os.environ.get("PROCTORING_ANALYSE_SECONDS", 300))},
    # snapshots nginx wrote into the inbox (only with PROCTORING_DIRECT_UPLOAD_PREFIX set)
    "proctoring-ingest-direct": {"task": "proctoring.ingest_direct",
                                 "schedule": float(os.environ.get("PROCTORING_INGEST_SECONDS", 10))},
}

# Remote proctoring (继续教育(线上), docs/decisions.md#proctoring). Snapshots are sensitive personal information
# (个人信息保护法 Art. 28): kept in private storage outside MEDIA_ROOT and STATIC_ROOT (a system
# check refuses anything else), served only to central through an audited view, deleted after
# the retention. The page takes one every PROCTORING_SNAPSHOT_SECONDS and at each incident.
PROCTORING_SNAPSHOT_ROOT = Path(os.environ.get("PROCTORING_SNAPSHOT_ROOT", VAR_DIR / "private" / "snapshots"))
PROCTORING_SNAPSHOT_SECONDS = int(os.environ.get("PROCTORING_SNAPSHOT_SECONDS", "30"))
PROCTORING_SNAPSHOT_RETENTION_DAYS = int(os.environ.get("PROCTORING_SNAPSHOT_RETENTION_DAYS", "180"))
PROCTORING_SNAPSHOT_WIDTH = int(os.environ.get("PROCTORING_SNAPSHOT_WIDTH", "480"))
PROCTORING_SNAPSHOT_QUALITY = float(os.environ.get("PROCTORING_SNAPSHOT_QUALITY", "0.7"))
PROCTORING_SNAPSHOT_MAX_BYTES = int(os.environ.get("PROCTORING_SNAPSHOT_MAX_BYTES", str(200 * 1024)))
# Snapshots written by nginx itself, around Python (proctoring.direct; docs/deploy.md): the URL
# prefix nginx takes signed PUTs on (e.g. "/snapshot-inbox/"; empty: the pages upload through
# the app), the secret shared with nginx's secure_link_md5, and the folder nginx writes into
# (private, like the snapshots; beat `proctoring.ingest_direct` takes the files in).
PROCTORING_DIRECT_UPLOAD_PREFIX = os.environ.get("PROCTORING_DIRECT_UPLOAD_PREFIX", "")
PROCTORING_DIRECT_UPLOAD_SECRET = os.environ.get("PROCTORING_DIRECT_UPLOAD_SECRET", "")
PROCTORING_INBOX_ROOT = Path(os.environ.get("PROCTORING_INBOX_ROOT", VAR_DIR / "private" / "snapshot-inbox"))

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content security policy (django-csp 4): nothing from outside, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # fontTools narrates every font subset at INFO (one PDF: dozens of lines).
    "loggers": {"django.db.backends": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# The CJK font printed PDFs embed (core/pdf.py); the default is Debian's fonts-noto-cjk.
# JSON such as {"regular": ["/path/NotoSansCJK-Regular.ttc", 2], "bold": [...]} moves it.
PDF_CJK_FONT = json.loads(os.environ.get("PDF_CJK_FONT", "{}"))

# Reverse proxies in front of gunicorn (each appends to X-Forwarded-For); 0 = REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# SMS: the development outbox by default; production names a provider adapter (see sms/).
SMS_BACKEND = os.environ.get("SMS_BACKEND", "sms.backends.outbox.OutboxBackend")
SMS_ALIYUN_ACCESS_KEY_ID = os.environ.get("SMS_ALIYUN_ACCESS_KEY_ID", "")
SMS_ALIYUN_ACCESS_KEY_SECRET = os.environ.get("SMS_ALIYUN_ACCESS_KEY_SECRET", "")
SMS_ALIYUN_SIGN_NAME = os.environ.get("SMS_ALIYUN_SIGN_NAME", "")
SMS_ALIYUN_TEMPLATE_CODES = os.environ.get("SMS_ALIYUN_TEMPLATE_CODES", "{}")  # JSON: template → SMS_xxx
SMS_ALIYUN_ENDPOINT = os.environ.get("SMS_ALIYUN_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
SMS_ALIYUN_REGION_ID = os.environ.get("SMS_ALIYUN_REGION_ID", "cn-hangzhou")
SMS_HTTP_TIMEOUT = float(os.environ.get("SMS_HTTP_TIMEOUT", "5"))

# Administrators must change their password this often (docs/decisions.md#password-expiry: 90 days).
PASSWORD_MAX_AGE_DAYS = int(os.environ.get("PASSWORD_MAX_AGE_DAYS", "90"))

# Demo conveniences. Production settings refuse both (see production.py, sms.checks and core.checks).
SMS_OUTBOX_PAGE_ENABLED = env_bool("SMS_OUTBOX_PAGE_ENABLED", False)
CAPTCHA_TEST_MODE = env_bool("CAPTCHA_TEST_MODE", False)

# The image captcha (动态码), readable at the first try (docs/decisions.md#captcha; accounts/captcha.py).
CAPTCHA_CHALLENGE_FUNCT = "accounts.captcha.readable_challenge"
CAPTCHA_LENGTH = 4
CAPTCHA_FONT_SIZE = 34
CAPTCHA_IMAGE_SIZE = (140, 48)
CAPTCHA_LETTER_ROTATION = (-8, 8)
CAPTCHA_LETTER_COLOR_FUNCT = "accounts.captcha.letter_color"
CAPTCHA_NOISE_FUNCTIONS = ("accounts.captcha.light_noise",)
CAPTCHA_FILTER_FUNCTIONS = ()
CAPTCHA_2X_IMAGE = False  # the page shows the 1x image; a fixed size cannot hold 2x letters

# bench/load only (config.settings.bench): mounts exams.bench_floor, the load benchmark's floor
# (a trivial view making one indexed write). Production forces it off whatever the environment.
BENCH_FLOOR_VIEW = False
