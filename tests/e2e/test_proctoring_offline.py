"""Remote proctoring when things go wrong (docs/decisions.md#proctor-js, #consent-withdrawal), in chromium with its fake camera:
snapshots and events taken while the network is down survive a reload of the page (IndexedDB,
localStorage) and reach the server when it is back; the candidate withdraws consent during the
exam — the camera stops on the page at once, even offline, and the exam ends with the saved
answers once the server hears of it."""

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from exams.choices import AttemptState, TransitionCause
from exams.models import Attempt, AttemptTransition
from exams.tests.factories import open_plan, rules_for, sitting
from plans.choices import ExamType
from proctoring.models import ConsentRecord, ProctorEvent, Snapshot
from questions.tests.factories import make_bank
from results.models import Score

from .conftest import console_problems, shot
from .test_proctoring import _db, _page, _sent, camera_browser  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
OFFLINE = ["ERR_INTERNET_DISCONNECTED"]
WAITING_IDS = """() => new Promise((resolve) => {
  const open = indexedDB.open("sanlei-proctor", 1);
  open.onsuccess = () => {
    const request = open.result.transaction("shots").objectStore("shots").getAll();
    request.onsuccess = () => { resolve(request.result.map((s) => s.id)); open.result.close(); };
  };
})"""


def _remote_exam(world, name):
    make_bank(world.central, per_cell=4)
    rules_for(world.central)
    return sitting(open_plan(minutes_ago=2, exam_type=ExamType.CONTINUING_ONLINE), user=world.candidate,
                   person__name=name)


def test_snapshots_taken_offline_survive_a_reload(camera_browser, live_server, world, settings):  # noqa: F811
    from .conftest import CONSOLE_PROBLEMS

    CONSOLE_PROBLEMS.clear()
    settings.PROCTORING_SNAPSHOT_SECONDS = 5
    registration = _remote_exam(world, "周文斌")
    page = _page(camera_browser, live_server, world.candidate)
    url = page.base + f"/exams/sit/{registration.pk}/"
    page.goto(url)
    page.get_by_test_id("start-exam").click()
    page.wait_for_selector('[data-testid="question-1"]')
    attempt = _db(lambda: Attempt.objects.get(registration=registration))
    _sent(page, uploaded=1)

    page.context.set_offline(True)
    page.wait_for_function('() => Number(document.getElementById("proctor-bar").dataset.pendingShots) >= 2',
                           timeout=30_000)
    shot(page, "proctor_08_offline_waiting")
    waiting = page.evaluate(WAITING_IDS)
    assert len(waiting) >= 2
    assert not _db(lambda: Snapshot.objects.filter(attempt=attempt, client_id__in=waiting).exists())
    with pytest.raises(PlaywrightError):
        page.reload()  # still offline: the browser shows its own error page, the page's memory is gone
    page.context.set_offline(False)
    page.goto(url)  # the exam page again, online
    page.wait_for_selector('[data-testid="question-1"]')
    _sent(page, uploaded=len(waiting))
    stored = set(_db(lambda: list(Snapshot.objects.filter(attempt=attempt).values_list("client_id", flat=True))))
    assert set(waiting) <= stored, (waiting, stored)
    # the offline event waited in localStorage through the reload too
    assert _db(lambda: ProctorEvent.objects.filter(attempt=attempt, kind="network_offline").exists())
    assert page.evaluate(WAITING_IDS) == []  # nothing left waiting once the server has it
    shot(page, "proctor_09_back_online")
    page.context.close()
    problems = console_problems(OFFLINE)
    CONSOLE_PROBLEMS.clear()
    assert not problems, problems


def test_withdrawing_consent_stops_the_camera_at_once_and_ends_the_exam(camera_browser, live_server, world,  # noqa: F811
                                                                        settings):
    from .conftest import CONSOLE_PROBLEMS

    CONSOLE_PROBLEMS.clear()
    settings.PROCTORING_SNAPSHOT_SECONDS = 5
    registration = _remote_exam(world, "吴晓丽")
    page = _page(camera_browser, live_server, world.candidate)
    page.goto(page.base + f"/exams/sit/{registration.pk}/")
    page.get_by_test_id("start-exam").click()
    page.wait_for_selector('[data-testid="question-1"]')
    attempt = _db(lambda: Attempt.objects.get(registration=registration))
    expect(page.get_by_test_id("proctor-status")).to_contain_text("摄像头已开启", timeout=20_000)
    page.get_by_test_id("question-1").locator("input").first.check()
    expect(page.get_by_test_id("net-status")).to_have_text("答案已全部保存", timeout=20_000)

    page.get_by_test_id("proctor-withdraw").click()
    dialog = page.get_by_test_id("withdraw-dialog")
    expect(dialog).to_be_visible()
    expect(page.get_by_test_id("withdraw-consequences")).to_contain_text("本场考试立即结束")
    shot(page, "proctor_10_withdraw_dialog")
    page.get_by_test_id("withdraw-cancel").click()
    expect(dialog).to_be_hidden()
    assert _db(lambda: Attempt.objects.get(pk=attempt.pk).state) == AttemptState.IN_PROGRESS

    # offline: the camera stops on the page at once; the server hears of it when the network is back
    page.context.set_offline(True)
    page.get_by_test_id("proctor-withdraw").click()
    page.get_by_test_id("withdraw-confirm").click()
    expect(page.get_by_test_id("proctor-status")).to_contain_text("摄像头和记录已停止", timeout=20_000)
    assert page.evaluate('() => document.getElementById("proctor-video").srcObject === null')
    assert page.get_by_test_id("proctor-bar").get_attribute("data-pending-shots") == "0"
    assert page.get_by_test_id("question-2").locator("input").first.is_disabled()
    shot(page, "proctor_11_withdrawn_offline")
    uploaded = _db(lambda: Snapshot.objects.filter(attempt=attempt).count())
    assert _db(lambda: Attempt.objects.get(pk=attempt.pk).state) == AttemptState.IN_PROGRESS
    page.context.set_offline(False)
    expect(page.get_by_test_id("withdrawn")).to_be_visible(timeout=30_000)
    shot(page, "proctor_12_withdrawn_entry_page")

    attempt = _db(lambda: Attempt.objects.get(pk=attempt.pk))
    assert attempt.state == AttemptState.GRADED
    assert _db(lambda: AttemptTransition.objects.get(attempt=attempt, to_state="submitted").cause) == \
        TransitionCause.WITHDRAWN
    assert _db(lambda: Score.objects.get(attempt=attempt).answered) == 1  # the saved answer counts
    assert _db(lambda: ConsentRecord.objects.filter(registration=registration, granted=False).count()) == 2
    page.wait_for_timeout(6000)  # a periodic snapshot's interval: none came after the withdrawal
    assert _db(lambda: Snapshot.objects.filter(attempt=attempt).count()) == uploaded
    page.context.close()
    problems = console_problems(OFFLINE)
    CONSOLE_PROBLEMS.clear()
    assert not problems, problems
