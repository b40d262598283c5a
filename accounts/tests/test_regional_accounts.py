"""Regional account allocation by central (guide §一, 表1; docs/decisions.md#regional-accounts)."""

import pytest
from django.urls import reverse

from accounts import security
from accounts.models import User
from accounts.services import regional_account_open
from audit.actions import Action
from audit.models import AuditLog
from core.errors import ApplicationError
from core.roles import Role
from regions.models import Region
from sms.models import SmsMessage
from testing.world import TEST_PASSWORD

pytestmark = pytest.mark.django_db

OPEN = "accounts:regional_account_open"


def _open_data(**over):
    data = {"region": Region.objects.get(code="31").pk, "full_name": "王五", "organization": "上海市通信管理局 安全处",
            "phone": "13700000031"}
    data.update(over)
    return data


def test_central_sees_every_region_with_its_holder(client, world):
    client.force_login(world.central)
    html = client.get(reverse("accounts:regional_accounts")).content.decode()
    assert html.count("<tr data-region=") == 20  # 20 rows a page by default (docs/decisions.md#pagination)
    html = client.get(reverse("accounts:regional_accounts"), {"page_size": 50}).content.decode()
    assert html.count("<tr data-region=") == Region.objects.count()
    assert world.admin_a.username in html and "139****0011" in html and "13900000011" not in html
    assert "未开通" in html and "开通" in html


def test_open_creates_the_account_sends_and_shows_the_password_once(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.central)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(OPEN), _open_data())
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    user = User.objects.get(region__code="31", is_active=True)
    password = response.context["password"]
    assert user.role == Role.REGIONAL and user.must_change_password and user.check_password(password)
    assert (user.full_name, user.organization, user.phone) == ("王五", "上海市通信管理局 安全处", "13700000031")
    html = response.content.decode()
    assert password in html and user.username in html and "137****0031" in html
    sms = SmsMessage.objects.get(phone="13700000031", template="initial_password")
    assert password in sms.text and user.username in sms.text and sms.status == "sent"
    entry = AuditLog.objects.get(action=Action.ACCOUNT_OPEN)
    assert entry.actor == world.central and entry.after["phone"] == "137****0031"
    assert password not in str(entry.after) and password not in entry.message


def test_the_initial_password_meets_the_policy(world):
    from django.contrib.auth.password_validation import validate_password

    user, password = regional_account_open(region=Region.objects.get(code="31"), full_name="王五",
                                           organization="上海市通信管理局", phone="13700000031",
                                           acting_user=world.central)
    validate_password(password, User(username=user.username))  # the policy, but for the history it is in
    assert len(password) >= 12
    assert user.password_history.count() == 1


@pytest.mark.parametrize("over, field, message", [
    ({"full_name": ""}, "full_name", "请填写姓名"),
    ({"full_name": "张" * 51}, "full_name", "50"),
    ({"organization": ""}, "organization", "请填写单位/部门"),
    ({"organization": "局" * 101}, "organization", "100"),
    ({"phone": ""}, "phone", "请填写手机号码"),
    ({"phone": "1370000003"}, "phone", "11 位"),
    ({"phone": "12700000031"}, "phone", "11 位"),
    ({"phone": "137000000311"}, "phone", "11 位"),
    ({"phone": "0215555555a"}, "phone", "11 位"),
    ({"region": ""}, "region", "请选择省份"),
    ({"region": "999999"}, "region", "有效"),
])
def test_bad_input_is_refused_beside_the_field(client, world, over, field, message,
                                                django_capture_on_commit_callbacks):
    client.force_login(world.central)
    before = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(OPEN), _open_data(**over))
    assert response.status_code == 200
    html = response.content.decode()
    error = html.split(f'data-testid="error-{field}"')[1].split("</ul>")[0]
    assert message in error
    assert User.objects.count() == before and SmsMessage.objects.count() == 0


def test_a_region_with_an_active_holder_is_refused(client, world):
    client.force_login(world.central)
    response = client.post(reverse(OPEN), _open_data(region=world.region_a.pk))
    assert "已有在用的管局账号" in response.content.decode().split('data-testid="error-region"')[1]
    assert User.objects.filter(region=world.region_a).count() == 1


def test_the_service_refuses_a_second_holder_too(world):
    with pytest.raises(ApplicationError) as exc:
        regional_account_open(region=world.region_a, full_name="李四", organization="北京市通信管理局",
                              phone="13700000011", acting_user=world.central)
    assert exc.value.field == "region"


def test_only_central_may_open(world):
    with pytest.raises(ApplicationError):
        regional_account_open(region=Region.objects.get(code="31"), full_name="王五", organization="x",
                              phone="13700000031", acting_user=world.admin_a)


