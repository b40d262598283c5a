"""pytest: the same as base with fast hashing and jobs finishing inside the request."""

import os

os.environ.setdefault("JOBS_EAGER_MODE", "inline")
os.environ.setdefault("SMS_OUTBOX_PAGE_ENABLED", "1")

from .base import *  # noqa: E402,F403
from .base import CACHES, LOGGING, REDIS_URL

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests decide the captcha answer explicitly (production refuses it: docs/decisions.md#captcha-test-mode).
CAPTCHA_TEST_MODE = True
ALLOWED_HOSTS = ["*"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if REDIS_URL:
    # xdist workers share one Redis and tests clear the cache: give each worker its own
    # database number (gw0 → 1, gw1 → 2, …) so one worker's flush never touches another's keys.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw-1")
    db_number = int(worker[2:]) + 2 if worker[2:].lstrip("-").isdigit() else 1
    # Several suites running at once against one Redis (developers in parallel): TEST_REDIS_DB
    # moves this run's databases apart.
    db_number += int(os.environ.get("TEST_REDIS_DB", "0"))
    base_url = REDIS_URL.rsplit("/", 1)[0] if REDIS_URL.count("/") >= 3 else REDIS_URL
    CACHES["default"]["LOCATION"] = f"{base_url}/{db_number}"
    # Tests run jobs in-process; only jobs/tests/test_celery_worker.py talks to a real worker.
    CELERY_TASK_ALWAYS_EAGER = os.environ.get("CELERY_TASK_ALWAYS_EAGER", "1") == "1"
# django-simple-captcha logs an ERROR at start-up when its test mode runs without DEBUG: here
# that is deliberate (production refuses it: core.checks, sanlei.E001), so keep the output clean.
LOGGING["loggers"]["captcha.conf.settings"] = {"level": "CRITICAL"}
