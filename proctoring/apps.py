from django.apps import AppConfig


class ProctoringConfig(AppConfig):
    name = "proctoring"
    verbose_name = "远程监考"

    def ready(self):
        from . import checks  # noqa: F401  (registers the storage-location check)
