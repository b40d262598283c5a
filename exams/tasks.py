from celery import shared_task

from .services import attempts_close_due


@shared_task(name="exams.close_due")
def close_due_attempts() -> dict:
    """Celery beat (CELERY_BEAT_SCHEDULE): submit and grade every attempt past its deadline +
    grace, mark 缺考 those never started."""
    return attempts_close_due()
