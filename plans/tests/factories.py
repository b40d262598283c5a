import datetime

import factory
from django.utils import timezone

from plans.choices import AuditStatus, ExamType
from plans.models import ExamPlan
from plans.rules import plan_moments


class ExamPlanFactory(factory.django.DjangoModelFactory):
    """An approved plan ten days ahead (its roster open) unless told otherwise. Pass
    `days_ahead` / `start` to place it in time; status through `audit_status`."""

    class Meta:
        model = ExamPlan

    class Params:
        days_ahead = 10

    batch_no = factory.Sequence(lambda n: f"T{n:05d}")
    region = factory.LazyFunction(lambda: __import__("regions.models").models.Region.objects.get(code="11"))
    exam_type = ExamType.NEW_ONLINE
    exam_date = factory.LazyAttribute(lambda o: timezone.localdate() + datetime.timedelta(days=o.days_ahead))
    start_time = datetime.time(9, 0)
    duration_minutes = 120
    audit_status = AuditStatus.APPROVED
    applicant = factory.LazyAttribute(
        lambda o: __import__("accounts.models").models.User.objects.filter(role="regional", region=o.region).first()
        or __import__("accounts.models").models.User.objects.create_user(
            f"applicant_{o.region.code}", role="regional", region=o.region)
    )
    starts_at = factory.LazyAttribute(lambda o: plan_moments(o.exam_date, o.start_time, o.duration_minutes)[0])
    ends_at = factory.LazyAttribute(lambda o: plan_moments(o.exam_date, o.start_time, o.duration_minutes)[1])
    end_time = factory.LazyAttribute(lambda o: plan_moments(o.exam_date, o.start_time, o.duration_minutes)[2])


def plan_via_services(admin, *, days_ahead: int = 10, start=datetime.time(9, 0), exam_type=ExamType.NEW_ONLINE,
                      status: str = AuditStatus.PENDING, reviewer=None, note: str = "", now=None) -> ExamPlan:
    """A plan added by `admin` through plans.services (real batch number, audit rows), then
    approved or rejected by `reviewer` (a central user) when `status` asks for it."""
    from plans.services import plan_approve, plan_create, plan_reject

    now = now or timezone.now()
    exam_date = timezone.localtime(now).date() + datetime.timedelta(days=days_ahead)
    plan = plan_create(exam_type=exam_type, exam_date=exam_date, start_time=start, acting_user=admin, now=now)
    if status == AuditStatus.APPROVED:
        plan = plan_approve(plan=plan, seen_version=plan.version, note=note, acting_user=reviewer, now=now)
    elif status == AuditStatus.REJECTED:
        plan = plan_reject(plan=plan, seen_version=plan.version, note=note or "材料不全", acting_user=reviewer, now=now)
    return plan
