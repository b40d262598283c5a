"""Snapshots written by nginx itself (proctoring.direct, docs/decisions.md#snapshot-direct-upload): the page is given a signed
folder of its own attempt only with camera consent; nginx (the real one, configured by
`nginx_location`) takes a correctly signed PUT and refuses the rest; the ingest applies the
upload view's rules at the moment the file was written and empties the inbox."""

import datetime
import os
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from exams.choices import AttemptState
from exams.models import Attempt
from exams.services import attempt_submit
from exams.tests.factories import give_consent, open_plan, rules_for, sitting
from plans.choices import ExamType
from proctoring import direct
from proctoring.checks import direct_upload_is_signed
from proctoring.choices import EventKind
from proctoring.models import ProctorEvent, Snapshot
from proctoring.selectors import evidence_for_attempt
from proctoring.services import exam_page_opened

from .conftest import face_jpeg
from .nginx import running_nginx

pytestmark = pytest.mark.django_db
SECRET = "s3cret-for-the-tests_0123456789abcdefABCDEF"


@pytest.fixture(autouse=True)
def _direct_on(settings):
    settings.PROCTORING_DIRECT_UPLOAD_PREFIX = "/snapshot-inbox/"
    settings.PROCTORING_DIRECT_UPLOAD_SECRET = SECRET


def _drop(attempt, name, data=b"", *, written=None, plan_id=None):
    """A file as nginx leaves it in the inbox, written `written` (default: a second after the start)."""
    folder = Path(settings.PROCTORING_INBOX_ROOT) / str(plan_id or attempt.plan_id) / str(attempt.pk)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    moment = (written or attempt.started_at + datetime.timedelta(seconds=1)).timestamp()
    os.utime(path, (moment, moment))
    return path


def _name(client_id="0b0e2a3c-1f4e-4c1d-9d7e", trigger="periodic", event="-"):
    return f"{client_id}.{int(timezone.now().timestamp() * 1000)}.{trigger}.{event}.jpg"


def _ingest(**kwargs):
    """The beat task's run a little later (files settle for 2 s before they are taken in)."""
    return direct.inbox_ingest(now=timezone.now() + datetime.timedelta(seconds=10), **kwargs)


def _inbox_files():
    return [p for p in Path(settings.PROCTORING_INBOX_ROOT).rglob("*") if p.is_file()]


def test_the_page_gets_a_signed_folder_of_its_own_attempt_only_with_camera_consent(world, started):
    config = exam_page_opened(attempt=started)
    target = config["direct_upload"]
    assert target["prefix"] == f"/snapshot-inbox/{started.plan_id}/{started.pk}/"
    expires = int(target["query"].split("expires=")[1])
    grace = started.deadline.timestamp() + 60
    assert started.deadline.timestamp() < expires <= grace + 1
    give_consent(started.registration, granted=False)
    assert exam_page_opened(attempt=Attempt.objects.get(pk=started.pk))["direct_upload"] is None


def test_without_the_setting_the_page_uploads_through_the_app(world, started, settings):
    settings.PROCTORING_DIRECT_UPLOAD_PREFIX = ""
    assert exam_page_opened(attempt=started)["direct_upload"] is None


def test_a_written_snapshot_is_taken_in_with_its_labels_and_the_inbox_emptied(world, started):
    written = started.started_at + datetime.timedelta(seconds=3)
    _drop(started, _name(trigger="page_hidden", event="evt-0001-abcdef"), face_jpeg(), written=written)
    assert _ingest() == {"stored": 1}
    snapshot = Snapshot.objects.get()
    assert (snapshot.attempt_id, snapshot.trigger, snapshot.event_client_id) == (started.pk, "page_hidden",
                                                                                 "evt-0001-abcdef")
    assert abs((snapshot.received_at - written).total_seconds()) < 1 and snapshot.ip is None
    assert (Path(settings.PROCTORING_SNAPSHOT_ROOT) / snapshot.file_name).read_bytes() == face_jpeg()
    assert _inbox_files() == []
    # the same client id again (a retried PUT under another name cannot happen; a second file can)
    _drop(started, _name(client_id="9a9a9a9a-new"), face_jpeg())
    _drop(started, _name(trigger="start"), face_jpeg())  # the first one's client id again
    assert _ingest() == {"stored": 1, "duplicate": 1}


