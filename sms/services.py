"""Sending SMS: one interface, the backend chosen by settings.SMS_BACKEND (docs/decisions.md#sms-backend).

Other apps call `send_sms(phone=..., template=..., params=..., acting_user=...)`: the message is
recorded in the caller's transaction and handed to the backend only after that transaction
commits, so a rolled-back change never texts anyone. A provider failure is logged (phone
masked) and recorded on the message; it is never raised to the caller.

The login flows need to know at once whether the code went out (to show "短信发送失败，请稍后重试"):
they call `send_sms_now`, which delivers immediately and returns True/False."""

import logging

from django.db import transaction
from django.utils import timezone

from core.background import dispatch
from core.errors import ApplicationError
from core.masking import mask_phone

from .backends.base import SendResult, backend_path, get_backend
from .message_templates import get_template
from .models import SmsMessage, SmsStatus

logger = logging.getLogger("sms")

SEND_FAILED_MESSAGE = "短信发送失败，请稍后重试"


def _normalise_phone(phone: str) -> str:
    from people.validation import validate_mobile

    try:
        return validate_mobile(phone)
    except ValueError as exc:
        raise ApplicationError(str(exc), field="phone") from None


def _record(*, phone: str, template: str, params: dict, acting_user) -> tuple[SmsMessage, str]:
    tpl = get_template(template)
    text = tpl.render(params)
    try:
        keep = get_backend().keeps_content
    except Exception:  # a misconfigured adapter: record the message, let _deliver mark it failed
        logger.exception("SMS backend %s cannot be built", backend_path())
        keep = False
    message = SmsMessage.objects.create(
        phone=phone,
        template=tpl.code,
        params={p: str(params[p]) for p in tpl.params} if keep else tpl.redacted(params),
        text=(text if keep else tpl.render(tpl.redacted(params)))[:500],
        backend=backend_path()[:120],
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    return message, text


def _deliver(message_id: int, *, phone: str, text: str, template: str, params: dict) -> bool:
    """Hand one recorded message to the backend and store the outcome. Never raises."""
    tpl = get_template(template)
    try:
        result = get_backend().send(phone=phone, text=text, template=tpl, params=params)
    except Exception as exc:  # a broken adapter must not break the page that sent the message
        logger.exception("SMS %s to %s: backend error", template, mask_phone(phone))
        result = SendResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:300])
    SmsMessage.objects.filter(pk=message_id).update(
        status=SmsStatus.SENT if result.ok else SmsStatus.FAILED,
        error=result.error[:300],
        provider_id=result.provider_id[:64],
        sent_at=timezone.now(),
    )
    if result.ok:
        logger.info("SMS %s to %s sent (%s)", template, mask_phone(phone), result.provider_id)
    else:
        logger.warning("SMS %s to %s failed: %s", template, mask_phone(phone), result.error)
    return result.ok


def deliver_off_request(message_id: int, *, phone: str, text: str, template: str, params: dict) -> None:
    """Deliver outside the request through the task "sms.deliver" (sms/tasks.py) and
    core.background.dispatch: a Celery task when a broker is configured, otherwise a thread (or
    inline when JOBS_EAGER_MODE=inline, as in tests), so the answer never waits on the provider."""
    dispatch("sms.deliver", message_id, phone=phone, text=text, template=template, params=params)


def send_sms(*, phone: str, template: str, params: dict, acting_user=None, off_request: bool = False) -> None:
    """Record a message now and send it after the current transaction commits (STYLE.md: side
    effects on commit). Unknown template, missing parameter or a phone that is not an 11-digit
    mainland mobile raise ApplicationError at once; delivery failures are only logged.
    `off_request`: the provider call must not be timed by whoever made the request (see
    deliver_off_request), e.g. where the answer's speed would reveal that a number is registered."""
    phone = _normalise_phone(phone)
    deliver = deliver_off_request if off_request else _deliver
    with transaction.atomic():
        message, text = _record(phone=phone, template=template, params=params, acting_user=acting_user)
        values = {p: str(params[p]) for p in get_template(template).params}
        transaction.on_commit(
            lambda: deliver(message.pk, phone=phone, text=text, template=template, params=values)
        )


def send_sms_now(*, phone: str, template: str, params: dict, acting_user=None) -> bool:
    """Record and deliver a message immediately (login and password-setting codes, where the
    page must say whether the code went out). Returns False when the provider failed."""
    phone = _normalise_phone(phone)
    message, text = _record(phone=phone, template=template, params=params, acting_user=acting_user)
    values = {p: str(params[p]) for p in get_template(template).params}
    return _deliver(message.pk, phone=phone, text=text, template=template, params=values)
