"""After load_demo the demo candidate can sit an exam of each online mode at once (docs/decisions.md#demo-exams)."""

import pytest
from django.core.management import call_command

from exams.choices import AttemptState
from exams.demo import _open_for_entry
from exams.services import attempt_start, entry_code_for
from papers.selectors import paper_for_registration
from plans.choices import ExamType
from plans.models import ExamPlan

pytestmark = pytest.mark.django_db


def test_the_demo_candidate_can_start_each_online_mode_at_once():
    from django.utils import timezone

    from candidates.demo import _demo_candidate

    call_command("load_demo", stdout=open("/dev/null", "w"))
    plans = ExamPlan.objects.count()
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert ExamPlan.objects.count() == plans  # nothing new while the first ones are open
    person = _demo_candidate()
    for exam_type in (ExamType.CONTINUING_ONLINE, ExamType.NEW_ONLINE):
        registration = _open_for_entry(person, exam_type, timezone.now())
        assert registration is not None and paper_for_registration(registration) is not None
        assert paper_for_registration(registration).items
        code = None
        if exam_type == ExamType.NEW_ONLINE:  # centralized: the room's code from the 管局's monitor
            code = entry_code_for(plan=registration.plan, acting_user=registration.plan.applicant).code
        if exam_type == ExamType.CONTINUING_ONLINE:  # remote: the demo asks for the consent first
            from core.errors import ApplicationError
            from exams.tests.factories import give_consent

            with pytest.raises(ApplicationError, match="须同意摄像头抓拍"):
                attempt_start(registration=registration, acting_user=person.user)
            give_consent(registration)
        attempt = attempt_start(registration=registration, acting_user=person.user, entry_code=code)
        assert attempt.state == AttemptState.IN_PROGRESS
        assert registration.plan.registrations.count() > 1  # others to watch on the monitor


def test_the_demo_candidate_has_a_pretest_to_take_and_the_region_sees_results():
    from django.utils import timezone

    from candidates.demo import _demo_candidate
    from exams import pretest_services
    from exams.choices import InfoStatus, PretestStatus
    from exams.models import Pretest
    from exams.selectors import next_steps

    call_command("load_demo", stdout=open("/dev/null", "w"))
    call_command("load_demo", stdout=open("/dev/null", "w"))
    person = _demo_candidate()
    now = timezone.now()
    upcoming = [r for r in person.registrations.select_related("plan") if pretest_services.pretest_is_open(r.plan, now)]
    assert upcoming and pretest_services.practice_available()
    steps = next_steps(upcoming, now=now)
    assert any(steps[r.pk]["step"] == "完成考前测试" for r in upcoming)
    # the candidate can take it: confirm, practise
    registration = upcoming[0]
    pretest_services.pretest_info_confirm(registration=registration, acting_user=person.user)
    pretest_services.practice_start(registration=registration, acting_user=person.user)
    others = Pretest.objects.exclude(registration__person=person)
    assert others.count() == 6  # once, not again on the second run
    assert others.filter(status=PretestStatus.PASSED).exists() and others.filter(status=PretestStatus.FAILED).exists()
    assert others.filter(info_status=InfoStatus.REPORTED).count() == 1
