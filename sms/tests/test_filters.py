"""The outbox's one filter definition (sms.filters; decisions.md "One filter definition per list"): 手机号码 and 短信类型 filter the
page, readable anonymously in the demo too; an invalid one (an unknown type, a number longer than
11 digits) shows its message and no messages (before: dropped or cut, and every message shown)."""

import pytest
from django.urls import reverse

from sms.services import send_sms_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent():
    send_sms_now(phone="13812345678", template="login_code", params={"code": "111222"})
    send_sms_now(phone="13912345678", template="login_code", params={"code": "333444"})


@pytest.mark.parametrize("demo", [False, True])
def test_phone_and_type_filter_the_outbox(client, world, sent, settings, demo):
    settings.DEBUG = demo
    if not demo:
        client.force_login(world.central)
    url = reverse("sms:outbox")
    html = client.get(url, {"phone": "13912345678", "template": "login_code"}).content.decode()
    assert "333444" in html and "111222" not in html
    assert len(client.get(url, {"template": "initial_password"}).context["page_obj"]) == 0


@pytest.mark.parametrize("params, words", [
    ({"template": "lottery_win"}, "短信类型的选项无效"),
    ({"phone": "139123456789"}, "手机号码"),
])
def test_an_invalid_filter_shows_its_message_and_no_messages(client, world, sent, params, words):
    client.force_login(world.central)
    response = client.get(reverse("sms:outbox"), params)
    html = response.content.decode()
    assert len(response.context["page_obj"]) == 0 and "111222" not in html and "333444" not in html
    assert 'data-testid="filter-invalid"' in html and words in html and "未显示任何记录" in html
