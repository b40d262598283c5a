"""考前测试 (docs/decisions.md#pretest): each rule with a test that fails when the rule is broken."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditLog
from candidates.tests.factories import RegistrationFactory
from core.errors import ApplicationError, PermissionDenied
from exams import pretest_services as services
from exams.choices import MAX_DEVICE_CHECKS, InfoStatus, PretestStatus
from exams.devicecheck import Measurements, evaluate, parse_browser
from exams.models import DeviceCheck, PracticePaper, Pretest
from plans.choices import ExamType
from plans.rules import roster_cutoff
from plans.tests.factories import ExamPlanFactory

pytestmark = pytest.mark.django_db

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/126.0.0.0 Safari/537.36")
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
EDGE = CHROME + " Edg/126.0.0.0"
GOOD = {"clock_offset_ms": 230, "rtt_ms": 40, "rtt_samples": [60, 40, 38, 41, 39],
        "camera": {"ok": True, "frames": 5, "width": 640, "height": 480}}


@pytest.fixture
def remote(world):
    """A 继续教育(线上) registration of world.candidate, ten days ahead (the 考前测试 open)."""
    plan = ExamPlanFactory(exam_type=ExamType.CONTINUING_ONLINE)
    return RegistrationFactory(plan=plan, person__user=world.candidate, person__name="刘文涛")


@pytest.fixture
def demo_bank(world):
    from questions.models import Question
    from questions.tests.factories import make_bank

    make_bank(world.central, per_cell=6)
    Question.objects.update(is_demo=True)


def _device(registration, user, ua=CHROME, measured=None, save=True, now=None):
    check = services.device_check_start(registration=registration, acting_user=user, user_agent=ua, ip="10.0.0.8",
                                        now=now)
    if save:
        services.device_check_save(check=check, acting_user=user, now=now)
    return services.device_check_finish(check=check, acting_user=user, measured=GOOD if measured is None else measured,
                                        now=now)


def _practice(registration, user):
    from papers.selectors import answer_key

    practice = services.practice_start(registration=registration, acting_user=user)
    key = answer_key(services.practice_as_paper(practice))
    return services.practice_submit(practice=practice, answers={e.position: e.displayed for e in key}, acting_user=user)


# ---------------------------------------------------------------- the whole and its window


def test_passed_only_when_all_three_parts_are(remote, world, demo_bank):
    pretest = services.pretest_for(remote)
    assert pretest.status == PretestStatus.NOT_TAKEN
    assert services.pretest_info_confirm(registration=remote, acting_user=world.candidate).status == PretestStatus.FAILED
    assert _device(remote, world.candidate).passed
    assert Pretest.objects.get(pk=pretest.pk).status == PretestStatus.FAILED  # practice still missing
    _practice(remote, world.candidate)
    pretest.refresh_from_db()
    assert pretest.status == PretestStatus.PASSED and pretest.passed_at is not None
    # a later failed device check takes the pass away: the latest run counts
    assert not _device(remote, world.candidate, ua=EDGE).passed
    pretest.refresh_from_db()
    assert pretest.status == PretestStatus.FAILED and pretest.passed_at is None


def test_open_from_the_import_until_48_hours_before_the_start(remote, world, demo_bank):
    cutoff = roster_cutoff(remote.plan)
    before = cutoff - datetime.timedelta(minutes=1)
    assert services.pretest_is_open(remote.plan, before) and not services.pretest_is_open(remote.plan, cutoff)
    services.pretest_info_confirm(registration=remote, acting_user=world.candidate, now=before)
    writes = [
        lambda: services.pretest_info_confirm(registration=remote, acting_user=world.candidate, now=cutoff),
        lambda: services.pretest_info_report(registration=remote, fields=["phone"], note="13911112222",
                                             acting_user=world.candidate, now=cutoff),
        lambda: services.device_check_start(registration=remote, acting_user=world.candidate, user_agent=CHROME,
                                            ip=None, now=cutoff),
        lambda: services.practice_start(registration=remote, acting_user=world.candidate, now=cutoff),
    ]
    for write in writes:
        with pytest.raises(ApplicationError, match="考前测试已于 .*截止"):
            write()
    assert Pretest.objects.get(registration=remote).info_status == InfoStatus.CONFIRMED
    assert not DeviceCheck.objects.exists() and not PracticePaper.objects.exists()


def test_a_check_started_before_the_cutoff_cannot_finish_after_it(remote, world):
    cutoff = roster_cutoff(remote.plan)
    check = services.device_check_start(registration=remote, acting_user=world.candidate, user_agent=CHROME, ip=None,
                                        now=cutoff - datetime.timedelta(seconds=5))
    with pytest.raises(ApplicationError, match="截止"):
        services.device_check_finish(check=check, acting_user=world.candidate, measured=GOOD, now=cutoff)
    assert Pretest.objects.get(registration=remote).device_passed is None


def test_no_pretest_for_the_answer_card_mode_or_an_unapproved_plan(remote, world):
    for plan in (ExamPlanFactory(exam_type=ExamType.NEW_OFFLINE), ExamPlanFactory(audit_status="pending")):
        registration = RegistrationFactory(plan=plan, person=remote.person)
        with pytest.raises(ApplicationError, match="无需考前测试"):
            services.pretest_info_confirm(registration=registration, acting_user=world.candidate)


def test_only_the_own_candidate(remote, world):
    from accounts.models import User

    other = User.objects.create_user("t_candidate2", role="candidate")
    for user in (other, world.admin_a, world.central):
        with pytest.raises(PermissionDenied):
            services.pretest_info_confirm(registration=remote, acting_user=user)
        with pytest.raises(PermissionDenied):
            services.device_check_start(registration=remote, acting_user=user, user_agent=CHROME, ip=None)
    check = services.device_check_start(registration=remote, acting_user=world.candidate, user_agent=CHROME, ip=None)
    with pytest.raises(PermissionDenied):
        services.device_check_finish(check=check, acting_user=other, measured=GOOD)
    assert not Pretest.objects.filter(info_status=InfoStatus.CONFIRMED).exists()


# ---------------------------------------------------------------- 信息准确性测试


def test_a_report_reaches_the_region_which_handles_it_and_the_candidate_confirms_again(remote, world):
    with pytest.raises(ApplicationError, match="请勾选"):
        services.pretest_info_report(registration=remote, fields=[], note="x", acting_user=world.candidate)
    with pytest.raises(ApplicationError, match="请勾选"):
        services.pretest_info_report(registration=remote, fields=["salary"], note="x", acting_user=world.candidate)
    with pytest.raises(ApplicationError, match="请写明正确的信息"):
        services.pretest_info_report(registration=remote, fields=["phone"], note=" ", acting_user=world.candidate)
    assert services.pretest_for(remote).info_status == InfoStatus.PENDING
    pretest = services.pretest_info_report(registration=remote, fields=["phone", "company_name"],
                                           note="手机号码应为 13912345678，企业名称应为北京华信通信工程有限公司",
                                           acting_user=world.candidate)
    assert pretest.info_status == InfoStatus.REPORTED and pretest.status == PretestStatus.FAILED
    log = AuditLog.objects.get(action="pretest.info_report")
    assert log.region_id == remote.region_id and "13912345678" not in str(log.after)  # masked in the log
    for user in (world.admin_b, world.candidate):  # another region's 管局; the candidate themself
        with pytest.raises(PermissionDenied):
            services.pretest_info_resolve(registration=remote, resolution="corrected", note="", acting_user=user)
    with pytest.raises(ApplicationError, match="处理结果"):
        services.pretest_info_resolve(registration=remote, resolution="whatever", note="", acting_user=world.admin_a)
    pretest = services.pretest_info_resolve(registration=remote, resolution="corrected", note="已按营业执照更正",
                                            acting_user=world.admin_a)
    assert pretest.info_status == InfoStatus.RESOLVED and pretest.info_resolved_by == world.admin_a
    assert AuditLog.objects.filter(action="pretest.info_resolve", actor=world.admin_a).exists()
    with pytest.raises(ApplicationError, match="没有待处理"):
        services.pretest_info_resolve(registration=remote, resolution="corrected", note="", acting_user=world.admin_a)
    assert services.pretest_info_confirm(registration=remote,
                                         acting_user=world.candidate).info_status == InfoStatus.CONFIRMED


def test_after_the_cutoff_only_central_handles_a_report(remote, world):
    services.pretest_info_report(registration=remote, fields=["name"], note="姓名应为刘文韬", acting_user=world.candidate)
    cutoff = roster_cutoff(remote.plan)
    with pytest.raises(ApplicationError, match="名单已锁定"):
        services.pretest_info_resolve(registration=remote, resolution="corrected", note="", acting_user=world.admin_a,
                                      now=cutoff)
    assert services.pretest_info_resolve(registration=remote, resolution="verified", note="核实无误",
                                         acting_user=world.central, now=cutoff).info_status == InfoStatus.RESOLVED


def test_a_change_of_the_details_asks_for_a_new_confirmation(remote, world):
    from candidates.services import registration_update

    services.pretest_info_confirm(registration=remote, acting_user=world.candidate)
    person = remote.person
    raw = {"name": person.name, "id_type": str(person.id_type.code), "id_number": person.id_number,
           "phone": "13911112222", "company_name": remote.company_name, "credit_code": remote.credit_code,
           "personnel_type": remote.personnel_type, "cert_number": "ABC-1", "cert_expiry": "2027-06-30"}
    registration_update(registration=remote, raw=raw, acting_user=world.admin_a)
    assert Pretest.objects.get(registration=remote).info_status == InfoStatus.PENDING


# ---------------------------------------------------------------- 终端可用性测试


def test_a_good_run_passes_with_every_value_stored_and_audited(remote, world):
    check = _device(remote, world.candidate)
    assert check.passed and check.reasons == []
    assert (check.browser, check.browser_version, check.camera_required) == ("Chrome", 126, True)
    assert (check.camera_frames, check.camera_width, check.clock_offset_ms, check.rtt_ms) == (5, 640, 230, 40)
    assert check.rtt_samples == [60, 40, 38, 41, 39] and check.save_received_at is not None and check.ip == "10.0.0.8"
    log = AuditLog.objects.get(action="pretest.device_check")
    assert log.after["passed"] is True and log.after["rtt_ms"] == 40 and log.after["clock_offset_ms"] == 230


def test_the_server_judges_the_values_not_the_page(remote, world):
    # the save never reached the server: whatever the page claims, it failed
    check = _device(remote, world.candidate, save=False, measured={**GOOD, "save_ok": True, "passed": True})
    assert not check.passed and any("未能保存" in r for r in check.reasons)
    # the browser comes from the User-Agent the server received
    assert any("Edge" in r for r in _device(remote, world.candidate, ua=EDGE).reasons)
    old = "Mozilla/5.0 (Windows NT 6.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/90.0.4430.93 Safari/537.36"
    assert any("版本过低" in r for r in _device(remote, world.candidate, ua=old).reasons)
    assert _device(remote, world.candidate, ua=FIREFOX).passed
    # a remote plan needs camera frames; clock and network limits
    no_camera = {**GOOD, "camera": {"ok": False, "frames": 0, "error": "未允许浏览器使用摄像头"}}
    assert any("摄像头" in r for r in _device(remote, world.candidate, measured=no_camera).reasons)
    assert any("电脑时间" in r for r in _device(remote, world.candidate, measured={**GOOD, "clock_offset_ms": -600_000}).reasons)
    assert any("网络延迟" in r for r in _device(remote, world.candidate, measured={**GOOD, "rtt_ms": 2500}).reasons)
    assert not _device(remote, world.candidate, measured={}).passed


def test_a_centralized_plan_needs_no_camera(world):
    registration = RegistrationFactory(plan=ExamPlanFactory(exam_type=ExamType.NEW_ONLINE),
                                       person__user=world.candidate)
    check = _device(registration, world.candidate, measured={k: v for k, v in GOOD.items() if k != "camera"})
    assert check.passed and check.camera_required is False and check.camera_ok is None


def test_bad_values_are_refused_and_a_run_finishes_once(remote, world):
    check = services.device_check_start(registration=remote, acting_user=world.candidate, user_agent=CHROME, ip=None)
    with pytest.raises(ApplicationError, match="往返时间格式不正确"):
        services.device_check_finish(check=check, acting_user=world.candidate, measured={**GOOD, "rtt_ms": "fast"})
    with pytest.raises(ApplicationError, match="检测结果格式不正确"):
        services.device_check_finish(check=check, acting_user=world.candidate, measured=["x"])
    assert DeviceCheck.objects.get(pk=check.pk).finished_at is None
    services.device_check_finish(check=check, acting_user=world.candidate, measured=GOOD)
    with pytest.raises(ApplicationError, match="已结束"):
        services.device_check_finish(check=DeviceCheck.objects.get(pk=check.pk), acting_user=world.candidate,
                                     measured=GOOD)


def test_the_number_of_runs_is_limited(remote, world):
    pretest = services.pretest_for(remote)
    DeviceCheck.objects.bulk_create([DeviceCheck(pretest=pretest, started_at=timezone.now())
                                     for _ in range(MAX_DEVICE_CHECKS)])
    with pytest.raises(ApplicationError, match="最多进行"):
        services.device_check_start(registration=remote, acting_user=world.candidate, user_agent=CHROME, ip=None)


@pytest.mark.parametrize(("ua", "key", "version"), [
    (CHROME, "chrome", 126), (FIREFOX, "firefox", 128), (EDGE, "other", 126),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
     "chrome", 120),
    (CHROME + " OPR/110.0.0.0", "other", 110), (CHROME + " QIHU 360SE", "other", None),
    ("Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
     "chrome", 126), ("curl/8.0", "other", None), ("", "other", None),
])
def test_parse_browser(ua, key, version):
    browser = parse_browser(ua)
    assert (browser.key, browser.version) == (key, version)


def test_a_phone_is_refused_even_with_chrome():
    mobile = parse_browser("Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36")
    verdict = evaluate(mobile, Measurements(camera_required=False, clock_offset_ms=0, rtt_ms=10, save_received=True))
    assert not verdict.passed and "电脑" in verdict.reasons[0]


# ---------------------------------------------------------------- 练习卷


def test_the_practice_paper_comes_from_the_demo_bank_and_is_graded(remote, world, demo_bank):
    from papers.selectors import answer_key
    from questions.models import Question, QuestionVersion
    from questions.tests.factories import make_question

    real = make_question(world.central, "R0001")  # a real (non-demo) question is never drawn
    practice = services.practice_start(registration=remote, acting_user=world.candidate)
    assert services.practice_start(registration=remote, acting_user=world.candidate).pk == practice.pk  # resumed
    versions = {item[0] for item in practice.items}
    assert len(versions) == 10 and real.current_version_id not in versions
    assert set(QuestionVersion.objects.filter(pk__in=versions).values_list("question__is_demo", flat=True)) == {True}
    key = answer_key(services.practice_as_paper(practice))
    with pytest.raises(ApplicationError, match="第 1 题的答案不正确"):
        services.practice_submit(practice=practice, answers={1: "Z"}, acting_user=world.candidate)
    assert PracticePaper.objects.get(pk=practice.pk).submitted_at is None
    answers = {e.position: e.displayed for e in key}
    answers[1] = next(letter for letter in "ABCD" if letter != key[0].displayed)  # one wrong
    done = services.practice_submit(practice=practice, answers=answers, acting_user=world.candidate)
    assert done.score == done.total_points - key[0].points and done.correct == 9
    assert done.marks["1"] is False and done.marks["2"] is True
    assert Pretest.objects.get(registration=remote).practice_done_at is not None
    with pytest.raises(ApplicationError, match="已交卷"):
        services.practice_submit(practice=done, answers=answers, acting_user=world.candidate)
    assert services.practice_start(registration=remote, acting_user=world.candidate).pk != practice.pk  # again
    assert not Question.objects.filter(pk=real.pk, current_version__used_at__isnull=False).exists()


def test_no_practice_without_a_demo_bank(remote, world):
    from questions.tests.factories import make_bank

    make_bank(world.central, per_cell=6)  # a real bank only
    assert not services.practice_available()
    with pytest.raises(ApplicationError, match="练习题库暂不可用"):
        services.practice_start(registration=remote, acting_user=world.candidate)