def test_replace_stops_the_old_login_at_once_and_keeps_the_history(client, world,
                                                                  django_capture_on_commit_callbacks):
    from django.test import Client

    old = world.admin_a
    old_session = Client()
    old_session.force_login(old)
    assert old_session.get(reverse("accounts:password_change")).status_code == 200
    client.force_login(world.central)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:regional_account_replace", args=[old.pk]),
                               {"full_name": "赵六", "organization": "北京市通信管理局 安全处", "phone": "13600000011",
                                "reason": "人员调动"})
    assert response.status_code == 200
    old.refresh_from_db()
    new = User.objects.get(region=world.region_a, is_active=True)
    assert not old.is_active and old.deactivation_reason == "变更" and old.deactivated_at
    assert new.pk != old.pk and new.full_name == "赵六" and new.must_change_password
    assert new.check_password(response.context["password"])
    # the old holder's open session ends on its next request
    response = old_session.get(reverse("accounts:password_change"))
    assert response.status_code == 302 and "login" in response["Location"]
    assert SmsMessage.objects.filter(phone="13600000011", template="initial_password").exists()
    entry = AuditLog.objects.get(action=Action.ACCOUNT_REPLACE)
    assert entry.before["username"] == old.username and entry.after["username"] == new.username
    assert entry.reason == "人员调动"
    ended = AuditLog.objects.get(action=Action.ACCOUNT_DEACTIVATE, object_id=str(old.pk))  # the old account's own trail
    assert ended.reason == "人员调动" and ended.after["is_active"] is False and new.username in ended.message
    history = client.get(reverse("accounts:regional_account_history", args=["11"])).content.decode()
    assert old.username in history and new.username in history and "变更" in history
    listing = client.get(reverse("accounts:regional_accounts")).content.decode()
    assert "历任（1）" in listing


def test_replace_with_bad_input_changes_nothing(client, world):
    client.force_login(world.central)
    response = client.post(reverse("accounts:regional_account_replace", args=[world.admin_a.pk]),
                           {"full_name": "赵六", "organization": "北京", "phone": "123"})
    assert 'data-testid="error-phone"' in response.content.decode()
    world.admin_a.refresh_from_db()
    assert world.admin_a.is_active and User.objects.filter(region=world.region_a).count() == 1


def test_reset_password_issues_a_new_initial_password(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.central)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:regional_account_reset_password", args=[world.admin_a.pk]))
    password = response.context["password"]
    world.admin_a.refresh_from_db()
    assert world.admin_a.check_password(password) and not world.admin_a.check_password(TEST_PASSWORD)
    assert world.admin_a.must_change_password
    assert password in SmsMessage.objects.get(phone=world.admin_a.phone).text
    assert AuditLog.objects.filter(action=Action.ACCOUNT_PASSWORD_RESET, object_id=str(world.admin_a.pk)).exists()


def test_reset_password_needs_post(client, world):
    client.force_login(world.central)
    assert client.get(reverse("accounts:regional_account_reset_password", args=[world.admin_a.pk])).status_code == 405


def test_deactivate_frees_the_region(client, world):
    client.force_login(world.central)
    response = client.post(reverse("accounts:regional_account_deactivate", args=[world.admin_a.pk]),
                           {"reason": "机构调整"})
    assert response.status_code == 302
    world.admin_a.refresh_from_db()
    assert not world.admin_a.is_active and world.admin_a.deactivation_reason == "停用"
    assert AuditLog.objects.get(action=Action.ACCOUNT_DEACTIVATE).reason == "机构调整"
    response = client.post(reverse(OPEN), _open_data(region=world.region_a.pk, phone="13600000011"))
    assert response.status_code == 200 and "password" in response.context


def test_central_sees_and_lifts_a_lock(client, world, clock):
    subject = security.admin_subject(world.admin_a.username)
    for _ in range(5):
        security.failure_register(subject)
    client.force_login(world.central)
    html = client.get(reverse("accounts:regional_accounts")).content.decode()
    assert "已锁定" in html and reverse("accounts:regional_account_unlock", args=[world.admin_a.pk]) in html
    client.post(reverse("accounts:regional_account_unlock", args=[world.admin_a.pk]))
    assert security.lock_status(subject) is None
    assert AuditLog.objects.filter(action=Action.ACCOUNT_UNLOCK, object_id=str(world.admin_a.pk)).exists()


def test_actions_on_a_non_regional_account_are_404(client, world):
    client.force_login(world.central)
    for name in ["accounts:regional_account_replace", "accounts:regional_account_reset_password",
                 "accounts:regional_account_deactivate", "accounts:regional_account_unlock"]:
        assert client.post(reverse(name, args=[world.central.pk])).status_code == 404


def test_actions_on_a_former_holder_are_refused(client, world):
    world.admin_a.is_active = False
    world.admin_a.save()
    client.force_login(world.central)
    response = client.post(reverse("accounts:regional_account_reset_password", args=[world.admin_a.pk]))
    assert response.status_code == 302
    world.admin_a.refresh_from_db()
    assert world.admin_a.check_password(TEST_PASSWORD)


class _FailingSms:
    """A provider that refuses every message (e.g. flow control)."""

    def __init__(self):
        from sms.backends.base import SendResult, SmsBackend

        class Backend(SmsBackend):
            def send(self, **kwargs):
                return SendResult(ok=False, error="isv.BUSINESS_LIMIT_CONTROL")

        self.backend = Backend


@pytest.mark.django_db(transaction=True)  # the SMS goes out when the service commits, as in production
@pytest.mark.parametrize("fails", [False, True])
def test_the_page_says_whether_the_initial_password_sms_went_out(client, world, monkeypatch, fails):
    if fails:
        monkeypatch.setattr("sms.services.get_backend", lambda: _FailingSms().backend())
    client.force_login(world.central)
    html = client.post(reverse(OPEN), _open_data()).content.decode()
    sms = SmsMessage.objects.get(phone="13700000031", template="initial_password")
    assert sms.status == ("failed" if fails else "sent")
    if fails:
        assert "短信发送失败，请稍后重试" in html and "已通过短信发送至" not in html
        assert "请当面或电话告知本人此密码" in html
    else:
        assert "已通过短信发送至 137****0031" in html and "短信发送失败" not in html
