"""core.background: one dispatch by name for Celery, a thread or inline."""

import threading

import pytest

from core import background

CALLS = []


@background.task("core.tests.remember")
def remember(value, *, twice=False):
    CALLS.append((value, twice, threading.current_thread().name))


@pytest.fixture(autouse=True)
def _fresh():
    CALLS.clear()


def test_inline_runs_before_dispatch_returns(settings):
    settings.CELERY_TASK_ALWAYS_EAGER, settings.JOBS_EAGER_MODE = True, "inline"
    assert background.runs_inline()
    background.dispatch("core.tests.remember", 7, twice=True)
    assert CALLS == [(7, True, threading.current_thread().name)]


def test_thread_mode_runs_in_another_thread(settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER, settings.JOBS_EAGER_MODE = True, "thread"
    started = []
    real = background.start_thread
    monkeypatch.setattr(background, "start_thread", lambda fn, *, name: started.append(real(fn, name=name)))
    background.dispatch("core.tests.remember", 8)
    started[0].join(timeout=30)
    assert [(value, twice) for value, twice, _ in CALLS] == [(8, False)]
    assert CALLS[0][2] == "core-8" != threading.current_thread().name


def test_with_a_broker_the_task_is_queued_by_its_name(settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER, settings.JOBS_QUEUE = False, "exam"
    queued = []
    monkeypatch.setattr(remember, "apply_async", lambda args, kwargs, **opts: queued.append((args, kwargs, opts)))
    background.dispatch("core.tests.remember", 9, twice=True)
    assert queued == [((9,), {"twice": True}, {"queue": "exam"})] and CALLS == []
    assert remember.name == "core.tests.remember"


def test_a_broker_that_refuses_raises_to_the_caller(settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(remember, "apply_async", down)
    with pytest.raises(ConnectionRefusedError):
        background.dispatch("core.tests.remember", 1)


def test_an_undeclared_name_is_refused():
    with pytest.raises(LookupError, match="no background task is declared"):
        background.dispatch("core.tests.nobody", 1)


def test_jobs_and_sms_declare_their_tasks_and_their_services_do_not_import_them():
    import ast
    from pathlib import Path

    from django.conf import settings

    assert background.registered("jobs.run_job").name == "jobs.run_job"
    assert background.registered("sms.deliver").name == "sms.deliver"
    for app in ("jobs", "sms"):
        tree = ast.parse((Path(settings.BASE_DIR) / app / "services.py").read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert "tasks" not in imported and f"{app}.tasks" not in imported, app
