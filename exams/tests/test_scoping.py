"""Every exams view through testing.scoping.assert_scoping: the exam pages are the candidate's own
(central and regions 403, another candidate 404: exams/tests/test_views.py)."""

import json

import pytest
from django.urls import reverse

from core.roles import Role
from exams.models import Answer, Attempt
from exams.services import attempt_open_session, attempt_start
from testing.scoping import ScopeCase, assert_scoping

pytestmark = pytest.mark.django_db
CANDIDATE = {Role.CANDIDATE}
JSON = {"content_type": "application/json"}


@pytest.fixture
def started(world, registration):
    attempt = attempt_start(registration=registration, acting_user=world.candidate)
    attempt_open_session(attempt=attempt)
    return Attempt.objects.get(pk=attempt.pk)


def _nothing_saved():
    assert not Answer.objects.exists()


def _not_started():
    assert not Attempt.objects.filter(state="in_progress").exists()


def _still_open(attempt):
    def check():
        assert Attempt.objects.get(pk=attempt.pk).state == "in_progress"

    return check


def test_sit_scoping(client, world, registration):
    assert_scoping(client, world, ScopeCase(url=reverse("exams:sit", args=[registration.pk]), roles=CANDIDATE))


def test_start_scoping(client, world, registration):
    assert_scoping(client, world, ScopeCase(url=reverse("exams:start", args=[registration.pk]), method="post",
                                            roles=CANDIDATE,
                                            unchanged=_not_started))


def test_save_scoping(client, world, started):
    assert_scoping(client, world, ScopeCase(
        url=reverse("exams:save", args=[started.pk]), method="post", roles=CANDIDATE, extra=JSON,
        data=json.dumps({"token": started.session_token, "answers": [{"position": 1, "answer": "A", "seq": 1}]}),
        unchanged=_nothing_saved))


def test_clock_scoping(client, world, started):
    assert_scoping(client, world, ScopeCase(url=reverse("exams:clock", args=[started.pk]), roles=CANDIDATE,
                                            data={"token": started.session_token}))


def test_submit_scoping(client, world, started):
    assert_scoping(client, world, ScopeCase(
        url=reverse("exams:submit", args=[started.pk]), method="post", roles=CANDIDATE, extra=JSON,
        data=json.dumps({"token": started.session_token}),
        unchanged=_still_open(started)))


def test_monitor_scoping(client, world, registration):
    from exams.tests.factories import open_plan

    open_plan(region=world.region_b)  # 广东's own plan, listed for its 管局
    assert_scoping(client, world, ScopeCase(url=reverse("exams:monitor"), hidden_text=registration.plan.batch_no))


def test_monitor_plan_scoping(client, world, registration):
    assert_scoping(client, world, ScopeCase(url=reverse("exams:monitor_plan", args=[registration.plan_id]),
                                            owner_region=world.region_a))


def test_unlock_scoping(client, world, bank):
    from exams.tests.factories import open_plan, rules_for, sitting

    rules_for(world.central, exam_type="new_online")
    registration = sitting(open_plan(exam_type="new_online"), user=world.candidate)

    def still_locked():
        assert not Attempt.objects.filter(unlocked_at__isnull=False).exists()

    assert_scoping(client, world, ScopeCase(url=reverse("exams:unlock", args=[registration.pk]), method="post",
                                            owner_region=world.region_a, unchanged=still_locked))


def test_extend_scoping(client, world, started):
    def unchanged():
        assert Attempt.objects.get(pk=started.pk).extension_minutes == 0

    assert_scoping(client, world, ScopeCase(
        url=reverse("exams:extend", args=[started.plan_id]), method="post", roles={Role.CENTRAL},
        data={"registration": started.registration_id, "minutes": 10, "reason": "考点断电"}, unchanged=unchanged))
    assert Attempt.objects.get(pk=started.pk).extension_minutes == 10


def test_entry_rules_scoping(client, world):
    from exams.models import EntryRule

    assert_scoping(client, world, ScopeCase(url=reverse("exams:entry_rules"), roles={Role.CENTRAL}))
    assert_scoping(client, world, ScopeCase(
        url=reverse("exams:entry_rules"), method="post", roles={Role.CENTRAL},
        data={"exam_type": "new_online", "late_entry_minutes": 20, "grace_seconds": 60},
        unchanged=lambda: None if not EntryRule.objects.exists() else pytest.fail("changed")))
    assert EntryRule.objects.get(exam_type="new_online").late_entry_minutes == 20


def test_entry_networks_scoping(client, world, bank):
    from exams.models import PlanEntryNetwork
    from exams.tests.factories import open_plan, rules_for, sitting

    rules_for(world.central, exam_type="new_online")
    registration = sitting(open_plan(exam_type="new_online"), user=world.candidate)
    url = reverse("exams:entry_networks", args=[registration.plan_id])
    assert_scoping(client, world, ScopeCase(url=url, owner_region=world.region_a))

    def unchanged():
        assert not any(row.networks for row in PlanEntryNetwork.objects.all())

    assert_scoping(client, world, ScopeCase(url=url, method="post", data={"networks": "10.20.0.0/16"},
                                            owner_region=world.region_a, unchanged=unchanged))
    assert PlanEntryNetwork.objects.get(plan=registration.plan).networks == ["10.20.0.0/16"]