def test_a_file_still_being_written_waits_for_the_next_run(world, started):
    _drop(started, _name(), face_jpeg(), written=timezone.now())
    assert direct.inbox_ingest() == {}
    assert len(_inbox_files()) == 1
    assert direct.inbox_ingest(settle_seconds=0) == {"stored": 1}


@pytest.mark.parametrize("case, outcome", [
    ("bad name", "bad_name"),
    ("not a jpeg", "invalid"),
    ("too large", "too_large"),
    ("before the start", "not_started"),
    ("after the deadline", "closed"),
    ("after the submission", "closed"),
    ("no consent", "no_consent"),
    ("wrong plan folder", "unknown_attempt"),
])
def test_what_the_upload_view_would_refuse_is_refused_and_removed(world, started, case, outcome, settings):
    name, data, written, plan_id = _name(), face_jpeg(), None, None
    if case == "bad name":
        name = "no-labels.jpg"
    elif case == "not a jpeg":
        data = b"GIF89a not a picture"
    elif case == "too large":
        settings.PROCTORING_SNAPSHOT_MAX_BYTES = len(data) - 1
    elif case == "before the start":
        written = started.started_at - datetime.timedelta(seconds=5)
    elif case == "after the deadline":
        written = started.deadline + datetime.timedelta(minutes=2)
    elif case == "after the submission":
        attempt_submit(attempt=started, token=started.session_token, acting_user=world.candidate)
        written = timezone.now() + datetime.timedelta(seconds=1)
    elif case == "no consent":
        give_consent(started.registration, granted=False)
    elif case == "wrong plan folder":
        plan_id = started.plan_id + 1000
    _drop(started, name, data, written=written, plan_id=plan_id)
    later = max(written or timezone.now(), timezone.now()) + datetime.timedelta(minutes=1)
    assert direct.inbox_ingest(now=later) == {outcome: 1}
    assert not Snapshot.objects.exists()
    assert _inbox_files() == []
    # the page counted the file as uploaded: the attempt's record says it was refused, and why
    events = list(ProctorEvent.objects.filter(kind=EventKind.SNAPSHOT_REFUSED).values_list("attempt_id", "detail"))
    if outcome == "unknown_attempt":
        assert events == []
    else:
        assert [a for a, _ in events] == [started.pk]
        assert events[0][1].startswith("nginx 写入于 ") and events[0][1].endswith(direct.REFUSAL_REASONS[outcome])
        # a second run over the same file name does not repeat it
        _drop(started, name, data, written=written)
        direct.inbox_ingest(now=later)
        assert ProctorEvent.objects.filter(kind=EventKind.SNAPSHOT_REFUSED).count() == 1
        # central's evidence page lists it on the timeline, not as the candidate's incident
        evidence = evidence_for_attempt(started, fetched_by=world.central)
        row = next(e for e in evidence.events if e.kind == EventKind.SNAPSHOT_REFUSED)
        assert row.label == "抓拍未入库（服务器拒收）" and not row.incident and evidence.incident_total == 0


def test_a_withdrawal_keeps_what_nginx_wrote_before_it_and_refuses_what_came_after(world, started):
    """Consent is judged at the moment nginx wrote the file (docs/decisions.md#consent-withdrawal:
    what was collected before a withdrawal is kept)."""
    from proctoring.choices import ConsentPurpose
    from proctoring.services import consent_withdraw

    _drop(started, _name(client_id="before-withdrawal"), face_jpeg(), written=started.started_at)
    consent_withdraw(attempt=started, acting_user=world.candidate, purposes=[ConsentPurpose.CAMERA])
    _drop(started, _name(client_id="after-withdrawal"), face_jpeg(),
          written=timezone.now() + datetime.timedelta(seconds=1))
    later = timezone.now() + datetime.timedelta(seconds=30)
    assert direct.inbox_ingest(now=later) in ({"stored": 1, "no_consent": 1}, {"stored": 1, "closed": 1})
    assert list(Snapshot.objects.values_list("client_id", flat=True)) == ["before-withdrawal"]


