import datetime
import re
import zoneinfo

import pytest
from django.urls import reverse

from testing.world import TEST_PASSWORD

LOGIN = "accounts:login"


class Clock:
    """accounts.security reads the time through _now(); tests move it instead of sleeping."""

    def __init__(self, start: float):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    # a fixed mid-morning start (Asia/Shanghai), so adding minutes never crosses midnight
    start = datetime.datetime(2026, 3, 9, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")).timestamp()
    c = Clock(start)
    monkeypatch.setattr("accounts.security._now", c)
    return c


def request_code(client, username, password=TEST_PASSWORD, captcha="PASSED", htmx=True):
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse(LOGIN), {"action": "send_code", "username": username, "password": password,
                                        "captcha_0": "any", "captcha_1": captcha}, **extra)


def submit_code(client, username, code, **data):
    return client.post(reverse(LOGIN), {"action": "login", "username": username, "sms_code": code, **data})


def last_code(phone: str) -> str:
    from sms.models import SmsMessage

    text = SmsMessage.objects.filter(phone=phone).latest("id").text
    return re.search(r"\d{6}", text).group(0)


def sms_count(phone: str) -> int:
    from sms.models import SmsMessage

    return SmsMessage.objects.filter(phone=phone).count()
