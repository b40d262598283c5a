"""Reads of remote proctoring. The exam engine may import this module (exams.services asks
`consent_refusal` before a start, exams.selectors asks `monitor_counts`); it imports nothing of
exams at module level, so there is no import cycle.

The contract for the violation check (review app, docs/decisions.md#evidence-contract):

    evidence = evidence_for_attempt(attempt, *, fetched_by=request.user)   # central only
    {% include "proctoring/_evidence.html" with evidence=evidence %}

`evidence_for_attempt` returns an `Evidence` (see its docstring); a caller who is not central
gets core.errors.PermissionDenied. Each picture in the include is loaded through
proctoring:snapshot_image, which checks the role again and writes the audit row.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.urls import reverse

from core.roles import Role
from core.scoping import get_visible_or_404, require_role
from plans.choices import ExamType

from .choices import FLAGGED_NOTES, INCIDENT_KINDS, ConsentPurpose, EventKind, SnapshotNote
from .consent import CONSENT_VERSION, refusal_message
from .models import ConsentRecord, ProctorEvent, Snapshot


def is_remote_plan(plan) -> bool:
    """Remote proctoring applies to 继续教育(线上) (SPEC.md §2, §5: non-centralized online, proctored
    remotely); the one place that says so, for the exam page, the start check and 考前测试."""
    return getattr(plan, "exam_type", None) == ExamType.CONTINUING_ONLINE


def consent_latest(registration) -> dict[str, ConsentRecord]:
    """The latest answer per purpose of the registration (any text version)."""
    latest = {}
    for record in ConsentRecord.objects.filter(registration=registration).order_by("at", "id"):
        latest[record.purpose] = record
    return latest


def consent_granted(registration) -> dict[str, bool]:
    """Per purpose: does the latest answer grant it, for the current text version?"""
    latest = consent_latest(registration)
    return {purpose: bool(latest.get(purpose) and latest[purpose].granted
                          and latest[purpose].text_version == CONSENT_VERSION)
            for purpose in ConsentPurpose.values}


def consent_refusal(registration) -> str | None:
    """None when the registration's exam may start as far as proctoring goes (not remote, or
    both purposes granted for the current text); else the message telling the candidate why
    not and whom to ask (their 管局, by name). Called by exams.services.attempt_start."""
    if not is_remote_plan(registration.plan):
        return None
    if all(consent_granted(registration).values()):
        return None
    return refusal_message(registration.region)


def consent_context(registration) -> dict:
    """What the entry page shows: the texts, the latest answers, whether the start may go on."""
    from .consent import consent_texts, whom_to_ask

    latest = consent_latest(registration)
    granted = consent_granted(registration)
    return {"version": CONSENT_VERSION, "texts": consent_texts(), "latest": latest,
            "answered": {p: p in latest and latest[p].text_version == CONSENT_VERSION for p in ConsentPurpose.values},
            "granted": granted, "complete": all(granted.values()),
            "refused": any(p in latest and not latest[p].granted for p in ConsentPurpose.values),
            "ask": whom_to_ask(registration.region)}


# ---------------------------------------------------------------- the monitor


def monitor_counts(*, plan, fetched_by) -> dict:
    """考试监控 of a remote plan (管局 and central): per attempt the incidents so far
    ({attempt_id: {"total": n, "kinds": [(label, n), …]}}) and per registration the consent
    state ("granted", "refused" or absent). Counts only: no snapshot, no detail."""
    from django.db.models import Count

    if fetched_by is None or getattr(fetched_by, "role", None) not in (Role.CENTRAL, Role.REGIONAL):
        return {"events": {}, "consent": {}}
    rows = (ProctorEvent.objects.visible_to(fetched_by).filter(attempt__plan=plan, kind__in=INCIDENT_KINDS)
            .order_by().values_list("attempt_id", "kind").annotate(n=Count("pk")))
    events: dict[int, dict] = {}
    for attempt_id, kind, n in rows:
        entry = events.setdefault(attempt_id, {"total": 0, "kinds": []})
        entry["total"] += n
        entry["kinds"].append((EventKind(kind).label, n))
    consent: dict[int, str] = {}
    answers = defaultdict(dict)
    for reg_id, purpose, granted, version in (ConsentRecord.objects.visible_to(fetched_by)
                                              .filter(registration__plan=plan).order_by("at", "id")
                                              .values_list("registration_id", "purpose", "granted", "text_version")):
        answers[reg_id][purpose] = granted and version == CONSENT_VERSION
    for reg_id, given in answers.items():
        consent[reg_id] = "granted" if len(given) == len(ConsentPurpose.values) and all(given.values()) else "refused"
    return {"events": events, "consent": consent}


# ---------------------------------------------------------------- evidence (central only)


EVIDENCE_CENTRAL_ONLY = "考试抓拍照片和监考记录仅部中心可以查看"


@dataclass
class EventRow:
    id: int
    kind: str
    label: str
    incident: bool
    client_at: datetime.datetime | None
    server_at: datetime.datetime
    duration_seconds: float | None
    detail: str
    ip: str | None
    snapshot: "SnapshotRow | None" = None


@dataclass
class SnapshotRow:
    id: int
    taken_at: datetime.datetime | None
    received_at: datetime.datetime
    trigger: str
    trigger_label: str
    note: str
    note_label: str
    flagged: bool
    faces: int | None
    brightness: float | None
    contrast: float | None
    size: int
    purged_at: datetime.datetime | None
    url: str | None  # proctoring:snapshot_image (central, audited); None once purged


@dataclass
class Evidence:
    """Everything proctoring knows of one attempt, for central's violation check.

    remote        the plan is remotely proctored (else every list is empty)
    consent       [{"purpose", "label", "granted", "at", "ip", "version"}] the latest answer per purpose
    events        [EventRow] in client time order, each with the snapshot it triggered (if any)
    incidents     [(label, n)] counts of incident kinds, most frequent first; incident_total
    snapshots     [SnapshotRow] in time order; flagged_snapshots the ones whose note is not 正常
    note_counts   [(label, n)] per automatic note
    summary       short Chinese lines for a queue or a header (e.g. "未检测到人脸 3 张")
    """

    attempt: object
    remote: bool
    consent: list = field(default_factory=list)
    events: list = field(default_factory=list)
    incidents: list = field(default_factory=list)
    incident_total: int = 0
    snapshots: list = field(default_factory=list)
    flagged_snapshots: list = field(default_factory=list)
    note_counts: list = field(default_factory=list)
    summary: list = field(default_factory=list)
    retention_days: int = 0


def _trigger_label(trigger: str) -> str:
    if trigger == "periodic":
        return "定时抓拍"
    if trigger == "start":
        return "开始考试"
    try:
        return EventKind(trigger).label
    except ValueError:
        return trigger or "—"


def evidence_for_attempt(attempt, *, fetched_by) -> Evidence:
    """The proctoring evidence of one attempt: consent, the events timeline and the snapshots
    with their automatic notes. Central only (PermissionDenied otherwise)."""
    from django.conf import settings

    require_role(fetched_by, Role.CENTRAL, message=EVIDENCE_CENTRAL_ONLY)
    plan = attempt.plan
    evidence = Evidence(attempt=attempt, remote=is_remote_plan(plan),
                        retention_days=settings.PROCTORING_SNAPSHOT_RETENTION_DAYS)
    for purpose, record in consent_latest(attempt.registration).items():
        evidence.consent.append({"purpose": purpose, "label": ConsentPurpose(purpose).label, "granted": record.granted,
                                 "at": record.at, "ip": record.ip, "version": record.text_version})
    snapshots = []
    by_event = {}
    for s in Snapshot.objects.visible_to(fetched_by).filter(attempt=attempt).order_by("taken_at", "received_at", "id"):
        row = SnapshotRow(
            id=s.pk, taken_at=s.taken_at, received_at=s.received_at, trigger=s.trigger,
            trigger_label=_trigger_label(s.trigger), note=s.note, note_label=SnapshotNote(s.note).label,
            flagged=s.note in FLAGGED_NOTES, faces=s.faces, brightness=s.brightness, contrast=s.contrast, size=s.size,
            purged_at=s.purged_at,
            url=None if s.purged_at or not s.file_name else reverse("proctoring:snapshot_image", args=[s.pk]))
        snapshots.append(row)
        if s.event_client_id:
            by_event[s.event_client_id] = row
    evidence.snapshots = snapshots
    evidence.flagged_snapshots = [s for s in snapshots if s.flagged]
    kinds = Counter()
    for e in ProctorEvent.objects.visible_to(fetched_by).filter(attempt=attempt).order_by("client_at", "server_at",
                                                                                           "id"):
        incident = e.kind in INCIDENT_KINDS
        if incident:
            kinds[e.kind] += 1
        evidence.events.append(EventRow(
            id=e.pk, kind=e.kind, label=EventKind(e.kind).label, incident=incident, client_at=e.client_at,
            server_at=e.server_at, duration_seconds=round(e.duration_ms / 1000, 1) if e.duration_ms is not None else None,
            detail=e.detail, ip=e.ip, snapshot=by_event.get(e.client_id)))
    evidence.incidents = [(EventKind(k).label, n) for k, n in kinds.most_common()]
    evidence.incident_total = sum(kinds.values())
    notes = Counter(s.note for s in snapshots)
    evidence.note_counts = [(SnapshotNote(n).label, notes[n]) for n in SnapshotNote.values if notes[n]]
    evidence.summary = [f"{label} {n} 次" for label, n in evidence.incidents] + [
        f"{SnapshotNote(n).label} {notes[n]} 张" for n in SnapshotNote.values if n in FLAGGED_NOTES and notes[n]]
    return evidence


def snapshot_get(*, pk: int, fetched_by) -> Snapshot:
    """One snapshot for central (anyone else: 404, as if it did not exist)."""
    return get_visible_or_404(Snapshot.objects.select_related("attempt__registration"), fetched_by, pk=pk)
