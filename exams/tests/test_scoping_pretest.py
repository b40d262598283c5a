"""Every 考前测试 view through testing.scoping.assert_scoping: the candidate's pages are their own
(administrators 403; another candidate 404 in test_pretest_views), the per-plan pages and the
handling of a report are the plan's region's and central's (another region 404)."""

import json

import pytest
from django.urls import reverse

from candidates.tests.factories import RegistrationFactory
from core.roles import Role
from exams import pretest_services as services
from exams.choices import InfoStatus
from exams.models import DeviceCheck, PracticePaper, Pretest
from plans.choices import ExamType
from plans.tests.factories import ExamPlanFactory
from testing.scoping import ScopeCase, assert_scoping

pytestmark = pytest.mark.django_db
CANDIDATE = {Role.CANDIDATE}
JSON = {"content_type": "application/json"}


@pytest.fixture
def remote(world):
    plan = ExamPlanFactory(exam_type=ExamType.CONTINUING_ONLINE)
    return RegistrationFactory(plan=plan, person__user=world.candidate)


@pytest.fixture
def check(world, remote):
    return services.device_check_start(registration=remote, acting_user=world.candidate, user_agent="Chrome/126",
                                       ip=None)


def _nothing(model):
    def check():
        assert not model.objects.exists()

    return check


def test_pretest_scoping(client, world, remote):
    assert_scoping(client, world, ScopeCase(url=reverse("exams:pretest", args=[remote.pk]), roles=CANDIDATE))


def test_pretest_info_scoping(client, world, remote):
    url = reverse("exams:pretest_info", args=[remote.pk])
    assert_scoping(client, world, ScopeCase(url=url, roles=CANDIDATE))

    def unconfirmed():
        assert not Pretest.objects.filter(info_status=InfoStatus.CONFIRMED).exists()

    assert_scoping(client, world, ScopeCase(url=url, method="post", data={"action": "confirm"}, roles=CANDIDATE,
                                            unchanged=unconfirmed))
    assert Pretest.objects.get(registration=remote).info_status == InfoStatus.CONFIRMED


def test_pretest_device_scoping(client, world, remote):
    url = reverse("exams:pretest_device", args=[remote.pk])
    assert_scoping(client, world, ScopeCase(url=url, roles=CANDIDATE))
    assert_scoping(client, world, ScopeCase(url=url, method="post", roles=CANDIDATE, unchanged=_nothing(DeviceCheck)))


def test_device_ping_scoping(client, world, check):
    assert_scoping(client, world, ScopeCase(url=reverse("exams:device_ping", args=[check.pk]), roles=CANDIDATE))


def test_device_save_scoping(client, world, check):
    def unsaved():
        assert DeviceCheck.objects.get(pk=check.pk).save_received_at is None

    assert_scoping(client, world, ScopeCase(url=reverse("exams:device_save", args=[check.pk]), method="post",
                                            data=json.dumps({}), extra=JSON, roles=CANDIDATE, unchanged=unsaved))


def test_device_finish_scoping(client, world, check):
    def unfinished():
        assert DeviceCheck.objects.get(pk=check.pk).finished_at is None

    assert_scoping(client, world, ScopeCase(url=reverse("exams:device_finish", args=[check.pk]), method="post",
                                            data=json.dumps({"rtt_ms": 10, "clock_offset_ms": 0}), extra=JSON,
                                            roles=CANDIDATE, unchanged=unfinished))
    assert DeviceCheck.objects.get(pk=check.pk).finished_at is not None


@pytest.fixture
def demo_bank(world):
    from questions.models import Question
    from questions.tests.factories import make_bank

    make_bank(world.central, per_cell=6)
    Question.objects.update(is_demo=True)


def test_pretest_practice_scoping(client, world, remote, demo_bank):
    url = reverse("exams:pretest_practice", args=[remote.pk])
    assert_scoping(client, world, ScopeCase(url=url, method="post", roles=CANDIDATE, unchanged=_nothing(PracticePaper)))
    assert_scoping(client, world, ScopeCase(url=url, roles=CANDIDATE))


def test_practice_submit_scoping(client, world, remote, demo_bank):
    practice = services.practice_start(registration=remote, acting_user=world.candidate)

    def unsubmitted():
        assert PracticePaper.objects.get(pk=practice.pk).submitted_at is None

    assert_scoping(client, world, ScopeCase(url=reverse("exams:practice_submit", args=[practice.pk]), method="post",
                                            data={"q1": "A"}, roles=CANDIDATE, unchanged=unsubmitted))
    assert PracticePaper.objects.get(pk=practice.pk).submitted_at is not None


def test_pretest_plans_scoping(client, world, remote):
    assert_scoping(client, world, ScopeCase(url=reverse("exams:pretest_plans"), hidden_text=remote.plan.batch_no))


def test_pretest_plan_scoping(client, world, remote):
    assert_scoping(client, world, ScopeCase(url=reverse("exams:pretest_plan", args=[remote.plan_id]),
                                            owner_region=world.region_a))


def test_pretest_notice_scoping(client, world, remote):
    from audit.models import AuditLog

    def not_sent():
        assert not AuditLog.objects.filter(action="plan.notice").exists()

    assert_scoping(client, world, ScopeCase(url=reverse("exams:pretest_notice", args=[remote.plan_id]), method="post",
                                            owner_region=world.region_a, unchanged=not_sent, try_allowed=False))
    client.force_login(world.admin_a)
    client.post(reverse("exams:pretest_notice", args=[remote.plan_id]))
    assert AuditLog.objects.filter(action="plan.notice").count() == 1


def test_pretest_resolve_scoping(client, world, remote):
    services.pretest_info_report(registration=remote, fields=["name"], note="姓名有误", acting_user=world.candidate)

    def unhandled():
        assert Pretest.objects.get(registration=remote).info_status == InfoStatus.REPORTED

    assert_scoping(client, world, ScopeCase(url=reverse("exams:pretest_resolve", args=[remote.pk]), method="post",
                                            data={"resolution": "verified", "note": ""}, owner_region=world.region_a,
                                            unchanged=unhandled))
    assert Pretest.objects.get(registration=remote).info_status == InfoStatus.RESOLVED
