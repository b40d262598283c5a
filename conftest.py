import pytest

from core.testing import make_world


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
