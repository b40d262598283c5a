"""The candidate changes their own verified phone in the browser (docs/decisions.md#registration-contact): from 我的考核,
codes to the old and the new phone (read from the SMS log), a wrong code refused, then changed."""

import re

import pytest

from accounts.models import User
from candidates.tests.factories import RegistrationFactory
from core.roles import Role
from people.tests.factories import PersonFactory
from sms.models import SmsMessage

from .conftest import login_session, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _code(phone):
    return re.search(r"\d{6}", SmsMessage.objects.filter(phone=phone, template="candidate_phone_change_code")
                     .latest("id").text).group(0)


def test_candidate_changes_the_verified_phone(page, world):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    person = RegistrationFactory(phone="13512345678", person=PersonFactory(name="张建国")).person
    user = User.objects.create_user(f"p{person.pk}", "Kaosheng#2026", role=Role.CANDIDATE, full_name=person.name,
                                    phone="13512345678")
    type(person).objects.filter(pk=person.pk).update(user=user)
    login_session(page, user)
    page.goto(page.base + "/candidates/mine/")
    page.get_by_test_id("phone-change-link").click()
    assert "135****5678" in page.get_by_test_id("current-phone").inner_text()
    page.get_by_label("新手机号码").fill("18988776655")
    page.get_by_test_id("send-button").click()
    assert "189****6655" in page.get_by_test_id("pending-phone").inner_text()
    old, new = _code("13512345678"), _code("18988776655")
    page.get_by_label("原手机验证码").fill(f"{(int(old) + 1) % 1000000:06d}")
    page.get_by_label("新手机验证码").fill(new)
    page.get_by_test_id("confirm-button").click()
    assert "原手机短信验证码不正确" in page.get_by_test_id("error-old_code").inner_text()
    shot(page, "phone_change_wrong_code")
    user.refresh_from_db()
    assert user.phone == "13512345678"
    page.get_by_label("原手机验证码").fill(old)
    page.get_by_label("新手机验证码").fill(new)
    page.get_by_test_id("confirm-button").click()
    page.wait_for_url("**/candidates/mine/")
    assert "189****6655" in page.get_by_test_id("my-details").inner_text()
    shot(page, "phone_change_done")
    user.refresh_from_db()
    assert user.phone == "18988776655"
    assert SmsMessage.objects.filter(phone="13512345678", template="candidate_phone_changed").exists()
    assert not errors, errors
