import pytest

from exams.tests.factories import open_plan, rules_for, sitting
from questions.tests.factories import make_bank


@pytest.fixture
def bank(world):
    return make_bank(world.central, per_cell=4)


@pytest.fixture
def rule(world, bank):
    return rules_for(world.central)


@pytest.fixture
def plan(rule):
    """继续教育(线上) in 北京, started 5 minutes ago, 90 minutes long."""
    return open_plan()


@pytest.fixture
def registration(world, plan):
    """world.candidate's registration in `plan`, paper drawn."""
    return sitting(plan, user=world.candidate, person__name="王建国")
