"""core.scoping's declared extra paths: an app declares rows a regional administrator sees beyond
its region, and visible_to and get_visible_or_404 both apply the declaration."""

import pytest
from django.http import Http404

from core.scoping import _REGIONAL_EXTRA, declare_regional_extra, get_visible_or_404, regional_extras
from regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def declared():
    """Regions declare, for the test only, that a regional administrator also sees 广东 (44)."""
    from django.db.models import Q

    def also_guangdong(user):
        return Q(code="44")

    saved = dict(_REGIONAL_EXTRA)
    declare_regional_extra("regions.Region", also_guangdong)
    declare_regional_extra("regions.Region", also_guangdong)  # twice: still one rule
    yield also_guangdong
    _REGIONAL_EXTRA.clear()
    _REGIONAL_EXTRA.update(saved)


def test_a_declared_path_widens_visible_to_and_get_visible_or_404(world, declared):
    assert regional_extras(Region) == (declared,)
    assert set(Region.objects.visible_to(world.admin_a).values_list("code", flat=True)) == {"11", "44"}
    assert get_visible_or_404(Region, world.admin_a, code="44") == world.region_b
    with pytest.raises(Http404):
        get_visible_or_404(Region, world.admin_a, code="31")


def test_a_declared_path_gives_a_candidate_or_an_inactive_administrator_nothing(world, declared):
    assert not Region.objects.visible_to(world.candidate).exists()
    world.admin_a.is_active = False
    assert not Region.objects.visible_to(world.admin_a).exists()


def test_without_a_declaration_a_region_sees_only_its_own(world):
    assert regional_extras(Region) == ()
    with pytest.raises(Http404):
        get_visible_or_404(Region, world.admin_a, code="44")


def test_the_audit_log_person_path_is_declared_by_the_candidates_app():
    from audit.models import AuditLog
    from candidates.scoping import audit_rows_of_persons_registered_here

    assert regional_extras(AuditLog) == (audit_rows_of_persons_registered_here,)
