"""Password policy (等保 2.0 三级 身份鉴别, docs/decisions.md#password-policy): common passwords refused, none of the
last 5 passwords again, the rule stated on the pages; administrators and candidates alike."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import services
from accounts.models import PasswordHistory
from accounts.password_validation import policy_text
from core.errors import ApplicationError
from people.tests.factories import PersonFactory
from testing.world import TEST_PASSWORD

pytestmark = pytest.mark.django_db

NEW = ["Jing#Hua2031", "Lan@Tian2032", "Bei.Hai2033", "Xi+Shan2034", "Dong=Cheng2035", "Nan?Hu2036"]


@pytest.mark.parametrize("password", ["Admin@123", "P@ssw0rd", "Huawei@123", "1qaz@WSX", "Qwer1234!", "Aa123456"])
def test_common_passwords_that_meet_the_complexity_rule_are_refused(password, world):
    with pytest.raises(ValidationError) as exc:
        validate_password(password, world.admin_a)
    assert "密码过于常见" in " ".join(exc.value.messages)


def test_a_password_of_the_guide_s_kind_passes(world):
    validate_password("Tongxin#2026Bj", world.admin_a)


def _change(user, password):
    return services.user_change_password(user=user, new_password=password, acting_user=user)


def test_an_administrator_cannot_reuse_any_of_the_last_five_passwords(world):
    user = world.admin_a
    for password in NEW[:5]:
        _change(user, password)
    # the history now holds the last five: NEW[0..4]; TEST_PASSWORD is the sixth back
    for old in NEW[:4]:
        with pytest.raises(ApplicationError) as exc:
            _change(user, old)
        assert "最近 5 次" in exc.value.message and exc.value.field == "new_password1"
    user.refresh_from_db()
    assert user.check_password(NEW[4])
    _change(user, TEST_PASSWORD)  # six passwords back: allowed again
    assert PasswordHistory.objects.filter(user=user).count() == 5


def test_the_history_keeps_hashes_never_passwords(world):
    _change(world.admin_a, NEW[0])
    stored = list(PasswordHistory.objects.filter(user=world.admin_a).values_list("password", flat=True))
    assert stored and all(NEW[0] not in s and s.count("$") >= 2 for s in stored)


def test_the_password_change_page_refuses_a_reused_password_and_states_the_rule(client, world):
    _change(world.admin_a, NEW[0])
    client.force_login(world.admin_a)
    html = client.get(reverse("accounts:password_change")).content.decode()
    assert policy_text() in html and "不能与最近 5 次使用过的密码相同" in html
    response = client.post(reverse("accounts:password_change"), {
        "old_password": NEW[0], "new_password1": TEST_PASSWORD, "new_password2": TEST_PASSWORD})
    assert response.status_code == 200 and "新密码不能与最近 5 次使用过的密码相同" in response.content.decode()
    world.admin_a.refresh_from_db()
    assert world.admin_a.check_password(NEW[0])


def test_a_candidate_cannot_reuse_a_recent_password_either():
    person = PersonFactory()
    services.candidate_account_activate(person=person, new_password=NEW[0])
    services.candidate_account_activate(person=person, new_password=NEW[1])
    with pytest.raises(ApplicationError) as exc:
        services.candidate_account_activate(person=person, new_password=NEW[0])
    assert "最近 5 次" in exc.value.message
    with pytest.raises(ApplicationError) as exc:
        services.candidate_account_activate(person=person, new_password="P@ssw0rd1")
    assert "密码过于常见" in exc.value.message
    person.user.refresh_from_db()
    assert person.user.check_password(NEW[1])


def test_a_reset_initial_password_enters_the_history(world):
    password = services.regional_account_reset_password(user=world.admin_a, acting_user=world.central)
    world.admin_a.refresh_from_db()
    with pytest.raises(ApplicationError):
        _change(world.admin_a, password)  # "the same as the current one"
    _change(world.admin_a, NEW[0])
    with pytest.raises(ApplicationError) as exc:
        _change(world.admin_a, password)
    assert "最近 5 次" in exc.value.message


def test_the_candidate_s_set_password_page_states_the_rule(client):
    from accounts.forms import CandidateActivationFinishForm

    assert CandidateActivationFinishForm().fields["new_password1"].help_text == policy_text()
