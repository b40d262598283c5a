from celery import shared_task

from .services import papers_generate_due


@shared_task(name="papers.generate_due")
def generate_due_papers() -> int:
    """Celery beat (CELERY_BEAT_SCHEDULE): draw the papers of every plan whose roster froze."""
    return len(papers_generate_due())
