"""Camera snapshots written by the web server itself, around Python (docs/decisions.md#snapshot-direct-upload).

At 10,000 remote examinees the pages send 333 snapshots a second; through the application each
one costs an app-server request (session, attempt, consent, the JPEG decoded, a row, a queued
face check). With PROCTORING_DIRECT_UPLOAD_PREFIX set, the exam page is given instead a signed
address for its own attempt's folder, valid until the attempt's deadline + grace, and PUTs each
picture there; nginx checks the signature (secure_link, no Python), writes the file into
PROCTORING_INBOX_ROOT (dav_methods PUT, refusing to overwrite), and the Celery beat task
`proctoring.ingest_direct` (`inbox_ingest`) takes the files in a few seconds later with the same
checks the upload view makes, judged at the moment nginx wrote the file (its mtime): the
attempt is remote and was in progress then, the camera consent holds, the file is a real JPEG
within the size limit, not stored before (client id), under the per-attempt cap. What fails is
deleted and counted; nothing in the inbox is ever served (nginx refuses every method but PUT).

The signature is nginx's secure_link_md5 over "<expires><plan>/<attempt> <secret>": binding the
folder means a page cannot write into another attempt's folder, and the expiry ends it with the
exam. The file name carries what the query string carries for the app's upload view:
`<client id>.<taken at, ms>.<trigger>.<event client id or ->.jpg`. The web server's
configuration comes from `nginx_location` (used by bench/load and docs/deploy.md), so the two
formulas cannot drift apart."""

import base64
import datetime
import hashlib
import logging
import re
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from core.errors import ApplicationError

log = logging.getLogger(__name__)

FILE_NAME = re.compile(
    r"^(?P<client_id>[A-Za-z0-9_-]{8,64})\.(?P<at>[0-9]{1,15})\.(?P<trigger>[a-z_]{1,24})"
    r"\.(?P<event>[A-Za-z0-9_-]{8,64}|-)\.jpg$")
INCOMING = ".incoming"  # nginx's temporary files while a body arrives (same file system: a rename)
SETTLE_SECONDS = 2


def enabled() -> bool:
    return bool(settings.PROCTORING_DIRECT_UPLOAD_PREFIX)


def signature(directory: str, expires: int, secret: str) -> str:
    """nginx's secure_link_md5 "$secure_link_expires$snap_dir <secret>", base64url without padding.
    MD5 is what nginx's module offers; the secret at the end rules out extending a signed text."""
    digest = hashlib.md5(f"{expires}{directory} {secret}".encode(), usedforsecurity=False).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def upload_target(attempt) -> dict:
    """The signed folder of this attempt, for proctor.js: PUT <prefix><file name>?<query>."""
    from exams.services import grace_for

    expires = int((attempt.deadline + grace_for(attempt.plan)).timestamp())
    directory = f"{attempt.plan_id}/{attempt.pk}"
    sig = signature(directory, expires, settings.PROCTORING_DIRECT_UPLOAD_SECRET)
    return {"prefix": f"{settings.PROCTORING_DIRECT_UPLOAD_PREFIX}{directory}/", "query": f"md5={sig}&expires={expires}"}


SECRET = re.compile(r"^[A-Za-z0-9_-]{32,}$")  # nothing nginx would read as a variable or a quote


def nginx_location(*, prefix: str, inbox_root: str | Path, secret: str, max_bytes: int) -> str:
    """The nginx `location` that takes the signed PUTs (inside the `server` block of the site)."""
    if not SECRET.match(secret):
        raise ValueError("the direct-upload secret must be at least 32 of A-Z a-z 0-9 _ -")
    root = str(inbox_root).rstrip("/")
    return f"""
        # camera snapshots written by nginx itself (proctoring.direct): signed, PUT only, no overwrite
        location ~ "^{re.escape(prefix)}(?<snap_dir>[0-9]{{1,12}}/[0-9]{{1,12}})/(?<snap_file>[A-Za-z0-9_.-]{{1,200}}\\.jpg)$" {{
            limit_except PUT {{ deny all; }}
            secure_link $arg_md5,$arg_expires;
            secure_link_md5 "$secure_link_expires$snap_dir {secret}";
            if ($secure_link = "") {{ return 403; }}
            if ($secure_link = "0") {{ return 410; }}
            alias {root}/$snap_dir/$snap_file;
            if (-f $request_filename) {{ return 409; }}
            client_body_temp_path {root}/{INCOMING};
            client_max_body_size {max_bytes};
            dav_methods PUT;
            create_full_put_path on;
            dav_access user:rw;
        }}
"""


