"""Exam test data built through the real services: a plan open now, its paper drawn."""

import datetime

from django.utils import timezone

from candidates.tests.factories import RegistrationFactory
from papers.services import papers_generate
from papers.tests.factories import make_rule
from plans.choices import ExamType
from plans.rules import plan_moments
from plans.tests.factories import ExamPlanFactory


def open_plan(*, minutes_ago: float = 5, duration: int = 90, exam_type=ExamType.CONTINUING_ONLINE, region=None,
              now=None):
    """An approved plan that started `minutes_ago` minutes ago (negative: starts later)."""
    now = now or timezone.now()
    start = timezone.localtime(now - datetime.timedelta(minutes=minutes_ago)).replace(microsecond=0)
    starts_at, ends_at, end_time = plan_moments(start.date(), start.time(), duration)
    kwargs = {"region": region} if region is not None else {}
    return ExamPlanFactory(exam_type=exam_type, exam_date=start.date(), start_time=start.time(),
                           duration_minutes=duration, starts_at=starts_at, ends_at=ends_at, end_time=end_time, **kwargs)


def rules_for(central, exam_type=ExamType.CONTINUING_ONLINE):
    """One rule for A, B and C of the type (12 questions: 2 areas × 3 types × 2)."""
    return make_rule(central, name="测试规则", exam_type=exam_type, personnel_types="ABC")


def sitting(plan, *, user=None, personnel_type="A", consent=True, **person):
    """A registration in `plan` (of `user`'s person when given) with its paper drawn. In a remote
    plan (继续教育(线上)) the candidate has also consented to proctoring, through the real
    service, unless `consent=False`."""
    if user is not None:
        person["person__user"] = user
    registration = RegistrationFactory(plan=plan, personnel_type=personnel_type, **person)
    papers_generate(plan=plan)
    if consent and user is not None:
        give_consent(registration)
    return registration


def give_consent(registration, *, granted=True):
    """The candidate answers the remote exam's notice (both purposes) through the real service."""
    from proctoring.choices import ConsentPurpose
    from proctoring.consent import CONSENT_VERSION
    from proctoring.selectors import is_remote_plan
    from proctoring.services import consent_record

    if not is_remote_plan(registration.plan):
        return
    consent_record(registration=registration, acting_user=registration.person.user,
                   answers={p: granted for p in ConsentPurpose.values}, version=CONSENT_VERSION)
