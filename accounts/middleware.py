"""Forced password change (docs/decisions.md#password-expiry): an account whose password was issued by central (first
login, reset) or is older than PASSWORD_MAX_AGE_DAYS (administrators) may open nothing but the
password change page and logout until the password is changed.

Registered in settings.MIDDLEWARE after AuthenticationMiddleware and MessageMiddleware:
    "accounts.middleware.PasswordChangeRequiredMiddleware",
"""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .services import password_change_required


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def _exempt(self, path: str) -> bool:
        allowed = (reverse("accounts:password_change"), reverse("accounts:logout"), "/captcha/",
                   settings.STATIC_URL or "/static/", "/health/")
        return any(path.startswith(p) for p in allowed)

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and not self._exempt(request.path) and user.is_authenticated:
            reason = password_change_required(user)
            if reason:
                target = reverse("accounts:password_change")
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = target
                    return response
                return redirect(target)  # the page itself says why
        return self.get_response(request)
