"""管理员登录 through the page (guide §一; docs/decisions.md#login-lockout)."""

import pytest
from captcha.models import CaptchaStore
from django.urls import reverse

from audit.actions import Action
from audit.models import AuditLog
from testing.world import TEST_PASSWORD

from .conftest import last_code, request_code, sms_count, submit_code

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


def test_login_page_has_the_guide_fields(client, db):
    html = _text(client.get(reverse("accounts:login")))
    for label in ["用户名", "密码", "动态码", "获取验证码", "短信验证码", "登录"]:
        assert label in html
    assert "/captcha/image/" in html and "换一张" in html
    assert "<script>" not in html and 'style="' not in html  # CSP: no inline script or style


def test_full_login(client, world, clock):
    admin = world.admin_a
    response = request_code(client, admin.username)
    assert "验证码已发送至 139****0011" in _text(response)
    assert sms_count(admin.phone) == 1
    response = submit_code(client, admin.username, last_code(admin.phone))
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    assert int(client.session["_auth_user_id"]) == admin.pk
    actions = list(AuditLog.objects.filter(actor=admin).values_list("action", flat=True))
    assert Action.ACCOUNT_LOGIN_CODE_REQUEST in actions and Action.ACCOUNT_LOGIN in actions


def test_the_code_goes_to_the_accounts_phone_only_after_password_and_captcha(client, world, clock):
    request_code(client, world.admin_a.username, captcha="WRONG")
    request_code(client, world.admin_a.username, password="Wrong#Pass1")
    assert sms_count(world.admin_a.phone) == 0


def test_a_wrong_captcha_is_refused_beside_the_field(client, world, clock):
    key = CaptchaStore.generate_key()
    response = client.post(reverse("accounts:login"), {
        "action": "send_code", "username": world.admin_a.username, "password": TEST_PASSWORD,
        "captcha_0": key, "captcha_1": "WRONG"}, HTTP_HX_REQUEST="true")
    html = _text(response)
    assert "动态码不正确" in html and 'hx-swap-oob="true"' in html and "/captcha/image/" in html
    assert not CaptchaStore.objects.filter(hashkey=key).exists()  # a captcha is tried once
    assert sms_count(world.admin_a.phone) == 0
    assert not AuditLog.objects.filter(action=Action.ACCOUNT_LOGIN_FAILED).exists()


def test_unknown_user_and_wrong_password_look_the_same(client, world, clock):
    wrong_password = _text(request_code(client, world.admin_a.username, password="Wrong#Pass1"))
    unknown_user = _text(request_code(client, "no_such_user", password="Wrong#Pass1"))
    assert "用户名或密码错误" in wrong_password

    def strip_captcha(html):
        return html.split('<div class="form-row" id="row-captcha"')[0]

    assert strip_captcha(wrong_password) == strip_captcha(unknown_user)
    assert AuditLog.objects.filter(action=Action.ACCOUNT_LOGIN_FAILED).count() == 2


def test_an_unknown_user_is_locked_like_a_real_one(client, world, clock):
    for name in ("no_such_user", world.admin_a.username):
        for _ in range(5):
            request_code(client, name, password="Wrong#Pass1")
    unknown = _text(request_code(client, "no_such_user", password="Wrong#Pass1"))
    real = _text(request_code(client, world.admin_a.username, password="Wrong#Pass1"))
    assert "账号已锁定" in unknown and "账号已锁定" in real


def test_five_failures_lock_the_account_for_thirty_minutes(client, world, clock):
    admin = world.admin_a
    for _ in range(5):
        request_code(client, admin.username, password="Wrong#Pass1")
        clock.advance(60)
    response = request_code(client, admin.username)  # the right password now
    assert "账号已锁定" in _text(response) and sms_count(admin.phone) == 0
    assert AuditLog.objects.filter(action=Action.ACCOUNT_LOCKED, object_id=str(admin.pk)).count() == 1
    clock.advance(30 * 60)
    assert "验证码已发送" in _text(request_code(client, admin.username))


def test_wrong_codes_count_as_failed_logins(client, world, clock):
    admin = world.admin_a
    request_code(client, admin.username)
    right = last_code(admin.phone)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _ in range(4):
        response = submit_code(client, admin.username, wrong)
        assert "短信验证码不正确" in _text(response) and "_auth_user_id" not in client.session
    assert AuditLog.objects.filter(action=Action.ACCOUNT_LOGIN_FAILED, object_id=str(admin.pk)).count() == 4
    response = submit_code(client, admin.username, right)  # the 5th try is the right one
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == admin.pk


