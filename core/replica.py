"""Reads that may come from a PostgreSQL streaming replica (docs/deploy.md).

With DATABASE_REPLICA_URL set, settings add the database alias "replica" and this router. Reads
go to the replica only inside `replica_reads()`, which the heavy reads that do not need the last
second wrap around their fetching: the background exports of the candidate list and the 成绩单.
Everything else — every write, every read of a request, a job's own progress row — stays on the
primary, so a replica seconds behind cannot show a page its own last change missing. Without
the setting nothing changes: there is no "replica" alias and the router answers None."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_reading = ContextVar("reads_from_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads():
    """Reads inside go to the replica when one is configured (writes never do)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading.get() and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return None  # the primary ("default")

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the primary's rows: objects read from either relate

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA  # a replica follows the primary's schema; never migrated itself
