"""Real concurrency on PostgreSQL (row locks): two first plans of a region-year racing to create
the BatchCounter row, and central's approval racing a region's edit. SQLite serializes writers
(IMMEDIATE transactions), so these run in the PostgreSQL pass; the same rules are tested
deterministically in test_services.py on both databases."""

import datetime
import threading

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from plans.choices import AuditStatus, ExamType
from plans.models import BatchCounter, ExamPlan
from plans.services import STALE_VERSION_MESSAGE, plan_approve, plan_create, plan_update

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row-lock races need PostgreSQL (run with DATABASE_URL=postgres://…)")


def _in_thread(fn, results, key, before=None):
    def run():
        try:
            if before:
                before()
            results[key] = fn()
        except Exception as exc:  # collected and asserted by the test
            results[key] = exc
        finally:
            connections.close_all()

    return threading.Thread(target=run)


def test_first_plans_of_a_region_year_racing_get_distinct_numbers(world):
    from accounts.models import User

    # one region has one active administrator, so the racers are that admin in N threads
    admin = User.objects.get(pk=world.admin_a.pk)
    exam_date = timezone.localdate() + datetime.timedelta(days=20)
    barrier = threading.Barrier(6)
    results: dict = {}
    threads = [
        _in_thread(lambda: plan_create(exam_type=ExamType.NEW_ONLINE, exam_date=exam_date,
                                       start_time=datetime.time(9, 0), acting_user=admin).batch_no,
                   results, i, before=barrier.wait)
        for i in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    errors = [r for r in results.values() if isinstance(r, Exception)]
    assert not errors, errors
    prefix = f"11{exam_date.year % 100:02d}"
    assert sorted(results.values()) == [f"{prefix}{n:03d}" for n in range(1, 7)]
    assert BatchCounter.objects.get(region=world.region_a, year=exam_date.year).last_seq == 6


def test_approve_waiting_on_a_region_edit_is_refused(world):
    plan = plan_create(exam_type=ExamType.NEW_ONLINE, exam_date=timezone.localdate() + datetime.timedelta(days=20),
                       start_time=datetime.time(9, 0), acting_user=world.admin_a)
    seen = plan.version
    region_has_lock = threading.Event()
    release = threading.Event()
    results: dict = {}

    def region_edit():
        with transaction.atomic():
            ExamPlan.objects.select_for_update().get(pk=plan.pk)  # the region's edit holds the row
            region_has_lock.set()
            release.wait(10)
            return plan_update(plan=plan, exam_type=ExamType.NEW_OFFLINE, exam_date=plan.exam_date,
                               start_time=datetime.time(10, 0), seen_version=seen, acting_user=world.admin_a)

    def central_approve():
        region_has_lock.wait(10)
        release.set()  # the region commits while central waits on the row lock (or just before)
        return plan_approve(plan=plan, seen_version=seen, acting_user=world.central)

    threads = [_in_thread(region_edit, results, "region"), _in_thread(central_approve, results, "central")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert isinstance(results["region"], ExamPlan), results["region"]
    assert getattr(results["central"], "message", None) == STALE_VERSION_MESSAGE, results["central"]
    current = ExamPlan.objects.get(pk=plan.pk)
    assert current.audit_status == AuditStatus.PENDING and current.exam_type == ExamType.NEW_OFFLINE
