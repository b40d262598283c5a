import pytest

from papers.tests.factories import make_rule
from plans.choices import ExamType
from questions.tests.factories import make_bank
from review.demo import build_ended_plan


@pytest.fixture
def exam_bank(world):
    """60 questions (2 areas × 3 types × 10) and a 继续教育(线上) rule of 30 for A, B and C."""
    make_bank(world.central, per_cell=10)
    return make_rule(world.central, name="测试规则", exam_type=ExamType.CONTINUING_ONLINE, personnel_types="ABC",
                     per_cell=5)


@pytest.fixture(autouse=True)
def fixed_paper_seeds(monkeypatch):
    """Papers are drawn from random seeds; the simulated plans of these tests draw them from a
    fixed sequence so that what the check finds is the same on every run."""
    import random

    from papers import drawing

    rng = random.Random(15)
    monkeypatch.setattr(drawing, "new_seed", lambda: rng.getrandbits(63))


@pytest.fixture
def built(world, exam_bank):
    """An ended plan of 北京 with 60 simulated candidates, a planted real-time copying pair (one IP)
    and one candidate answering faster than readable."""
    return build_ended_plan(region=world.region_a, central=world.central, admin=world.admin_a, n=60, seed=7)
