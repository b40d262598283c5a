"""The SMS app's deploy checks: no development outbox in production, and an adapter that can be
built and has what it needs to send every template."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def outbox_off(app_configs, **kwargs):
    """The development outbox (its page and its backend) must never reach production."""
    errors = []
    if getattr(settings, "SMS_OUTBOX_PAGE_ENABLED", False):
        errors.append(
            Error("SMS_OUTBOX_PAGE_ENABLED is on: SMS codes are readable on a web page.", id="sanlei.E002",
                  hint="Unset SMS_OUTBOX_PAGE_ENABLED in production.")
        )
    if getattr(settings, "SMS_BACKEND", "").endswith("OutboxBackend"):
        errors.append(
            Error("SMS_BACKEND is the development outbox: no SMS would reach anyone.", id="sanlei.E003",
                  hint="Set SMS_BACKEND to a provider adapter.")
        )
    return errors


@register(Tags.security, deploy=True)
def sms_backend_configured(app_configs, **kwargs):
    """The configured SMS adapter can be built and has what it needs to send every template."""
    from sms.backends.base import get_backend

    try:
        backend = get_backend()
    except Exception as exc:
        return [Error(f"SMS_BACKEND cannot be built: {type(exc).__name__}: {exc}", id="sanlei.E004")]
    problems = getattr(backend, "configuration_errors", lambda: [])()
    return [Error(f"SMS adapter: {problem}", id="sanlei.E005") for problem in problems]
