from django.apps import AppConfig


class CandidatesConfig(AppConfig):
    name = "candidates"
    verbose_name = "考生"

    def ready(self):
        from core.scoping import declare_regional_extra

        from .scoping import audit_rows_of_persons_registered_here

        declare_regional_extra("audit.AuditLog", audit_rows_of_persons_registered_here)
