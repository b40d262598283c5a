"""A remote-mode exam (继续教育(线上), docs/decisions.md#proctoring) in chromium with its fake camera
(`--use-fake-device-for-media-stream --use-fake-ui-for-media-stream`): consent refused → no
start; consent given → start; leaving the page and the window, copy/paste, leaving full
screen and the network going away and back are recorded (buffered while offline); snapshots
arrive and get their notes; the 管局 sees counts, central the record with the pictures. A second
browser feeds the fake camera a real face (a y4m file made from the test picture): the note is
正常, and the JPEG sizes the page produces are printed for the README's storage estimate."""

import contextlib
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from exams.choices import AttemptState
from exams.models import Attempt
from exams.tests.factories import open_plan, rules_for, sitting
from plans.choices import ExamType
from proctoring.choices import SnapshotNote
from proctoring.models import ConsentRecord, ProctorEvent, Snapshot
from questions.tests.factories import make_bank

from .conftest import CHROMIUM, CHROMIUM_ARGS, console_problems, login_session, serial_read, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
FAKE_CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
FACE = Path(__file__).resolve().parents[2] / "proctoring" / "tests" / "data" / "face.jpg"


def _y4m(path: Path, jpeg: Path, size=(640, 480)) -> Path:
    """A one-frame Y4M video (4:2:0) of a picture, for --use-file-for-fake-video-capture."""
    ycbcr = np.asarray(Image.open(jpeg).convert("RGB").resize(size, Image.LANCZOS).convert("YCbCr"))
    y, cb, cr = (ycbcr[:, :, i] for i in range(3))
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{size[0]} H{size[1]} F30:1 Ip A1:1 C420jpeg\n".encode())
        out.write(b"FRAME\n" + y.tobytes() + cb[::2, ::2].tobytes() + cr[::2, ::2].tobytes())
    return path


@contextlib.contextmanager
def _launch(session_browser, extra=()):
    """A chromium of its own (through the session's Playwright), launched with the fake camera and
    extra flags, and watched like the others."""
    from .conftest import watch_console

    browser = session_browser.browser_type.launch(executable_path=CHROMIUM, headless=True,
                                                  args=CHROMIUM_ARGS + FAKE_CAMERA + list(extra))
    plain = browser.new_context

    def new_context(*args, **kwargs):
        context = plain(*args, **kwargs)
        watch_console(context)
        return context

    browser.new_context = new_context
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def camera_browser(browser):
    """Chromium's fake camera: a moving test pattern."""
    with _launch(browser) as camera:
        yield camera


@pytest.fixture
def face_camera_browser(browser, tmp_path):
    """The fake camera fed with a real face (a y4m video made from the test picture)."""
    video = _y4m(tmp_path / "face.y4m", FACE)
    with _launch(browser, [f"--use-file-for-fake-video-capture={video}"]) as camera:
        yield camera


LEAVE = """() => {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
  document.dispatchEvent(new Event("visibilitychange"));
  window.dispatchEvent(new FocusEvent("blur"));
}"""
RETURN = """() => {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "visible" });
  document.dispatchEvent(new Event("visibilitychange"));
  window.dispatchEvent(new FocusEvent("focus"));
}"""


def _page(browser, live_server, user):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.base = live_server.url
    login_session(page, user)
    return page


def _sent(page, uploaded: int = 0, timeout: int = 30_000) -> None:
    """Wait (in the page, not the database) until proctor.js has nothing left to send and has
    uploaded at least `uploaded` snapshots."""
    page.wait_for_function(
        """(n) => { const b = document.getElementById("proctor-bar");
                    return b.dataset.pendingEvents === "0" && b.dataset.pendingShots === "0"
                           && Number(b.dataset.uploaded) >= n; }""", arg=uploaded, timeout=timeout)


def _db(read):
    return serial_read(read)


def _kinds(attempt) -> set[str]:
    return set(_db(lambda: list(ProctorEvent.objects.filter(attempt=attempt).values_list("kind", flat=True))))


