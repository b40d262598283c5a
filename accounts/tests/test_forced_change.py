"""The first login (or a reset) and an administrator password older than 90 days force a
password change before anything else (docs/decisions.md#password-expiry)."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from audit.actions import Action
from testing.world import TEST_PASSWORD

pytestmark = pytest.mark.django_db

MIDDLEWARE = "accounts.middleware.PasswordChangeRequiredMiddleware"


def test_the_middleware_is_registered():
    assert MIDDLEWARE in django_settings.MIDDLEWARE, (
        f"add {MIDDLEWARE!r} to settings.MIDDLEWARE after MessageMiddleware (see accounts/middleware.py)")


def test_must_change_password_blocks_every_other_page(client, world):
    world.admin_a.must_change_password = True
    world.admin_a.save()
    client.force_login(world.admin_a)
    for url in [reverse("core:home"), "/plans/", "/audit/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change"), url
    response = client.get(reverse("core:home"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("accounts:password_change")
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200 and "首次登录" in page.content.decode()
    response = client.post(reverse("accounts:password_change"), {
        "old_password": TEST_PASSWORD, "new_password1": "Fresh#Pass2026", "new_password2": "Fresh#Pass2026"})
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302


def test_an_old_admin_password_must_be_changed(client, world, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    world.admin_a.password_changed_at = timezone.now() - datetime.timedelta(days=91)
    world.admin_a.save()
    client.force_login(world.admin_a)
    response = client.get(reverse("core:home"))
    assert response["Location"] == reverse("accounts:password_change")
    assert "90 天" in client.get(reverse("accounts:password_change")).content.decode()


def test_the_age_limit_is_configurable(client, world, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 180
    world.admin_a.password_changed_at = timezone.now() - datetime.timedelta(days=91)
    world.admin_a.save()
    client.force_login(world.admin_a)
    assert client.get(reverse("core:home")).status_code == 200


def test_candidates_have_no_age_limit(client, world):
    world.candidate.password_changed_at = timezone.now() - datetime.timedelta(days=400)
    world.candidate.save()
    client.force_login(world.candidate)
    assert client.get(reverse("core:home")).status_code == 200
    assert world.admin_b.password_changed_at is not None  # create_user records when the password was set
    client.force_login(world.admin_b)
    assert client.get(reverse("core:home")).status_code == 200


def test_an_admin_password_of_unknown_age_must_be_changed(client, world):
    """An administrator made some other way (e.g. createsuperuser on an old build, a raw insert)
    has no recorded change time: that counts as expired, never as fresh forever."""
    world.admin_b.password_changed_at = None
    world.admin_b.save()
    client.force_login(world.admin_b)
    assert client.get(reverse("core:home"))["Location"] == reverse("accounts:password_change")
    assert "没有您的密码修改记录" in client.get(reverse("accounts:password_change")).content.decode()


def test_the_new_password_must_differ_and_follow_the_policy(client, world):
    client.force_login(world.admin_a)
    response = client.post(reverse("accounts:password_change"), {
        "old_password": TEST_PASSWORD, "new_password1": TEST_PASSWORD, "new_password2": TEST_PASSWORD})
    assert "新密码不能与当前密码相同" in response.content.decode()
    response = client.post(reverse("accounts:password_change"), {
        "old_password": TEST_PASSWORD, "new_password1": "xx_t_admin_bj_X1", "new_password2": "xx_t_admin_bj_X1"})
    assert "不能包含用户名" in response.content.decode()


def test_guessing_the_current_password_counts_like_failed_logins(client, world, clock):
    """A session left open must not let someone guess the password without limit."""
    from accounts import security
    from audit.models import AuditLog

    client.force_login(world.admin_a)
    url = reverse("accounts:password_change")
    wrong = {"old_password": "Wrong#Pass1", "new_password1": "Fresh#Pass2026", "new_password2": "Fresh#Pass2026"}
    for _ in range(security.FAIL_LIMIT - 1):
        assert "当前密码不正确" in client.post(url, wrong).content.decode()
    response = client.post(url, wrong)
    assert response.status_code == 302 and "login" in response["Location"]
    assert "_auth_user_id" not in client.session  # this session ended
    assert security.lock_status(security.admin_subject(world.admin_a.username)) is not None
    assert AuditLog.objects.filter(action=Action.ACCOUNT_PASSWORD_CHANGE_FAILED).count() == security.FAIL_LIMIT
    assert AuditLog.objects.filter(action=Action.ACCOUNT_LOCKED, object_id=str(world.admin_a.pk)).exists()
    world.admin_a.refresh_from_db()
    assert world.admin_a.check_password(TEST_PASSWORD)  # nothing changed