def test_a_centralized_plans_folder_is_refused(world):
    from questions.tests.factories import make_bank

    make_bank(world.central, per_cell=4)
    rules_for(world.central, exam_type=ExamType.NEW_ONLINE)
    registration = sitting(open_plan(exam_type=ExamType.NEW_ONLINE), user=world.candidate)
    from exams.services import attempt_start, attempt_unlock

    attempt_unlock(registration=registration, acting_user=world.admin_a)
    attempt = attempt_start(registration=registration, acting_user=world.candidate)
    _drop(attempt, _name(), face_jpeg())
    assert _ingest() == {"not_remote": 1}
    assert attempt.state == AttemptState.IN_PROGRESS and not Snapshot.objects.exists()


def test_the_deploy_check_wants_a_well_formed_prefix_and_a_long_secret(settings):
    assert direct_upload_is_signed() == []
    settings.PROCTORING_DIRECT_UPLOAD_PREFIX = "snapshot-inbox"
    settings.PROCTORING_DIRECT_UPLOAD_SECRET = "short$"
    assert {e.id for e in direct_upload_is_signed()} == {"proctoring.E002", "proctoring.E003"}
    settings.PROCTORING_DIRECT_UPLOAD_PREFIX = ""
    assert direct_upload_is_signed() == []  # off: nothing to check
    with pytest.raises(ValueError):
        direct.nginx_location(prefix="/x/", inbox_root="/tmp", secret='a"; return 200; #' * 3, max_bytes=1)


def test_the_ingest_command_says_what_it_took_in(world, started, capsys):
    _drop(started, _name(), face_jpeg(), written=timezone.now())
    call_command("ingest_snapshots", settle=0)
    assert "已保存 1" in capsys.readouterr().out
    call_command("ingest_snapshots", print_nginx=True)
    printed = capsys.readouterr().out
    assert f'secure_link_md5 "$secure_link_expires$snap_dir {SECRET}"' in printed and "dav_methods PUT" in printed


# ---------------------------------------------------------------- the real nginx


@pytest.fixture
def nginx(tmp_path):
    with running_nginx(tmp_path, inbox=Path(settings.PROCTORING_INBOX_ROOT), secret=SECRET) as url:
        yield url


def _put(url, data, method="PUT"):
    request = urllib.request.Request(url, data=data if method == "PUT" else None, method=method,
                                     headers={"Content-Type": "image/jpeg"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_nginx_takes_a_signed_put_and_refuses_the_rest(world, started, nginx, settings):
    target = direct.upload_target(started)
    name = _name()
    url = f"{nginx}{target['prefix']}{name}?{target['query']}"
    assert _put(url, face_jpeg()) == 201
    assert _put(url, b"replaced by something else") == 409  # never overwritten
    assert _put(url, None, method="GET") == 403  # nothing in the inbox is served
    bad = target["query"].replace("md5=", "md5=A")
    assert _put(f"{nginx}{target['prefix']}{_name('1111aaaa-2222')}?{bad}", face_jpeg()) == 403
    other = f"{nginx}/snapshot-inbox/{started.plan_id}/{started.pk + 1}/{_name('3333bbbb-4444')}?{target['query']}"
    assert _put(other, face_jpeg()) == 403  # the signature binds this attempt's folder
    expired = int(time.time()) - 10
    sig = direct.signature(f"{started.plan_id}/{started.pk}", expired, SECRET)
    assert _put(f"{nginx}{target['prefix']}{_name('5555cccc-6666')}?md5={sig}&expires={expired}", face_jpeg()) == 410
    assert _put(f"{nginx}{target['prefix']}{_name('7777dddd-8888')}?{target['query']}", b"x" * (65 * 1024)) == 413
    stored = Path(settings.PROCTORING_INBOX_ROOT) / str(started.plan_id) / str(started.pk) / name
    assert stored.read_bytes() == face_jpeg()
    assert direct.inbox_ingest(settle_seconds=0) == {"stored": 1}
    assert Snapshot.objects.get().client_id == name.split(".")[0]
