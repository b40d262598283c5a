"""The background job for files above BACKGROUND_THRESHOLD rows (jobs app: Celery, a thread, or
inline in tests). It calls the same service as the page and reports progress to the job."""

from django.urls import reverse

from accounts.models import User
from candidates.models import ImportRun
from core.errors import ApplicationError
from core.spreadsheets.runs import run_set_status
from jobs.services import job_finish, job_progress

from .choices import RunStatus
from .services import import_execute


def run_import(*, job, run_id: int, user_id: int) -> None:
    run = ImportRun.objects.select_related("plan").get(pk=run_id)
    user = User.objects.get(pk=user_id)
    run_set_status(run, RunStatus.RUNNING)
    url = reverse("candidates:import_run", args=[run.pk])

    def progress(done: int, total: int, message: str) -> None:
        job_progress(job, done=done, total=total, message=message)

    try:
        run = import_execute(run=run, acting_user=user, progress=progress)
    except ApplicationError as exc:
        # refused (the plan stopped accepting imports, the file is gone) or failed: import_execute
        # has marked the run and logged any traceback; the run says why
        job_finish(job, result={"status": "rejected" if exc.code != "import_failed" else "failed"},
                   message=exc.message, result_url=url)
        return
    job_finish(
        job,
        result={"created": run.created_count, "existing": run.existing_count, "failed": run.failed_count,
                "warnings": run.warning_count},
        message=run.message, result_url=url,
    )
