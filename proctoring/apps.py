from django.apps import AppConfig


class ProctoringConfig(AppConfig):
    name = "proctoring"
    verbose_name = "远程监考"

    def ready(self):
        from . import checks, tasks  # noqa: F401  (the storage-location check; tasks to core.background)
