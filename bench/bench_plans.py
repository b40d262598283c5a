"""Exam plans: adding a plan through plan_create (rules, the locked BatchCounter, full_clean, the
audit row) against the floor of a bare ORM insert of the same row; and the first page of the
central list (selector with search, count, select_related) over 20,000 plans against the floor
of fetching the same 20 rows bare."""

import datetime

import _common

N = 300
PLANS = 20_000


def main():
    connection = _common.setup()
    try:
        from django.db import transaction
        from django.test import RequestFactory
        from django.utils import timezone

        from accounts.models import User
        from core.pagination import paginate
        from core.roles import Role
        from plans.choices import AuditStatus, ExamType
        from plans.models import ExamPlan
        from plans.rules import plan_moments
        from plans.selectors import plan_list
        from plans.services import plan_create
        from regions.models import Region

        central = User.objects.create_user("bench_central", role=Role.CENTRAL)
        region = Region.objects.get(code="11")
        admin = User.objects.create_user("bench_bj", role=Role.REGIONAL, region=region)
        first_day = timezone.localdate() + datetime.timedelta(days=10)
        vendor = _common.db_label(connection)

        def add_service():
            with transaction.atomic():
                for i in range(N):
                    plan_create(exam_type=ExamType.NEW_ONLINE, exam_date=first_day + datetime.timedelta(days=i % 300),
                                start_time=datetime.time(9, 0), acting_user=admin)
                transaction.set_rollback(True)

        def add_floor():
            with transaction.atomic():
                for i in range(N):
                    day = first_day + datetime.timedelta(days=i % 300)
                    starts_at, ends_at, end_time = plan_moments(day, datetime.time(9, 0), 120)
                    ExamPlan.objects.create(batch_no=f"F{i:06d}", region=region, exam_type=ExamType.NEW_ONLINE,
                                            exam_date=day, start_time=datetime.time(9, 0), end_time=end_time,
                                            duration_minutes=120, starts_at=starts_at, ends_at=ends_at,
                                            applicant=admin)
                transaction.set_rollback(True)

        floor_s = _common.best_of(add_floor)
        service_s = _common.best_of(add_service)
        _common.report(f"plan_create per plan [{vendor}]", service_s / N * 1e3, "ms", floor_s / N * 1e3)

        regions = list(Region.objects.all())
        types = list(ExamType.values)
        rows = []
        for i in range(PLANS):
            day = first_day + datetime.timedelta(days=i % 365)
            starts_at, ends_at, end_time = plan_moments(day, datetime.time(9, 0), 120)
            rows.append(ExamPlan(batch_no=f"B{i:07d}", region=regions[i % len(regions)], exam_type=types[i % 3],
                                 exam_date=day, start_time=datetime.time(9, 0), end_time=end_time,
                                 duration_minutes=120, starts_at=starts_at, ends_at=ends_at, applicant=admin,
                                 audit_status=AuditStatus.values[i % 3]))
        ExamPlan.objects.bulk_create(rows, batch_size=2000)
        filters = {"exam_type": ExamType.NEW_ONLINE, "date_from": first_day + datetime.timedelta(days=30),
                   "date_to": first_day + datetime.timedelta(days=200)}
        request = RequestFactory().get("/plans/")

        def list_page():
            page = paginate(request, plan_list(filters=filters, fetched_by=central))
            return [(p.batch_no, p.region.name, p.applicant.display_name, p.reviewer) for p in page["page_obj"]]

        def list_floor():
            return list(ExamPlan.objects.filter(exam_type=filters["exam_type"]).values_list("batch_no")[:20])

        assert len(list_page()) == 20
        floor_s = _common.best_of(list_floor, repeat=5)
        page_s = _common.best_of(list_page, repeat=5)
        _common.report(f"plan list first page of {PLANS} plans [{vendor}]", page_s * 1e3, "ms", floor_s * 1e3)
    finally:
        _common.teardown(connection)


if __name__ == "__main__":
    main()
