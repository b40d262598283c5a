"""Withdrawing consent during a remote exam (个人信息保护法 Art. 15; docs/decisions.md, remote
proctoring): the exam page offers it, the exam ends (submitted with the saved answers and graded,
the cause recorded), a 不同意 record is appended per purpose, it is audited, and the server refuses
every later snapshot and event of the attempt."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.actions import Action
from audit.models import AuditLog
from core.errors import ApplicationError, PermissionDenied
from exams.choices import AttemptState, TransitionCause
from exams.models import Attempt, AttemptTransition
from exams.services import answers_save
from papers.selectors import answer_key, paper_for_registration
from proctoring.models import ConsentRecord, ProctorEvent, Snapshot
from proctoring.selectors import consent_granted
from proctoring.services import consent_withdraw, events_record, snapshot_store
from results.models import Score

from .conftest import face_jpeg

pytestmark = pytest.mark.django_db


def _withdraw(client, attempt, purposes):
    return client.post(reverse("proctoring:withdraw", args=[attempt.pk]), json.dumps({"purposes": purposes}),
                       content_type="application/json", REMOTE_ADDR="203.0.113.9")


def _answer_all(attempt, user):
    key = answer_key(paper_for_registration(attempt.registration))
    token = Attempt.objects.get(pk=attempt.pk).session_token
    answers_save(attempt=attempt, token=token, acting_user=user,
                 raw_items=[{"position": e.position, "answer": e.displayed, "seq": e.position} for e in key])
    return key


def _ms(moment) -> int:
    return int(moment.timestamp() * 1000)


def test_the_exam_page_offers_the_withdrawal_and_says_what_follows(client, world, started):
    client.force_login(world.candidate)
    html = client.get(reverse("exams:sit", args=[started.registration_id])).content.decode()
    assert 'data-testid="proctor-withdraw"' in html and reverse("proctoring:withdraw", args=[started.pk]) in html
    dialog = html[html.index('data-testid="withdraw-dialog"'):]
    assert "立即停止" in dialog and "本场考试立即结束" in dialog and "已保存到服务器的答案" in dialog
    # the notice itself says so before the candidate consents
    assert all(any(h == "撤回同意" and "撤回任一项同意即结束本场考试" in t for h, t in text.paragraphs)
               for text in __import__("proctoring.consent", fromlist=["x"]).consent_texts())


def test_withdrawing_ends_the_exam_with_the_saved_answers_audited(client, world, started):
    key = _answer_all(started, world.candidate)
    client.force_login(world.candidate)
    response = _withdraw(client, started, ["camera", "behaviour"])
    assert response.status_code == 200
    assert response.json()["next"] == reverse("exams:sit", args=[started.registration_id])
    attempt = Attempt.objects.get(pk=started.pk)
    assert attempt.state == AttemptState.GRADED and attempt.submitted_at
    transition = AttemptTransition.objects.get(attempt=attempt, to_state=AttemptState.SUBMITTED)
    assert (transition.cause, transition.actor) == (TransitionCause.WITHDRAWN, world.candidate)
    assert Score.objects.get(attempt=attempt).total == sum(e.points for e in key)  # every saved answer counts
    records = ConsentRecord.objects.filter(registration=started.registration, granted=False)
    assert sorted(records.values_list("purpose", flat=True)) == ["behaviour", "camera"]
    assert set(records.values_list("ip", flat=True)) == {"203.0.113.9"}
    assert consent_granted(started.registration) == {"camera": False, "behaviour": False}
    log = AuditLog.objects.get(action=Action.PROCTORING_CONSENT_WITHDRAW)
    assert log.actor == world.candidate and log.region_id == started.region_id
    assert log.after["withdrawn"] == ["camera", "behaviour"] and "按已保存的答案交卷" in log.message
    assert AuditLog.objects.filter(action=Action.ATTEMPT_SUBMITTED, object_id=str(attempt.pk)).exists()
    # the entry page says what happened
    page = client.get(reverse("exams:sit", args=[started.registration_id])).content.decode()
    assert 'data-testid="withdrawn"' in page and "撤回了远程监考同意" in page


def test_after_the_withdrawal_the_server_refuses_snapshots_and_events(client, world, started):
    before = timezone.now() - datetime.timedelta(seconds=30)  # taken while consent still held
    consent_withdraw(attempt=started, acting_user=world.candidate, purposes=["camera", "behaviour"])
    started.refresh_from_db()
    client.force_login(world.candidate)
    url = reverse("proctoring:snapshot_upload", args=[started.pk])
    refused = client.post(f"{url}?id=shot-after-withdraw&at={_ms(before)}&trigger=periodic", face_jpeg(),
                          content_type="image/jpeg")
    assert refused.status_code == 200 and refused.json()["error"] == "no_consent"
    events = client.post(reverse("proctoring:events", args=[started.pk]),
                         json.dumps({"events": [{"id": "evt-after-withdraw", "kind": "page_hidden",
                                                 "at": _ms(before)}]}), content_type="application/json")
    assert events.status_code == 200 and events.json()["error"] == "no_consent"
    with pytest.raises(ApplicationError):
        snapshot_store(attempt=started, data=face_jpeg(), client_id="shot-direct-call", taken_at_ms=_ms(before),
                       acting_user=world.candidate)
    with pytest.raises(ApplicationError):
        events_record(attempt=started, raw_events=[{"id": "evt-direct-call", "kind": "copy", "at": _ms(before)}],
                      acting_user=world.candidate)
    assert not Snapshot.objects.exists() and not ProctorEvent.objects.exists()


def test_withdrawing_the_camera_alone_also_ends_the_exam(client, world, started):
    client.force_login(world.candidate)
    assert _withdraw(client, started, ["camera"]).status_code == 200
    assert Attempt.objects.get(pk=started.pk).state == AttemptState.GRADED
    assert consent_granted(started.registration) == {"camera": False, "behaviour": True}
    url = reverse("proctoring:snapshot_upload", args=[started.pk])
    earlier = timezone.now() - datetime.timedelta(seconds=20)
    refused = client.post(f"{url}?id=shot-camera-withdrawn&at={_ms(earlier)}", face_jpeg(), content_type="image/jpeg")
    assert refused.json()["error"] == "no_consent" and not Snapshot.objects.exists()


@pytest.mark.parametrize(("purposes", "message"), [
    ([], "请选择要撤回同意的事项"),
    ("camera", "请选择要撤回同意的事项"),
    (["camera", "microphone"], "撤回的事项“microphone”不正确"),
])
def test_bad_input_is_refused_and_changes_nothing(client, world, started, purposes, message):
    client.force_login(world.candidate)
    response = _withdraw(client, started, purposes)
    assert response.status_code == 400 and message in response.json()["message"]
    assert Attempt.objects.get(pk=started.pk).state == AttemptState.IN_PROGRESS
    assert not ConsentRecord.objects.filter(granted=False).exists()
    assert not AuditLog.objects.filter(action=Action.PROCTORING_CONSENT_WITHDRAW).exists()


def test_only_the_candidate_withdraws_and_only_during_the_exam(client, world, started, other_candidate):
    client.force_login(other_candidate)
    assert _withdraw(client, started, ["camera"]).status_code == 404
    for user in (world.admin_a, world.central):
        client.force_login(user)
        assert _withdraw(client, started, ["camera"]).status_code == 403
    with pytest.raises(PermissionDenied):
        consent_withdraw(attempt=started, acting_user=other_candidate, purposes=["camera"])
    assert Attempt.objects.get(pk=started.pk).state == AttemptState.IN_PROGRESS
    assert not ConsentRecord.objects.filter(granted=False).exists()
    # once the exam is over there is nothing left to stop: refused, nothing written
    consent_withdraw(attempt=started, acting_user=world.candidate, purposes=["camera"])
    client.force_login(world.candidate)
    again = _withdraw(client, started, ["behaviour"])
    assert again.status_code == 200 and again.json()["error"] == "closed"
    assert ConsentRecord.objects.filter(granted=False).count() == 1
    assert AuditLog.objects.filter(action=Action.PROCTORING_CONSENT_WITHDRAW).count() == 1


def test_a_snapshot_that_waited_through_an_outage_is_taken_after_the_submission(client, world, started):
    """proctor.js keeps snapshots in IndexedDB while the network is down; one taken before the
    submission still arrives within the late window (as events do), one taken after does not."""
    from exams.services import attempt_submit

    taken = timezone.now() - datetime.timedelta(seconds=40)
    attempt_submit(attempt=started, token=Attempt.objects.get(pk=started.pk).session_token,
                   acting_user=world.candidate)
    started.refresh_from_db()
    snapshot, created = snapshot_store(attempt=started, data=face_jpeg(), client_id="shot-waited-offline",
                                       taken_at_ms=_ms(taken), acting_user=world.candidate)
    assert created and snapshot.taken_at == taken.replace(microsecond=taken.microsecond // 1000 * 1000)
    after = started.submitted_at + datetime.timedelta(seconds=5)
    with pytest.raises(ApplicationError, match="不再接收抓拍照片"):
        snapshot_store(attempt=started, data=face_jpeg(), client_id="shot-after-submit", taken_at_ms=_ms(after),
                       acting_user=world.candidate)
    too_late = started.deadline + datetime.timedelta(minutes=30)
    with pytest.raises(ApplicationError, match="不再接收抓拍照片"):
        snapshot_store(attempt=started, data=face_jpeg(), client_id="shot-much-later", taken_at_ms=_ms(taken),
                       acting_user=world.candidate, now=too_late)
    assert list(Snapshot.objects.values_list("client_id", flat=True)) == ["shot-waited-offline"]
