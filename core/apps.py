from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "基础设施"

    def ready(self):
        # registers the deploy checks, and field__any_of
        from . import checks, lookups  # noqa: F401
