"""Every plans view through testing.scoping.assert_scoping: anonymous, the wrong role, another
region's administrator (404, or a list without the other region's rows) and the right user."""

import datetime

import pytest
from django.urls import reverse

from core.roles import Role
from plans.choices import AuditStatus
from plans.models import ExamPlan, ExamTypeSetting
from plans.tests.factories import plan_via_services
from testing.scoping import ScopeCase, assert_scoping

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world):
    return plan_via_services(world.admin_a)


def _unchanged(plan):
    snapshot = ExamPlan.all_objects.values().get(pk=plan.pk)

    def check():
        assert ExamPlan.all_objects.values().get(pk=plan.pk) == snapshot

    return check


def test_list_scoping(client, world, plan):
    assert_scoping(client, world, ScopeCase(url=reverse("plans:list"), hidden_text=plan.batch_no))


def test_list_of_region_b_does_not_show_region_a_even_when_searched(client, world, plan):
    client.force_login(world.admin_b)
    response = client.get(reverse("plans:list"), {"batch_no": plan.batch_no, "region": world.region_a.pk})
    assert response.status_code == 200 and f"plan-row-{plan.batch_no}" not in response.content.decode()
    assert "没有符合条件的考核计划" in response.content.decode()


def test_review_queue_scoping(client, world, plan):
    assert_scoping(client, world, ScopeCase(url=reverse("plans:review_queue"), roles={Role.CENTRAL}))


def test_add_scoping(client, world):
    assert_scoping(client, world, ScopeCase(url=reverse("plans:add"), roles={Role.REGIONAL}))


def test_settings_scoping(client, world):
    assert_scoping(client, world, ScopeCase(url=reverse("plans:settings"), roles={Role.CENTRAL}))
    # a refused POST changes nothing
    for user in (world.admin_a, world.candidate):
        client.force_login(user)
        client.post(reverse("plans:settings"), {"continuing_online": 30, "new_online": 30, "new_offline": 30})
    assert ExamTypeSetting.objects.get(exam_type="new_online").duration_minutes == 120


def test_detail_scoping(client, world, plan):
    assert_scoping(client, world, ScopeCase(url=reverse("plans:detail", args=[plan.pk]), owner_region=world.region_a))


def test_edit_scoping(client, world, plan):
    assert_scoping(client, world, ScopeCase(url=reverse("plans:edit", args=[plan.pk]), owner_region=world.region_a))
    data = {"exam_type": plan.exam_type, "exam_date": plan.exam_date + datetime.timedelta(days=1),
            "start_time": "10:00", "version": plan.version, "reason": "x"}
    assert_scoping(client, world, ScopeCase(
        url=reverse("plans:edit", args=[plan.pk]), method="post", data=data, owner_region=world.region_a,
        unchanged=_unchanged(plan), try_allowed=False))


def test_delete_scoping(client, world, plan):
    assert_scoping(client, world, ScopeCase(url=reverse("plans:delete", args=[plan.pk]), owner_region=world.region_a))
    assert_scoping(client, world, ScopeCase(
        url=reverse("plans:delete", args=[plan.pk]), method="post", data={"version": plan.version, "reason": "x"},
        owner_region=world.region_a, unchanged=_unchanged(plan), try_allowed=False))


def test_review_scoping(client, world, plan):
    assert_scoping(client, world, ScopeCase(url=reverse("plans:review", args=[plan.pk]), roles={Role.CENTRAL}))
    assert_scoping(client, world, ScopeCase(
        url=reverse("plans:review", args=[plan.pk]), method="post", roles={Role.CENTRAL},
        data={"version": plan.version, "decision": "approve"}, unchanged=_unchanged(plan), try_allowed=False))
    assert ExamPlan.objects.get(pk=plan.pk).audit_status == AuditStatus.PENDING


def test_a_deleted_plan_is_404_for_everyone(client, world, plan):
    from plans.services import plan_delete

    plan_delete(plan=plan, seen_version=plan.version, acting_user=world.admin_a)
    for user in (world.admin_a, world.central):
        client.force_login(user)
        for name in ("plans:detail", "plans:edit", "plans:delete"):
            assert client.get(reverse(name, args=[plan.pk])).status_code == 404
