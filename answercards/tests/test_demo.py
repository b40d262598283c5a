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