def test_a_remote_exam_with_the_fake_camera(camera_browser, live_server, world, settings):
    from .conftest import CONSOLE_PROBLEMS

    CONSOLE_PROBLEMS.clear()
    settings.PROCTORING_SNAPSHOT_SECONDS = 5
    make_bank(world.central, per_cell=4)
    rules_for(world.central)
    plan = open_plan(minutes_ago=2, exam_type=ExamType.CONTINUING_ONLINE)
    registration = sitting(plan, user=world.candidate, consent=False, person__name="赵丽华")
    sitting(plan, person__name="孙志明")  # a second candidate on the monitor

    page = _page(camera_browser, live_server, world.candidate)
    page.goto(page.base + f"/exams/sit/{registration.pk}/")
    expect(page.get_by_test_id("proctor-consent")).to_be_visible()
    assert page.get_by_test_id("start-exam").count() == 0
    assert "北京市通信管理局" in page.get_by_test_id("consent-ask").inner_text()
    shot(page, "proctor_01_consent")

    # refused: recorded, no start, told whom to ask
    page.get_by_test_id("consent-camera-no").check()
    page.get_by_test_id("consent-behaviour-yes").check()
    page.get_by_test_id("consent-submit").click()
    expect(page.get_by_test_id("consent-refused")).to_be_visible()
    assert "北京市通信管理局" in page.locator(".msg-warning").inner_text()
    assert page.get_by_test_id("start-exam").count() == 0
    assert not _db(lambda: Attempt.objects.filter(registration=registration, state=AttemptState.IN_PROGRESS).exists())
    shot(page, "proctor_02_refused")

    # given: both purposes, then the start
    page.get_by_test_id("consent-camera-yes").check()
    page.get_by_test_id("consent-behaviour-yes").check()
    page.get_by_test_id("consent-submit").click()
    expect(page.get_by_test_id("consent-complete")).to_be_visible()
    assert _db(lambda: ConsentRecord.objects.filter(registration=registration).count()) == 4  # both answers kept
    page.get_by_test_id("start-exam").click()
    page.wait_for_selector('[data-testid="question-1"]')
    attempt = _db(lambda: Attempt.objects.get(registration=registration))
    assert attempt.state == AttemptState.IN_PROGRESS
    expect(page.get_by_test_id("proctor-status")).to_contain_text("摄像头已开启", timeout=20_000)
    _sent(page, uploaded=1)
    assert _db(lambda: Snapshot.objects.filter(attempt=attempt, trigger="start").exists())
    shot(page, "proctor_03_exam_camera_on")

    # full screen, then leaving it
    page.get_by_test_id("proctor-fullscreen").click()
    expect(page.get_by_test_id("proctor-fullscreen")).to_be_hidden()
    page.evaluate("document.exitFullscreen()")
    expect(page.get_by_test_id("proctor-fullscreen")).to_be_visible()
    _sent(page)
    assert {"fullscreen_enter", "fullscreen_exit"} <= _kinds(attempt)

    # leaving the page and the window, then coming back. Headless chromium never hides a page nor
    # takes its focus (another tab brought to the front, a minimised window: the page stays
    # "visible" and focused), so the browser's own signals are what this test sends: the
    # document's visibilityState turns hidden with its visibilitychange event, and the window
    # loses its focus; proctor.js handles them exactly as a real switch of tab or window.
    page.evaluate(LEAVE)
    page.wait_for_timeout(1200)
    page.evaluate(RETURN)
    _sent(page)
    assert {"page_hidden", "page_visible", "window_blur", "window_focus"} <= _kinds(attempt)
    away = _db(lambda: ProctorEvent.objects.get(attempt=attempt, kind="page_visible").duration_ms)
    assert 1000 <= away < 10_000

    # copy and paste are blocked and recorded
    page.get_by_test_id("question-1").locator("legend").dblclick()
    page.keyboard.press("Control+C")
    page.get_by_test_id("question-1").click()
    page.keyboard.press("Control+V")
    expect(page.get_by_test_id("proctor-status")).to_contain_text("禁止粘贴")
    _sent(page)
    assert {"copy", "paste"} <= _kinds(attempt)

    # the network goes away and comes back: both recorded, sent once it is back
    page.allowed_console = ["ERR_INTERNET_DISCONNECTED"]
    page.context.set_offline(True)
    page.wait_for_timeout(3000)
    assert page.get_by_test_id("proctor-bar").get_attribute("data-pending-events") != "0"  # kept on the page
    shot(page, "proctor_04_exam_offline")
    page.context.set_offline(False)
    _sent(page)
    assert {"network_offline", "network_online"} <= _kinds(attempt)

    # periodic snapshots keep coming, each one analysed in the background (eager here)
    uploaded = int(page.get_by_test_id("proctor-bar").get_attribute("data-uploaded"))
    _sent(page, uploaded=uploaded + 2)
    page.context.close()  # the camera stops: what follows reads a quiet database
    assert _db(lambda: Snapshot.objects.filter(attempt=attempt, trigger="periodic").count()) >= 2
    notes = set(Snapshot.objects.filter(attempt=attempt).values_list("note", flat=True))
    assert notes and SnapshotNote.PENDING not in notes and SnapshotNote.FAILED not in notes
    # the fake camera shows a test pattern, not a person
    assert SnapshotNote.NO_FACE in notes, notes
    event_shots = Snapshot.objects.filter(attempt=attempt).exclude(event_client_id="")
    assert event_shots.exists()
    sizes = sorted(Snapshot.objects.filter(attempt=attempt).values_list("size", flat=True))
    print(f"fake camera pattern snapshots: n={len(sizes)} median={sizes[len(sizes) // 2]} B max={sizes[-1]} B")
    # no event is stored twice although batches were retried
    ids = list(ProctorEvent.objects.filter(attempt=attempt).values_list("client_id", flat=True))
    assert len(ids) == len(set(ids))

    # the 管局 sees counts, not pictures
    admin = _page(camera_browser, live_server, world.admin_a)
    admin.goto(admin.base + f"/exams/monitor/{plan.pk}/")
    row = admin.get_by_test_id("monitor-row").filter(has_text="赵丽华")
    expect(row.get_by_test_id("monitor-events")).to_contain_text("离开考试页面")
    expect(row.get_by_test_id("monitor-consent")).to_have_text("已同意")
    assert admin.locator("img").count() == 0 and admin.get_by_test_id("proctor-record-link").count() == 0
    shot(admin, "proctor_05_region_monitor")
    admin.context.close()

    # central opens the record: timeline, pictures with their notes
    central = _page(camera_browser, live_server, world.central)
    central.goto(central.base + f"/exams/monitor/{plan.pk}/")
    central.get_by_test_id("monitor-row").filter(has_text="赵丽华").get_by_test_id("proctor-record-link").click()
    expect(central.get_by_test_id("proctor-evidence")).to_be_visible()
    expect(central.get_by_test_id("evidence-incidents")).to_contain_text("退出全屏")
    kinds = set(central.get_by_test_id("evidence-event").evaluate_all("rows => rows.map(r => r.dataset.kind)"))
    assert {"page_hidden", "fullscreen_exit", "copy", "paste", "network_offline", "camera_started"} <= kinds
    central.get_by_test_id("evidence-all-snapshots").locator("summary").click()
    first = central.get_by_test_id("evidence-all-snapshots").locator("img").first
    expect(first).to_be_visible()
    central.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=first.element_handle())
    shot(central, "proctor_06_central_record")
    central.context.close()

    problems = console_problems(["ERR_INTERNET_DISCONNECTED"])
    CONSOLE_PROBLEMS.clear()
    assert not problems, problems


