import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.password_validation import ComplexityValidator
from audit.actions import Action
from audit.models import AuditLog
from testing.world import TEST_PASSWORD


class U:
    username = "bj_admin"


@pytest.mark.parametrize("password", ["Short1!", "alllowercase1", "NoDigitsHere", "Bj_admin2026!x"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        ComplexityValidator().validate(password, U())


@pytest.mark.parametrize("password", ["Good#Pass1", "abc123!@#x", "ABCdef1234"])
def test_strong_passwords_pass(password):
    ComplexityValidator().validate(password, U())


@pytest.mark.django_db
def test_password_change_clears_the_flag_and_is_audited(client, world):
    world.admin_a.must_change_password = True
    world.admin_a.save()
    client.force_login(world.admin_a)
    response = client.post(reverse("accounts:password_change"), {
        "old_password": TEST_PASSWORD, "new_password1": "New#Pass2026", "new_password2": "New#Pass2026"})
    assert response.status_code == 302
    world.admin_a.refresh_from_db()
    assert world.admin_a.check_password("New#Pass2026") and not world.admin_a.must_change_password
    assert AuditLog.objects.filter(action=Action.ACCOUNT_PASSWORD_CHANGE, actor=world.admin_a).exists()


@pytest.mark.django_db
def test_password_change_reports_errors_beside_the_field(client, world):
    client.force_login(world.admin_a)
    response = client.post(reverse("accounts:password_change"), {
        "old_password": "wrong", "new_password1": "abc", "new_password2": "abd"})
    html = response.content.decode()
    assert "当前密码不正确" in html and "两次输入的新密码不一致" in html
    world.admin_a.refresh_from_db()
    assert world.admin_a.check_password(TEST_PASSWORD)
