"""Writes of remote proctoring (docs/decisions.md#proctoring-consent; 个人信息保护法 Art. 28–29).

* `consent_record`: the candidate answers each purpose separately; audited.
* `exam_page_opened`: the configuration of proctor.js for a remote exam page, and the server's
  own event when the page takes over an earlier one (the engine's session takeover).
* `events_record`: the page's events, append-only, idempotent by client id.
* `snapshot_store`: one camera picture, checked (the caller's open attempt, consent, size, a
  real JPEG decoded by Pillow), written to private storage, analysed in the background.
* `snapshot_analyse` / `snapshots_analyse_pending`: the automatic note (proctoring.faces).
* `snapshots_purge_expired`: the retention (Celery beat `proctoring.purge_expired`), audited
  as a count.
* `snapshot_view_record`: central looked at a candidate's pictures; audited.
"""

import datetime
import hashlib
import io
import logging
import re
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from audit.actions import Action
from audit.services import audit_record
from core.errors import ApplicationError
from core.roles import Role
from core.scoping import assert_visible, require_role

from . import direct
from .choices import (
    EVENT_LATE_MINUTES,
    EVENT_SNAPSHOT_MIN_GAP_SECONDS,
    MAX_EVENTS_PER_ATTEMPT,
    MAX_EVENTS_PER_REQUEST,
    SERVER_KINDS,
    ConsentPurpose,
    EventKind,
    SnapshotNote,
)
from .consent import CONSENT_VERSION, texts_by_purpose, whom_to_ask
from .models import ConsentRecord, ProctorEvent, Snapshot
from .selectors import consent_granted, is_remote_plan
from .storage import snapshot_storage

log = logging.getLogger(__name__)

CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MIN_SIDE, MAX_SIDE = 64, 1280
# the view a candidate's pictures were opened in is audited once per reviewer and attempt
# within this window (a page of thumbnails is one look, not 180)
VIEW_AUDIT_WINDOW_SECONDS = 600


def _own(attempt, acting_user) -> None:
    require_role(acting_user, Role.CANDIDATE, message="只能提交本人考试的监考记录")
    assert_visible(attempt, acting_user, message="只能提交本人考试的监考记录")


# ---------------------------------------------------------------- consent


def consent_record(*, registration, acting_user, answers: dict, version: str, ip: str | None = None,
                   user_agent: str = "", now: datetime.datetime | None = None) -> dict[str, bool]:
    """The candidate's answer to each purpose of the remote exam's notice (摄像头抓拍, 考试行为记录),
    given separately and explicitly (nothing is pre-selected: a missing answer is refused, not
    taken as yes). Stored append-only with time, IP, browser, the text version and its digest;
    audited. Refused for another person's registration, a plan that is not remote, and an
    outdated text version (the candidate read an older notice: read the new one)."""
    now = now or timezone.now()
    require_role(acting_user, Role.CANDIDATE, message="只能由考生本人作出同意")
    assert_visible(registration, acting_user, message="只能由考生本人作出同意")
    if not is_remote_plan(registration.plan):
        raise ApplicationError("本场考试不是远程监考考试，无需同意")
    if version != CONSENT_VERSION:
        raise ApplicationError("告知书已更新，请重新阅读后再作选择", field="version")
    texts = texts_by_purpose()
    cleaned = {}
    for purpose in ConsentPurpose.values:
        value = answers.get(purpose)
        if value not in (True, False):
            raise ApplicationError(f"请对“{ConsentPurpose(purpose).label}”选择同意或不同意", field=purpose)
        cleaned[purpose] = value
    with transaction.atomic():
        for purpose, granted in cleaned.items():
            ConsentRecord.objects.create(
                registration=registration, user=acting_user, purpose=purpose, granted=granted,
                text_version=CONSENT_VERSION, text_digest=texts[purpose].digest, at=now, ip=ip,
                user_agent=(user_agent or "")[:200])
        all_granted = all(cleaned.values())
        words = "；".join(f"{ConsentPurpose(p).label}：{'同意' if g else '不同意'}" for p, g in cleaned.items())
        audit_record(actor=acting_user, action=Action.PROCTORING_CONSENT_GRANT if all_granted else Action.PROCTORING_CONSENT_REFUSE,
                     obj=registration, region=registration.region_id,
                     after={"answers": cleaned, "version": CONSENT_VERSION},
                     object_repr=f"考生 {registration.candidate_number}",
                     message=f"远程监考告知书（{CONSENT_VERSION}）：{words}"
                             + ("" if all_granted else f"；不能进入考试，请联系{whom_to_ask(registration.region)}"))
    return cleaned


