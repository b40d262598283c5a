"""Writing an audit row through audit_record (masking, request meta, JSON snapshot) against the
floor of a bare ORM insert of the same row, both on the same database in the same run."""

import _common

N = 2000


def main():
    connection = _common.setup()
    try:
        from django.db import transaction

        from accounts.models import User
        from audit.actions import Action
        from audit.models import AuditLog
        from audit.services import audit_record
        from core.roles import Role

        user = User.objects.create_user("bench", "Bench@2026x", role=Role.CENTRAL)
        before = {"id_number": "11010519491231002X", "phone": "13812345678", "name": "张三"}

        def service():
            with transaction.atomic():
                for i in range(N):
                    audit_record(actor=user, action=Action.PLAN_UPDATE, before=before, after={"i": i})

        def floor():
            with transaction.atomic():
                for i in range(N):
                    AuditLog.objects.create(actor=user, actor_name="bench", action=Action.PLAN_UPDATE, before=before, after={"i": i})

        floor_s = _common.best_of(floor)
        service_s = _common.best_of(service)
        vendor = _common.db_label(connection)
        _common.report(f"audit_record per row [{vendor}]", service_s / N * 1e6, "us", floor_s / N * 1e6)
    finally:
        _common.teardown(connection)


if __name__ == "__main__":
    main()
