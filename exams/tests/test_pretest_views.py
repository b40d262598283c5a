"""考前测试 through its pages: the candidate's parts, 我的考核's next step, the 管局's per-plan
page and notice, the report on the candidate page."""

import json
import re

import pytest
from django.urls import reverse

from audit.models import AuditLog
from candidates.tests.factories import RegistrationFactory
from exams import pretest_services as services
from exams.choices import InfoStatus, PretestStatus
from exams.models import DeviceCheck, Pretest
from plans.choices import ExamType
from plans.tests.factories import ExamPlanFactory

pytestmark = pytest.mark.django_db
CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/126.0.0.0 Safari/537.36")
JSON = {"content_type": "application/json"}


@pytest.fixture
def remote(world):
    plan = ExamPlanFactory(exam_type=ExamType.CONTINUING_ONLINE)
    return RegistrationFactory(plan=plan, person__user=world.candidate, person__name="刘文涛", phone="13912340001")


@pytest.fixture
def demo_bank(world):
    from questions.models import Question
    from questions.tests.factories import make_bank

    make_bank(world.central, per_cell=6)
    Question.objects.update(is_demo=True)


def test_my_exams_shows_the_pretest_due_as_the_next_step(client, world, remote):
    client.force_login(world.candidate)
    page = client.get(reverse("candidates:my_registrations")).content.decode()
    due = f"{services.pretest_closes_at(remote.plan).astimezone():%Y-%m-%d %H:%M}"
    assert "完成考前测试" in page and f"{due} 前完成" in page and "起进入考试" in page
    assert reverse("exams:pretest", args=[remote.pk]) in page