def _require_consent(attempt, purpose: str) -> None:
    if not consent_granted(attempt.registration).get(purpose):
        raise ApplicationError(f"考生未同意{ConsentPurpose(purpose).label}，不予接收", code="no_consent")


# ---------------------------------------------------------------- the exam page


def exam_page_opened(*, attempt, ip: str | None = None, now: datetime.datetime | None = None) -> dict | None:
    """Called by the exam page's view right after exams.services.attempt_open_session. For a
    remote plan: the configuration proctor.js reads (URLs, interval, size, quality), and, when
    this page takes over an earlier one (the page was opened before: a reload, another tab or
    another computer), the server's own SESSION_OPENED event with the time and IP. None for
    other plans (no proctoring on their pages)."""
    from exams.models import Attempt

    if not is_remote_plan(attempt.plan):
        return None
    now = now or timezone.now()
    opened = Attempt.objects.filter(pk=attempt.pk).values_list("sessions_opened", flat=True).first() or 0
    if opened > 1:
        ProctorEvent.objects.create(attempt=attempt, kind=EventKind.SESSION_OPENED, client_id=f"srv-{uuid.uuid4().hex}",
                                    client_at=now, server_at=now, detail=f"第 {opened} 次打开考试页面", ip=ip)
    camera = bool(consent_granted(attempt.registration).get(ConsentPurpose.CAMERA))
    return {
        "attempt": attempt.pk,
        "events_url": reverse("proctoring:events", args=[attempt.pk]),
        "snapshot_url": reverse("proctoring:snapshot_upload", args=[attempt.pk]),
        "interval_seconds": settings.PROCTORING_SNAPSHOT_SECONDS,
        "event_gap_seconds": EVENT_SNAPSHOT_MIN_GAP_SECONDS,
        "width": settings.PROCTORING_SNAPSHOT_WIDTH,
        "quality": settings.PROCTORING_SNAPSHOT_QUALITY,
        "max_bytes": settings.PROCTORING_SNAPSHOT_MAX_BYTES,
        "camera": camera,
        # nginx writes the pictures itself (proctoring.direct): the page PUTs to this signed folder
        "direct_upload": direct.upload_target(attempt) if camera and direct.enabled() else None,
    }


# ---------------------------------------------------------------- events


def _stamp(value, *, what: str) -> datetime.datetime | None:
    if value is None:
        return None
    try:
        return datetime.datetime.fromtimestamp(float(value) / 1000, tz=datetime.UTC)
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise ApplicationError(f"{what}的时间不正确") from exc


def _parse_events(raw) -> list[dict]:
    """Every event is checked before anything is written: a bad one refuses the whole batch
    with a message naming it (nothing changes)."""
    if not isinstance(raw, list) or not raw:
        raise ApplicationError("没有收到监考事件")
    if len(raw) > MAX_EVENTS_PER_REQUEST:
        raise ApplicationError(f"一次最多提交 {MAX_EVENTS_PER_REQUEST} 条监考事件")
    allowed = set(EventKind.values) - SERVER_KINDS
    items, seen = [], set()
    for index, entry in enumerate(raw, start=1):
        what = f"第 {index} 条监考事件"
        if not isinstance(entry, dict):
            raise ApplicationError(f"{what}格式不正确")
        kind = str(entry.get("kind") or "")
        if kind not in allowed:
            raise ApplicationError(f"{what}的类型“{kind[:24]}”不正确")
        client_id = str(entry.get("id") or "")
        if not CLIENT_ID.match(client_id):
            raise ApplicationError(f"{what}的编号不正确")
        if client_id in seen:
            continue
        seen.add(client_id)
        duration = entry.get("duration_ms")
        if duration is not None:
            try:
                duration = int(duration)
            except (TypeError, ValueError) as exc:
                raise ApplicationError(f"{what}的持续时间不正确") from exc
            if not 0 <= duration <= 24 * 3600 * 1000:
                raise ApplicationError(f"{what}的持续时间不正确")
        detail = entry.get("detail") or ""
        if not isinstance(detail, str):
            raise ApplicationError(f"{what}的说明不正确")
        items.append({"kind": kind, "client_id": client_id, "client_at": _stamp(entry.get("at"), what=what),
                      "duration_ms": duration, "detail": detail.strip()[:200]})
    return items


