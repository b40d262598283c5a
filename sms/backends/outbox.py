"""Development backend: nothing leaves the machine. The message is kept in full in the send
log (the outbox page and `manage.py sms_outbox` read it) and written to the console log."""

import logging

from core.masking import mask_phone

from .base import SendResult, SmsBackend

logger = logging.getLogger("sms.outbox")


class OutboxBackend(SmsBackend):
    keeps_content = True

    def send(self, *, phone: str, text: str, template, params: dict) -> SendResult:
        logger.info("[短信发件箱] 发往 %s：%s", mask_phone(phone), text)
        return SendResult(ok=True, provider_id="outbox")
