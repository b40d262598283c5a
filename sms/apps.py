from django.apps import AppConfig


class SmsConfig(AppConfig):
    name = "sms"
    verbose_name = "短信"

    def ready(self):
        from . import checks, tasks  # noqa: F401  (the deploy checks; "sms.deliver" to core.background)