def test_five_wrong_codes_kill_the_code_and_lock(client, world, clock):
    admin = world.admin_a
    request_code(client, admin.username)
    right = last_code(admin.phone)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _ in range(5):
        submit_code(client, admin.username, wrong)
    response = submit_code(client, admin.username, right)
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "账号已锁定" in _text(response)


def test_an_expired_code_is_refused(client, world, clock):
    request_code(client, world.admin_a.username)
    clock.advance(5 * 60 + 1)
    response = submit_code(client, world.admin_a.username, last_code(world.admin_a.phone))
    assert "已失效" in _text(response) and "_auth_user_id" not in client.session


def test_resend_waits_sixty_seconds(client, world, clock):
    request_code(client, world.admin_a.username)
    clock.advance(30)
    response = request_code(client, world.admin_a.username)
    assert "秒后再试" in _text(response) and sms_count(world.admin_a.phone) == 1
    clock.advance(31)
    request_code(client, world.admin_a.username)
    assert sms_count(world.admin_a.phone) == 2


def test_at_most_ten_codes_per_day(client, world, clock):
    for _ in range(10):
        request_code(client, world.admin_a.username)
        clock.advance(61)
    response = request_code(client, world.admin_a.username)
    assert "今日获取验证码次数已达上限" in _text(response) and sms_count(world.admin_a.phone) == 10


def test_a_code_from_another_session_is_not_enough(client, world, clock):
    from django.test import Client

    request_code(client, world.admin_a.username)
    other = Client()
    response = submit_code(other, world.admin_a.username, last_code(world.admin_a.phone))
    assert "获取验证码" in _text(response) and "_auth_user_id" not in other.session


def test_login_without_a_code_request_is_refused(client, world):
    response = submit_code(client, world.admin_a.username, "123456")
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert 'data-testid="error-sms_code"' in _text(response)


def test_sms_failure_is_shown_not_raised(client, world, clock, settings):
    settings.SMS_BACKEND = "sms.tests.test_services.FailingBackend"
    response = request_code(client, world.admin_a.username)
    assert response.status_code == 200 and "短信发送失败，请稍后重试" in _text(response)
    settings.SMS_BACKEND = "sms.backends.outbox.OutboxBackend"
    assert "验证码已发送" in _text(request_code(client, world.admin_a.username))  # no 60 s wait


def test_candidates_and_disabled_accounts_cannot_use_the_admin_login(client, world, clock):
    assert "用户名或密码错误" in _text(request_code(client, world.candidate.username))
    world.admin_b.is_active = False
    world.admin_b.save()
    assert "用户名或密码错误" in _text(request_code(client, world.admin_b.username))
    assert sms_count(world.candidate.phone) == 0 and sms_count(world.admin_b.phone) == 0


def test_first_login_goes_to_the_password_change(client, world, clock):
    world.admin_a.must_change_password = True
    world.admin_a.save()
    request_code(client, world.admin_a.username)
    response = submit_code(client, world.admin_a.username, last_code(world.admin_a.phone))
    assert response["Location"] == reverse("accounts:password_change")


def test_next_is_followed_only_inside_the_site(client, world, clock):
    request_code(client, world.admin_a.username)
    response = submit_code(client, world.admin_a.username, last_code(world.admin_a.phone), next="/audit/")
    assert response["Location"] == "/audit/"
    client.logout()
    clock.advance(61)
    request_code(client, world.admin_a.username)
    response = submit_code(client, world.admin_a.username, last_code(world.admin_a.phone), next="https://evil.example/")
    assert response["Location"] == reverse("core:home")


def test_the_page_works_without_javascript(client, world, clock):
    response = request_code(client, world.admin_a.username, htmx=False)
    html = _text(response)
    assert "<html" in html and "验证码已发送至 139****0011" in html


def test_logout_is_on_every_page_and_audited(client, world):
    client.force_login(world.central)
    for name in ["core:home", "accounts:password_change", "accounts:regional_accounts", "sms:outbox"]:
        assert f'action="{reverse("accounts:logout")}"' in _text(client.get(reverse(name)))
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and "_auth_user_id" not in client.session
    assert AuditLog.objects.filter(action=Action.ACCOUNT_LOGOUT, actor=world.central).exists()


def test_demo_login_page_links_to_the_outbox_only_in_the_demo(client, db, settings):
    settings.DEBUG = False
    assert "短信发件箱" not in _text(client.get(reverse("accounts:login")))
    settings.DEBUG = True
    assert reverse("sms:outbox") in _text(client.get(reverse("accounts:login")))
