"""考前测试 in the browser (docs/decisions.md#pretest): 我的考核 shows it due as the next step; the candidate
reports a wrong detail, runs the 终端可用性测试 with chromium's fake camera (frames, clock,
round trip, the save reaching the server: asserted in the database), sits the practice paper;
the 管局 sees the report on the candidate page, handles it, sees the plan's counts and sends the
notice to those who have not passed (progress to the end); the candidate confirms again and has
passed. A Chromium that calls itself Edge fails with the reason shown. Any console error fails."""

import pytest
from playwright.sync_api import expect

from candidates.models import NoticeLog
from candidates.tests.factories import RegistrationFactory
from exams.choices import InfoStatus, PretestStatus
from exams.models import DeviceCheck, Pretest
from plans.choices import ExamType
from plans.tests.factories import ExamPlanFactory

from .conftest import CHROMIUM, CHROMIUM_ARGS, SHOTS, console_problems, login_session, shot, watch_console

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# a camera for getUserMedia without a device or a permission prompt
CAMERA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture(scope="module")
def camera_browser(browser):
    """A second chromium from the session's Playwright (one Playwright per process)."""
    camera = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + CAMERA_ARGS)
    yield camera
    camera.close()


def _context(browser, live_server, user, **kwargs):
    from tests.e2e import conftest

    conftest.CONSOLE_PROBLEMS.clear() if not kwargs.pop("keep", False) else None
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", **kwargs)
    watch_console(context)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.base = live_server.url
    login_session(page, user)
    return context, page


def _no_console_errors():
    problems = console_problems()
    assert not problems, "the browser reported errors:\n" + "\n".join(problems)


