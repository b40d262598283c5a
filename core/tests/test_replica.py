"""core.replica: reads go to the replica only inside replica_reads() and only when one is
configured; writes and migrations never do."""

from core import replica
from core.replica import REPLICA, ReplicaRouter, replica_reads


def test_reads_go_to_the_replica_only_inside_the_block_and_only_when_there_is_one(monkeypatch):
    router = ReplicaRouter()
    assert router.db_for_read(None) is None
    with replica_reads():
        assert router.db_for_read(None) is None  # no replica configured: the primary
    assert not replica.replica_configured()  # the tests have no "replica" alias
    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    assert router.db_for_read(None) is None
    with replica_reads():
        assert router.db_for_read(None) == REPLICA
        assert router.db_for_write(None) is None
        with replica_reads():
            pass
        assert router.db_for_read(None) == REPLICA  # a nested block leaves the outer one as it was
    assert router.db_for_read(None) is None
    assert router.allow_migrate("default", "candidates") and not router.allow_migrate(REPLICA, "candidates")
