import pytest
from django.urls import reverse

from core.roles import Role
from core.testing import ScopeCase, assert_scoping

pytestmark = pytest.mark.django_db


def test_password_change_scoping(client, world):
    assert_scoping(client, world, ScopeCase(url=reverse("accounts:password_change"),
                                            roles={Role.CENTRAL, Role.REGIONAL, Role.CANDIDATE}))
