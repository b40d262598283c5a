"""新取证(线下) plans in the violation check (docs/decisions.md#review-offline): the plan is 待核查 once central closes
its scanning; the check runs on the answer cards (answers only); the evidence page shows the
seat and hides timing, IPs and proctoring; the same decisions, publication, objections and
成绩管理, with region scoping; reopening the scanning before publication holds the check back."""

import io

import pytest
from django.http import Http404
from django.urls import reverse
from python_calamine import CalamineWorkbook

from answercards.models import CardPlan
from answercards.services import scanning_close, scanning_reopen
from answercards.tests.factories import scanned_plan
from audit.models import AuditLog
from core.errors import ApplicationError, PermissionDenied
from exams.choices import AttemptState, TransitionCause
from exams.models import Attempt, AttemptTransition
from people.models import Person
from results import selectors as results_selectors
from results.models import Score, ScorePublication
from review import selectors, services
from review.choices import DecisionChoice, ReviewStatus
from review.models import Decision, Objection, PairFlag, ReviewCandidate

from .test_services import decide, decide_all_flagged

pytestmark = pytest.mark.django_db


@pytest.fixture
def scanned(world):
    return scanned_plan(world)


@pytest.fixture
def checked(world, scanned):
    scanned.review = services.review_start(plan=scanned.plan, acting_user=world.central)
    scanned.copier_attempt = Attempt.objects.get(registration=scanned.copier)
    scanned.source_attempt = Attempt.objects.get(registration=scanned.source)
    return scanned


def _sheet(plan, user):
    return {row[0]: row for row in map(results_selectors.sheet_cells, results_selectors.score_sheet_values(
        results_selectors.score_sheet(plan=plan, filters={}, fetched_by=user)))}


def test_an_offline_plan_waits_for_the_close_of_its_scanning(world):
    built = scanned_plan(world, n=12, close=False)
    rows = {r["plan"].pk: r for r in selectors.review_plans(fetched_by=world.central)}
    assert rows[built.plan.pk]["state"] == "等待结束扫描"
    with pytest.raises(ApplicationError, match="结束该计划的答题卡扫描后才能开始核查"):
        services.review_start(plan=built.plan, acting_user=world.central)
    assert not AuditLog.objects.filter(action="review.start").exists()
    scanning_close(plan=built.plan, acting_user=world.central)
    rows = {r["plan"].pk: r for r in selectors.review_plans(fetched_by=world.central)}
    assert rows[built.plan.pk]["state"] == "待核查"


def test_the_check_runs_on_the_answer_cards(world, checked):
    review = checked.review
    assert review.status == ReviewStatus.READY and review.summary["offline"] is True
    pair = PairFlag.objects.get(review=review, flagged=True)
    assert {pair.attempt_a_id, pair.attempt_b_id} == {checked.copier_attempt.pk, checked.source_attempt.pk}
    assert pair.kind != "timing_follow" and pair.tails["follow_ab"] == 1.0
    rows = {c.attempt_id: c for c in ReviewCandidate.objects.filter(review=review)}
    assert len(rows) == 41  # the absent candidate is listed too, unflagged
    absent = Attempt.objects.get(registration=checked.absent)
    assert absent.state == AttemptState.ABSENT and not rows[absent.pk].flagged
    assert not any(c.flag_fast or c.flag_shared_ip or c.flag_proctoring for c in rows.values())
    assert {a for a, c in rows.items() if c.flagged} == {checked.copier_attempt.pk, checked.source_attempt.pk}