def events_record(*, attempt, raw_events, acting_user, ip: str | None = None,
                  now: datetime.datetime | None = None) -> list[str]:
    """Store the events the exam page sent (docs/decisions.md#proctoring), append-only with server and client
    times; idempotent by the page's client id (a replayed batch after a network failure is
    stored once). Only the attempt's own candidate, with consent to behaviour records; while the
    attempt is in progress, or, for events buffered while offline, up to EVENT_LATE_MINUTES after
    deadline + grace and stamped before it. Returns the client ids now stored (new or not)."""
    from exams.choices import AttemptState
    from exams.services import grace_for

    now = now or timezone.now()
    _own(attempt, acting_user)
    items = _parse_events(raw_events)
    if attempt.state == AttemptState.NOT_STARTED:
        raise ApplicationError("考试尚未开始，不接收监考事件", code="closed")
    closes = attempt.deadline + grace_for(attempt.plan)
    if attempt.state != AttemptState.IN_PROGRESS:
        if attempt.state not in (AttemptState.SUBMITTED, AttemptState.GRADED) or now > closes + datetime.timedelta(
                minutes=EVENT_LATE_MINUTES):
            raise ApplicationError(f"本场考试{attempt.get_state_display()}，不再接收监考事件", code="closed")
        items = [i for i in items if i["client_at"] is not None and i["client_at"] <= closes]
    _require_consent(attempt, ConsentPurpose.BEHAVIOUR)
    if ProctorEvent.objects.filter(attempt=attempt).count() + len(items) > MAX_EVENTS_PER_ATTEMPT:
        raise ApplicationError("本场考试的监考事件数量已达上限", code="too_many")
    rows = [ProctorEvent(attempt=attempt, server_at=now, ip=ip, **item) for item in items]
    ProctorEvent.objects.bulk_create(rows, ignore_conflicts=True)
    return [item["client_id"] for item in items]


# ---------------------------------------------------------------- snapshots


def _check_jpeg(data: bytes) -> tuple[int, int]:
    """A real JPEG, decoded whole by Pillow (not its first bytes only), of a sensible size."""
    from PIL import Image, UnidentifiedImageError

    limit = settings.PROCTORING_SNAPSHOT_MAX_BYTES
    if not data:
        raise ApplicationError("抓拍照片是空文件", field="snapshot")
    if len(data) > limit:
        raise ApplicationError(f"抓拍照片不能超过 {limit // 1024} KB（收到 {len(data) // 1024} KB）", field="snapshot",
                               code="too_large")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "JPEG":
                raise ApplicationError(f"抓拍照片必须是 JPEG 图片（收到 {image.format or '未知格式'}）", field="snapshot")
            width, height = image.size
            if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE * 3 // 4 <= height <= MAX_SIDE):
                raise ApplicationError(f"抓拍照片尺寸 {width}×{height} 不在允许范围内", field="snapshot")
            image.load()  # decodes every byte: a truncated or corrupt file fails here
    except ApplicationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ApplicationError("抓拍照片不是可以读取的 JPEG 图片", field="snapshot") from exc
    return width, height


def _max_snapshots(attempt) -> int:
    """A page cannot send more than the exam's periodic pictures four times over, plus 100."""
    seconds = max(1, settings.PROCTORING_SNAPSHOT_SECONDS)
    minutes = attempt.plan.duration_minutes + attempt.extension_minutes
    return minutes * 60 // seconds * 4 + 100


