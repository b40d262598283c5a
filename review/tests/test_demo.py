"""The demo's ended plan (docs/decisions.md#review-demo): a few hundred simulated candidates on papers drawn from the
demo bank, graded, with the check computed; the planted pair and the fast candidate are found."""

import io

import pytest

from exams.choices import AttemptState
from exams.models import AnswerLog, Attempt
from plans.models import ExamPlan
from results.models import Score
from review import demo
from review.choices import ReviewStatus
from review.models import PairFlag, PlanReview, ReviewCandidate

pytestmark = pytest.mark.django_db


def test_the_demo_plan_is_ready_for_the_check_and_loads_once():
    import accounts.demo
    import papers.demo
    import questions.demo

    out = io.StringIO()
    for module in (accounts.demo, questions.demo, papers.demo):
        module.load(out)
    lines = demo.load(out)
    plan = ExamPlan.objects.get(review_note=demo.DEMO_NOTE)
    assert plan.batch_no in lines[0]
    attempts = Attempt.objects.filter(plan=plan)
    assert attempts.count() == demo.DEMO_CANDIDATES
    assert set(attempts.values_list("state", flat=True)) == {AttemptState.GRADED}
    assert Score.objects.filter(plan=plan).count() == demo.DEMO_CANDIDATES
    assert AnswerLog.objects.filter(attempt__plan=plan).count() > demo.DEMO_CANDIDATES * 50
    review = PlanReview.objects.get(plan=plan)
    assert review.status == ReviewStatus.READY
    pair = PairFlag.objects.filter(review=review, flagged=True).order_by("p_value").first()
    planted = ReviewCandidate.objects.filter(review=review, flag_similar=True, flag_shared_ip=True)
    assert pair is not None and {pair.attempt_a_id, pair.attempt_b_id} == set(planted.values_list("attempt_id",
                                                                                                   flat=True))
    assert ReviewCandidate.objects.filter(review=review, flag_fast=True).exists()
    logins = [a for a in attempts.select_related("registration__person") if a.registration.person.user_id]
    assert len(logins) == 1 and logins[0].pk in (pair.attempt_a_id, pair.attempt_b_id)
    assert logins[0].pk != pair.likely_source_id  # the copier, not the one copied from
    assert logins[0].registration.person.id_number in lines[1]
    # the copier's attempt holds a snapshot without a face, noted so by the real face check
    from proctoring.choices import SnapshotNote
    from proctoring.models import Snapshot

    assert list(Snapshot.objects.filter(attempt=logins[0]).values_list("note", flat=True)) == [SnapshotNote.NO_FACE]
    demo.load(out)  # again: nothing new
    assert ExamPlan.objects.filter(review_note=demo.DEMO_NOTE).count() == 1
    assert Snapshot.objects.filter(attempt__plan=plan).count() == 1
