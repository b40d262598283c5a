"""Loads demo data so that `make run` shows a lived-in system. Idempotent: running it again
reuses what exists. Each app contributes a `<app>/demo.py` with `load(out) -> list[str]`
returning lines to print (logins, hints); apps are loaded in dependency order."""

import importlib
import os

from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_MODULES = [
    "accounts.demo",
    "plans.demo",
    "blacklist.demo",
    "candidates.demo",
    "questions.demo",
    "papers.demo",
    "exams.demo",
    "review.demo",
    "answercards.demo",
]


class Command(BaseCommand):
    help = "加载演示数据（可重复运行）"

    def handle(self, *args, **options):
        lines: list[str] = []
        for path in DEMO_MODULES:
            try:
                module = importlib.import_module(path)
            except ModuleNotFoundError as exc:
                if exc.name == path:
                    continue  # that module has no demo data yet
                raise
            with transaction.atomic():
                lines.extend(module.load(self.stdout) or [])
        self.stdout.write("")
        self.stdout.write("=" * 72)
        port = os.environ.get("PORT", "8000")
        self.stdout.write(f"演示数据已就绪。打开 http://127.0.0.1:{port}/ 使用以下账号登录：")
        for line in lines:
            self.stdout.write("  " + line)
        self.stdout.write("=" * 72)
