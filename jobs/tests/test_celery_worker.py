"""The production path: a job sent through Redis to a real Celery worker process, which writes
its progress to the same PostgreSQL database. Needs REDIS_URL and PostgreSQL (the second half
of .ci/run); on the embedded default there is no broker to test, so it is skipped there."""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection

from jobs.models import Job, JobStatus
from jobs.services import job_create, job_enqueue

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs a Redis broker (runs in the PostgreSQL + Redis pass)")
def test_a_real_worker_runs_a_job_through_redis(world, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database it can share (PostgreSQL)")
    from config.celery import app

    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "JOBS_EAGER_MODE": "inline",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-Q", queue,
         "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.JOBS_QUEUE = queue
        app.conf.task_always_eager = False
        app.conf.broker_url = settings.CELERY_BROKER_URL
        job = job_create(kind="test", title="worker", acting_user=world.admin_a, region=world.region_a)
        job_enqueue(job, "jobs.tests.test_jobs:count_to", n=3)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.finished:
                break
            time.sleep(0.3)
        assert job.status == JobStatus.DONE, f"job ended {job.status}: {job.message}"
        assert job.result == {"counted": 3}
        assert Job.objects.get(pk=job.pk).done == 3
    finally:
        app.conf.task_always_eager = True
        worker.terminate()
        try:
            out, _ = worker.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            out = ""
        if os.environ.get("SHOW_WORKER_LOG"):
            print(out)
