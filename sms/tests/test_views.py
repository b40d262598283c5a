import pytest
from django.urls import reverse

from sms.services import send_sms_now

pytestmark = pytest.mark.django_db


def test_outbox_page_lists_messages_with_masked_phones(client, world):
    send_sms_now(phone="13812345678", template="login_code", params={"code": "314159"})
    client.force_login(world.central)
    html = client.get(reverse("sms:outbox")).content.decode()
    assert "314159" in html and "138****5678" in html and "13812345678" not in html


def test_outbox_page_filters_by_phone(client, world):
    send_sms_now(phone="13812345678", template="login_code", params={"code": "111222"})
    send_sms_now(phone="13912345678", template="login_code", params={"code": "333444"})
    client.force_login(world.central)
    html = client.get(reverse("sms:outbox"), {"phone": "13912345678"}).content.decode()
    assert "333444" in html and "111222" not in html


def test_outbox_page_does_not_exist_when_disabled(client, world, settings):
    settings.SMS_OUTBOX_PAGE_ENABLED = False
    client.force_login(world.central)
    assert client.get(reverse("sms:outbox")).status_code == 404
    settings.DEBUG = True  # even in the demo
    client.logout()
    assert client.get(reverse("sms:outbox")).status_code == 404


def test_outbox_is_central_only_outside_the_demo(client, world, settings):
    settings.DEBUG = False
    send_sms_now(phone="13812345678", template="login_code", params={"code": "271828"})
    response = client.get(reverse("sms:outbox"))
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(world.admin_a)
    assert client.get(reverse("sms:outbox")).status_code == 403


def test_outbox_is_readable_without_login_in_the_demo(client, world, settings):
    """Decision (docs/decisions.md#sms-outbox): with DEBUG and SMS_OUTBOX_PAGE_ENABLED both on (`make run`) the
    newcomer reads the login code without an account."""
    settings.DEBUG = True
    send_sms_now(phone="13812345678", template="login_code", params={"code": "161803"})
    response = client.get(reverse("sms:outbox"))
    assert response.status_code == 200 and "161803" in response.content.decode()
