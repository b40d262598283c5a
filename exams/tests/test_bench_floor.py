"""The load benchmark's floor view (docs/decisions.md#exam-day-load) exists only under config.settings.bench: off by
default, forced off in production whatever the environment says, and when mounted it makes its
one write."""

import importlib
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import NoReverseMatch, clear_url_caches, reverse

from exams.models import Attempt
from exams.services import attempt_for

pytestmark = pytest.mark.django_db

RESOLVE = ("import django; django.setup(); from django.conf import settings; from django.urls import resolve, Resolver404\n"
           "try:\n    resolve('/bench/floor/1/'); print('mounted', settings.BENCH_FLOOR_VIEW)\n"
           "except Resolver404:\n    print('absent', settings.BENCH_FLOOR_VIEW)\n")


def _resolve_under(module: str, **env) -> str:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    result = subprocess.run([sys.executable, "-c", RESOLVE], cwd=settings.BASE_DIR, capture_output=True, text=True,
                            env={**base, "DJANGO_SETTINGS_MODULE": module, "SECRET_KEY": "k" * 60,
                                 "REDIS_URL": "redis://127.0.0.1:6379/0", **env}, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


def test_off_by_default(client):
    assert settings.BENCH_FLOOR_VIEW is False
    with pytest.raises(NoReverseMatch):
        reverse("bench_floor", args=[1])
    assert client.post("/bench/floor/1/").status_code == 404


def test_production_never_mounts_it_even_when_asked():
    assert _resolve_under("config.settings.production", BENCH_FLOOR_VIEW="1") == "absent False"


def test_bench_settings_mount_it():
    assert _resolve_under("config.settings.bench") == "mounted True"


@pytest.fixture
def mounted():
    import config.urls

    with override_settings(BENCH_FLOOR_VIEW=True):
        importlib.reload(config.urls)
        clear_url_caches()
        yield
    importlib.reload(config.urls)
    clear_url_caches()


def test_mounted_it_makes_its_one_indexed_write(client, mounted, registration):
    attempt = attempt_for(registration)
    assert attempt.last_contact_at is None
    response = client.post(reverse("bench_floor", args=[attempt.pk]))
    assert response.status_code == 200 and response.json() == {"updated": 1}
    assert Attempt.objects.get(pk=attempt.pk).last_contact_at is not None
    assert client.get(reverse("bench_floor", args=[attempt.pk])).status_code == 405