def snapshot_store(*, attempt, data: bytes, client_id: str, taken_at_ms=None, trigger: str = "periodic",
                   event_client_id: str = "", acting_user, ip: str | None = None,
                   now: datetime.datetime | None = None) -> tuple[Snapshot, bool]:
    """Store one camera snapshot (docs/decisions.md#proctoring): only the attempt's own candidate, while it is in
    progress, with consent to camera snapshots; a real JPEG (Pillow decodes it whole) of at most
    PROCTORING_SNAPSHOT_MAX_BYTES. The file goes to private storage (no URL); the face check
    runs in the background after the commit. Idempotent by the page's client id: a retried
    upload returns the stored one. Returns (snapshot, created)."""
    from exams.choices import AttemptState

    now = now or timezone.now()
    _own(attempt, acting_user)
    if attempt.state != AttemptState.IN_PROGRESS:
        raise ApplicationError(f"本场考试{attempt.get_state_display()}，不再接收抓拍照片", code="closed")
    _require_consent(attempt, ConsentPurpose.CAMERA)
    return snapshot_save(attempt=attempt, data=data, client_id=client_id, taken_at_ms=taken_at_ms, trigger=trigger,
                         event_client_id=event_client_id, received_at=now, ip=ip)


def snapshot_save(*, attempt, data: bytes, client_id: str, taken_at_ms, trigger: str, event_client_id: str,
                  received_at: datetime.datetime, ip: str | None) -> tuple[Snapshot, bool]:
    """The part of storing a snapshot that does not depend on how it arrived (through the app,
    `snapshot_store`, or written by the web server, `proctoring.direct.inbox_ingest`), once the
    caller has checked who sent it, when, and the consent: idempotent by client id, a real JPEG,
    the per-attempt cap, private storage, the face check queued after the commit."""
    if not CLIENT_ID.match(client_id or ""):
        raise ApplicationError("抓拍照片的编号不正确", field="client_id")
    if event_client_id and not CLIENT_ID.match(event_client_id):
        raise ApplicationError("抓拍照片的触发事件编号不正确", field="event")
    if trigger not in ("periodic", "start") and trigger not in EventKind.values:
        raise ApplicationError("抓拍原因不正确", field="trigger")
    existing = Snapshot.objects.filter(attempt=attempt, client_id=client_id).first()
    if existing is not None:
        return existing, False
    width, height = _check_jpeg(data)
    if Snapshot.objects.filter(attempt=attempt).count() >= _max_snapshots(attempt):
        raise ApplicationError("本场考试的抓拍照片数量已达上限", code="too_many")
    taken_at = _stamp(taken_at_ms, what="抓拍照片")
    storage = snapshot_storage()
    name = storage.save(f"{attempt.plan_id}/{attempt.pk}/{uuid.uuid4().hex}.jpg", ContentFile(data))
    try:
        with transaction.atomic():
            snapshot = Snapshot.objects.create(
                attempt=attempt, client_id=client_id, trigger=trigger, event_client_id=event_client_id,
                taken_at=taken_at, received_at=received_at, file_name=name, size=len(data), width=width, height=height,
                sha256=hashlib.sha256(data).hexdigest(), ip=ip)
            transaction.on_commit(lambda: _enqueue_analysis(snapshot.pk))
    except IntegrityError:  # the same upload raced itself
        storage.delete(name)
        return Snapshot.objects.get(attempt=attempt, client_id=client_id), False
    return snapshot, True


def _enqueue_analysis(snapshot_id: int) -> None:
    from core.background import dispatch

    try:
        dispatch("proctoring.analyse_snapshot", snapshot_id)
    except Exception:  # the broker is down: the periodic sweep picks it up
        log.warning("snapshot %s: analysis not queued; proctoring.analyse_pending will retry", snapshot_id,
                    exc_info=True)


def snapshot_analyse(snapshot_id: int, *, now: datetime.datetime | None = None) -> str:
    """Compute the automatic note of one snapshot (proctoring.faces) and store it. A picture that
    cannot be read is 无法分析; a purged one is left alone."""
    from .faces import check_jpeg

    now = now or timezone.now()
    snapshot = Snapshot.objects.filter(pk=snapshot_id).first()
    if snapshot is None or snapshot.purged_at or not snapshot.file_name:
        return ""
    try:
        with snapshot_storage().open(snapshot.file_name, "rb") as handle:
            result = check_jpeg(handle.read())
    except (OSError, ValueError):
        log.warning("snapshot %s could not be analysed", snapshot_id, exc_info=True)
        Snapshot.objects.filter(pk=snapshot_id).update(note=SnapshotNote.FAILED, analysed_at=now)
        return SnapshotNote.FAILED
    Snapshot.objects.filter(pk=snapshot_id).update(note=result.note, faces=result.faces, brightness=result.brightness,
                                                   contrast=result.contrast, analysed_at=now)
    return result.note


