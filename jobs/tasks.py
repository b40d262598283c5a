from core.background import task

from . import services


@task("jobs.run_job")
def run_job(job_id: str, func_path: str, kwargs: dict) -> None:
    services.job_run(job_id, func_path, kwargs)
