"""The candidate changes their own verified phone (docs/decisions.md#registration-contact): codes to the old AND the new
phone, both required; the login codes' limits; audited masked; the old phone told."""

import re

import pytest
from django.urls import reverse

from accounts import security
from accounts.models import User
from audit.actions import Action
from audit.models import AuditLog
from candidates.tests.factories import RegistrationFactory
from core.roles import Role
from people.tests.factories import PersonFactory
from sms.models import SmsMessage

pytestmark = pytest.mark.django_db

URL = "accounts:candidate_phone_change"
OLD, NEW = "13512345678", "18988776655"


def _candidate(phone, id_number=None):
    person = RegistrationFactory(phone=phone, person=PersonFactory(**({"id_number": id_number} if id_number else {}))).person
    user = User.objects.create_user(f"p{person.pk}", "Kaosheng#2026", role=Role.CANDIDATE, full_name=person.name,
                                    phone=phone)
    type(person).objects.filter(pk=person.pk).update(user=user)
    return user


@pytest.fixture
def candidate(db):
    return _candidate(OLD)


def code_for(phone):
    return re.search(r"\d{6}", SmsMessage.objects.filter(phone=phone, template="candidate_phone_change_code")
                     .latest("id").text).group(0)


def send(client, phone=NEW):
    return client.post(reverse(URL), {"action": "send_code", "new_phone": phone})


def confirm(client, old_code, new_code):
    return client.post(reverse(URL), {"action": "confirm", "old_code": old_code, "new_code": new_code})


def _wrong(code):
    return f"{(int(code) + 1) % 1000000:06d}"


def test_both_codes_change_the_phone_audited_masked_and_the_old_phone_is_told(client, candidate, clock):
    client.force_login(candidate)
    assert "更换" in client.get(reverse("candidates:my_registrations")).content.decode()
    assert send(client).status_code == 302
    assert "189****6655" in client.get(reverse(URL)).content.decode()
    response = confirm(client, code_for(OLD), code_for(NEW))
    assert response.status_code == 302 and response["Location"] == reverse("candidates:my_registrations")
    candidate.refresh_from_db()
    assert candidate.phone == NEW
    row = AuditLog.objects.get(action=Action.ACCOUNT_CANDIDATE_PHONE)
    assert row.before == {"phone": "135****5678"} and row.after == {"phone": "189****6655"}
    assert OLD not in str(row.message) and NEW not in str(row.message)
    notice = SmsMessage.objects.get(template="candidate_phone_changed")
    assert notice.phone == OLD and "189****6655" in notice.text
    # the login and reset codes now go to the new phone
    from accounts.services import candidate_code_phone
    assert candidate_code_phone(candidate.person) == NEW


@pytest.mark.parametrize("which", ["old", "new"])
def test_a_wrong_code_on_either_phone_changes_nothing(client, candidate, clock, which):
    client.force_login(candidate)
    send(client)
    old_code, new_code = code_for(OLD), code_for(NEW)
    if which == "old":
        old_code = _wrong(old_code)
    else:
        new_code = _wrong(new_code)
    response = confirm(client, old_code, new_code)
    assert response.status_code == 200
    assert f'data-testid="error-{which}_code"' in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.phone == OLD
    assert not AuditLog.objects.filter(action=Action.ACCOUNT_CANDIDATE_PHONE).exists()
    assert not SmsMessage.objects.filter(template="candidate_phone_changed").exists()


def test_a_code_for_another_phone_or_without_asking_is_refused(client, candidate, clock):
    client.force_login(candidate)
    assert confirm(client, "123456", "123456").status_code == 200
    send(client)
    # swapping the two codes is two wrong codes
    assert confirm(client, code_for(NEW), code_for(OLD)).status_code == 200
    candidate.refresh_from_db()
    assert candidate.phone == OLD


def test_bad_input_is_refused_with_a_message(client, candidate, clock):
    client.force_login(candidate)
    assert "新手机号码与当前登录手机号码相同" in send(client, OLD).content.decode()
    assert "手机号码" in send(client, "1234").content.decode()
    assert not SmsMessage.objects.filter(template="candidate_phone_change_code").exists()


def test_another_candidates_session_cannot_touch_it(client, candidate, clock):
    other = _candidate("13698765432", id_number="440106197503150016")
    client.force_login(candidate)
    send(client)
    codes = code_for(OLD), code_for(NEW)
    client.logout()
    client.force_login(other)
    # the other session has no pending change of its own, and the page only ever acts on its own account
    response = confirm(client, *codes)
    assert response.status_code == 200
    candidate.refresh_from_db()
    other.refresh_from_db()
    assert (candidate.phone, other.phone) == (OLD, "13698765432")
    # even with the first candidate's session data copied over, the uid does not match
    session = client.session
    session["candidate_phone_change"] = {"uid": candidate.pk, "new_phone": NEW, "old_phone": OLD}
    session.save()
    confirm(client, *codes)
    candidate.refresh_from_db()
    other.refresh_from_db()
    assert (candidate.phone, other.phone) == (OLD, "13698765432")


def test_administrators_cannot_use_it(client, world):
    for user in (world.central, world.admin_a):
        client.force_login(user)
        assert send(client).status_code == 403
        user.refresh_from_db()
        assert user.phone != NEW


def test_the_login_code_limits_apply(client, candidate, clock):
    client.force_login(candidate)
    send(client)
    assert "过于频繁" in send(client, "18988776600").content.decode()  # the 60 s cooldown
    # shared with the login codes: a reset code asked just before counts
    clock.advance(61)
    subject = security.candidate_subject(candidate.person.id_type.code, candidate.person.id_number)
    security.code_issue(subject)
    assert "过于频繁" in send(client).content.decode()


def test_the_daily_limit_applies(client, candidate, clock):
    client.force_login(candidate)
    for _ in range(security.DAILY_CODE_LIMIT):
        assert send(client).status_code == 302
        clock.advance(61)
    assert "今日获取验证码次数已达上限" in send(client).content.decode()


def test_five_wrong_codes_lock_the_account_and_sign_out(client, candidate, clock):
    client.force_login(candidate)
    for i in range(security.FAIL_LIMIT):
        if i % 2 == 0:
            clock.advance(61)
            send(client)
        response = confirm(client, "000000" if code_for(OLD) != "000000" else "111111", code_for(NEW))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:candidate_login")
    assert "_auth_user_id" not in client.session
    subject = security.candidate_subject(candidate.person.id_type.code, candidate.person.id_number)
    assert security.lock_status(subject) is not None
    candidate.refresh_from_db()
    assert candidate.phone == OLD
