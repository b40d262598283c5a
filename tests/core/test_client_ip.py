"""The IP the audit log records: REMOTE_ADDR, or X-Forwarded-For read from the right behind
TRUSTED_PROXY_COUNT proxies; never a value the client wrote, never something that is not an IP."""

import pytest
from django.test import RequestFactory

from core.middleware import client_ip


def _request(remote="10.0.0.5", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request(forwarded="6.6.6.6")) == "10.0.0.5"


@pytest.mark.parametrize("count, forwarded, expected", [
    (1, "203.0.113.7", "203.0.113.7"),
    (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client forged the left entry
    (2, "6.6.6.6, 203.0.113.7, 10.1.1.1", "203.0.113.7"),
    (1, "2001:db8::1", "2001:db8::1"),
    (1, "not-an-ip", "10.0.0.5"),
    (1, "'; drop table", "10.0.0.5"),
    (2, "203.0.113.7", "10.0.0.5"),  # fewer hops than proxies: the chain is not ours
    (1, "", "10.0.0.5"),
])
def test_behind_proxies_the_right_entry_is_taken(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(_request(forwarded=forwarded)) == expected


def test_a_remote_addr_that_is_not_an_ip_is_dropped(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request(remote="unix:/run/gunicorn.sock")) is None


@pytest.mark.django_db
def test_the_audit_log_records_the_proxied_address(client, world, settings):
    from audit.models import AuditLog

    settings.TRUSTED_PROXY_COUNT = 1
    client.post("/accounts/login/", {"action": "send_code", "username": "nobody", "password": "x",
                                     "captcha_0": "k", "captcha_1": "PASSED"},
                REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert AuditLog.objects.latest("id").ip == "203.0.113.7"
