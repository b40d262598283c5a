from core.background import task

from . import services


@task("sms.deliver")
def deliver_sms(message_id: int, *, phone: str, text: str, template: str, params: dict) -> bool:
    """Hand one recorded message to the provider (see services.deliver_off_request)."""
    return services._deliver(message_id, phone=phone, text=text, template=template, params=params)
