from core.background import task

from . import direct
from .services import snapshot_analyse, snapshots_analyse_pending, snapshots_purge_expired


@task("proctoring.analyse_snapshot")
def analyse_snapshot(snapshot_id: int) -> str:
    """The automatic note of one snapshot, queued after its upload commits
    (core.background.dispatch: Celery, or a thread or inline without a broker)."""
    return snapshot_analyse(snapshot_id)


@task("proctoring.analyse_pending")
def analyse_pending() -> int:
    """Celery beat: snapshots whose queued analysis was lost (a worker down) are analysed again."""
    return snapshots_analyse_pending()


@task("proctoring.purge_expired")
def purge_expired() -> int:
    """Celery beat (CELERY_BEAT_SCHEDULE `proctoring-purge-expired`): delete snapshots past the
    retention (PROCTORING_SNAPSHOT_RETENTION_DAYS, default 180), audited as a count."""
    return snapshots_purge_expired()


@task("proctoring.ingest_direct")
def ingest_direct() -> dict[str, int]:
    """Celery beat: take in the snapshots nginx wrote into the inbox (proctoring.direct); nothing
    to do unless PROCTORING_DIRECT_UPLOAD_PREFIX is set."""
    return direct.inbox_ingest() if direct.enabled() else {}
