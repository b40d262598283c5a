"""The remote exam page with its snapshots written by nginx itself (proctoring.direct): chromium
(fake camera fed with a real face) opens the exam through a real nginx in front of the live
server; proctor.js PUTs each picture to its attempt's signed folder, nginx writes the files, the
ingest takes them in with their notes, and nothing reaches the app's own upload view."""

from pathlib import Path

import pytest

from exams.models import Attempt
from exams.tests.factories import open_plan, rules_for, sitting
from proctoring import direct
from proctoring.choices import SnapshotNote
from proctoring.models import Snapshot
from proctoring.tests.nginx import running_nginx
from questions.tests.factories import make_bank

from .conftest import console_problems, login_session, shot
from .test_proctoring import _db, _page, _sent, face_camera_browser  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SECRET = "e2e-direct-upload-secret_0123456789abcdefXYZ"


def test_snapshots_go_to_nginx_and_are_taken_in(face_camera_browser, live_server, world, settings, tmp_path):  # noqa: F811
    from .conftest import CONSOLE_PROBLEMS

    CONSOLE_PROBLEMS.clear()
    settings.PROCTORING_SNAPSHOT_SECONDS = 5
    settings.PROCTORING_DIRECT_UPLOAD_PREFIX = "/snapshot-inbox/"
    settings.PROCTORING_DIRECT_UPLOAD_SECRET = SECRET
    inbox = Path(settings.PROCTORING_INBOX_ROOT)
    make_bank(world.central, per_cell=4)
    rules_for(world.central)
    registration = sitting(open_plan(minutes_ago=1), user=world.candidate, person__name="周海燕")
    with running_nginx(tmp_path / "nginx", inbox=inbox, secret=SECRET, upstream=live_server.url,
                       max_bytes=settings.PROCTORING_SNAPSHOT_MAX_BYTES) as front:
        page = _page(face_camera_browser, live_server, world.candidate)
        page.base = front
        login_session(page, world.candidate)  # the same host, another port: its own cookie
        page.goto(front + f"/exams/sit/{registration.pk}/")
        page.get_by_test_id("start-exam").click()
        page.wait_for_selector('[data-testid="question-1"]')
        attempt = _db(lambda: Attempt.objects.get(registration=registration))
        _sent(page, uploaded=3, timeout=40_000)
        shot(page, "proctor_08_direct_upload_exam")
        page.context.close()
    files = sorted(p.name for p in inbox.rglob("*.jpg"))
    assert len(files) >= 3 and all(direct.FILE_NAME.match(name) for name in files), files
    assert not Snapshot.objects.filter(attempt=attempt).exists()  # the app's upload view saw none
    counts = direct.inbox_ingest(settle_seconds=0)
    assert counts == {"stored": len(files)}, counts
    shots = list(Snapshot.objects.filter(attempt=attempt))
    assert {s.note for s in shots} == {SnapshotNote.NORMAL}, [(s.note, s.faces) for s in shots]
    assert {s.trigger for s in shots} >= {"periodic"} and all(s.ip is None for s in shots)
    assert not any(inbox.rglob("*.jpg"))
    problems = console_problems()
    CONSOLE_PROBLEMS.clear()
    assert not problems, problems
