"""core.db.bulk_update_rows stores what a model save stores (the regrade writes scores with it)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from core.db import bulk_update_rows
from exams.models import Attempt
from results.models import Score

pytestmark = pytest.mark.django_db


def test_bulk_update_rows_matches_a_model_save(world):
    from candidates.tests.factories import RegistrationFactory

    registration = RegistrationFactory()
    attempt = Attempt.objects.create(registration=registration, plan=registration.plan, region=registration.region)
    now = timezone.now().replace(microsecond=123456)
    score = Score.objects.create(attempt=attempt, plan=registration.plan, total=0, pass_mark=60, passed=False,
                                 graded_at=now)
    earned = {"1": "1.0", "2": "0", "10": "0.5", "引号\"": "x"}
    later = now + datetime.timedelta(minutes=5)
    assert bulk_update_rows(Score, ["total", "passed", "earned", "regraded_at", "correct"],
                            [(score.pk, Decimal("72.5"), True, earned, later, 7)]) == 1
    score.refresh_from_db()
    assert (score.total, score.passed, score.earned, score.regraded_at, score.correct) == (
        Decimal("72.5"), True, earned, later, 7)
    assert score.pass_mark == Decimal("60") and score.graded_at == now  # other columns untouched
    assert bulk_update_rows(Score, ["total"], []) == 0
