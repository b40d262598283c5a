"""Production: PostgreSQL + Redis + a Celery worker behind gunicorn. Refuses demo conveniences."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CAPTCHA_TEST_MODE, SECRET_KEY, env_bool

DEBUG = env_bool("DEBUG", False)
if "dev-only-insecure-key" in SECRET_KEY and not env_bool("ALLOW_DEV_SECRET", False):
    raise ImproperlyConfigured("生产环境必须设置 SECRET_KEY 环境变量")

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Preloading is a per-domain commitment made when the domain is submitted to the browsers'
# list; until then the warning says nothing actionable.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
# The SMS outbox page and the fixed captcha are for development and tests only; sms.checks and
# core.checks turn either being on into a deploy-check error.
SMS_OUTBOX_PAGE_ENABLED = env_bool("SMS_OUTBOX_PAGE_ENABLED", False)
CAPTCHA_TEST_MODE = CAPTCHA_TEST_MODE
# The load benchmark's floor view is never mounted in production (config.settings.bench turns
# it on for bench/load only; exams/tests/test_bench_floor.py checks both).
BENCH_FLOOR_VIEW = False
