"""发送考前测试通知 (issue 7 §5): a background job texts every candidate of the plan, at most
once per candidate per day (a database constraint), and shows the counts when done."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditLog
from candidates import services
from candidates.models import NoticeLog
from candidates.tests.factories import RegistrationFactory
from core.errors import ApplicationError
from jobs.models import Job, JobStatus
from plans.choices import AuditStatus
from plans.tests.factories import ExamPlanFactory
from sms.models import SmsMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world):
    plan = ExamPlanFactory(region=world.region_a)
    for i in range(3):
        RegistrationFactory(plan=plan, phone=f"1380000000{i}")
    return plan


def test_notice_job_texts_everyone_once_a_day(client, world, plan):
    client.force_login(world.admin_a)
    response = client.post(reverse("candidates:notice", args=[plan.pk]))
    job = Job.objects.get(kind="candidates.notice")
    assert response.status_code == 302 and f"job={job.pk}" in response["Location"]
    assert job.status == JobStatus.DONE and job.result == {"sent": 3, "skipped": 0, "failed": 0, "suspended": 0}
    messages = SmsMessage.objects.filter(template="exam_notice")
    assert sorted(messages.values_list("phone", flat=True)) == ["13800000000", "13800000001", "13800000002"]
    assert plan.batch_no in messages.first().text
    # the page shows the counts when done
    body = client.get(response["Location"]).content.decode()
    assert "已发送 3 条" in body
    # the same day again: nobody is texted twice
    client.post(reverse("candidates:notice", args=[plan.pk]))
    second = Job.objects.filter(kind="candidates.notice").order_by("-created_at").first()
    assert second.result == {"sent": 0, "skipped": 3, "failed": 0, "suspended": 0}
    assert SmsMessage.objects.filter(template="exam_notice").count() == 3
    assert AuditLog.objects.filter(action="plan.notice", object_id=str(plan.pk)).count() == 2
    assert AuditLog.objects.filter(action="plan.notice_done", object_id=str(plan.pk)).count() == 2


def test_next_day_texts_again(world, plan):
    reg = plan.registrations.first()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert services.registration_notice_send(registration=reg, acting_user=world.admin_a, today=yesterday) == "sent"
    assert services.registration_notice_send(registration=reg, acting_user=world.admin_a, today=yesterday) == "skipped"
    assert services.registration_notice_send(registration=reg, acting_user=world.admin_a,
                                             today=timezone.localdate()) == "sent"


def test_database_refuses_a_second_notice_the_same_day(world, plan):
    reg = plan.registrations.first()
    NoticeLog.objects.create(registration=reg, person=reg.person, date=timezone.localdate())
    with pytest.raises(IntegrityError), transaction.atomic():
        NoticeLog.objects.create(registration=reg, person=reg.person, date=timezone.localdate())


def test_a_person_in_two_plans_gets_one_notice_a_day(world, plan):
    """At most one per candidate per day (issue 7 §5), not one per registration."""
    reg = plan.registrations.first()
    other = RegistrationFactory(plan=ExamPlanFactory(region=world.region_a), person=reg.person)
    today = timezone.localdate()
    assert services.registration_notice_send(registration=reg, acting_user=world.admin_a, today=today) == "sent"
    assert services.registration_notice_send(registration=other, acting_user=world.admin_a, today=today) == "skipped"
    assert SmsMessage.objects.filter(phone=reg.phone, template="exam_notice").count() == 1


def test_unusable_phone_counts_as_failed_and_keeps_no_log(world, plan):
    reg = plan.registrations.first()
    type(reg).objects.filter(pk=reg.pk).update(phone="12")
    reg.refresh_from_db()
    assert services.registration_notice_send(registration=reg, acting_user=world.admin_a,
                                             today=timezone.localdate()) == "failed"
    assert not NoticeLog.objects.filter(registration=reg).exists()


def test_notice_refused_for_unapproved_or_started_plan(client, world):
    pending = ExamPlanFactory(region=world.region_a, audit_status=AuditStatus.PENDING)
    RegistrationFactory(plan=pending)
    with pytest.raises(ApplicationError, match="尚未审核通过"):
        services.plan_notice_start(plan=pending, acting_user=world.admin_a)
    started = ExamPlanFactory(region=world.region_a)
    RegistrationFactory(plan=started)
    with pytest.raises(ApplicationError, match="考试已开始"):
        services.plan_notice_start(plan=started, acting_user=world.admin_a,
                                   now=started.starts_at + datetime.timedelta(minutes=5))
    empty = ExamPlanFactory(region=world.region_a)
    client.force_login(world.admin_a)
    body = client.post(reverse("candidates:notice", args=[empty.pk])).content.decode()
    assert "还没有考生" in body
    assert not Job.objects.exists() and not SmsMessage.objects.exists()
