import logging

import pytest
from django.core.management import call_command
from django.db import transaction

from core.errors import ApplicationError
from sms.backends.base import SendResult, SmsBackend
from sms.message_templates import TEMPLATES
from sms.models import SmsMessage, SmsStatus
from sms.services import send_sms, send_sms_now

pytestmark = pytest.mark.django_db


class FailingBackend(SmsBackend):
    def send(self, **kwargs):
        return SendResult(ok=False, error="isv.BUSINESS_LIMIT_CONTROL: 触发流控")


class CrashingBackend(SmsBackend):
    def send(self, **kwargs):
        raise ConnectionError("provider down")


class RedactingBackend(SmsBackend):
    """A provider-like backend: keeps_content False, records what it was given."""

    calls: list = []

    def send(self, *, phone, text, template, params):
        RedactingBackend.calls.append((phone, text, dict(params)))
        return SendResult(ok=True, provider_id="biz-1")


def test_required_templates_exist():
    assert {"login_code", "initial_password", "candidate_activation_code", "exam_notice"} <= set(TEMPLATES)
    assert set(TEMPLATES["exam_notice"].params) == {"name", "batch_no", "exam_date", "start_time"}


def test_send_happens_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        send_sms(phone="13812345678", template="exam_notice",
                 params={"name": "张三", "batch_no": "2002", "exam_date": "2026-03-09", "start_time": "15:00"})
        message = SmsMessage.objects.get()
        assert message.status == SmsStatus.PENDING  # recorded, not yet sent
    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT
    assert "张三" in message.text and "2002" in message.text and "2026-03-09" in message.text and "15:00" in message.text


def test_a_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                send_sms(phone="13812345678", template="login_code", params={"code": "123456"})
                raise RuntimeError("the caller failed")
        except RuntimeError:
            pass
    assert callbacks == [] and SmsMessage.objects.count() == 0


def test_provider_failure_is_logged_not_raised(settings, django_capture_on_commit_callbacks, caplog):
    settings.SMS_BACKEND = "sms.tests.test_services.FailingBackend"
    with caplog.at_level(logging.WARNING, logger="sms"), django_capture_on_commit_callbacks(execute=True):
        send_sms(phone="13812345678", template="login_code", params={"code": "654321"})
    message = SmsMessage.objects.get()
    assert message.status == SmsStatus.FAILED and "流控" in message.error
    log = caplog.text
    assert "138****5678" in log and "13812345678" not in log


def test_a_crashing_backend_is_a_failure_not_a_crash(settings):
    settings.SMS_BACKEND = "sms.tests.test_services.CrashingBackend"
    assert send_sms_now(phone="13812345678", template="login_code", params={"code": "111111"}) is False
    assert SmsMessage.objects.get().status == SmsStatus.FAILED


def test_secrets_are_not_kept_by_provider_backends(settings):
    settings.SMS_BACKEND = "sms.tests.test_services.RedactingBackend"
    RedactingBackend.calls = []
    assert send_sms_now(phone="13812345678", template="login_code", params={"code": "246810"}) is True
    message = SmsMessage.objects.get()
    assert "246810" not in message.text and message.params == {"code": "******"}
    assert RedactingBackend.calls[0][2] == {"code": "246810"}  # the provider got the real code
    assert message.provider_id == "biz-1"


def test_the_outbox_keeps_the_text():
    assert send_sms_now(phone="13812345678", template="login_code", params={"code": "135790"}) is True
    assert "135790" in SmsMessage.objects.get().text


@pytest.mark.parametrize("kwargs, field", [
    ({"phone": "1381234567", "template": "login_code", "params": {"code": "1"}}, "phone"),
    ({"phone": "12812345678", "template": "login_code", "params": {"code": "1"}}, "phone"),
    ({"phone": "13812345678", "template": "nope", "params": {}}, "template"),
    ({"phone": "13812345678", "template": "exam_notice", "params": {"name": "张三"}}, "params"),
])
def test_bad_calls_are_refused_and_record_nothing(kwargs, field):
    with pytest.raises(ApplicationError) as exc:
        send_sms(**kwargs)
    assert exc.value.field == field
    assert SmsMessage.objects.count() == 0


def test_outbox_command_filters_and_limits(capsys):
    for i in range(3):
        send_sms_now(phone="13812345678", template="login_code", params={"code": f"10000{i}"})
    send_sms_now(phone="13900000000", template="login_code", params={"code": "999999"})
    call_command("sms_outbox", "--phone", "13812345678", "--last", "2")
    out = capsys.readouterr().out
    assert "100001" in out and "100002" in out and "100000" not in out and "999999" not in out
    assert "138****5678" in out and "13812345678" not in out
    call_command("sms_outbox")
    assert "999999" in capsys.readouterr().out


def test_off_request_delivery_runs_in_another_thread_without_a_broker(settings, django_capture_on_commit_callbacks,
                                                                      monkeypatch):
    import threading

    settings.CELERY_TASK_ALWAYS_EAGER, settings.JOBS_EAGER_MODE = True, "thread"
    seen = []
    monkeypatch.setattr("sms.services._deliver", lambda message_id, **kw: seen.append(threading.current_thread().name))
    with django_capture_on_commit_callbacks(execute=True):
        send_sms(phone="13812345678", template="login_code", params={"code": "123456"}, off_request=True)
    for thread in threading.enumerate():
        if thread.name.startswith("sms-"):
            thread.join(5)
    assert seen == [f"sms-{SmsMessage.objects.get().pk}"]


def test_the_celery_task_delivers_the_recorded_message(settings):
    from sms.tasks import deliver_sms

    settings.SMS_BACKEND = "sms.tests.test_services.FailingBackend"
    send_sms_now(phone="13812345678", template="login_code", params={"code": "123456"})
    message = SmsMessage.objects.get()
    settings.SMS_BACKEND = "sms.backends.outbox.OutboxBackend"
    assert deliver_sms.apply(args=(message.pk,), kwargs={"phone": "13812345678", "text": message.text,
                                                          "template": "login_code",
                                                          "params": {"code": "123456"}}).get() is True
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT
