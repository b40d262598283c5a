"""Shared set-up for benchmarks: a throw-away test database (SQLite by default, PostgreSQL
when DATABASE_URL says so), and one output format:

    name: value unit (floor: value unit, ratio: x)

where the floor is measured in the same run, on the same machine, just before or after."""

import os
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

warnings.filterwarnings("ignore", message=".*CAPTCHA_TEST_MODE.*")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(db_url: str | None = None):
    if db_url:
        os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("JOBS_EAGER_MODE", "inline")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    return connection


def teardown(connection):
    connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


@contextmanager
def timer():
    box = {}
    start = time.perf_counter()
    yield box
    box["seconds"] = time.perf_counter() - start


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def report(name: str, value: float, unit: str, floor: float, floor_unit: str | None = None, *,
           lower_is_better: bool = True) -> None:
    floor_unit = floor_unit or unit
    ratio = (value / floor) if floor else float("inf")
    if not lower_is_better:
        ratio = (floor / value) if value else float("inf")
    print(f"{name}: {value:.4g} {unit} (floor: {floor:.4g} {floor_unit}, ratio: {ratio:.2f})", flush=True)


def db_label(connection) -> str:
    return connection.vendor
