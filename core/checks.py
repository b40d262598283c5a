"""Deploy checks: the fixed captcha must never reach production, state shared between workers, the
PDF fonts. The SMS app registers its own (sms/checks.py: the outbox, the adapter)."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.checks import Warning as CheckWarning


@register(Tags.security, deploy=True)
def demo_conveniences_off(app_configs, **kwargs):
    errors = []
    if getattr(settings, "CAPTCHA_TEST_MODE", False):
        errors.append(
            Error("CAPTCHA_TEST_MODE is on: the captcha accepts a fixed answer.", id="sanlei.E001",
                  hint="Unset CAPTCHA_TEST_MODE in production.")
        )
    return errors


# Cache backends whose state lives in one process: lockout counters, SMS-code limits and the
# captcha/code stores would then be per worker, multiplying an attacker's tries by the workers.
PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
)


@register(Tags.security, deploy=True)
def shared_state_configured(app_configs, **kwargs):
    """Production keeps counters and codes in one store that every worker shares (docs/decisions.md#shared-counters)."""
    errors = []
    if not getattr(settings, "REDIS_URL", ""):
        errors.append(
            Error("REDIS_URL is not set: lockout counters and SMS-code limits would be kept per process.",
                  id="sanlei.E006", hint="Set REDIS_URL (e.g. redis://redis:6379/0) in production.")
        )
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in PER_PROCESS_CACHES:
        errors.append(
            Error(f"The default cache is {backend.rsplit('.', 1)[-1]}: its state is not shared between workers.",
                  id="sanlei.E007", hint="Use Redis (REDIS_URL) as the default cache in production.")
        )
    return errors


def _pdf_font_messages(kind, check_id):
    from core.pdf import missing_fonts

    return [
        kind(f"PDF font file is missing: {path}", id=check_id,
             hint="Install Debian's fonts-noto-cjk, or set PDF_CJK_FONT to a CJK font's path.")
        for path in missing_fonts()
    ]


@register(Tags.compatibility)
def pdf_font_present(app_configs, **kwargs):
    """Printed rosters, booklets and 成绩单 embed Noto Sans CJK; without it they cannot be made."""
    return _pdf_font_messages(CheckWarning, "sanlei.W001")


@register(Tags.compatibility, deploy=True)
def pdf_font_present_deploy(app_configs, **kwargs):
    return _pdf_font_messages(Error, "sanlei.E008")
