"""`manage.py sms_outbox [--phone P] [--last N]`: print the newest messages of the send log
(the development outbox), newest last, so a developer can read a login code in a terminal."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.timezone import localtime

from core.masking import mask_phone
from sms.models import SmsMessage


class Command(BaseCommand):
    help = "显示短信发件箱中最近的短信"

    def add_arguments(self, parser):
        parser.add_argument("--phone", default="", help="只显示发往该手机号码的短信（完整 11 位）")
        parser.add_argument("--last", type=int, default=10, help="显示最近 N 条（默认 10）")

    def handle(self, *args, phone: str = "", last: int = 10, **options):
        if last < 1:
            raise CommandError("--last 必须是正整数")
        qs = SmsMessage.objects.all()
        if phone:
            qs = qs.filter(phone=phone.strip())
        rows = list(qs.order_by("-created_at", "-id")[:last])
        if not rows:
            self.stdout.write("发件箱中没有短信")
            return
        for m in reversed(rows):
            self.stdout.write(
                f"{localtime(m.created_at):%Y-%m-%d %H:%M:%S}  {mask_phone(m.phone)}  "
                f"[{m.get_template_display_name()}|{m.get_status_display()}]  {m.text}"
            )
