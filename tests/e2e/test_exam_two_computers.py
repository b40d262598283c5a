"""The former known limit of docs/decisions.md#later-answer-wins, in the browser: computer A answers offline and keeps the
answers; the candidate moves to computer B and answers one of those questions again; when A
comes back and reopens the exam, its kept answers are replayed, the one B answered since is
refused as older (the page then shows B's answer) and the one nobody touched is kept."""

import pytest
from playwright.sync_api import expect

from exams.models import Answer, AnswerLog, Attempt
from exams.tests.factories import open_plan, rules_for, sitting
from papers.selectors import answer_key, paper_for_registration
from questions.tests.factories import make_bank

from .conftest import login_session, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _other(entry) -> str:
    """A wrong single letter for a 单选/判断 question."""
    return next(letter for letter in "AB" if letter != entry.displayed)


def _saved(attempt) -> dict:
    return dict(Answer.objects.filter(attempt=attempt).values_list("position", "displayed"))


def test_an_old_computer_never_overwrites_newer_answers(page, browser, live_server, world):
    make_bank(world.central, per_cell=4)
    rules_for(world.central)
    registration = sitting(open_plan(minutes_ago=3), user=world.candidate, person__name="李秀英")
    key = [e for e in answer_key(paper_for_registration(registration)) if e.qtype != "multiple"]
    first, second, third = key[0], key[1], key[2]
    page.allowed_console = ["ERR_INTERNET_DISCONNECTED"]

    # computer A: one answer saved, then offline: two more kept on this computer
    login_session(page, world.candidate)
    page.goto(page.base + f"/exams/sit/{registration.pk}/")
    page.get_by_test_id("start-exam").click()
    page.get_by_test_id(f"option-{first.position}-{first.displayed}").check()
    expect(page.get_by_test_id("net-status")).to_have_text("答案已全部保存")
    page.context.set_offline(True)
    page.get_by_test_id(f"option-{third.position}-{third.displayed}").check()
    page.get_by_test_id(f"option-{second.position}-{_other(second)}").check()
    expect(page.get_by_test_id("exam-banner")).to_contain_text("网络已断开")
    attempt = Attempt.objects.get(registration=registration)
    assert _saved(attempt) == {first.position: first.displayed}

    # computer B: answers the second question (correctly this time)
    other = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
    b = other.new_page()
    b.base = live_server.url
    login_session(b, world.candidate)
    b.goto(b.base + f"/exams/sit/{registration.pk}/")
    b.get_by_test_id(f"option-{second.position}-{second.displayed}").check()
    expect(b.get_by_test_id("net-status")).to_have_text("答案已全部保存")
    assert _saved(attempt)[second.position] == second.displayed
    other.close()

    # computer A is back and reopens the exam: its kept answers are replayed
    page.context.set_offline(False)
    page.reload()
    expect(page.get_by_test_id("net-status")).to_have_text("答案已全部保存", timeout=20_000)
    assert _saved(attempt) == {first.position: first.displayed, second.position: second.displayed,
                               third.position: third.displayed}
    # the page shows the answer the server kept, not its own older one
    expect(page.get_by_test_id(f"option-{second.position}-{second.displayed}")).to_be_checked()
    expect(page.get_by_test_id(f"option-{second.position}-{_other(second)}")).not_to_be_checked()
    assert AnswerLog.objects.filter(attempt=attempt, position=second.position, outcome="stale",
                                    displayed=_other(second)).exists()
    shot(page, "exam_two_computers_kept_newer")
