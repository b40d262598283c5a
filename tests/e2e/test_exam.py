"""A whole online exam in the browser (docs/decisions.md#exam-engine): answer, reload (the clock goes on), go
offline, answer, come back (the answers reach the server: asserted in the database), close and
resume in a new browser context, a second page takes over, let the time run out (the server
submits with every saved answer) and the score is computed. Any console error fails the test."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from exams.choices import AttemptState
from exams.models import Answer, AnswerLog, Attempt
from exams.services import attempts_close_due, entry_rule_set
from exams.tests.factories import open_plan, rules_for, sitting
from papers.selectors import answer_key, paper_for_registration
from plans.choices import ExamType
from questions.tests.factories import make_bank
from results.models import Score

from .conftest import login_session
from .conftest import shot as _shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    """Full-page screenshots from the top, so the sticky exam header sits where it belongs."""
    page.keyboard.press("Home")
    page.wait_for_timeout(100)
    return _shot(page, name)


def _watch_console(page, allowed: list[str]):
    errors = []

    def on_console(msg):
        if msg.type == "error" and not any(a in msg.text for a in allowed):
            errors.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def _seconds(page) -> int:
    h, m, s = (int(x) for x in page.get_by_test_id("remaining").inner_text().split(":"))
    return h * 3600 + m * 60 + s


def _answer(page, entry, letters: str):
    for letter in letters:
        page.get_by_test_id(f"option-{entry.position}-{letter}").check()


def _all_saved(page, timeout=15_000):
    expect(page.get_by_test_id("net-status")).to_have_text("答案已全部保存", timeout=timeout)


def _saved(attempt) -> dict:
    return dict(Answer.objects.filter(attempt=attempt).values_list("position", "displayed"))


def test_a_whole_exam_survives_reload_offline_and_another_computer(browser, live_server, world):
    make_bank(world.central, per_cell=4)
    rules_for(world.central)
    plan = open_plan(minutes_ago=3, duration=90, exam_type=ExamType.CONTINUING_ONLINE)
    registration = sitting(plan, user=world.candidate, person__name="李秀英")
    key = answer_key(paper_for_registration(registration))
    # offline fetches fail by design while the network is down
    allowed = ["ERR_INTERNET_DISCONNECTED"]

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base = live_server.url
    errors = _watch_console(page, allowed)
    login_session(page, world.candidate)
    page.goto(page.base + "/candidates/mine/")
    assert "进入考试（" in page.get_by_test_id("exam-step").inner_text()
    shot(page, "exam_01_my_exams")
    page.get_by_test_id("exam-link").click()
    shot(page, "exam_02_entry")
    page.get_by_test_id("start-exam").click()
    page.wait_for_selector('[data-testid="question-1"]')
    attempt = Attempt.objects.get(registration=registration)
    assert attempt.state == AttemptState.IN_PROGRESS

    # answer two questions: they reach the server within the debounce
    _answer(page, key[0], key[0].displayed)
    _answer(page, key[1], key[1].displayed)
    _all_saved(page)
    assert _saved(attempt) == {1: key[0].displayed, 2: key[1].displayed}
    shot(page, "exam_03_answered")

    # reload: the clock goes on from the server, the answers are still there
    before = _seconds(page)
    page.wait_for_timeout(1500)
    page.reload()
    page.wait_for_selector('[data-testid="question-1"]')
    after = _seconds(page)
    assert 0 < after < before and after > before - 30
    assert page.get_by_test_id(f"option-1-{key[0].displayed[0]}").is_checked()

    # offline: answers stay on this computer, the page says so, the clock keeps running
    context.set_offline(True)
    _answer(page, key[2], key[2].displayed)
    _answer(page, key[3], key[3].displayed)
    page.wait_for_selector('[data-testid="exam-banner"]:not([hidden])')
    assert "网络已断开" in page.get_by_test_id("exam-banner").inner_text()
    ticking = _seconds(page)
    page.wait_for_timeout(2500)
    assert _seconds(page) < ticking
    assert set(_saved(attempt)) == {1, 2}
    shot(page, "exam_04_offline")

    # back online: the kept answers arrive
    context.set_offline(False)
    _all_saved(page, timeout=30_000)
    assert _saved(attempt) == {p.position: p.displayed for p in key[:4]}
    assert page.get_by_test_id("exam-banner").is_hidden()
    shot(page, "exam_05_back_online")
    context.close()

    # another computer: a new browser context resumes every answer and the remaining time
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base = live_server.url
    errors += _watch_console(page, allowed)
    login_session(page, world.candidate)
    page.goto(page.base + f"/exams/sit/{registration.pk}/")
    for entry in key[:4]:
        for letter in entry.displayed:
            assert page.get_by_test_id(f"option-{entry.position}-{letter}").is_checked()
    assert 0 < _seconds(page) <= after
    shot(page, "exam_06_resumed_elsewhere")

    # a second page takes over; the older one is told why and writes nothing more
    newer = context.new_page()
    newer.base = live_server.url
    errors += _watch_console(newer, allowed)
    newer.goto(newer.base + f"/exams/sit/{registration.pk}/")
    newer.wait_for_selector('[data-testid="question-1"]')
    # The older page learns of the takeover either from this answer's save or, first, from its
    # own clock sync (which disables its inputs): both are the rule, so either order passes.
    page.set_default_timeout(5_000)
    try:
        _answer(page, key[4], key[4].displayed)
    except PlaywrightTimeoutError:
        assert page.get_by_test_id(f"option-{key[4].position}-{key[4].displayed[0]}").is_disabled()
    page.set_default_timeout(15_000)
    page.wait_for_selector('[data-testid="exam-overlay"]:not([hidden])')
    assert "另一个页面或另一台电脑" in page.get_by_test_id("exam-overlay").inner_text()
    shot(page, "exam_07_taken_over")
    assert 5 not in _saved(attempt)
    page.close()

    # the time runs out: central's grace set short, the plan's end brought near
    entry_rule_set(exam_type=ExamType.CONTINUING_ONLINE, late_entry_minutes=30, grace_seconds=2,
                   acting_user=world.central)
    type(plan).objects.filter(pk=plan.pk).update(ends_at=timezone.now() + datetime.timedelta(seconds=8))
    page = newer
    _answer(page, key[4], key[4].displayed)  # the save's answer carries the new deadline
    _all_saved(page)
    page.wait_for_selector('[data-testid="exam-overlay"]:not([hidden])', timeout=20_000)
    assert "考试时间到" in page.get_by_test_id("exam-overlay").inner_text()
    shot(page, "exam_08_time_up")
    page.wait_for_timeout(2500)  # past deadline + grace
    assert attempts_close_due()["submitted"] == 1
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.GRADED
    saved = _saved(attempt)
    assert saved == {p.position: p.displayed for p in key[:5]}
    score = Score.objects.get(attempt=attempt)
    assert score.total == sum(e.points for e in key[:5]) and score.answered == 5
    assert AnswerLog.objects.filter(attempt=attempt, outcome="taken_over").exists()
    page.get_by_role("link", name="查看").click()
    page.wait_for_selector('[data-testid="submitted"]')
    assert "等待成绩发布" in page.content() and str(score.total) not in page.get_by_test_id("submitted").inner_text()
    shot(page, "exam_09_submitted")
    context.close()
    assert not errors, errors


def test_early_submission_lists_unanswered_questions(page, world):
    errors = _watch_console(page, [])
    make_bank(world.central, per_cell=4)
    rules_for(world.central)
    registration = sitting(open_plan(minutes_ago=1), user=world.candidate, person__name="陈志强")
    key = answer_key(paper_for_registration(registration))
    login_session(page, world.candidate)
    page.goto(page.base + f"/exams/sit/{registration.pk}/")
    page.get_by_test_id("start-exam").click()
    _answer(page, key[0], key[0].displayed)
    _all_saved(page)
    page.get_by_test_id("submit-exam").click()
    text = page.get_by_test_id("submit-confirm").inner_text()
    assert f"还有 {len(key) - 1} 题未作答" in text and re.search(r"第 2、3", text)
    shot(page, "exam_10_confirm_submit")
    page.get_by_test_id("confirm-submit").click()
    page.wait_for_selector('[data-testid="submitted"]')
    attempt = Attempt.objects.get(registration=registration)
    assert attempt.state == AttemptState.GRADED
    assert Score.objects.get(attempt=attempt).total == key[0].points
    assert not errors, errors


def test_centralized_exam_needs_the_code_the_region_reads_on_its_monitor(browser, live_server, world):
    make_bank(world.central, per_cell=4)
    rules_for(world.central, exam_type=ExamType.NEW_ONLINE)
    plan = open_plan(minutes_ago=2, exam_type=ExamType.NEW_ONLINE)
    registration = sitting(plan, user=world.candidate, person__name="黄建华")

    def new_page(user):
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN",
                                      timezone_id="Asia/Shanghai")
        context.set_default_timeout(15_000)
        pg = context.new_page()
        pg.base = live_server.url
        login_session(pg, user)
        return pg

    admin = new_page(world.admin_a)
    errors = _watch_console(admin, [])
    admin.goto(admin.base + "/")
    admin.get_by_role("link", name="考试监控").click()
    admin.get_by_test_id("monitor-plan").get_by_role("link", name="监控").click()
    code = admin.get_by_test_id("entry-code").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code)
    assert "未开始 1" in admin.get_by_test_id("monitor-counts").inner_text()
    shot(admin, "exam_11_monitor_entry_code")

    candidate = new_page(world.candidate)
    errors += _watch_console(candidate, [])
    candidate.goto(candidate.base + f"/exams/sit/{registration.pk}/")
    candidate.get_by_test_id("entry-code-input").fill("000000" if code != "000000" else "111111")
    candidate.get_by_test_id("start-exam").click()
    expect(candidate.locator(".msg-error")).to_contain_text("入场码不正确")
    assert Attempt.objects.get(registration=registration).state == AttemptState.NOT_STARTED
    shot(candidate, "exam_12_wrong_code")
    candidate.get_by_test_id("entry-code-input").fill(code)
    candidate.get_by_test_id("start-exam").click()
    candidate.wait_for_selector('[data-testid="question-1"]')
    assert Attempt.objects.get(registration=registration).state == AttemptState.IN_PROGRESS

    admin.reload()
    assert "进行中 1" in admin.get_by_test_id("monitor-counts").inner_text()
    shot(admin, "exam_13_monitor_in_progress")
    assert not errors, errors