def test_the_information_test_through_the_page(client, world, remote):
    client.force_login(world.candidate)
    page = client.get(reverse("exams:pretest_info", args=[remote.pk])).content.decode()
    assert remote.person.id_number in page and "13912340001" in page  # their own details, in full
    bad = client.post(reverse("exams:pretest_info", args=[remote.pk]), {"action": "report", "fields": ["phone"],
                                                                        "note": ""})
    assert "请写明正确的信息" in bad.content.decode()
    assert not Pretest.objects.filter(info_status=InfoStatus.REPORTED).exists()
    client.post(reverse("exams:pretest_info", args=[remote.pk]),
                {"action": "report", "fields": ["phone"], "note": "手机号码应为 13912349999"})
    assert Pretest.objects.get(registration=remote).info_status == InfoStatus.REPORTED
    # the report reaches the 管局 on the candidate page, with the form to handle it
    client.force_login(world.admin_a)
    detail = client.get(reverse("candidates:detail", args=[remote.pk])).content.decode()
    assert "考生报告信息有误" in detail and "手机号码" in detail and 'data-testid="resolve-submit"' in detail
    assert "139****9999" in detail and "13912349999" not in detail  # masked like every number on the page
    revealed = client.post(reverse("candidates:reveal", args=[remote.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "13912349999" in revealed  # in full after the logged 查看完整信息
    client.post(reverse("exams:pretest_resolve", args=[remote.pk]), {"resolution": "corrected", "note": "已更正"})
    assert Pretest.objects.get(registration=remote).info_status == InfoStatus.RESOLVED
    client.force_login(world.candidate)
    home = client.get(reverse("exams:pretest", args=[remote.pk])).content.decode()
    assert "管局已处理您报告的问题" in home
    client.post(reverse("exams:pretest_info", args=[remote.pk]), {"action": "confirm"})
    assert Pretest.objects.get(registration=remote).info_status == InfoStatus.CONFIRMED


def test_the_device_test_through_its_json_endpoints(client, world, remote):
    client.force_login(world.candidate)
    page = client.get(reverse("exams:pretest_device", args=[remote.pk])).content.decode()
    config = json.loads(re.search(r'<script id="device-config" type="application/json">(.*?)</script>', page,
                                  re.S).group(1))
    assert config["camera_required"] is True and config["pings"] == 5
    started = client.post(config["start_url"], HTTP_USER_AGENT=CHROME).json()
    assert started["browser"] == "Chrome" and started["browser_version"] == 126
    ping = client.get(started["ping_url"]).json()
    assert ping["now_ms"] > 0
    assert client.post(started["save_url"], json.dumps({"probe": "x"}), **JSON).json()["saved"] is True
    finished = client.post(started["finish_url"], json.dumps({
        "clock_offset_ms": 12, "rtt_ms": 30, "rtt_samples": [30, 31],
        "camera": {"ok": True, "frames": 6, "width": 640, "height": 480}}), **JSON).json()
    assert finished["passed"] is True and finished["reasons"] == []
    again = client.post(started["finish_url"], json.dumps({}), **JSON)
    assert again.status_code == 400 and "已结束" in again.json()["message"]
    assert DeviceCheck.objects.get().passed is True


def test_the_practice_paper_through_the_page(client, world, remote, demo_bank):
    from papers.selectors import answer_key

    client.force_login(world.candidate)
    client.post(reverse("exams:pretest_practice", args=[remote.pk]))
    page = client.get(reverse("exams:pretest_practice", args=[remote.pk])).content.decode()
    practice = Pretest.objects.get(registration=remote).practice_papers.get()
    assert page.count('data-testid="practice-question-') == 10 and "演示题库" in page
    key = answer_key(services.practice_as_paper(practice))
    for entry in key:  # the key never reaches the page
        assert f'"{entry.version_id}"' not in page
    data = {f"q{e.position}": list(e.displayed) for e in key}
    done = client.post(reverse("exams:practice_submit", args=[practice.pk]), data, follow=True).content.decode()
    assert "练习得分：100.0 / 100.0 分" in done and 'data-testid="practice-wrong"' not in done


def test_the_plan_page_counts_filters_and_notices_those_who_have_not_passed(client, world, remote, demo_bank):
    from candidates.models import NoticeLog

    plan = remote.plan
    others = [RegistrationFactory(plan=plan, phone=f"1390000{i:04d}") for i in range(3)]
    # one passes, one fails (a report), two have not taken it
    passed = others[0]
    pretest = services.pretest_for(passed)
    Pretest.objects.filter(pk=pretest.pk).update(status=PretestStatus.PASSED, info_status=InfoStatus.CONFIRMED)
    services.pretest_info_report(registration=remote, fields=["name"], note="姓名应为刘文韬", acting_user=world.candidate)
    client.force_login(world.admin_a)
    listing = client.get(reverse("exams:pretest_plans")).content.decode()
    assert plan.batch_no in listing
    page = client.get(reverse("exams:pretest_plan", args=[plan.pk])).content.decode()
    assert "考生 4 名：已通过 1，未通过 1，未参加 2" in page and "信息有误待处理 1" in page
    only = client.get(reverse("exams:pretest_plan", args=[plan.pk]), {"status": "not_taken"}).content.decode()
    assert others[1].candidate_number in only and remote.candidate_number not in only
    assert passed.candidate_number not in only
    assert "向未通过或未参加的 3 名考生发送考前测试通知" in page
    response = client.post(reverse("exams:pretest_notice", args=[plan.pk]))
    assert response.status_code == 302 and "?job=" in response["Location"]
    progress = client.get(response["Location"]).content.decode()
    assert "job-progress" in progress
    texted = set(NoticeLog.objects.values_list("phone", flat=True))
    assert texted == {remote.phone, others[1].phone, others[2].phone}  # not the one who passed
    log = AuditLog.objects.get(action="plan.notice")
    assert log.after == {"audience": "pretest_pending", "total": 3}


def test_the_notice_to_those_who_have_not_passed_stops_at_the_cutoff(client, world, remote):
    import datetime

    from django.utils import timezone

    plan = remote.plan
    start = timezone.localtime() + datetime.timedelta(hours=30)
    from plans.rules import plan_moments

    starts_at, ends_at, end_time = plan_moments(start.date(), start.time().replace(microsecond=0), 90)
    type(plan).objects.filter(pk=plan.pk).update(exam_date=start.date(), start_time=start.time(), starts_at=starts_at,
                                                 ends_at=ends_at, end_time=end_time)
    client.force_login(world.admin_a)
    response = client.post(reverse("exams:pretest_notice", args=[plan.pk]), follow=True)
    assert "考前测试已于" in response.content.decode() and "截止" in response.content.decode()
    assert not AuditLog.objects.filter(action="plan.notice").exists()


def test_the_plan_page_links_to_the_pretest(client, world, remote):
    client.force_login(world.admin_a)
    page = client.get(reverse("plans:detail", args=[remote.plan_id])).content.decode()
    assert reverse("exams:pretest_plan", args=[remote.plan_id]) in page and "未参加 1" in page


def test_another_candidate_gets_404(client, world, remote):
    from accounts.models import User

    other = User.objects.create_user("t_candidate2", role="candidate")
    client.force_login(other)
    for name in ("pretest", "pretest_info", "pretest_device", "pretest_practice"):
        assert client.get(reverse(f"exams:{name}", args=[remote.pk])).status_code == 404
    check = services.device_check_start(registration=remote, acting_user=world.candidate, user_agent=CHROME, ip=None)
    assert client.get(reverse("exams:device_ping", args=[check.pk])).status_code == 404
    assert client.post(reverse("exams:device_finish", args=[check.pk]), "{}", **JSON).status_code == 404
