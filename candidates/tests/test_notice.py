"""发送考前测试通知 (docs/decisions.md#pretest-notice): a background job texts every candidate of the plan,
at most once per phone number per day (a database constraint), and shows counts that agree."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from audit.actions import Action
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
    assert job.status == JobStatus.DONE and job.result == {"sent": 3, "skipped": 0, "failed": 0, "suspended": 0, "sms": 3}
    messages = SmsMessage.objects.filter(template="exam_notice")
    assert sorted(messages.values_list("phone", flat=True)) == ["13800000000", "13800000001", "13800000002"]
    assert plan.batch_no in messages.first().text
    # the page shows the counts when done
    body = client.get(response["Location"]).content.decode()
    assert "已通知 3 名考生，发送短信 3 条" in body
    # the same day again: nobody is texted twice
    client.post(reverse("candidates:notice", args=[plan.pk]))
    second = Job.objects.filter(kind="candidates.notice").order_by("-created_at").first()
    assert second.result == {"sent": 0, "skipped": 3, "failed": 0, "suspended": 0, "sms": 0}
    assert SmsMessage.objects.filter(template="exam_notice").count() == 3
    assert AuditLog.objects.filter(action=Action.PLAN_NOTICE, object_id=str(plan.pk)).count() == 2
    assert AuditLog.objects.filter(action=Action.PLAN_NOTICE_DONE, object_id=str(plan.pk)).count() == 2


def send(reg, world, today):
    return services.phone_notice_send(phone=reg.phone, registrations=[reg], acting_user=world.admin_a,
                                      today=today)


def test_next_day_texts_again(world, plan):
    reg = plan.registrations.first()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert send(reg, world, yesterday) == "sent"
    assert send(reg, world, yesterday) == "skipped"
    assert send(reg, world, timezone.localdate()) == "sent"


def test_database_refuses_a_second_notice_to_a_number_the_same_day(world, plan):
    reg, other = plan.registrations.all()[:2]
    NoticeLog.objects.create(registration=reg, person=reg.person, phone="13800000009", date=timezone.localdate())
    with pytest.raises(IntegrityError), transaction.atomic():
        NoticeLog.objects.create(registration=other, person=other.person, phone="13800000009",
                                 date=timezone.localdate())


def test_a_person_in_two_plans_gets_one_notice_a_day(world, plan):
    """At most one per phone number per day (docs/decisions.md#pretest-notice), not one per registration."""
    reg = plan.registrations.first()
    other = RegistrationFactory(plan=ExamPlanFactory(region=world.region_a), person=reg.person, phone=reg.phone)
    today = timezone.localdate()
    assert send(reg, world, today) == "sent"
    assert send(other, world, today) == "skipped"
    assert SmsMessage.objects.filter(phone=reg.phone, template="exam_notice").count() == 1


def test_candidates_sharing_a_phone_get_one_sms_and_the_counts_agree(client, world, plan):
    """docs/decisions.md#pretest-notice: eleven candidates sharing a company's phone got eleven SMS; now one, naming
    them together, and the page's 今日已通知 counts every candidate reached."""
    shared = [RegistrationFactory(plan=plan, phone="13912345678", person__name=name)
              for name in ["王建国", "李秀英", "张志强", "刘海燕", "陈卫东", "杨丽华", "赵德明", "黄晓梅", "周国平",
                           "吴春兰", "徐永刚"]]
    already = RegistrationFactory(plan=ExamPlanFactory(region=world.region_a), phone="13800000002")
    send(already, world, timezone.localdate())  # texted today for another plan: skipped here
    client.force_login(world.admin_a)
    response = client.post(reverse("candidates:notice", args=[plan.pk]))
    job = Job.objects.get(kind="candidates.notice")
    assert job.result == {"sent": 13, "skipped": 1, "failed": 0, "suspended": 0, "sms": 3}
    assert SmsMessage.objects.filter(phone="13912345678", template="exam_notice").count() == 1
    first = min(shared, key=lambda r: r.candidate_number)
    assert f"{first.person.name}等11人" in SmsMessage.objects.get(phone="13912345678").text
    body = client.get(response["Location"]).content.decode()
    assert "已通知 13 名考生，发送短信 3 条" in body and "今日已通知而跳过 1 名" in body
    assert 'data-testid="notice-today">14 名<' in body  # 13 + the one notified earlier today = all 14
    counts = client.get(reverse("candidates:notice", args=[plan.pk]), {"job": job.pk, "part": "counts"},
                        headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="notice-today">14 名<' in counts and "hx-trigger" not in counts  # done: no more polling


def test_unusable_phone_counts_as_failed_and_keeps_no_log(world, plan):
    reg = plan.registrations.first()
    type(reg).objects.filter(pk=reg.pk).update(phone="12")
    reg.refresh_from_db()
    assert services.phone_notice_send(phone="12", registrations=[reg], acting_user=world.admin_a,
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