def test_the_whole_pretest_in_the_browser(camera_browser, live_server, world):
    from papers.selectors import answer_key
    from questions.models import Question
    from questions.tests.factories import make_bank

    make_bank(world.central, per_cell=6)
    Question.objects.update(is_demo=True)
    plan = ExamPlanFactory(exam_type=ExamType.CONTINUING_ONLINE)
    registration = RegistrationFactory(plan=plan, person__user=world.candidate, person__name="刘文涛",
                                       phone="13912340001", company_name="北京华信通信工程有限公司")
    others = [RegistrationFactory(plan=plan, phone=f"1390000{i:04d}") for i in range(2)]

    context, page = _context(camera_browser, live_server, world.candidate)
    page.goto(page.base + "/candidates/mine/")
    step = page.get_by_test_id("exam-step").inner_text()
    assert "完成考前测试" in step and "前完成" in step and "起进入考试" in step
    shot(page, "pretest_01_my_exams")
    page.get_by_test_id("exam-link").click()
    expect(page.get_by_test_id("pretest-status")).to_have_text("未参加")
    shot(page, "pretest_02_home")

    # 信息准确性测试: the phone is wrong
    page.get_by_test_id("pretest-info-link").click()
    expect(page.get_by_test_id("info-values")).to_contain_text("13912340001")
    page.get_by_test_id("info-field-phone").check()
    page.get_by_test_id("info-report").click()
    expect(page.get_by_test_id("info-error")).to_contain_text("请写明正确的信息")
    page.get_by_test_id("info-note").fill("手机号码应为 13912349999")
    shot(page, "pretest_03_info_report")
    page.get_by_test_id("info-report").click()
    expect(page.get_by_test_id("info-status")).to_have_text("已报告有误，待管局处理")

    # 终端可用性测试 with the fake camera
    page.get_by_test_id("pretest-device-link").click()
    page.get_by_test_id("device-start").click()
    expect(page.get_by_test_id("device-verdict")).to_contain_text("终端可用性测试通过", timeout=30_000)
    expect(page.get_by_test_id("r-camera")).to_contain_text("可用")
    expect(page.get_by_test_id("r-save")).to_have_text("已保存到服务器")
    shot(page, "pretest_04_device_passed")
    check = DeviceCheck.objects.get()
    assert check.passed and check.browser == "Chrome" and check.camera_ok and check.camera_frames >= 3
    assert check.save_received_at is not None and check.rtt_ms is not None and abs(check.clock_offset_ms) < 5_000
    assert len(check.rtt_samples) == 5

    # 练习卷
    page.get_by_test_id("device-back").click()
    page.get_by_test_id("pretest-practice-start").click()
    from exams import pretest_services

    practice = Pretest.objects.get(registration=registration).practice_papers.get()
    key = answer_key(pretest_services.practice_as_paper(practice))
    for entry in key[1:]:
        for letter in entry.displayed:
            page.get_by_test_id(f"practice-option-{entry.position}-{letter}").check()
    wrong = next(letter for letter in "ABCD" if letter not in key[0].displayed)
    page.get_by_test_id(f"practice-option-1-{wrong}").check()
    shot(page, "pretest_05_practice")
    page.get_by_test_id("practice-submit").click()
    expect(page.get_by_test_id("practice-score")).to_contain_text(f"{practice.total_points - key[0].points} / ")
    expect(page.get_by_test_id("practice-wrong")).to_have_count(1)
    shot(page, "pretest_06_practice_scored")
    page.get_by_test_id("practice-back").click()
    expect(page.get_by_test_id("pretest-status")).to_have_text("未通过")  # the report is open
    shot(page, "pretest_07_home_failed")
    context.close()
    _no_console_errors()

    # the 管局: the report on the candidate page, handled; the plan's counts; the notice
    admin_context, admin = _context(camera_browser, live_server, world.admin_a)
    admin.goto(admin.base + f"/candidates/{registration.pk}/")
    expect(admin.get_by_test_id("info-report")).to_contain_text("手机号码")
    shot(admin, "pretest_08_candidate_page_report")
    admin.get_by_test_id("resolve-resolution").select_option("corrected")
    admin.get_by_test_id("resolve-note").fill("已按考生所在企业来函更正")
    admin.get_by_test_id("resolve-submit").click()
    expect(admin.get_by_test_id("candidate-pretest")).to_contain_text("已处理：已更正考生信息")
    admin.goto(admin.base + f"/plans/{plan.pk}/")
    expect(admin.get_by_test_id("plan-pretest")).to_contain_text("考生 3 名")
    admin.get_by_test_id("plan-pretest-link").click()
    expect(admin.get_by_test_id("pretest-counts")).to_contain_text("已通过 0，未通过 1，未参加 2")
    shot(admin, "pretest_09_plan_page")
    admin.get_by_test_id("pretest-notice").click()
    expect(admin.get_by_test_id("job-status")).to_have_text("已完成", timeout=30_000)
    shot(admin, "pretest_10_notice_done")
    assert set(NoticeLog.objects.values_list("phone", flat=True)) == {registration.phone, *(o.phone for o in others)}
    admin_context.close()
    _no_console_errors()

    # the candidate confirms the corrected details: passed
    context, page = _context(camera_browser, live_server, world.candidate)
    page.goto(page.base + f"/exams/pretest/{registration.pk}/")
    page.get_by_test_id("pretest-info-link").click()
    page.get_by_test_id("info-confirm").click()
    expect(page.get_by_test_id("pretest-status")).to_contain_text("已通过")
    shot(page, "pretest_11_passed")
    pretest = Pretest.objects.get(registration=registration)
    assert pretest.status == PretestStatus.PASSED and pretest.info_status == InfoStatus.CONFIRMED
    page.goto(page.base + "/candidates/mine/")
    expect(page.get_by_test_id("pretest-link")).to_have_text("考前测试已通过")
    shot(page, "pretest_12_my_exams_passed")
    context.close()
    _no_console_errors()


def test_a_browser_that_is_not_chrome_fails_with_the_reason(camera_browser, live_server, world):
    plan = ExamPlanFactory(exam_type=ExamType.NEW_ONLINE)
    registration = RegistrationFactory(plan=plan, person__user=world.candidate)
    edge = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
            "Safari/537.36 Edg/126.0.0.0")
    context, page = _context(camera_browser, live_server, world.candidate, user_agent=edge)
    page.goto(page.base + f"/exams/pretest/{registration.pk}/device/")
    page.get_by_test_id("device-start").click()
    expect(page.get_by_test_id("device-verdict")).to_contain_text("未通过", timeout=30_000)
    expect(page.get_by_test_id("device-verdict")).to_contain_text("当前浏览器为Edge")
    assert page.locator("#r-camera").count() == 0  # a centralized plan needs no camera
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot(page, "pretest_13_device_failed")
    assert DeviceCheck.objects.get().passed is False
    context.close()
    _no_console_errors()
