import pytest

from questions.tests.factories import make_bank

from .factories import offline_plan, offline_rules, register, seat


@pytest.fixture
def bank(world):
    return make_bank(world.central, per_cell=4)


@pytest.fixture
def rule(world, bank):
    return offline_rules(world.central)


@pytest.fixture
def plan(rule):
    """新取证(线下) of 北京, ended half an hour ago."""
    return offline_plan()


@pytest.fixture
def regs(plan):
    return register(plan, 12)


@pytest.fixture
def seated(world, plan, regs):
    seat(plan, world.admin_a)
    return plan
