"""The backend interface. A backend delivers one rendered message and reports the outcome; it
never raises for a delivery failure (a provider error is a `SendResult(ok=False, ...)`)."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass
class SendResult:
    ok: bool
    provider_id: str = ""
    error: str = ""


class SmsBackend:
    #: True only for the development outbox: the send log keeps secrets so a developer can read them.
    keeps_content = False

    def send(self, *, phone: str, text: str, template, params: dict) -> SendResult:  # pragma: no cover
        raise NotImplementedError


def get_backend() -> SmsBackend:
    """The backend named by settings.SMS_BACKEND (a dotted path to an SmsBackend subclass)."""
    return import_string(settings.SMS_BACKEND)()


def backend_path() -> str:
    return settings.SMS_BACKEND
