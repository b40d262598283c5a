"""bench/load (docs/decisions.md#exam-day-load): production settings as deployed, less what needs HTTPS (the benchmark
talks plain HTTP on loopback, so secure cookies would never be sent back), with the fixed captcha
answer (the simulated examinees cannot read the image) and the floor view mounted. Never a
deployment's settings: `check --deploy` refuses the fixed captcha (core.checks)."""

import warnings

from .production import *  # noqa: F403
from .production import LOGGING

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
CAPTCHA_TEST_MODE = True
BENCH_FLOOR_VIEW = True
# django-simple-captcha logs an ERROR at start-up when its test mode runs without DEBUG.
LOGGING["loggers"]["captcha.conf.settings"] = {"level": "CRITICAL"}
warnings.filterwarnings("ignore", message=".*CAPTCHA_TEST_MODE.*")
