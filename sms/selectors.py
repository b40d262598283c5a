"""Reading the send log (the outbox)."""

from django.db.models import QuerySet

from .models import SmsMessage


def outbox_messages(*, filters: dict, fetched_by, public: bool = False) -> QuerySet:
    """Messages newest first, filtered by 手机号码 and 短信类型 (sms.filters.OutboxFilterForm).
    `public` is the demo case (settings.DEBUG and SMS_OUTBOX_PAGE_ENABLED both on): everyone may
    read the outbox so that a newcomer can finish a login alone. Otherwise only central sees it
    (SmsMessage has no region path)."""
    qs = SmsMessage.objects.all() if public else SmsMessage.objects.visible_to(fetched_by)
    if filters.get("phone"):
        qs = qs.filter(phone=filters["phone"].strip())
    if filters.get("template"):
        qs = qs.filter(template=filters["template"])
    return qs.select_related("created_by")


def last_delivery_status(*, phone: str, template: str) -> str | None:
    """The status (SmsStatus) of the newest message of a template to a phone, or None: lets a page
    say honestly whether the message it just sent went out."""
    return (SmsMessage.objects.filter(phone=phone, template=template).order_by("-id")
            .values_list("status", flat=True).first())
