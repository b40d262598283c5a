"""解除登录锁定 (docs/decisions.md#login-lockout: 5 failed logins lock an account for 30 minutes and can be unlocked): a
candidate's help desk is the 管局 that imported them, so the candidate page shows the lock and
lifts it, for central and for the administrator of a region where the person is registered."""

import pytest
from django.urls import reverse

from accounts import security
from accounts.services import candidate_unlock
from audit.actions import Action
from audit.models import AuditLog
from candidates.tests.factories import RegistrationFactory
from core.errors import PermissionDenied
from plans.tests.factories import ExamPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reg(world):
    return RegistrationFactory(plan=ExamPlanFactory(region=world.region_a), person__name="锁定考生")


def lock(person):
    subject = security.candidate_subject(person.id_type.code, person.id_number)
    for _ in range(security.FAIL_LIMIT):
        security.failure_register(subject)
    assert security.lock_status(subject) is not None
    return subject


def test_the_page_shows_the_lock_and_the_region_lifts_it(client, world, reg):
    subject = lock(reg.person)
    client.force_login(world.admin_a)
    page = client.get(reverse("candidates:detail", args=[reg.pk])).content.decode()
    assert "考生登录已锁定" in page and "解除登录锁定" in page
    response = client.post(reverse("candidates:unlock", args=[reg.pk]), follow=True)
    assert "已解除 锁定考生 的登录锁定" in response.content.decode()
    assert security.lock_status(subject) is None
    entry = AuditLog.objects.get(action=Action.ACCOUNT_UNLOCK)
    assert entry.actor_id == world.admin_a.pk and entry.object_id == str(reg.person.pk)
    page = client.get(reverse("candidates:detail", args=[reg.pk])).content.decode()
    assert "考生登录状态：正常" in page and "解除登录锁定" not in page


def test_the_candidate_is_told_whom_to_ask(client, reg):
    lock(reg.person)
    response = client.post(reverse("accounts:candidate_login"), {
        "id_type": reg.person.id_type.pk, "id_number": reg.person.id_number, "password": "Whatever#2026",
        "captcha_0": "k", "captcha_1": "PASSED"})
    assert "账号已锁定" in response.content.decode() and "联系报名所在管局或部中心解锁" in response.content.decode()


def test_the_service_refuses_another_regions_administrator(world, reg):
    subject = lock(reg.person)
    with pytest.raises(PermissionDenied):
        candidate_unlock(person=reg.person, acting_user=world.admin_b)
    with pytest.raises(PermissionDenied):
        candidate_unlock(person=reg.person, acting_user=world.candidate)
    assert security.lock_status(subject) is not None
    assert candidate_unlock(person=reg.person, acting_user=world.central) is True
    assert security.lock_status(subject) is None
