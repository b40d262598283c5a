import datetime

import pytest
from django.utils import timezone

from candidates.tests.factories import RegistrationFactory
from papers.tests.factories import make_rule
from plans.choices import ExamType
from plans.tests.factories import ExamPlanFactory
from questions.tests.factories import make_bank


@pytest.fixture
def bank(world):
    return make_bank(world.central, per_cell=6)


@pytest.fixture
def frozen_plan(world):
    """An approved 新取证(线上) plan starting in 30 hours: its roster is frozen, papers are due."""
    start = timezone.localtime() + datetime.timedelta(hours=30)
    return ExamPlanFactory(exam_type=ExamType.NEW_ONLINE, exam_date=start.date(), start_time=datetime.time(start.hour))


@pytest.fixture
def registrations(frozen_plan):
    return [RegistrationFactory(plan=frozen_plan, personnel_type=t) for t in "AABBC"]


@pytest.fixture
def rules(world, bank):
    return {t: make_rule(world.central, name=f"新取证 {t} 类", personnel_types=t) for t in "ABC"}