def snapshots_analyse_pending(*, now: datetime.datetime | None = None, older_than_seconds: int = 60) -> int:
    """Analyse every snapshot still 待分析 after `older_than_seconds` (its queued task was lost)."""
    now = now or timezone.now()
    pending = Snapshot.objects.filter(note=SnapshotNote.PENDING, purged_at__isnull=True,
                                      received_at__lt=now - datetime.timedelta(seconds=older_than_seconds))
    count = 0
    for pk in pending.values_list("pk", flat=True).iterator():
        snapshot_analyse(pk, now=now)
        count += 1
    return count


def snapshots_purge_expired(*, now: datetime.datetime | None = None, acting_user=None) -> int:
    """The retention (docs/decisions.md#snapshot-retention, default 180 days, PROCTORING_SNAPSHOT_RETENTION_DAYS): the file
    of every snapshot received before now − retention is deleted from private storage; the row
    stays as a trace (time, note, size, SHA-256) with `purged_at`, so the timeline says the
    picture existed and was deleted. One audit row with the count (none when nothing expired)."""
    now = now or timezone.now()
    days = settings.PROCTORING_SNAPSHOT_RETENTION_DAYS
    cutoff = now - datetime.timedelta(days=days)
    storage = snapshot_storage()
    expired = Snapshot.objects.filter(received_at__lt=cutoff, purged_at__isnull=True)
    count, freed, plans = 0, 0, set()
    for snapshot in expired.only("pk", "file_name", "size", "attempt__plan_id").select_related("attempt").iterator():
        if snapshot.file_name:
            storage.delete(snapshot.file_name)
        Snapshot.objects.filter(pk=snapshot.pk).update(file_name="", purged_at=now)
        count += 1
        freed += snapshot.size
        plans.add(snapshot.attempt.plan_id)
    if count:
        audit_record(actor=acting_user, action=Action.PROCTORING_SNAPSHOT_PURGE, object_type="proctoring.Snapshot",
                     after={"count": count, "bytes": freed, "plans": len(plans), "received_before": cutoff},
                     message=f"按保存期限（{days} 天）删除考试抓拍照片 {count} 张"
                             f"（{freed / 1024 / 1024:.1f} MB，涉及 {len(plans)} 个考试批次）")
    return count


def snapshot_read(*, snapshot: Snapshot, acting_user) -> bytes:
    """The bytes of one picture, for central only, with the audit row of the look
    (snapshot_view_record). A purged picture is gone."""
    require_role(acting_user, Role.CENTRAL, message="考试抓拍照片仅部中心可以查看")
    if snapshot.purged_at or not snapshot.file_name:
        raise ApplicationError("该照片已按保存期限删除", code="purged")
    with snapshot_storage().open(snapshot.file_name, "rb") as handle:
        data = handle.read()
    snapshot_view_record(snapshot=snapshot, acting_user=acting_user)
    return data


def snapshot_view_record(*, snapshot: Snapshot, acting_user) -> bool:
    """Audit that central looked at a candidate's snapshots: one row per reviewer and attempt
    within VIEW_AUDIT_WINDOW_SECONDS (a page of thumbnails is one look). True when written."""
    key = f"proctoring:viewed:{acting_user.pk}:{snapshot.attempt_id}"
    if not cache.add(key, 1, VIEW_AUDIT_WINDOW_SECONDS):
        return False
    attempt = snapshot.attempt
    audit_record(actor=acting_user, action=Action.PROCTORING_SNAPSHOT_VIEW, obj=snapshot, region=attempt.region_id,
                 object_repr=f"考生 {attempt.registration.candidate_number} 的考试抓拍照片",
                 message=f"查看考生 {attempt.registration.candidate_number} 的考试抓拍照片（{VIEW_AUDIT_WINDOW_SECONDS // 60} "
                         f"分钟内的其他照片不再逐张记录）")
    return True
