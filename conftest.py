import pytest

from testing.world import ensure_reference_data, make_world

# the scoping-coverage verdict at the end of a full run (testing/scoping_coverage.py)
pytest_plugins = ["testing.scoping_coverage"]


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Regions, 证件类型 and other migration-loaded rows exist in every database test, even
    after a transactional (browser) test on the same worker flushed them."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    )
    if uses_db:
        request.getfixturevalue("_django_db_helper")
        ensure_reference_data()


@pytest.fixture
def world(db):
    """Two regions (北京 11, 广东 44), a central account, one administrator each and a candidate."""
    return make_world()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PROCTORING_SNAPSHOT_ROOT = tmp_path / "private" / "snapshots"
    settings.PROCTORING_INBOX_ROOT = tmp_path / "private" / "snapshot-inbox"
