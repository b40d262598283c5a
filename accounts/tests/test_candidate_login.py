"""考生登录 (docs/decisions.md#candidate-accounts): 证件号码 + 密码; the first time an SMS code to the imported phone."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from audit.actions import Action
from audit.models import AuditLog
from candidates.tests.factories import RegistrationFactory
from core.roles import Role
from people.tests.factories import PersonFactory
from sms.models import SmsMessage

pytestmark = pytest.mark.django_db

ACTIVATE = "accounts:candidate_activate"
LOGIN = "accounts:candidate_login"
GOOD = "Kaosheng#2026"


@pytest.fixture
def person(db):
    return RegistrationFactory(phone="13512345678", person=PersonFactory()).person


def start(client, person, id_number=None):
    return client.post(reverse(ACTIVATE), {"step": "start", "id_type": person.id_type.pk,
                                           "id_number": id_number or person.id_number,
                                           "captcha_0": "k", "captcha_1": "PASSED"})


def finish(client, code, password=GOOD, password2=None):
    return client.post(reverse(ACTIVATE), {"step": "finish", "sms_code": code, "new_password1": password,
                                           "new_password2": password2 or password})


def code_for(phone):
    return re.search(r"\d{6}", SmsMessage.objects.filter(phone=phone).latest("id").text).group(0)


def login(client, person, password=GOOD, id_number=None):
    return client.post(reverse(LOGIN), {"id_type": person.id_type.pk, "id_number": id_number or person.id_number,
                                        "password": password, "captcha_0": "k", "captcha_1": "PASSED"})


def test_first_login_sets_the_password_and_signs_in(client, person, clock):
    response = start(client, person)
    assert response.status_code == 302
    page = client.get(reverse(ACTIVATE)).content.decode()
    assert "短信验证码" in page and "已发送至导入时登记的手机号码" in page
    response = finish(client, code_for("13512345678"))
    assert response.status_code == 302 and response["Location"] == reverse("candidates:my_registrations")
    person.refresh_from_db()
    user = person.user
    assert user.username == f"p{person.pk}" and user.role == Role.CANDIDATE and user.check_password(GOOD)
    assert int(client.session["_auth_user_id"]) == user.pk
    assert AuditLog.objects.filter(action=Action.ACCOUNT_CANDIDATE_ACTIVATE, object_id=str(user.pk)).exists()
    client.logout()
    assert login(client, person).status_code == 302  # and from now on with 证件号码 + password
    assert int(client.session["_auth_user_id"]) == user.pk


def test_lower_case_x_and_spaces_in_the_number_are_accepted(client, clock):
    person = RegistrationFactory(phone="13512345679", person=PersonFactory(id_number="11010519491231002X")).person
    start(client, person, id_number=" 11010519491231002x ")
    finish(client, code_for("13512345679"))
    client.logout()
    assert login(client, person, id_number="11010519491231002x").status_code == 302


def test_an_unknown_number_looks_the_same_and_sends_nothing(client, person, clock):
    known = start(client, person)
    from django.test import Client

    other = Client()
    unknown = start(other, person, id_number="110105198506010019")
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    assert SmsMessage.objects.count() == 1
    page_known = client.get(reverse(ACTIVATE)).content.decode()
    page_unknown = other.get(reverse(ACTIVATE)).content.decode()
    strip = lambda html: re.sub(r'[A-Za-z0-9]{40,}', "", html)  # noqa: E731 (csrf tokens differ)
    assert strip(page_known) == strip(page_unknown)
    response = finish(other, "123456")
    assert "短信验证码" in response.content.decode() and "_auth_user_id" not in other.session
    assert not User.objects.filter(role=Role.CANDIDATE).exclude(username="t_candidate").exists()


def test_a_weak_password_is_refused_without_using_up_the_code(client, person, clock):
    start(client, person)
    code = code_for("13512345678")
    response = finish(client, code, password="weakpass")
    assert 'data-testid="error-new_password1"' in response.content.decode()
    person.refresh_from_db()
    assert person.user is None
    response = finish(client, code, password=GOOD, password2="Other#2026x")
    assert "两次输入的新密码不一致" in response.content.decode()
    assert finish(client, code).status_code == 302


def test_a_wrong_code_is_refused_and_counted(client, person, clock):
    start(client, person)
    response = finish(client, "000000" if code_for("13512345678") != "000000" else "111111")
    assert "短信验证码不正确" in response.content.decode()
    assert AuditLog.objects.filter(action=Action.ACCOUNT_LOGIN_FAILED).count() == 1


def test_codes_are_rate_limited(client, person, clock):
    start(client, person)
    clock.advance(10)
    client.get(reverse(ACTIVATE) + "?restart=1")
    response = start(client, person)
    assert "秒后再试" in response.content.decode() and SmsMessage.objects.count() == 1


def test_wrong_password_and_unknown_number_look_the_same(client, person, clock):
    start(client, person)
    finish(client, code_for("13512345678"))
    client.logout()
    wrong = login(client, person, password="Wrong#Pass2026").content.decode()
    unknown = login(client, person, id_number="110105198506010019").content.decode()
    assert "证件号码或密码错误" in wrong and "证件号码或密码错误" in unknown
    not_activated = RegistrationFactory(phone="13512345670", person=PersonFactory()).person
    assert "证件号码或密码错误" in login(client, not_activated).content.decode()


def test_five_failures_lock_the_candidate(client, person, clock):
    start(client, person)
    finish(client, code_for("13512345678"))
    client.logout()
    for _ in range(5):
        login(client, person, password="Wrong#Pass2026")
    response = login(client, person)
    assert "账号已锁定" in response.content.decode() and "_auth_user_id" not in client.session
    clock.advance(31 * 60)
    assert login(client, person).status_code == 302


def test_a_wrong_captcha_is_refused(client, person, clock):
    from captcha.models import CaptchaStore

    response = client.post(reverse(LOGIN), {"id_type": person.id_type.pk, "id_number": person.id_number,
                                            "password": GOOD, "captcha_0": CaptchaStore.generate_key(),
                                            "captcha_1": "WRONG"})
    assert "动态码不正确" in response.content.decode().split('data-testid="error-captcha"')[1]


def test_sms_failure_is_recorded_but_does_not_reveal_that_the_number_is_registered(
        client, person, clock, settings, django_capture_on_commit_callbacks):
    """A provider failure must not tell an outsider that this 证件号码 exists: the page says the
    same as for an unregistered number; the failure is kept on the SMS record."""
    settings.SMS_BACKEND = "sms.tests.test_services.FailingBackend"

    def page_after_start(id_number=None):
        client.get(reverse(ACTIVATE) + "?restart=1")
        with django_capture_on_commit_callbacks(execute=True):
            response = start(client, person, id_number=id_number)
        assert response.status_code == 302
        page = client.get(reverse(ACTIVATE)).content.decode()
        return re.sub(r"(csrfmiddlewaretoken\" value=\"|X-CSRFToken\": \")[^\"]+", r"\1", page)

    registered = page_after_start()
    unknown = page_after_start("110105198506010019")
    assert "短信发送失败" not in registered and "如未收到，请 60 秒后重新获取" in registered
    assert registered == unknown
    failed = SmsMessage.objects.get()
    assert failed.phone == "13512345678" and failed.status == "failed"


def test_the_provider_is_called_off_the_request(client, person, clock, settings, monkeypatch,
                                                django_capture_on_commit_callbacks):
    """The answer for a registered number must not wait on the provider (its speed would tell an
    outsider the number is registered): with a broker the delivery is a Celery task."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued = []
    monkeypatch.setattr("sms.tasks.deliver_sms.apply_async", lambda args, kwargs, **opts: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        assert start(client, person).status_code == 302
    message = SmsMessage.objects.get()
    assert queued == [(message.pk,)]
    assert message.status == "pending"  # nothing was delivered inside the request


def test_document_numbers_of_any_kind_are_masked_in_the_audit_log(client, clock):
    """mask_text only recognises 18-digit numbers: a passport or permit number must be masked
    where it is written, in the login failure, the code request and the code failure."""
    from people.models import IdType

    passport = IdType.objects.filter(check_kind="passport").first()
    assert passport is not None
    data = {"id_type": passport.pk, "id_number": "E12345678", "captcha_0": "k", "captcha_1": "PASSED"}
    client.post(reverse(LOGIN), {**data, "password": "Wrong#Pass1"})
    client.post(reverse(ACTIVATE), {**data, "step": "start"})
    finish(client, "000000")
    entries = list(AuditLog.objects.values_list("action", "message", "object_repr"))
    assert {a for a, _, _ in entries} >= {Action.ACCOUNT_LOGIN_FAILED, Action.ACCOUNT_ACTIVATION_CODE_REQUEST}
    assert len(entries) >= 3
    for entry in entries:
        assert "E12345678" not in str(entry), entry
    assert any("E1*****78" in str(entry) for entry in entries)
