"""The plan regrade is set-based (docs/decisions.md#regrade-decode: 10,000 papers ≤ 5 s): the number of queries does
not grow with the number of attempts. It fails when grading goes per attempt again (a query per
score, per paper or per attempt's answers)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from core.roles import Role
from exams.services import answers_save, attempt_open_session, attempt_start, attempt_submit
from exams.tests.factories import open_plan, rules_for, sitting
from papers.selectors import answer_key, paper_for_registration
from questions.tests.factories import make_bank
from results.models import QuestionCorrection, Score
from results.services import plan_regrade

pytestmark = pytest.mark.django_db


def _sit(plan, n: int, start: int) -> list:
    """n more candidates sit the plan, each answering every question right, and submit."""
    versions = []
    for i in range(start, start + n):
        user = User.objects.create_user(f"t_regrade_{i}", role=Role.CANDIDATE)
        registration = sitting(plan, user=user, person__name=f"考生{i}")
        attempt = attempt_start(registration=registration, acting_user=user)
        token = attempt_open_session(attempt=attempt)
        key = answer_key(paper_for_registration(registration))
        answers_save(attempt=attempt, token=token, acting_user=user,
                     raw_items=[{"position": e.position, "answer": e.displayed, "seq": e.position} for e in key])
        attempt_submit(attempt=attempt, token=token, acting_user=user)
        versions.extend(e.version_id for e in key)
    return versions


def _queries(plan, central) -> int:
    with CaptureQueriesContext(connection) as captured:
        plan_regrade(plan=plan, acting_user=central)
    return len(captured)


def test_the_regrade_reads_and_writes_in_a_fixed_number_of_queries(world):
    make_bank(world.central, per_cell=4)
    rules_for(world.central)
    plan = open_plan()
    versions = _sit(plan, 2, 0)
    QuestionCorrection.objects.create(plan=plan, version_id=versions[0], kind="void", reason="题干有误",
                                      created_by=world.central)
    few = _queries(plan, world.central)
    _sit(plan, 4, 2)
    Score.objects.filter(plan=plan).update(total=0)  # every score changes: each is written back
    many = _queries(plan, world.central)
    assert Score.objects.filter(plan=plan).count() == 6
    assert many == few, (few, many)
    # corrections, scores, papers, draws, answers, versions, the unchanged scores' earned, one
    # UPDATE per batch, the audit row, and the savepoint around them
    assert many <= 12, many
