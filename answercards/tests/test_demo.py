"""After load_demo there is a 新取证(线下) plan with its rooms and a scanner file that imports."""

import io

import pytest
from django.core.management import call_command

from answercards.demo import NOTE, sample_path
from answercards.importing.services import card_import_upload
from answercards.models import ExamRoom, Seat
from exams.choices import AttemptState
from exams.models import Attempt
from plans.models import ExamPlan

pytestmark = pytest.mark.django_db


def test_the_demo_plan_has_rooms_and_a_sample_file_that_imports(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    plan = ExamPlan.objects.get(review_note=NOTE)
    path = sample_path(plan)
    assert path.exists() and str(path).startswith(str(tmp_path))
    assert f"批次 {plan.batch_no}" in out.getvalue() and "答题卡扫描结果_" in out.getvalue()
    assert ExamRoom.objects.filter(plan=plan).count() == 3 and Seat.objects.filter(plan=plan).count() == 24
    call_command("load_demo", stdout=io.StringIO())
    assert ExamPlan.objects.filter(review_note=NOTE).count() == 1  # idempotent
    admin = plan.applicant
    run = card_import_upload(plan=plan, source=str(path), file_name=path.name, acting_user=admin)
    assert (run.created_count, run.failed_count) == (20, 2), run.errors
    messages = " ".join(e["message"] for e in run.errors)
    assert "发放的是" in messages and "作答共" in messages
    assert Attempt.objects.filter(plan=plan, state=AttemptState.GRADED).count() == 20
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_the_demo_walks_to_the_published_sheet(settings, tmp_path):
    """The path the demo offers after `make run`: import the sample file, close the scanning,
    the violation check finds the planted copier beside their source, decide, publish, and
    北京's 管局 reads the 成绩单 (another region's does not)."""
    from django.http import Http404

    from accounts.models import User
    from answercards.demo import copying_pair
    from answercards.services import scanning_close
    from core.roles import Role
    from results import selectors as results_selectors
    from review import services as review_services
    from review.choices import DecisionChoice
    from review.models import PairFlag
    from review.selectors import evidence_options, undecided_flagged

    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "结束扫描" in out.getvalue() and "成绩管理" in out.getvalue()  # the steps are printed
    plan = ExamPlan.objects.get(review_note=NOTE)
    central = User.objects.filter(role=Role.CENTRAL).order_by("pk").first()
    path = sample_path(plan)
    card_import_upload(plan=plan, source=str(path), file_name=path.name, acting_user=plan.applicant)
    assert scanning_close(plan=plan, acting_user=central) == 4  # two without a card, two failed rows
    review = review_services.review_start(plan=plan, acting_user=central)
    seats = list(Seat.objects.filter(plan=plan).select_related("registration").order_by("registration__candidate_number"))
    source, copier = copying_pair(seats)
    attempts = {Attempt.objects.get(registration=s.registration).pk for s in (source, copier)}
    # the planted pair is flagged (another pair may be too, depending on the papers drawn: every
    # flagged candidate gets a decision below)
    flagged = [{p.attempt_a_id, p.attempt_b_id} for p in PairFlag.objects.filter(review=review, flagged=True)]
    assert attempts in flagged, flagged
    copier_attempt = Attempt.objects.get(registration=copier.registration)
    from review.tests.test_services import cheating

    keys = [k for k, _label in evidence_options(review=review, attempt=copier_attempt)]
    review_services.decision_record(attempt=copier_attempt, choice=DecisionChoice.VIOLATION, category=cheating(),
                                    evidence_keys=keys[:1], note="答题卡与邻座雷同", seen_revision=0,
                                    acting_user=central)
    for attempt_id in undecided_flagged(review):
        review_services.decision_record(attempt=Attempt.objects.get(pk=attempt_id), choice=DecisionChoice.NORMAL,
                                        note="正常", seen_revision=0, acting_user=central)
    review_services.review_publish(plan=plan, acting_user=central)
    admin = plan.applicant
    assert plan in results_selectors.score_plans(fetched_by=admin)
    rows = {r[0]: r for r in map(results_selectors.sheet_cells, results_selectors.score_sheet_values(
        results_selectors.score_sheet(plan=plan, filters={}, fetched_by=admin)))}
    assert rows[copier.registration.candidate_number][7] == "违规作废"
    assert sum(1 for r in rows.values() if r[7] == "缺考") == 4
    other = User.objects.filter(role=Role.REGIONAL).exclude(region=plan.region).first()
    with pytest.raises(Http404):
        results_selectors.score_plan_get(plan_id=plan.pk, fetched_by=other)
