"""Snapshots and events from the remote exam page (docs/decisions.md#proctoring): only the caller's own open
attempt, with consent; real JPEGs within the size limit; private storage; idempotent by client
id; the note computed in the background (eager here)."""

import datetime
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from core.errors import ApplicationError
from exams.choices import AttemptState
from exams.models import Attempt
from exams.services import attempt_submit
from exams.tests.factories import give_consent, sitting
from proctoring.choices import EventKind, SnapshotNote
from proctoring.models import ProctorEvent, Snapshot
from proctoring.services import events_record, snapshot_store
from proctoring.storage import snapshot_storage

from .conftest import dark_jpeg, face_jpeg, jpeg, two_faces_jpeg

pytestmark = pytest.mark.django_db
CLIENT_ID = "0b0e2a3c-1f4e-4c1d-9d7e-5a6b7c8d9e0f"


def _upload(client, attempt, data, *, client_id=CLIENT_ID, content_type="image/jpeg", trigger="periodic", **extra):
    url = reverse("proctoring:snapshot_upload", args=[attempt.pk])
    return client.post(f"{url}?id={client_id}&at={int(timezone.now().timestamp() * 1000)}&trigger={trigger}", data,
                       content_type=content_type, **extra)


def _events(client, attempt, events):
    return client.post(reverse("proctoring:events", args=[attempt.pk]), json.dumps({"events": events}),
                       content_type="application/json")


def _event(kind="page_hidden", n=1, **extra):
    return {"id": f"evt-{n:04d}-abcdef", "kind": kind, "at": int(timezone.now().timestamp() * 1000), **extra}


def test_a_snapshot_is_stored_privately_and_gets_its_note(client, world, started, django_capture_on_commit_callbacks):
    client.force_login(world.candidate)
    with django_capture_on_commit_callbacks(execute=True):  # the face check is queued after the commit
        response = _upload(client, started, face_jpeg(), REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 200 and response.json() == {"stored": CLIENT_ID, "created": True}
    snapshot = Snapshot.objects.get()
    assert (snapshot.note, snapshot.faces, snapshot.width, snapshot.height) == (SnapshotNote.NORMAL, 1, 320, 240)
    assert snapshot.ip == "192.0.2.10" and snapshot.size == len(face_jpeg()) and snapshot.analysed_at
    path = Path(settings.PROCTORING_SNAPSHOT_ROOT) / snapshot.file_name
    assert path.read_bytes() == face_jpeg()
    assert Path(settings.MEDIA_ROOT) not in path.parents
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.jpg")) if Path(settings.MEDIA_ROOT).exists() else True
    with pytest.raises(NotImplementedError):
        snapshot_storage().url(snapshot.file_name)  # never a public URL


def test_notes_for_two_faces_and_a_covered_camera(client, world, started, django_capture_on_commit_callbacks):
    client.force_login(world.candidate)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, started, two_faces_jpeg(), client_id="shot-two-faces")
        _upload(client, started, dark_jpeg(), client_id="shot-dark-frame", trigger="page_hidden")
    notes = dict(Snapshot.objects.values_list("client_id", "note"))
    assert notes == {"shot-two-faces": SnapshotNote.MULTIPLE_FACES, "shot-dark-frame": SnapshotNote.OBSCURED}


def test_a_retried_upload_is_stored_once(client, world, started):
    client.force_login(world.candidate)
    _upload(client, started, face_jpeg())
    again = _upload(client, started, face_jpeg())
    assert again.json() == {"stored": CLIENT_ID, "created": False}
    assert Snapshot.objects.count() == 1
    assert len(list(Path(settings.PROCTORING_SNAPSHOT_ROOT).rglob("*.jpg"))) == 1


def test_another_candidates_attempt_is_refused(client, world, started, other_candidate):
    client.force_login(other_candidate)
    assert _upload(client, started, face_jpeg()).status_code == 404
    assert _events(client, started, [_event()]).status_code == 404
    # the service refuses too, whoever calls it
    with pytest.raises(ApplicationError):
        snapshot_store(attempt=started, data=face_jpeg(), client_id=CLIENT_ID, acting_user=other_candidate)
    for user in (world.admin_a, world.central):
        client.force_login(user)
        assert _upload(client, started, face_jpeg()).status_code == 403
    assert not Snapshot.objects.exists() and not ProctorEvent.objects.exists()


