from django.conf import settings
from django.db import models

from core.scoping import ScopedManager


class SmsStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class SmsMessage(models.Model):
    """短信发送记录: every message this system sends, whatever the backend. With the development
    outbox backend this table *is* the outbox (the page and `manage.py sms_outbox` read it);
    with a provider adapter it is the send log, and secret parameters (codes, passwords) are
    stored as ****** (see sms.message_templates)."""

    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)
    phone = models.CharField("手机号码", max_length=11, db_index=True)
    template = models.CharField("模板", max_length=40)
    params = models.JSONField("参数", default=dict)
    text = models.CharField("短信内容", max_length=500)
    backend = models.CharField("发送通道", max_length=120)
    status = models.CharField("状态", max_length=10, choices=SmsStatus.choices, default=SmsStatus.PENDING)
    error = models.CharField("失败原因", max_length=300, blank=True)
    provider_id = models.CharField("通道回执编号", max_length=64, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    # Only central sees the send log (no region or candidate path).
    objects = ScopedManager()
    scope_region_field = None
    scope_candidate_field = None

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "短信"

    def __str__(self) -> str:
        from core.masking import mask_phone

        return f"{self.get_template_display_name()} → {mask_phone(self.phone)}"

    @property
    def masked_phone(self) -> str:
        from core.masking import mask_phone

        return mask_phone(self.phone)

    def get_template_display_name(self) -> str:
        from .message_templates import TEMPLATES

        tpl = TEMPLATES.get(self.template)
        return tpl.name if tpl else self.template
