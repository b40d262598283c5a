"""Work off the request, one way for every app (background jobs, SMS delivery).

Celery when a broker is configured (CELERY_TASK_ALWAYS_EAGER off); otherwise a thread with its
own database connection (`make run`: the page can be left and the work goes on) or inline
(tests, JOBS_EAGER_MODE=inline: done before the call returns).

An app's tasks.py declares each task once, by name: `@task("sms.deliver")` makes it a Celery
shared task of that name (found by the worker's autodiscovery) and registers it here; the app's
AppConfig.ready() imports its tasks module. Its services then call `dispatch("sms.deliver", ...)`
by name and never import their tasks module (a tasks module imports its services, not the other
way round)."""

import threading
from collections.abc import Callable

from celery import shared_task
from django.conf import settings
from django.db import close_old_connections

_TASKS: dict = {}


def task(name: str) -> Callable:
    """Declare a background task under `name` (a Celery shared task of that name)."""
    def register(fn):
        celery_task = shared_task(name=name)(fn)
        _TASKS[name] = celery_task
        return celery_task

    return register


def registered(name: str):
    """The task declared under `name`; a name nobody declared is a programming error."""
    try:
        return _TASKS[name]
    except KeyError:
        raise LookupError(f"no background task is declared as {name!r} "
                          "(its app's tasks module must be imported by AppConfig.ready())") from None


def runs_inline() -> bool:
    """True when dispatch runs the task before it returns (no broker and JOBS_EAGER_MODE=inline)."""
    return settings.CELERY_TASK_ALWAYS_EAGER and settings.JOBS_EAGER_MODE == "inline"


def start_thread(fn: Callable[[], object], *, name: str) -> threading.Thread:
    """Run fn() in a daemon thread with its own database connection (closed when it ends)."""
    def target():
        close_old_connections()
        try:
            fn()
        finally:
            close_old_connections()

    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread


def dispatch(name: str, *args, **kwargs) -> None:
    """Run the task declared as `name` with these arguments off the request: queued to Celery
    (settings.JOBS_QUEUE), else in a thread, else inline. A broker that cannot take the task
    raises here; the caller decides what that means for its user."""
    declared = registered(name)
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        declared.apply_async(args, kwargs, queue=getattr(settings, "JOBS_QUEUE", "celery"))
    elif runs_inline():
        declared(*args, **kwargs)
    else:
        # the thread is named after the app and the first argument: "sms-42", "jobs-<job id>"
        start_thread(lambda: declared(*args, **kwargs), name=f"{name.partition('.')[0]}-{args[0] if args else ''}")
