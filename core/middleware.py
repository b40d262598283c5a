import ipaddress
import time
from contextvars import ContextVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect

_current = ContextVar("current_request_meta", default=None)
HEALTH_PATH = "/health/"


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The caller's address for the audit log. Behind TRUSTED_PROXY_COUNT reverse proxies (each
    appending the address it saw to X-Forwarded-For) it is the entry that many places from the
    right: the one written by our outermost proxy. Entries further left come from the client and
    can be forged, so they are never used. Anything that is not an IP address is ignored."""
    remote = _valid_ip(request.META.get("REMOTE_ADDR"))
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies:
            return _valid_ip(hops[-proxies]) or remote
    return remote


def current_request_meta() -> dict | None:
    """IP and user agent of the request being served (None in jobs and commands)."""
    return _current.get()


class RequestContextMiddleware:
    """Makes the caller's IP available to the audit log without passing the request around."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set({"ip": client_ip(request), "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200]})
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)


class IdleTimeoutMiddleware:
    """An idle session ends after settings.SESSION_IDLE_TIMEOUT seconds (docs/decisions.md#session-idle: 30 minutes)."""

    KEY = "_last_activity"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # the health page must answer even when the session store (the database) is down
        if request.path == HEALTH_PATH:
            return self.get_response(request)
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(self.KEY)
            if last is not None and now - int(last) > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                messages.info(request, "由于长时间未操作，您已自动退出，请重新登录")
                return redirect(settings.LOGIN_URL)
            # Refresh the mark at most once a minute: writing it on every request would save the
            # session on every page (a database write without Redis) for no gain in precision.
            if last is None or now - int(last) >= 60:
                request.session[self.KEY] = now
        return self.get_response(request)