def test_a_closed_attempt_takes_no_snapshot(client, world, started):
    attempt_submit(attempt=started, token=Attempt.objects.get(pk=started.pk).session_token, acting_user=world.candidate)
    client.force_login(world.candidate)
    response = _upload(client, started, face_jpeg())
    assert response.status_code == 200 and response.json()["error"] == "closed"
    assert "不再接收抓拍照片" in response.json()["message"]
    assert not Snapshot.objects.exists()
    assert not any(Path(settings.PROCTORING_SNAPSHOT_ROOT).rglob("*.jpg"))


def test_an_attempt_not_started_takes_nothing(client, world, registration):
    from exams.services import attempt_for

    attempt = attempt_for(registration)
    client.force_login(world.candidate)
    assert _upload(client, attempt, face_jpeg()).json()["error"] == "closed"
    assert _events(client, attempt, [_event()]).json()["error"] == "closed"
    assert not Snapshot.objects.exists() and not ProctorEvent.objects.exists()


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.open(io.BytesIO(face_jpeg())).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(("make", "content_type", "message"), [
    (_png, "image/jpeg", "必须是 JPEG 图片（收到 PNG）"),
    (lambda: face_jpeg()[: len(face_jpeg()) // 2], "image/jpeg", "不是可以读取的 JPEG 图片"),
    (lambda: b"\xff\xd8\xff\xe0" + b"\x00" * 4000, "image/jpeg", "不是可以读取的 JPEG 图片"),
    (lambda: b"", "image/jpeg", "空文件"),
    (lambda: jpeg(__import__("PIL.Image", fromlist=["Image"]).new("RGB", (40, 30), "white")), "image/jpeg", "尺寸"),
    (face_jpeg, "application/octet-stream", "image/jpeg"),
])
def test_not_a_jpeg_is_refused_and_nothing_is_stored(client, world, started, make, content_type, message):
    client.force_login(world.candidate)
    response = _upload(client, started, make(), content_type=content_type)
    assert response.status_code == 400 and message in response.json()["message"]
    assert not Snapshot.objects.exists()
    assert not any(Path(settings.PROCTORING_SNAPSHOT_ROOT).rglob("*"))


def test_an_oversized_snapshot_is_refused(client, world, started, settings):
    settings.PROCTORING_SNAPSHOT_MAX_BYTES = 10 * 1024
    client.force_login(world.candidate)
    response = _upload(client, started, face_jpeg())  # 14 KB
    assert response.status_code == 413 and "不能超过 10 KB" in response.json()["message"]
    with pytest.raises(ApplicationError, match="不能超过"):  # the service checks the bytes themselves too
        snapshot_store(attempt=started, data=face_jpeg(), client_id=CLIENT_ID, acting_user=world.candidate)
    assert not Snapshot.objects.exists()


def test_without_camera_consent_nothing_is_taken(client, world, started):
    give_consent(started.registration, granted=False)  # withdrawn (only possible by a direct write)
    client.force_login(world.candidate)
    assert _upload(client, started, face_jpeg()).json()["error"] == "no_consent"
    assert _events(client, started, [_event()]).json()["error"] == "no_consent"
    assert not Snapshot.objects.exists() and not ProctorEvent.objects.exists()


def test_events_are_stored_with_both_times_and_once(client, world, started):
    client.force_login(world.candidate)
    batch = [_event("page_hidden", 1), _event("page_visible", 2, duration_ms=4200), _event("paste", 3),
             _event("network_offline", 4, detail="考试页面无法连接服务器")]
    response = _events(client, started, batch)
    assert response.status_code == 200 and response.json()["stored"] == [e["id"] for e in batch]
    assert _events(client, started, batch + [_event("copy", 5)]).status_code == 200  # replayed after a failure
    rows = list(ProctorEvent.objects.order_by("id"))
    assert [r.kind for r in rows] == ["page_hidden", "page_visible", "paste", "network_offline", "copy"]
    assert rows[1].duration_ms == 4200 and rows[3].detail == "考试页面无法连接服务器"
    assert all(r.client_at and r.server_at for r in rows)
    with pytest.raises(RuntimeError):
        rows[0].delete()  # append-only


@pytest.mark.parametrize(("bad", "message"), [
    ({"kind": "session_opened"}, "类型“session_opened”不正确"),  # only the server writes it
    ({"kind": "snapshot_refused"}, "类型“snapshot_refused”不正确"),  # so is this one
    ({"kind": "screenshot"}, "类型“screenshot”不正确"),
    ({"id": "x"}, "编号不正确"),
    ({"at": "yesterday"}, "时间不正确"),
    ({"duration_ms": -5}, "持续时间不正确"),
])
def test_one_bad_event_refuses_the_batch_and_names_it(client, world, started, bad, message):
    client.force_login(world.candidate)
    response = _events(client, started, [_event("copy", 1), {**_event("paste", 2), **bad}])
    assert response.status_code == 400 and response.json()["message"].startswith("第 2 条监考事件")
    assert message in response.json()["message"]
    assert not ProctorEvent.objects.exists()


def test_events_buffered_offline_arrive_after_the_submission(world, started):
    now = timezone.now()
    attempt_submit(attempt=started, token=Attempt.objects.get(pk=started.pk).session_token, acting_user=world.candidate)
    started.refresh_from_db()
    before = int((now - datetime.timedelta(minutes=1)).timestamp() * 1000)
    stored = events_record(attempt=started, raw_events=[{"id": "late-event-01", "kind": "network_offline",
                                                         "at": before}], acting_user=world.candidate)
    assert stored == ["late-event-01"]
    late = started.deadline + datetime.timedelta(minutes=30)
    with pytest.raises(ApplicationError, match="不再接收"):
        events_record(attempt=started, raw_events=[_event()], acting_user=world.candidate, now=late)


def test_opening_the_exam_page_again_records_the_takeover(client, world, registration):
    client.force_login(world.candidate)
    client.post(reverse("exams:start", args=[registration.pk]))
    page = client.get(reverse("exams:sit", args=[registration.pk]))
    html = page.content.decode()
    assert 'id="proctor-config"' in html and "proctoring/proctor.js" in html and "<script>" not in html
    assert not ProctorEvent.objects.exists()  # the first page takes nothing over
    client.get(reverse("exams:sit", args=[registration.pk]), REMOTE_ADDR="198.51.100.77")
    event = ProctorEvent.objects.get()
    assert (event.kind, event.ip, event.detail) == (EventKind.SESSION_OPENED, "198.51.100.77", "第 2 次打开考试页面")


def test_a_centralized_exam_page_has_no_proctoring(client, world):
    from exams.services import attempt_start, attempt_unlock
    from exams.tests.factories import open_plan, rules_for
    from plans.choices import ExamType
    from questions.tests.factories import make_bank

    make_bank(world.central, per_cell=4)
    rules_for(world.central, exam_type=ExamType.NEW_ONLINE)
    registration = sitting(open_plan(exam_type=ExamType.NEW_ONLINE), user=world.candidate)
    attempt_unlock(registration=registration, acting_user=world.admin_a)
    attempt_start(registration=registration, acting_user=world.candidate)
    client.force_login(world.candidate)
    html = client.get(reverse("exams:sit", args=[registration.pk])).content.decode()
    assert "proctor.js" not in html and "proctor-config" not in html
    assert Attempt.objects.get(registration=registration).state == AttemptState.IN_PROGRESS


def test_a_flooding_page_is_refused_beyond_the_cap(client, world, started, monkeypatch):
    monkeypatch.setattr("proctoring.services.MAX_EVENTS_PER_ATTEMPT", 3)
    client.force_login(world.candidate)
    assert _events(client, started, [_event("copy", n) for n in range(1, 4)]).json()["stored"]
    response = _events(client, started, [_event("paste", 9)])
    assert response.status_code == 200 and response.json()["error"] == "too_many"
    assert ProctorEvent.objects.count() == 3


def test_too_many_snapshots_are_refused(client, world, started, monkeypatch):
    monkeypatch.setattr("proctoring.services._max_snapshots", lambda attempt: 1)
    client.force_login(world.candidate)
    assert _upload(client, started, face_jpeg(), client_id="first-shot-1").json()["created"] is True
    response = _upload(client, started, face_jpeg(), client_id="second-shot")
    assert response.json()["error"] == "too_many" and Snapshot.objects.count() == 1