def inbox_ingest(*, now: datetime.datetime | None = None, settle_seconds: float = SETTLE_SECONDS) -> dict[str, int]:
    """Take in every file of the inbox written at least `settle_seconds` ago; each is stored or
    refused, then removed from the inbox. Returns the count per outcome."""
    from exams.models import Attempt

    now = now or timezone.now()
    root = Path(settings.PROCTORING_INBOX_ROOT)
    counts: Counter = Counter()
    if not root.is_dir():
        return {}
    for plan_dir in sorted(root.iterdir()):
        if not plan_dir.is_dir() or not plan_dir.name.isdigit():
            continue
        for attempt_dir in sorted(plan_dir.iterdir()):
            if not attempt_dir.is_dir():
                continue
            attempt = None
            if attempt_dir.name.isdigit():
                attempt = (Attempt.objects.select_related("plan", "registration__person")
                           .filter(pk=int(attempt_dir.name), plan_id=int(plan_dir.name)).first())
            for path in sorted(attempt_dir.iterdir()):
                try:
                    written = datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)
                except FileNotFoundError:
                    continue
                if (now - written).total_seconds() < settle_seconds:
                    continue
                outcome = _ingest_one(attempt, path, written)
                counts[outcome] += 1
                if outcome not in ("stored", "duplicate"):
                    log.warning("direct snapshot %s refused: %s", path, outcome)
                    if attempt is not None and outcome not in ("unknown_attempt", "not_remote"):
                        _record_refusal(attempt, path.name, written, outcome, now)
                path.unlink(missing_ok=True)
            _remove_if_empty(attempt_dir)
        _remove_if_empty(plan_dir)
    return dict(counts)


# why a file nginx accepted was refused at ingest, as the attempt's record says it
REFUSAL_REASONS = {
    "bad_name": "文件名不符合要求",
    "invalid": "不是有效的 JPEG 图片",
    "too_large": "文件超过大小上限",
    "not_started": "写入时考试尚未开始",
    "closed": "写入时考试已结束或已交卷",
    "no_consent": "写入时考生未同意摄像头抓拍",
}


def _record_refusal(attempt, name: str, written: datetime.datetime, outcome: str, now: datetime.datetime) -> None:
    """The attempt's proctoring record keeps a server event for a refused file (once per file:
    its client id is derived from the file name), so central's evidence page shows what the page
    believed it had uploaded and why it is not there."""
    from .choices import EventKind
    from .models import ProctorEvent

    reason = REFUSAL_REASONS.get(outcome, f"服务器拒收（{outcome}）")
    at = timezone.localtime(written).strftime("%Y-%m-%d %H:%M:%S")
    ProctorEvent.objects.get_or_create(
        attempt=attempt, client_id="ingest-" + hashlib.sha256(name.encode()).hexdigest()[:40],
        defaults={"kind": EventKind.SNAPSHOT_REFUSED, "client_at": written, "server_at": now,
                  "detail": f"nginx 写入于 {at}：{reason}"[:200]})


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


def _ingest_one(attempt, path: Path, written: datetime.datetime) -> str:
    from exams.services import grace_for

    from .choices import ConsentPurpose
    from .selectors import consent_granted, is_remote_plan
    from .services import snapshot_save

    if attempt is None:
        return "unknown_attempt"
    if not is_remote_plan(attempt.plan):
        return "not_remote"
    match = FILE_NAME.match(path.name)
    if not match or not path.is_file():
        return "bad_name"
    if attempt.started_at is None or written < attempt.started_at:
        return "not_started"
    closes = attempt.deadline + grace_for(attempt.plan)
    if written > closes or (attempt.submitted_at is not None and written > attempt.submitted_at):
        return "closed"
    if not consent_granted(attempt.registration, at=written).get(ConsentPurpose.CAMERA):
        return "no_consent"  # judged when the file was written: a later withdrawal keeps what came before
    if path.stat().st_size > settings.PROCTORING_SNAPSHOT_MAX_BYTES:
        return "too_large"
    try:
        _snapshot, created = snapshot_save(
            attempt=attempt, data=path.read_bytes(), client_id=match["client_id"], taken_at_ms=match["at"],
            trigger=match["trigger"], event_client_id="" if match["event"] == "-" else match["event"],
            received_at=written, ip=None)
    except ApplicationError as exc:
        return exc.code or "refused"
    return "stored" if created else "duplicate"
