import pytest
from stdnum.cn import ric

from candidates.tests.factories import RegistrationFactory
from people.tests.factories import make_resident_id
from plans.rules import Phase, phase, roster_open

pytestmark = pytest.mark.django_db


def test_generated_ids_are_valid_and_distinct():
    ids = {make_resident_id(i) for i in range(3000)}
    assert len(ids) == 3000 and all(ric.is_valid(i) for i in ids)


def test_registration_factory_builds_a_scoped_registration(world):
    reg = RegistrationFactory()
    assert reg.region == reg.plan.region == world.region_a
    assert reg.candidate_number == f"{reg.plan.batch_no}00001"
    assert roster_open(reg.plan) and phase(reg.plan) == Phase.IMPORTABLE
