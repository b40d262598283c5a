import pytest
from django.urls import reverse

from core.roles import Role
from testing.scoping import ScopeCase, assert_scoping

pytestmark = pytest.mark.django_db


def test_outbox_scoping(client, world, settings):
    settings.DEBUG = False
    settings.SMS_OUTBOX_PAGE_ENABLED = True
    assert_scoping(client, world, ScopeCase(url=reverse("sms:outbox"), roles={Role.CENTRAL}))