def test_a_face_in_front_of_the_camera_is_normal(face_camera_browser, live_server, world, settings):
    from .conftest import CONSOLE_PROBLEMS

    browser = face_camera_browser
    CONSOLE_PROBLEMS.clear()
    settings.PROCTORING_SNAPSHOT_SECONDS = 5
    make_bank(world.central, per_cell=4)
    rules_for(world.central)
    registration = sitting(open_plan(minutes_ago=1), user=world.candidate, person__name="钱文静")
    page = _page(browser, live_server, world.candidate)
    page.goto(page.base + f"/exams/sit/{registration.pk}/")
    page.get_by_test_id("start-exam").click()
    page.wait_for_selector('[data-testid="question-1"]')
    attempt = _db(lambda: Attempt.objects.get(registration=registration))
    _sent(page, uploaded=3, timeout=40_000)
    shot(page, "proctor_07_face_exam")
    page.context.close()
    shots = list(Snapshot.objects.filter(attempt=attempt).exclude(note=SnapshotNote.PENDING))
    assert {s.note for s in shots} == {SnapshotNote.NORMAL}, [(s.note, s.faces) for s in shots]
    assert {(s.width, s.height) for s in shots} == {(480, 360)}
    sizes = sorted(s.size for s in shots)
    print(f"face snapshots 480x360 q=0.7: n={len(sizes)} median={sizes[len(sizes) // 2]} B max={sizes[-1]} B")
    with Image.open(io.BytesIO((Path(settings.PROCTORING_SNAPSHOT_ROOT) / shots[0].file_name).read_bytes())) as image:
        assert image.format == "JPEG"
        image.convert("RGB").save(Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
                                  / "proctor_07_face_snapshot.png")
    problems = console_problems()
    CONSOLE_PROBLEMS.clear()
    assert not problems, problems
