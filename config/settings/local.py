"""`make run`: the embedded default (SQLite, no broker), debug on, demo conveniences on."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SMS_OUTBOX_PAGE_ENABLED", "1")

from .base import *  # noqa: E402,F403
