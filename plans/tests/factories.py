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
