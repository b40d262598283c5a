"""Every candidate-information view tried as anonymous, the wrong role, another region's
administrator and the right users (testing.scoping.assert_scoping). Another region's candidate is
a 404 exactly like a missing one, whatever id is typed into the URL (docs/decisions.md#scoping)."""

import io

import openpyxl
import pytest
from django.urls import reverse

from audit.actions import Action
from audit.models import AuditLog
from candidates.models import Registration
from candidates.tests.factories import RegistrationFactory
from core.roles import Role
from jobs.models import Job
from plans.tests.factories import ExamPlanFactory
from testing.scoping import ScopeCase, assert_scoping

pytestmark = pytest.mark.django_db


@pytest.fixture
def reg_a(world):
    plan = ExamPlanFactory(region=world.region_a)
    return RegistrationFactory(plan=plan, person__name="北京考生甲")


@pytest.fixture
def reg_b(world):
    plan = ExamPlanFactory(region=world.region_b)
    return RegistrationFactory(plan=plan, person__name="广东考生乙")


def test_list_scoping(client, world, reg_a, reg_b):
    assert_scoping(client, world, ScopeCase(url=reverse("candidates:list"), hidden_text="北京考生甲"))
    client.force_login(world.admin_b)
    body = client.get(reverse("candidates:list")).content.decode()
    assert "广东考生乙" in body and "北京考生甲" not in body
    # a regional administrator cannot widen the list with ?region= or another region's plan
    body = client.get(reverse("candidates:list"), {"region": world.region_a.pk}).content.decode()
    assert "北京考生甲" not in body
    body = client.get(reverse("candidates:list"), {"plan": reg_a.plan_id}).content.decode()
    assert "北京考生甲" not in body


def test_detail_scoping(client, world, reg_a):
    assert_scoping(client, world, ScopeCase(url=reverse("candidates:detail", args=[reg_a.pk]),
                                            owner_region=world.region_a))


def test_reveal_scoping(client, world, reg_a):
    def unchanged():
        assert not AuditLog.objects.filter(action=Action.REGISTRATION_REVEAL).exists()

    assert_scoping(client, world, ScopeCase(url=reverse("candidates:reveal", args=[reg_a.pk]), method="post",
                                            owner_region=world.region_a, unchanged=unchanged))
    # the allowed users' reveals were each logged
    assert AuditLog.objects.filter(action=Action.REGISTRATION_REVEAL, object_id=str(reg_a.pk)).count() == 2


def test_edit_scoping(client, world, reg_a):
    assert_scoping(client, world, ScopeCase(url=reverse("candidates:edit", args=[reg_a.pk]),
                                            owner_region=world.region_a))

    def unchanged():
        reg_a.person.refresh_from_db()
        assert reg_a.person.name == "北京考生甲"

    data = {"name": "改名", "id_type": "1", "id_number": reg_a.person.id_number, "phone": "13812345678",
            "company_name": "某公司", "credit_code": "91110108551385082Q", "personnel_type": "B"}
    assert_scoping(client, world, ScopeCase(url=reverse("candidates:edit", args=[reg_a.pk]), method="post",
                                            data=data, owner_region=world.region_a, unchanged=unchanged,
                                            try_allowed=False))


def test_delete_scoping(client, world, reg_a):
    assert_scoping(client, world, ScopeCase(url=reverse("candidates:delete", args=[reg_a.pk]),
                                            owner_region=world.region_a))

    def unchanged():
        assert Registration.objects.filter(pk=reg_a.pk).exists()

    assert_scoping(client, world, ScopeCase(url=reverse("candidates:delete", args=[reg_a.pk]), method="post",
                                            owner_region=world.region_a, unchanged=unchanged, try_allowed=False))


def test_add_scoping(client, world, reg_a):
    assert_scoping(client, world, ScopeCase(url=reverse("candidates:add", args=[reg_a.plan_id]),
                                            owner_region=world.region_a))

    def unchanged():
        assert Registration.objects.count() == 1

    data = {"name": "新考生", "id_type": "1", "id_number": "11010519491231002X", "phone": "13812345678",
            "company_name": "某公司", "credit_code": "91110108551385082Q", "personnel_type": "B"}
    assert_scoping(client, world, ScopeCase(url=reverse("candidates:add", args=[reg_a.plan_id]), method="post",
                                            data=data, owner_region=world.region_a, unchanged=unchanged,
                                            try_allowed=False))


def test_notice_scoping(client, world, reg_a):
    assert_scoping(client, world, ScopeCase(url=reverse("candidates:notice", args=[reg_a.plan_id]),
                                            owner_region=world.region_a))

    def unchanged():
        assert not Job.objects.filter(kind="candidates.notice").exists()

    assert_scoping(client, world, ScopeCase(url=reverse("candidates:notice", args=[reg_a.plan_id]), method="post",
                                            owner_region=world.region_a, unchanged=unchanged, try_allowed=False))


def _export_names(response) -> list[str]:
    content = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    return [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_export_scoping(client, world, reg_a, reg_b):
    assert_scoping(client, world, ScopeCase(url=reverse("candidates:export"), method="post",
                                            data={"scope": "all"}, roles={Role.CENTRAL, Role.REGIONAL}))
    client.force_login(world.admin_b)
    assert _export_names(client.post(reverse("candidates:export"), {"scope": "all"})) == ["广东考生乙"]
    # ?region= is no filter for a region; another region's plan id is an invalid filter: no file
    url = reverse("candidates:export") + f"?region={world.region_a.pk}"
    assert _export_names(client.post(url, {"scope": "all"})) == ["广东考生乙"]
    response = client.post(reverse("candidates:export") + f"?plan={reg_a.plan_id}", {"scope": "all"})
    assert response.status_code == 302
    client.force_login(world.central)
    assert sorted(_export_names(client.post(reverse("candidates:export"), {"scope": "all"}))) == sorted(
        ["广东考生乙", "北京考生甲"])


def test_unlock_scoping(client, world, reg_a):
    """解除登录锁定: another region's administrator gets 404 and the lock stays."""
    from accounts import security

    subject = security.candidate_subject(reg_a.person.id_type.code, reg_a.person.id_number)
    for _ in range(security.FAIL_LIMIT):
        security.failure_register(subject)

    def unchanged():
        assert security.lock_status(subject) is not None
        assert not AuditLog.objects.filter(action=Action.ACCOUNT_UNLOCK).exists()

    assert_scoping(client, world, ScopeCase(url=reverse("candidates:unlock", args=[reg_a.pk]), method="post",
                                            owner_region=world.region_a, unchanged=unchanged))
    assert security.lock_status(subject) is None


def test_my_registrations_scoping(client, world):
    """我的考核 is the candidate's own page: administrators get 403; what the candidate sees is
    limited to themselves (candidates/tests/test_mine.py)."""
    assert_scoping(client, world, ScopeCase(url=reverse("candidates:my_registrations"), roles={Role.CANDIDATE}))


def test_phone_scoping(client, world, reg_a):
    """更正登录手机号码: central only; a 管局 (even the candidate's own) is refused."""
    from accounts.services import candidate_account_activate

    user = candidate_account_activate(person=reg_a.person, new_password="Kaosheng#2026")
    before = user.phone

    def unchanged():
        user.refresh_from_db()
        assert user.phone == before

    assert_scoping(client, world, ScopeCase(url=reverse("candidates:phone", args=[reg_a.pk]), method="post",
                                            data={"phone": "13711110000", "reason": "本人来电核实"},
                                            roles={Role.CENTRAL}, owner_region=world.region_a, unchanged=unchanged))
    user.refresh_from_db()
    assert user.phone == "13711110000"
