"""Retention (docs/decisions.md#snapshot-retention): snapshots are deleted after PROCTORING_SNAPSHOT_RETENTION_DAYS by a
scheduled job, audited as a count; the face check runs in the background and a lost one is
picked up by the sweep."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditLog
from proctoring.choices import SnapshotNote
from proctoring.models import Snapshot
from proctoring.services import snapshot_store, snapshots_analyse_pending, snapshots_purge_expired

from .conftest import face_jpeg

pytestmark = pytest.mark.django_db


def _shots(world, attempt, ages_in_days, prefix="shot-age"):
    now = timezone.now()
    made = []
    for i, days in enumerate(ages_in_days):
        snapshot, _ = snapshot_store(attempt=attempt, data=face_jpeg(), client_id=f"{prefix}-{i:03d}",
                                     acting_user=world.candidate)
        Snapshot.objects.filter(pk=snapshot.pk).update(received_at=now - datetime.timedelta(days=days))
        made.append(Snapshot.objects.get(pk=snapshot.pk))
    return made


def _file(snapshot) -> Path:
    return Path(settings.PROCTORING_SNAPSHOT_ROOT) / snapshot.file_name


def test_expired_snapshots_are_deleted_and_counted_in_the_audit(world, started):
    old, older, fresh = _shots(world, started, [181, 400, 179])
    assert snapshots_purge_expired() == 2
    for snapshot in (old, older):
        assert not _file(snapshot).exists()
        row = Snapshot.objects.get(pk=snapshot.pk)
        assert row.purged_at and row.file_name == "" and row.sha256 == snapshot.sha256  # the trace stays
    assert _file(fresh).exists() and Snapshot.objects.get(pk=fresh.pk).purged_at is None
    audit = AuditLog.objects.get(action="proctoring.snapshot_purge")
    assert audit.after["count"] == 2 and audit.after["bytes"] == 2 * len(face_jpeg())
    assert "删除考试抓拍照片 2 张" in audit.message and audit.actor_role == "system"
    assert snapshots_purge_expired() == 0  # nothing twice, and no empty audit row
    assert AuditLog.objects.filter(action="proctoring.snapshot_purge").count() == 1


def test_the_retention_is_a_setting(world, started, settings):
    settings.PROCTORING_SNAPSHOT_RETENTION_DAYS = 30
    a, b = _shots(world, started, [31, 29])
    assert snapshots_purge_expired() == 1
    assert not _file(a).exists() and _file(b).exists()


def test_the_job_is_on_celery_beat_and_the_command_runs_it(world, started):
    from config.celery import app

    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"proctoring.purge_expired", "proctoring.analyse_pending"} <= schedule
    app.loader.import_default_modules()
    assert "proctoring.purge_expired" in app.tasks and "proctoring.analyse_pending" in app.tasks
    (old,) = _shots(world, started, [200])
    assert app.tasks["proctoring.purge_expired"].apply().get() == 1
    assert not _file(old).exists()
    (older,) = _shots(world, started, [300], prefix="by-command")
    call_command("purge_snapshots", stdout=open("/dev/null", "w"))
    assert not _file(older).exists()


def test_a_lost_analysis_is_picked_up_by_the_sweep(world, started):
    (snapshot,) = _shots(world, started, [0])  # no on_commit ran inside the test's transaction
    Snapshot.objects.filter(pk=snapshot.pk).update(received_at=timezone.now() - datetime.timedelta(minutes=5))
    assert Snapshot.objects.get(pk=snapshot.pk).note == SnapshotNote.PENDING
    assert snapshots_analyse_pending() == 1
    assert Snapshot.objects.get(pk=snapshot.pk).note == SnapshotNote.NORMAL
    assert snapshots_analyse_pending() == 0


def test_a_missing_file_is_noted_as_unreadable(world, started):
    (snapshot,) = _shots(world, started, [0])
    _file(snapshot).unlink()
    from proctoring.services import snapshot_analyse

    assert snapshot_analyse(snapshot.pk) == SnapshotNote.FAILED


def test_the_snapshot_root_inside_media_is_refused(settings, tmp_path):
    from proctoring.checks import snapshot_root_is_private

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PROCTORING_SNAPSHOT_ROOT = tmp_path / "media" / "snapshots"
    assert [e.id for e in snapshot_root_is_private()] == ["proctoring.E001"]
    settings.PROCTORING_SNAPSHOT_ROOT = tmp_path / "private"
    assert snapshot_root_is_private() == []