def test_the_evidence_page_shows_what_applies_to_a_card(client, world, checked):
    client.force_login(world.central)
    response = client.get(reverse("review:candidate", args=[checked.copier_attempt.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="candidate-seat"' in page and " 卷" in page
    assert "同一考场，相隔 2 个座位，座位邻近" in page  # the source sat two seats away
    assert 'data-testid="side-by-side"' in page and "答题卡没有作答时间" in page
    assert 'data-testid="seat-neighbours"' in page
    assert checked.source.candidate_number in page
    for absent in ("作答用时", "IP 地址", 'data-testid="proctoring"', "本人作答时间", 'data-testid="proctor-evidence"', 'data-testid="timing"'):
        assert absent not in page, absent
    options = dict(selectors.evidence_options(review=checked.review, attempt=checked.copier_attempt))
    assert any("相隔 2 个座位" in label for label in options.values())
    queue = client.get(reverse("review:plan", args=[checked.plan.pk])).content.decode()
    assert "答题卡考试只比对答案" in queue and checked.copier.candidate_number in queue


def test_decide_publish_and_the_regions_sheet(client, world, checked):
    decide(checked.review, checked.copier_attempt, world.central)
    with pytest.raises(ApplicationError, match="还有 1 名被标记的考生没有核查结论"):
        services.review_publish(plan=checked.plan, acting_user=world.central)
    decide_all_flagged(checked.review, world.central)
    services.review_publish(plan=checked.plan, acting_user=world.central)
    assert AuditLog.objects.filter(action="review.publish", object_id=str(checked.plan.pk)).exists()
    assert AuditLog.objects.filter(action="score.publish", object_id=str(checked.plan.pk)).exists()

    # the region of the plan sees it in 成绩管理 with its 成绩单
    assert list(results_selectors.score_plans(fetched_by=world.admin_a)) == [checked.plan]
    rows = _sheet(checked.plan, world.admin_a)
    assert len(rows) == 41
    assert rows[checked.copier.candidate_number][5:] == ["", "不合格", "违规作废"]
    assert rows[checked.absent.candidate_number][5:] == ["", "不合格", "缺考"]
    source = Score.objects.get(attempt=checked.source_attempt)
    assert rows[checked.source.candidate_number][5:] == [str(source.total), "合格" if source.passed else "不合格",
                                                         "正常"]
    client.force_login(world.admin_a)
    page = client.get(reverse("results:sheet", args=[checked.plan.pk])).content.decode()
    assert "违规作废" in page and "缺考" in page and "考生 41 人" in page
    response = client.post(reverse("results:export", args=[checked.plan.pk]))
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    cells = book.get_sheet_by_index(0).to_python()
    assert len(cells) == 42 and "违规作废" in [row[7] for row in cells]
    assert AuditLog.objects.filter(action="score.export", actor=world.admin_a).exists()

    # another region's 管局 gets nothing: not in its list, 404 for the sheet, the export, the PDF
    assert list(results_selectors.score_plans(fetched_by=world.admin_b)) == []
    with pytest.raises(Http404):
        results_selectors.score_plan_get(plan_id=checked.plan.pk, fetched_by=world.admin_b)
    client.force_login(world.admin_b)
    for name, method in (("results:sheet", "get"), ("results:export", "post"), ("results:pdf", "post")):
        assert getattr(client, method)(reverse(name, args=[checked.plan.pk])).status_code == 404
    assert checked.plan.batch_no not in client.get(reverse("results:list")).content.decode()
    assert not AuditLog.objects.filter(action__in=["score.export", "score.print"], actor=world.admin_b).exists()


def test_the_candidate_objects_and_central_decides(client, world, checked):
    Person.objects.filter(pk=checked.copier.person_id).update(user=world.candidate)
    decide(checked.review, checked.copier_attempt, world.central)
    decide_all_flagged(checked.review, world.central)
    services.review_publish(plan=checked.plan, acting_user=world.central)
    client.force_login(world.candidate)
    mine = client.get(reverse("candidates:my_registrations")).content.decode()
    assert "成绩作废" in mine
    assert client.post(reverse("review:object", args=[checked.copier.pk]), {"text": "我独立完成"}).status_code == 302
    objection = Objection.objects.get()
    services.objection_decide(objection=objection, upheld=True, answer="座位相距较远，证据不足", acting_user=world.central)
    assert not Score.objects.get(attempt=checked.copier_attempt).voided
    assert Decision.objects.get(attempt=checked.copier_attempt, current=True).outcome == "normal"
    assert _sheet(checked.plan, world.admin_a)[checked.copier.candidate_number][7] == "正常"


# ---------------------------------------------------------------- reopening the scanning


def test_reopening_removes_the_close_s_absent_marks_and_holds_the_check(world, checked):
    absent = Attempt.objects.get(registration=checked.absent)
    with pytest.raises(ApplicationError, match="请填写重新开放扫描的原因"):
        scanning_reopen(plan=checked.plan, reason=" ", acting_user=world.central)
    with pytest.raises(PermissionDenied):
        scanning_reopen(plan=checked.plan, reason="漏扫", acting_user=world.admin_a)
    assert CardPlan.objects.get(plan=checked.plan).scanning_closed_at is not None
    assert scanning_reopen(plan=checked.plan, reason="第 02 考场漏扫一袋答题卡", acting_user=world.central) == 1
    absent.refresh_from_db()
    assert absent.state == AttemptState.NOT_STARTED
    assert AttemptTransition.objects.filter(attempt=absent, cause=TransitionCause.CARD_REOPEN).exists()
    row = AuditLog.objects.get(action="answercards.scanning_reopen")
    assert row.reason == "第 02 考场漏扫一袋答题卡" and row.after["numbers"] == [checked.absent.candidate_number]
    assert AuditLog.objects.filter(action="attempt.absent_undone", object_id=str(absent.pk)).exists()
    assert CardPlan.objects.get(plan=checked.plan).scanning_closed_at is None

    # the check waits: no decision, no publication, the state says why
    assert selectors.review_state_label(checked.plan, checked.review) == "扫描已重新开放"
    with pytest.raises(ApplicationError, match="重新开放该计划的答题卡扫描"):
        decide(checked.review, checked.copier_attempt, world.central)
    with pytest.raises(ApplicationError, match="结束扫描并重新计算标记后才能发布"):
        services.review_publish(plan=checked.plan, acting_user=world.central)

    # closed again: the flags must be computed anew before publication
    scanning_close(plan=checked.plan, acting_user=world.central)
    absent.refresh_from_db()
    assert absent.state == AttemptState.ABSENT
    decide(checked.review, checked.copier_attempt, world.central)
    decide_all_flagged(checked.review, world.central)
    with pytest.raises(ApplicationError, match="尚未重新计算标记"):
        services.review_publish(plan=checked.plan, acting_user=world.central)
    services.review_start(plan=checked.plan, acting_user=world.central)
    decide_all_flagged(checked.review, world.central)
    services.review_publish(plan=checked.plan, acting_user=world.central)
    assert ScorePublication.objects.filter(plan=checked.plan).exists()


def test_reopening_keeps_a_cards_own_absence_and_is_refused_after_publication(world, checked):
    decide(checked.review, checked.copier_attempt, world.central)
    decide_all_flagged(checked.review, world.central)
    services.review_publish(plan=checked.plan, acting_user=world.central)
    with pytest.raises(ApplicationError, match="成绩已于 .* 发布，不能重新开放扫描"):
        scanning_reopen(plan=checked.plan, reason="漏扫", acting_user=world.central)
    assert CardPlan.objects.get(plan=checked.plan).scanning_closed_at is not None
    assert Attempt.objects.get(registration=checked.absent).state == AttemptState.ABSENT
    assert not AuditLog.objects.filter(action="answercards.scanning_reopen").exists()


def test_reopening_needs_a_closed_scanning(world):
    built = scanned_plan(world, n=6, close=False)
    with pytest.raises(ApplicationError, match="扫描尚未结束"):
        scanning_reopen(plan=built.plan, reason="漏扫", acting_user=world.central)


def test_the_reopen_page(client, world, checked):
    client.force_login(world.central)
    page = client.get(reverse("answercards:plan", args=[checked.plan.pk])).content.decode()
    assert 'data-testid="reopen-form"' in page and 'data-testid="card-review-link"' in page
    response = client.post(reverse("answercards:reopen", args=[checked.plan.pk]), {"reason": ""}, follow=True)
    assert "请填写重新开放扫描的原因" in response.content.decode()
    assert CardPlan.objects.get(plan=checked.plan).scanning_closed_at is not None
    response = client.post(reverse("answercards:reopen", args=[checked.plan.pk]), {"reason": "漏扫"}, follow=True)
    assert "扫描已重新开放：撤销缺考 1 人" in response.content.decode()


def test_a_second_review_on_a_card(world, checked):
    from accounts.models import User
    from core.roles import Role

    other = User.objects.create_user(username="center2", password="x", role=Role.CENTRAL)
    decide(checked.review, checked.copier_attempt, world.central, choice=DecisionChoice.SECOND_REVIEW)
    assert not Score.objects.get(attempt=checked.copier_attempt).voided
    services.decision_confirm(attempt=checked.copier_attempt, note="同意", seen_revision=1, acting_user=other)
    assert Score.objects.get(attempt=checked.copier_attempt).voided
