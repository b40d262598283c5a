"""Every proctoring view through testing.scoping.assert_scoping. The candidate's endpoints are the
candidate's own (another candidate: proctoring/tests/test_uploads.py); the record page and the
pictures are central's (regions 403: no region sees a snapshot, not even its own)."""

import json

import pytest
from django.urls import reverse

from core.roles import Role
from proctoring.consent import CONSENT_VERSION
from proctoring.models import ConsentRecord, ProctorEvent, Snapshot
from proctoring.services import snapshot_store
from testing.scoping import ScopeCase, assert_scoping

from .conftest import face_jpeg

pytestmark = pytest.mark.django_db
CANDIDATE = {Role.CANDIDATE}


def _count(model, n):
    def check():
        assert model.objects.count() == n

    return check


def test_consent_scoping(client, world, registration):
    before = ConsentRecord.objects.count()
    assert_scoping(client, world, ScopeCase(
        url=reverse("proctoring:consent", args=[registration.pk]), method="post", roles=CANDIDATE,
        data={"version": CONSENT_VERSION, "camera": "yes", "behaviour": "yes"},
        unchanged=_count(ConsentRecord, before)))


def test_events_scoping(client, world, started):
    assert_scoping(client, world, ScopeCase(
        url=reverse("proctoring:events", args=[started.pk]), method="post", roles=CANDIDATE,
        extra={"content_type": "application/json"},
        data=json.dumps({"events": [{"id": "scope-event-1", "kind": "copy", "at": 1_900_000_000_000}]}),
        unchanged=_count(ProctorEvent, 0)))


def test_snapshot_upload_scoping(client, world, started):
    assert_scoping(client, world, ScopeCase(
        url=reverse("proctoring:snapshot_upload", args=[started.pk]) + "?id=scope-shot-1", method="post",
        roles=CANDIDATE, extra={"content_type": "image/jpeg"}, data=face_jpeg(), unchanged=_count(Snapshot, 0)))


def test_withdraw_scoping(client, world, started):
    """撤回同意 ends the exam: only the attempt's own candidate may; anyone else changes nothing
    (no 不同意 record, the attempt still 进行中)."""
    from exams.choices import AttemptState
    from exams.models import Attempt

    before = ConsentRecord.objects.count()

    def unchanged():
        assert ConsentRecord.objects.count() == before
        assert Attempt.objects.get(pk=started.pk).state == AttemptState.IN_PROGRESS

    assert_scoping(client, world, ScopeCase(
        url=reverse("proctoring:withdraw", args=[started.pk]), method="post", roles=CANDIDATE,
        extra={"content_type": "application/json"}, data=json.dumps({"purposes": ["camera"]}),
        unchanged=unchanged))


@pytest.fixture
def snapshot(world, started):
    shot, _ = snapshot_store(attempt=started, data=face_jpeg(), client_id="scope-shot-2", acting_user=world.candidate)
    return shot


def test_attempt_record_scoping(client, world, started):
    assert_scoping(client, world, ScopeCase(url=reverse("proctoring:attempt_record", args=[started.pk]),
                                            roles={Role.CENTRAL}))


def test_snapshot_image_scoping(client, world, snapshot):
    assert_scoping(client, world, ScopeCase(url=reverse("proctoring:snapshot_image", args=[snapshot.pk]),
                                            roles={Role.CENTRAL}))
