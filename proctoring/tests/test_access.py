"""Snapshots are central's only (docs/decisions.md#snapshot-private): the picture view refuses regions and candidates
(even the pictured one), is audited, never cached; the evidence selector and include are
central's; the 管局's monitor shows event counts and consent, never a picture."""

import pytest
from django.urls import reverse

from audit.models import AuditLog
from core.errors import PermissionDenied
from proctoring.choices import SnapshotNote
from proctoring.models import Snapshot
from proctoring.selectors import evidence_for_attempt
from proctoring.services import events_record, snapshot_analyse, snapshot_store

from .conftest import dark_jpeg, face_jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(world, started):
    """An attempt with an incident, its snapshot (covered camera) and a periodic one (a face)."""
    events_record(attempt=started, acting_user=world.candidate, raw_events=[
        {"id": "evt-hidden-0001", "kind": "page_hidden", "at": 1_900_000_000_000},
        {"id": "evt-visible-001", "kind": "page_visible", "at": 1_900_000_004_000, "duration_ms": 4000}])
    dark, _ = snapshot_store(attempt=started, data=dark_jpeg(), client_id="shot-at-event", trigger="page_hidden",
                             event_client_id="evt-hidden-0001", acting_user=world.candidate)
    face, _ = snapshot_store(attempt=started, data=face_jpeg(), client_id="shot-periodic", acting_user=world.candidate)
    for snapshot in (dark, face):
        snapshot_analyse(snapshot.pk)
    return started, dark, face


def test_central_sees_a_picture_audited_and_uncached(client, world, recorded):
    attempt, dark, face = recorded
    client.force_login(world.central)
    response = client.get(reverse("proctoring:snapshot_image", args=[face.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response.content == face_jpeg()
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    audit = AuditLog.objects.get(action="proctoring.snapshot_view")
    assert audit.actor == world.central and audit.region_id == attempt.region_id
    assert attempt.registration.candidate_number in audit.object_repr
    # the thumbnails of the same attempt within the window are one look
    client.get(reverse("proctoring:snapshot_image", args=[dark.pk]))
    assert AuditLog.objects.filter(action="proctoring.snapshot_view").count() == 1


def test_each_reviewer_is_audited(client, world, recorded):
    from accounts.models import User
    from core.roles import Role

    attempt, dark, face = recorded
    second = User.objects.create_user("t_central2", "x", role=Role.CENTRAL, phone="13900000002")
    for user in (world.central, second):
        client.force_login(user)
        assert client.get(reverse("proctoring:snapshot_image", args=[face.pk])).status_code == 200
    assert set(AuditLog.objects.filter(action="proctoring.snapshot_view").values_list("actor", flat=True)) == {
        world.central.pk, second.pk}


@pytest.mark.parametrize("who", ["admin_a", "admin_b", "candidate"])
def test_regions_and_candidates_are_refused_the_pictures(client, world, recorded, who):
    attempt, dark, face = recorded
    client.force_login(getattr(world, who))  # admin_a is the candidate's own region; candidate is the pictured one
    for name, pk in (("proctoring:snapshot_image", face.pk), ("proctoring:attempt_record", attempt.pk)):
        assert client.get(reverse(name, args=[pk])).status_code == 403
    assert not AuditLog.objects.filter(action="proctoring.snapshot_view").exists()


def test_the_picture_is_not_served_from_any_public_path(client, world, recorded):
    attempt, dark, face = recorded
    for prefix in ("/media/", "/static/"):
        assert client.get(prefix + face.file_name).status_code == 404
    assert str(face.file_name) not in client.get(reverse("exams:monitor_plan", args=[attempt.plan_id])).content.decode()


def test_the_evidence_selector_is_central_only(world, recorded):
    attempt, dark, face = recorded
    for user in (world.admin_a, world.admin_b, world.candidate, None):
        with pytest.raises(PermissionDenied):
            evidence_for_attempt(attempt, fetched_by=user)
    evidence = evidence_for_attempt(attempt, fetched_by=world.central)
    assert evidence.remote and [c["granted"] for c in evidence.consent] == [True, True]
    assert [e.kind for e in evidence.events] == ["page_hidden", "page_visible"]
    assert evidence.events[0].snapshot.id == dark.pk and evidence.events[0].snapshot.note == SnapshotNote.OBSCURED
    assert evidence.events[1].duration_seconds == 4.0 and evidence.events[1].incident is False
    assert evidence.incidents == [("离开考试页面", 1)] and evidence.incident_total == 1
    assert [s.id for s in evidence.flagged_snapshots] == [dark.pk]
    assert evidence.summary == ["离开考试页面 1 次", "画面遮挡或过暗 1 张"]
    assert all(s.url == reverse("proctoring:snapshot_image", args=[s.id]) for s in evidence.snapshots)


def test_the_record_page_renders_the_include_for_central(client, world, recorded):
    attempt, dark, face = recorded
    client.force_login(world.central)
    html = client.get(reverse("proctoring:attempt_record", args=[attempt.pk])).content.decode()
    assert 'data-testid="proctor-evidence"' in html and "画面遮挡或过暗" in html and "离开考试页面" in html
    assert reverse("proctoring:snapshot_image", args=[dark.pk]) in html
    assert "<script" not in html.split('data-testid="proctor-evidence"')[1]


def test_the_regions_monitor_shows_counts_and_consent_but_no_picture(client, world, recorded):
    attempt, dark, face = recorded
    client.force_login(world.admin_a)
    html = client.get(reverse("exams:monitor_plan", args=[attempt.plan_id])).content.decode()
    assert "监考事件" in html and "离开考试页面 1" in html and "已同意" in html
    assert "snapshots/" not in html and "监考记录" not in html
    client.force_login(world.admin_b)  # another region: the plan does not exist for it
    assert client.get(reverse("exams:monitor_plan", args=[attempt.plan_id])).status_code == 404
    client.force_login(world.central)
    html = client.get(reverse("exams:monitor_plan", args=[attempt.plan_id])).content.decode()
    assert reverse("proctoring:attempt_record", args=[attempt.pk]) in html


def test_a_purged_picture_is_gone_for_central_too(client, world, recorded):
    from django.utils import timezone

    attempt, dark, face = recorded
    Snapshot.objects.filter(pk=face.pk).update(file_name="", purged_at=timezone.now())
    client.force_login(world.central)
    assert client.get(reverse("proctoring:snapshot_image", args=[face.pk])).status_code == 410
    evidence = evidence_for_attempt(attempt, fetched_by=world.central)
    assert [s.url for s in evidence.snapshots if s.id == face.pk] == [None]
