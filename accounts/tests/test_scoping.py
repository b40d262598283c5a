import pytest
from django.urls import reverse

from core.roles import Role
from testing.scoping import ScopeCase, assert_scoping
from testing.world import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_password_change_scoping(client, world):
    assert_scoping(client, world, ScopeCase(url=reverse("accounts:password_change"),
                                            roles={Role.CENTRAL, Role.REGIONAL, Role.CANDIDATE}))


@pytest.mark.parametrize("name, args", [
    ("accounts:regional_accounts", []),
    ("accounts:regional_account_open", []),
    ("accounts:regional_account_history", ["11"]),
])
def test_central_only_pages(client, world, name, args):
    assert_scoping(client, world, ScopeCase(url=reverse(name, args=args), roles={Role.CENTRAL}))


def test_replace_page_scoping(client, world):
    assert_scoping(client, world, ScopeCase(url=reverse("accounts:regional_account_replace", args=[world.admin_a.pk]),
                                            roles={Role.CENTRAL}))


def _unchanged(world):
    def check():
        world.admin_a.refresh_from_db()
        assert world.admin_a.is_active and world.admin_a.check_password(TEST_PASSWORD)
        assert not world.admin_a.must_change_password
    return check


@pytest.mark.parametrize("name", [
    "accounts:regional_account_reset_password",
    "accounts:regional_account_deactivate",
    "accounts:regional_account_unlock",
])
def test_central_only_actions(client, world, name):
    """Regional administrators and candidates get 403 and change nothing (the effect of each
    action for central is tested in test_regional_accounts.py)."""
    assert_scoping(client, world, ScopeCase(url=reverse(name, args=[world.admin_a.pk]), method="post",
                                            roles={Role.CENTRAL}, try_allowed=False, unchanged=_unchanged(world)))


def test_a_regional_admin_cannot_open_an_account(client, world):
    client.force_login(world.admin_a)
    response = client.post(reverse("accounts:regional_account_open"),
                           {"region": world.region_b.pk, "full_name": "x", "organization": "y", "phone": "13700000044"})
    assert response.status_code == 403


@pytest.mark.parametrize("name", ["accounts:candidate_login", "accounts:candidate_activate"])
def test_candidate_login_pages_are_public(client, world, name):
    """Public by design (like accounts:login): anonymous users get the page, a signed-in user
    is sent home."""
    response = client.get(reverse(name))
    assert response.status_code == 200 and "证件号码" in response.content.decode()
    client.force_login(world.candidate)
    assert client.get(reverse(name))["Location"] == reverse("core:home")


def test_candidate_phone_change_scoping(client, world):
    """Only a signed-in candidate, and only for their own account (the session's: no id in the
    URL); administrators get 403 and nothing changes."""
    def unchanged():
        for user in (world.candidate, world.central, world.admin_a):
            phone = user.phone
            user.refresh_from_db()
            assert user.phone == phone
    assert_scoping(client, world, ScopeCase(url=reverse("accounts:candidate_phone_change"),
                                            roles={Role.CANDIDATE}, unchanged=unchanged))
    assert_scoping(client, world, ScopeCase(url=reverse("accounts:candidate_phone_change"), method="post",
                                            data={"action": "send_code", "new_phone": "18988776655"},
                                            roles={Role.CANDIDATE}, try_allowed=False, unchanged=unchanged))
