"""Running long work in the background with progress the user can watch.

`job_create` records the job; `job_enqueue` runs a function `module.path:function(job=..., **kwargs)`
through the task "jobs.run_job" (jobs/tasks.py) and core.background.dispatch: Celery when a
broker is configured, otherwise a thread (`make run`, so the page can be left and progress
polled) or inline (tests, JOBS_EAGER_MODE=inline). The function reports
progress with `job_progress` and finishes with `job_finish`; an exception marks the job failed
with a message and never leaves it "running"."""

import importlib
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import background

from .models import Job, JobStatus

log = logging.getLogger(__name__)

QUEUE_DOWN_MESSAGE = "后台任务服务暂时不可用，任务未能开始，未生成任何文件；请稍后重试或联系系统管理员"


def job_create(*, kind: str, title: str, acting_user, region=None, total: int = 0) -> Job:
    return Job.objects.create(kind=kind, title=title, created_by=acting_user, region=region, total=total)


def job_progress(job: Job, *, done: int, total: int | None = None, message: str = "") -> None:
    """Write progress in its own statement, outside the caller's transaction semantics."""
    fields = {"done": done}
    if total is not None:
        fields["total"] = total
    if message:
        fields["message"] = message[:500]
    Job.objects.filter(pk=job.pk).update(**fields)
    for key, value in fields.items():
        setattr(job, key, value)


def job_finish(job: Job, *, result=None, message: str = "", file_path: str = "", filename: str = "",
               result_url: str = "") -> None:
    job.status = JobStatus.DONE
    job.result = result
    job.message = message[:500] or job.message
    job.done = job.total or job.done
    job.finished_at = timezone.now()
    if file_path:
        job.result_file.name = file_path
        job.result_filename = filename
    if result_url:
        job.result_url = result_url
    job.save()


def _resolve(func_path: str):
    module, _, name = func_path.partition(":")
    return getattr(importlib.import_module(module), name)


def job_run(job_id, func_path: str, kwargs: dict) -> None:
    """Run the job's function; the Celery task, the thread and the inline mode all call this."""
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    job.status = JobStatus.RUNNING
    try:
        _resolve(func_path)(job=job, **kwargs)
    except Exception as exc:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        message = getattr(exc, "message", None) or "任务执行失败，请稍后重试或联系部中心"
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, message=str(message)[:500], finished_at=timezone.now()
        )
        if settings.JOBS_EAGER_MODE == "inline" and settings.CELERY_TASK_ALWAYS_EAGER and getattr(
            settings, "JOBS_RAISE_IN_TESTS", False
        ):
            raise
        return
    job.refresh_from_db()
    if job.status == JobStatus.RUNNING:  # the function did not call job_finish itself
        job_finish(job)


def job_enqueue(job: Job, func_path: str, **kwargs) -> Job:
    """Start the job once the current transaction commits (the job row must be visible); inline
    (tests) it runs at once. core.background.dispatch chooses Celery, a thread or inline."""
    _resolve(func_path)  # fail now, not in the worker, if the path is wrong
    args = (str(job.pk), func_path, kwargs)
    if background.runs_inline():
        background.dispatch("jobs.run_job", *args)
        job.refresh_from_db()
        return job

    def send():
        try:
            background.dispatch("jobs.run_job", *args)
        except Exception:  # the broker is down: the job says so instead of waiting forever
            log.exception("job %s could not be queued", job.pk)
            Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, message=QUEUE_DOWN_MESSAGE,
                                                 finished_at=timezone.now())

    transaction.on_commit(send)
    return job


def job_download_record(*, job: Job, acting_user) -> None:
    """Each download of a job's file goes to the audit log (exports may hold full values)."""
    from audit.actions import Action
    from audit.services import audit_record

    audit_record(actor=acting_user, action=Action.JOB_DOWNLOAD, obj=job, region=job.region_id,
                 message=f"下载任务文件：{job.title}（{job.result_filename}）")
