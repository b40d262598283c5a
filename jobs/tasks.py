from celery import shared_task

from .services import job_run


@shared_task(name="jobs.run_job")
def run_job(job_id: str, func_path: str, kwargs: dict) -> None:
    job_run(job_id, func_path, kwargs)
