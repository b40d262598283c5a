"""监考异常 (docs/decisions.md#proctoring-flag): the check flags attempts of a remotely proctored plan whose
record shows anomalies — a snapshot with more than one face, two without anyone (the real face
check's note), or the page left ten times — shown in the queue's filter and on the evidence page,
and holding publication back until decided."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import ApplicationError
from proctoring.choices import EventKind, SnapshotNote
from proctoring.demo import plant_snapshot
from proctoring.models import ProctorEvent, Snapshot
from proctoring.selectors import AnomalyCounts, plan_anomaly_counts
from review import evidence as ev
from review import selectors, services
from review.choices import DecisionChoice
from review.models import ReviewCandidate

from .test_services import decide, decide_all_flagged

pytestmark = pytest.mark.django_db


def _others(built, k):
    """k attempts of the built plan that carry no planted case."""
    planted = {built.copier.pk, built.source.pk, built.fast.pk}
    return [a for a in built.attempts if a.pk not in planted][:k]


def _events(attempt, kind, n, start):
    for i in range(n):
        ProctorEvent.objects.create(attempt=attempt, kind=kind, client_id=uuid.uuid4().hex,
                                    client_at=start + datetime.timedelta(seconds=i * 40),
                                    server_at=start + datetime.timedelta(seconds=i * 40 + 1))


def _noted_snapshot(attempt, note, at):
    """A snapshot row already analysed (the count reads the stored note, not the picture)."""
    return Snapshot.objects.create(attempt=attempt, client_id=uuid.uuid4().hex, trigger="periodic", taken_at=at,
                                   received_at=at, size=1000, width=480, height=360, sha256="0" * 64, note=note,
                                   faces=2, analysed_at=timezone.now())


def test_the_rule():
    assert not ev.proctoring_flag(AnomalyCounts())
    assert ev.proctoring_flag(AnomalyCounts(multiple_faces=1))
    assert not ev.proctoring_flag(AnomalyCounts(no_face=1))
    assert ev.proctoring_flag(AnomalyCounts(no_face=2))
    assert not ev.proctoring_flag(AnomalyCounts(left_page=9))
    assert ev.proctoring_flag(AnomalyCounts(left_page=10))


def test_the_check_flags_the_proctoring_anomalies(client, world, built):
    two_empty, one_empty, crowded, leaver, nearly = _others(built, 5)
    start = built.plan.starts_at
    for minutes in (5, 12):  # two empty-room pictures through the real face check
        snapshot = plant_snapshot(two_empty, taken_at=start + datetime.timedelta(minutes=minutes))
        assert snapshot.note == SnapshotNote.NO_FACE
    plant_snapshot(one_empty, taken_at=start + datetime.timedelta(minutes=7))
    _noted_snapshot(crowded, SnapshotNote.MULTIPLE_FACES, start + datetime.timedelta(minutes=3))
    _events(leaver, EventKind.PAGE_HIDDEN, 6, start)
    _events(leaver, EventKind.FULLSCREEN_EXIT, 4, start + datetime.timedelta(minutes=20))
    _events(nearly, EventKind.WINDOW_BLUR, 9, start)
    _events(nearly, EventKind.COPY, 5, start)  # blocked copies are not leaving the page

    counts = plan_anomaly_counts(built.plan)
    assert counts[leaver.pk].left_page == 10 and counts[nearly.pk].left_page == 9

    review = services.review_start(plan=built.plan, acting_user=world.central)
    rows = {c.attempt_id: c for c in ReviewCandidate.objects.filter(review=review)}
    assert rows[two_empty.pk].flag_proctoring
    assert rows[two_empty.pk].proctoring_notes == ["未检测到人脸或画面遮挡 2 张"]
    assert rows[crowded.pk].flag_proctoring and rows[crowded.pk].proctoring_notes == ["多于一张人脸 1 张"]
    assert rows[leaver.pk].flag_proctoring
    assert not rows[one_empty.pk].flag_proctoring and rows[one_empty.pk].proctoring_notes
    assert not rows[nearly.pk].flag_proctoring
    assert review.summary["proctoring"] == 3
    assert rows[two_empty.pk].suspicion > rows[one_empty.pk].suspicion

    # the queue's filter, the evidence page and the decision's evidence
    client.force_login(world.central)
    page = client.get(reverse("review:plan", args=[built.plan.pk]), {"flag": "proctoring"}).content.decode()
    start_q = page.index('data-testid="review-queue"')
    queue = page[start_q:page.index("</table>", start_q)]
    for attempt in (two_empty, crowded, leaver):
        assert attempt.registration.candidate_number in queue
    for attempt in (one_empty, nearly, built.copier):
        assert attempt.registration.candidate_number not in queue
    assert "监考异常" in page
    evidence_page = client.get(reverse("review:candidate", args=[two_empty.pk])).content.decode()
    assert "监考记录：未检测到人脸或画面遮挡 2 张" in evidence_page and "监考异常" in evidence_page
    options = dict(selectors.evidence_options(review=review, attempt=two_empty))
    assert options["proctoring"] == "监考记录：未检测到人脸或画面遮挡 2 张"

    # publication waits for their decisions too
    decide(review, built.copier, world.central)
    decide_all_flagged(review, world.central, except_=(leaver.pk,))
    with pytest.raises(ApplicationError, match="还有 1 名被标记的考生没有核查结论"):
        services.review_publish(plan=built.plan, acting_user=world.central)
    decide(review, leaver, world.central, choice=DecisionChoice.NORMAL, category=None, evidence=[])
    services.review_publish(plan=built.plan, acting_user=world.central)


def test_a_centralized_plan_has_no_proctoring_flag(world, exam_bank):
    from papers.tests.factories import make_rule
    from plans.choices import ExamType
    from review.demo import build_ended_plan

    make_rule(world.central, name="集中", exam_type=ExamType.NEW_ONLINE, personnel_types="ABC", per_cell=5)
    built = build_ended_plan(region=world.region_a, central=world.central, admin=world.admin_a, n=20, seed=3,
                             exam_type=ExamType.NEW_ONLINE)
    _noted_snapshot(built.attempts[0], SnapshotNote.MULTIPLE_FACES, built.plan.starts_at)
    assert plan_anomaly_counts(built.plan) == {}
    review = services.review_start(plan=built.plan, acting_user=world.central)
    assert not ReviewCandidate.objects.filter(review=review, flag_proctoring=True).exists()
