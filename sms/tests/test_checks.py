"""The SMS deploy checks (sms/checks.py): the outbox page and the outbox backend are refused, and
so is an adapter that cannot be built or lacks a template code."""

import secrets

from django.test import override_settings

from core.tests.test_settings import ALIYUN, CHECK, _run
from sms.checks import outbox_off


@override_settings(SMS_OUTBOX_PAGE_ENABLED=True)
def test_deploy_check_refuses_the_outbox_page():
    assert "sanlei.E002" in {e.id for e in outbox_off(None)}


@override_settings(SMS_OUTBOX_PAGE_ENABLED=False, SMS_BACKEND="sms.backends.outbox.OutboxBackend")
def test_deploy_check_refuses_the_outbox_backend():
    assert [e.id for e in outbox_off(None)] == ["sanlei.E003"]


@override_settings(SMS_OUTBOX_PAGE_ENABLED=False, SMS_BACKEND="sms.backends.aliyun.AliyunSmsBackend")
def test_deploy_check_passes_a_provider_without_the_outbox_page():
    assert outbox_off(None) == []


def test_the_sms_checks_are_registered_by_the_sms_app():
    from django.core.checks.registry import registry

    assert outbox_off in registry.get_checks(include_deployment_checks=True)


def test_production_refuses_an_sms_adapter_missing_a_template_code():
    result = _run(CHECK, SECRET_KEY=secrets.token_urlsafe(64),
                  **{**ALIYUN, "SMS_ALIYUN_TEMPLATE_CODES": '{"login_code": "SMS_1"}'})
    assert result.returncode != 0 and "sanlei.E005" in result.stderr
    assert "exam_notice" in result.stderr


def test_production_refuses_template_codes_that_are_not_json():
    result = _run(CHECK, SECRET_KEY=secrets.token_urlsafe(64),
                  **{**ALIYUN, "SMS_ALIYUN_TEMPLATE_CODES": "login_code=SMS_1"})
    assert result.returncode != 0 and "sanlei.E004" in result.stderr and "not valid JSON" in result.stderr
