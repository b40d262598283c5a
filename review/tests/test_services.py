"""The violation check's services: computing the flags, decisions (normal, violation with its
effects, second review), publication and objections. Data from build_ended_plan (real papers,
the real grader) and the real services."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from audit.models import AuditLog
from blacklist.models import BlacklistEntry, EntryStatus, ViolationCategory
from blacklist.services import penalty_default_end
from core.errors import ApplicationError, PermissionDenied
from core.roles import Role
from exams.choices import AttemptState
from exams.tests.factories import open_plan, sitting
from people.models import Person
from results.models import Score, ScorePublication
from review import services
from review.choices import DecisionChoice, DecisionStatus, ObjectionStatus, Outcome, ReviewStatus
from review.models import Decision, Objection, PairFlag, ReviewCandidate
from review.selectors import evidence_options, publication_blockers, results_for_candidate, undecided_flagged
from testing.world import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_central(db):
    return User.objects.create_user("t_central2", TEST_PASSWORD, role=Role.CENTRAL, full_name="复核人",
                                    phone="13900000002")


@pytest.fixture
def review(world, built):
    return services.review_start(plan=built.plan, acting_user=world.central)


def cheating():
    return ViolationCategory.objects.get(name="考试中交头接耳或协助他人作答")


def _keys(review, attempt):
    return [key for key, _label in evidence_options(review=review, attempt=attempt)]


def decide(review, attempt, user, choice=DecisionChoice.VIOLATION, category="default", reason="", note="核查说明",
           evidence=None, seen=None):
    current = Decision.objects.filter(attempt=attempt, current=True).first()
    return services.decision_record(
        attempt=attempt, choice=choice, category=cheating() if category == "default" else category,
        evidence_keys=_keys(review, attempt)[:1] if evidence is None else evidence, note=note, reason=reason,
        seen_revision=(current.revision if current else 0) if seen is None else seen, acting_user=user)


def decide_all_flagged(review, user, *, except_=()):
    for attempt_id in undecided_flagged(review):
        if attempt_id in except_:
            continue
        from exams.models import Attempt

        decide(review, Attempt.objects.get(pk=attempt_id), user, choice=DecisionChoice.NORMAL, category=None,
               evidence=[])


# ---------------------------------------------------------------- computing the flags


def test_the_check_flags_the_planted_pair_and_the_fast_candidate(world, built, review):
    assert review.status == ReviewStatus.READY
    assert review.job.status == "done" and review.job.done == 4
    pair = PairFlag.objects.get(review=review, flagged=True)
    assert {pair.attempt_a_id, pair.attempt_b_id} == {built.copier.pk, built.source.pk}
    assert pair.kind == "timing_follow" and pair.likely_source_id == built.source.pk
    rows = {c.attempt_id: c for c in ReviewCandidate.objects.filter(review=review)}
    assert len(rows) == 60
    assert rows[built.copier.pk].flag_similar and rows[built.copier.pk].flag_shared_ip
    assert rows[built.fast.pk].flag_fast and not rows[built.fast.pk].flag_similar
    flagged = {pk for pk, c in rows.items() if c.flagged}
    assert flagged == {built.copier.pk, built.source.pk, built.fast.pk}  # no honest candidate
    order = list(ReviewCandidate.objects.filter(review=review).order_by("-suspicion").values_list("attempt_id",
                                                                                                   flat=True))
    assert set(order[:2]) == {built.copier.pk, built.source.pk} and order[2] == built.fast.pk
    assert AuditLog.objects.filter(action="review.start", object_id=str(built.plan.pk)).exists()
    assert AuditLog.objects.filter(action="review.compute", object_id=str(built.plan.pk)).exists()


def test_shared_ip_is_not_flagged_in_a_centralized_exam(world, exam_bank):
    from papers.tests.factories import make_rule
    from plans.choices import ExamType
    from review.demo import build_ended_plan

    make_rule(world.central, name="新取证", exam_type=ExamType.NEW_ONLINE, personnel_types="ABC", per_cell=5)
    built = build_ended_plan(region=world.region_a, central=world.central, admin=world.admin_a, n=40, seed=3,
                             exam_type=ExamType.NEW_ONLINE, fast=0, person_seq_start=90_000)
    review = services.review_start(plan=built.plan, acting_user=world.central)
    copier = ReviewCandidate.objects.get(review=review, attempt=built.copier)
    assert copier.shared_ip_with == 1 and not copier.flag_shared_ip
    assert review.summary["remote"] is False


def test_the_check_waits_until_the_exam_has_ended(world, exam_bank):
    plan = open_plan(minutes_ago=30, duration=90)
    with pytest.raises(ApplicationError, match="考试尚未结束"):
        services.review_start(plan=plan, acting_user=world.central)


def test_the_check_waits_for_an_attempt_still_running_on_an_extension(world, exam_bank):
    from exams.services import attempt_extend, attempt_start

    plan = open_plan(minutes_ago=80, duration=90)
    registration = sitting(plan, user=world.candidate)
    attempt = attempt_start(registration=registration, acting_user=world.candidate,
                            now=plan.starts_at + datetime.timedelta(minutes=1))
    attempt_extend(attempt=attempt, minutes=60, reason="设备故障", acting_user=world.central)
    later = plan.ends_at + datetime.timedelta(minutes=5)
    with pytest.raises(ApplicationError, match="仍有 1 名考生的考试未结束"):
        services.review_start(plan=plan, acting_user=world.central, now=later)


def test_the_check_closes_overdue_attempts_first(world, exam_bank):
    plan = open_plan(minutes_ago=200, duration=90)
    registration = sitting(plan, user=world.candidate)
    review = services.review_start(plan=plan, acting_user=world.central)
    assert registration.attempt.state == AttemptState.ABSENT  # never started: 缺考
    assert review.status == ReviewStatus.READY


def test_only_central_starts_the_check(world, built):
    for user in (world.admin_a, world.candidate):
        with pytest.raises(PermissionDenied):
            services.review_start(plan=built.plan, acting_user=user)
    assert not ReviewCandidate.objects.exists()


def test_running_again_replaces_the_flags_and_keeps_decisions(world, built, review):
    decide(review, built.copier, world.central)
    services.review_start(plan=built.plan, acting_user=world.central)
    assert ReviewCandidate.objects.filter(review=review).count() == 60
    assert Decision.objects.filter(attempt=built.copier, current=True).exists()
    review.refresh_from_db()
    assert review.runs == 2


# ---------------------------------------------------------------- decisions


def test_a_violation_voids_the_score_and_blacklists_the_person_with_the_category_penalty(world, built, review):
    decision = decide(review, built.copier, world.central)
    assert decision.outcome == Outcome.VIOLATION and decision.status == DecisionStatus.EFFECTIVE
    score = Score.objects.get(attempt=built.copier)
    assert score.voided and score.total > 0  # kept for an upheld objection
    entry = BlacklistEntry.objects.get(pk=decision.blacklist_entry_id)
    person = built.copier.registration.person
    assert (entry.id_number, entry.category, entry.registration_id) == (person.id_number, cheating(),
                                                                         built.copier.registration_id)
    assert entry.penalty_end == penalty_default_end(entry.penalty_start, cheating().default_penalty_months)
    assert entry.region_id == world.region_a.pk and entry.created_by == world.central
    assert decision.evidence[0]["key"].startswith("pair:")
    actions = set(AuditLog.objects.filter(object_id=str(built.copier.pk)).values_list("action", flat=True))
    assert {"review.decide", "score.void"} <= actions
    assert AuditLog.objects.filter(action="blacklist.create", object_id=str(entry.pk)).exists()


def test_a_category_that_does_not_void_keeps_the_score(world, built, review):
    category = ViolationCategory.objects.create(name="轻微违纪", default_penalty_months=1, voids_score=False)
    decision = decide(review, built.copier, world.central, category=category)
    assert not Score.objects.get(attempt=built.copier).voided and not decision.score_voided
    assert decision.blacklist_entry is not None


def test_a_violation_needs_a_category_evidence_and_a_note(world, built, review):
    with pytest.raises(ApplicationError, match="违规类型"):
        decide(review, built.copier, world.central, category=None)
    with pytest.raises(ApplicationError, match="证据"):
        decide(review, built.copier, world.central, evidence=[])
    with pytest.raises(ApplicationError, match="核查说明"):
        decide(review, built.copier, world.central, note=" ")
    with pytest.raises(ApplicationError, match="所选证据不属于该考生"):
        decide(review, built.copier, world.central, evidence=[f"pair:{built.fast.pk}"])
    assert not Decision.objects.exists() and not BlacklistEntry.objects.exists()
    assert not Score.objects.filter(voided=True).exists()


def test_a_refused_blacklist_entry_leaves_the_score_and_the_decision_unchanged(world, built, review):
    from blacklist.services import entry_create_from_registration

    entry_create_from_registration(registration=built.copier.registration, category=cheating(),
                                   evidence_note="另案", acting_user=world.central)
    with pytest.raises(ApplicationError, match="处罚期重叠"):
        decide(review, built.copier, world.central)
    assert not Decision.objects.exists() and not Score.objects.get(attempt=built.copier).voided


def test_revising_needs_a_reason_and_undoes_the_violation(world, built, review):
    first = decide(review, built.copier, world.central)
    with pytest.raises(ApplicationError, match="修改原因"):
        decide(review, built.copier, world.central, choice=DecisionChoice.NORMAL, category=None)
    second = decide(review, built.copier, world.central, choice=DecisionChoice.NORMAL, category=None,
                    reason="复查监考录像，系同一单位培训形成的相同错误理解")
    assert (second.revision, second.previous_id, second.outcome) == (2, first.pk, Outcome.NORMAL)
    assert not Score.objects.get(attempt=built.copier).voided
    assert BlacklistEntry.objects.get(pk=first.blacklist_entry_id).status == EntryStatus.REVOKED
    assert Decision.objects.filter(attempt=built.copier).count() == 2
    assert Decision.objects.get(pk=first.pk).current is False
    log = AuditLog.objects.get(action="review.revise", object_id=str(built.copier.pk))
    assert log.before["outcome"] == "violation" and log.after["outcome"] == "normal" and log.reason


def test_a_revision_on_a_stale_page_is_refused(world, built, review, second_central):
    decide(review, built.copier, world.central)
    with pytest.raises(ApplicationError, match="已被他人修改"):
        decide(review, built.copier, second_central, choice=DecisionChoice.NORMAL, category=None, reason="x",
               seen=0)
    assert Decision.objects.filter(attempt=built.copier).count() == 1


def test_a_second_review_takes_effect_only_when_another_reviewer_confirms(world, built, review, second_central):
    proposal = decide(review, built.copier, world.central, choice=DecisionChoice.SECOND_REVIEW)
    assert proposal.status == DecisionStatus.AWAITING
    assert not Score.objects.get(attempt=built.copier).voided and not BlacklistEntry.objects.exists()
    with pytest.raises(PermissionDenied, match="不能确认自己提交的结论"):
        services.decision_confirm(attempt=built.copier, note="同意", seen_revision=1, acting_user=world.central)
    assert Decision.objects.get(attempt=built.copier, current=True).status == DecisionStatus.AWAITING
    confirmed = services.decision_confirm(attempt=built.copier, note="同意", seen_revision=1,
                                          acting_user=second_central)
    assert confirmed.status == DecisionStatus.EFFECTIVE
    assert (confirmed.decided_by, confirmed.second_reviewer) == (world.central, second_central)
    assert Score.objects.get(attempt=built.copier).voided
    assert BlacklistEntry.objects.get(pk=confirmed.blacklist_entry_id).created_by == second_central
    assert AuditLog.objects.filter(action="review.confirm", actor=second_central).exists()


def test_a_returned_second_review_leaves_the_candidate_undecided(world, built, review, second_central):
    decide(review, built.copier, world.central, choice=DecisionChoice.SECOND_REVIEW)
    with pytest.raises(PermissionDenied):
        services.decision_return(attempt=built.copier, note="证据不足", seen_revision=1, acting_user=world.central)
    returned = services.decision_return(attempt=built.copier, note="证据不足", seen_revision=1,
                                        acting_user=second_central)
    assert returned.status == DecisionStatus.RETURNED
    assert built.copier.pk in undecided_flagged(review)
    again = decide(review, built.copier, second_central, choice=DecisionChoice.NORMAL, category=None)  # no reason
    assert again.revision == 3 and again.status == DecisionStatus.EFFECTIVE


def test_only_central_decides(world, built, review):
    for user in (world.admin_a, world.candidate):
        with pytest.raises(PermissionDenied):
            decide(review, built.copier, user)
    assert not Decision.objects.exists()


# ---------------------------------------------------------------- publication


def test_publication_waits_for_every_flagged_candidate(world, built, review, second_central):
    assert publication_blockers(review) == ["还有 3 名被标记的考生没有核查结论"]
    with pytest.raises(ApplicationError, match="还有 3 名被标记的考生没有核查结论"):
        services.review_publish(plan=built.plan, acting_user=world.central)
    decide(review, built.copier, world.central, choice=DecisionChoice.SECOND_REVIEW)
    decide_all_flagged(review, world.central, except_={built.copier.pk})
    with pytest.raises(ApplicationError, match="待另一位核查人复核"):
        services.review_publish(plan=built.plan, acting_user=world.central)
    assert not ScorePublication.objects.exists()
    services.decision_confirm(attempt=built.copier, note="同意", seen_revision=1, acting_user=second_central)
    publication = services.review_publish(plan=built.plan, objection_days=7, acting_user=world.central)
    assert publication.objection_until == publication.published_at + datetime.timedelta(days=7)
    review.refresh_from_db()
    assert review.status == ReviewStatus.PUBLISHED
    assert AuditLog.objects.filter(action="score.publish", object_id=str(built.plan.pk)).exists()
    # published: decisions change only through objections, the flags are not recomputed
    with pytest.raises(ApplicationError, match="只能通过考生申诉更改"):
        decide(review, built.source, world.central, choice=DecisionChoice.VIOLATION, reason="x")
    with pytest.raises(ApplicationError, match="不能重新计算"):
        services.review_start(plan=built.plan, acting_user=world.central)
    with pytest.raises(ApplicationError, match="已经发布"):
        services.review_publish(plan=built.plan, acting_user=world.central)


def test_only_central_publishes(world, built, review):
    decide_all_flagged(review, world.central)
    with pytest.raises(PermissionDenied):
        services.review_publish(plan=built.plan, acting_user=world.admin_a)
    assert not ScorePublication.objects.exists()


# ---------------------------------------------------------------- objections


@pytest.fixture
def published(world, built, review):
    """The copier's violation published; the copier's person is world.candidate."""
    Person.objects.filter(pk=built.copier.registration.person_id).update(user=world.candidate)
    decide(review, built.copier, world.central)
    decide_all_flagged(review, world.central)
    services.review_publish(plan=built.plan, objection_days=10, acting_user=world.central)
    built.copier.registration.person.refresh_from_db()
    return built


def _other_candidate(built):
    user = User.objects.create_user("t_other_cand", TEST_PASSWORD, role=Role.CANDIDATE, full_name="他人")
    Person.objects.filter(pk=built.source.registration.person_id).update(user=user)
    return user


def test_the_candidate_sees_the_violation_only_after_publication(world, built, review):
    Person.objects.filter(pk=built.copier.registration.person_id).update(user=world.candidate)
    decide(review, built.copier, world.central)
    assert results_for_candidate([built.copier.registration]) == {}
    decide_all_flagged(review, world.central)
    services.review_publish(plan=built.plan, acting_user=world.central)
    result = results_for_candidate([built.copier.registration])[built.copier.registration_id]
    assert result["violation"] and result["category"] == cheating().name and result["can_object"]
    assert result["text"] == f"违规（{cheating().name}），成绩作废"
    honest = next(a for a in built.attempts if a.pk not in (built.copier.pk, built.source.pk, built.fast.pk))
    score = Score.objects.get(attempt=honest)
    text = results_for_candidate([honest.registration])[honest.registration_id]["text"]
    assert text == f"{score.total} 分，{'合格' if score.passed else '不合格'}"


def test_an_upheld_objection_restores_the_score_and_revokes_the_entry(world, published):
    built = published
    attempt = built.copier
    objection = services.objection_submit(attempt=attempt, text="我是独立作答的", acting_user=world.candidate)
    decision = Decision.objects.get(attempt=attempt, current=True)
    assert objection.decision == decision and objection.status == ObjectionStatus.PENDING
    services.objection_decide(objection=objection, upheld=True, answer="复查录像，确系独立作答", acting_user=world.central)
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD
    assert not Score.objects.get(attempt=attempt).voided
    assert BlacklistEntry.objects.get(pk=decision.blacklist_entry_id).status == EntryStatus.REVOKED
    now = Decision.objects.get(attempt=attempt, current=True)
    assert now.outcome == Outcome.NORMAL and now.reason.startswith("申诉成立")
    assert {"objection.submit", "objection.uphold", "score.restore", "review.revise"} <= set(
        AuditLog.objects.filter(object_id=str(attempt.pk)).values_list("action", flat=True))
    with pytest.raises(ApplicationError, match="已经处理"):
        services.objection_decide(objection=objection, upheld=False, answer="x", acting_user=world.central)


def test_a_rejected_objection_keeps_the_violation(world, published):
    attempt = published.copier
    objection = services.objection_submit(attempt=attempt, text="不服", acting_user=world.candidate)
    services.objection_decide(objection=objection, upheld=False, answer="证据确凿", acting_user=world.central)
    assert Score.objects.get(attempt=attempt).voided
    assert BlacklistEntry.objects.filter(status=EntryStatus.ACTIVE, registration=attempt.registration).exists()
    assert AuditLog.objects.filter(action="objection.reject", object_id=str(attempt.pk)).exists()


def test_objection_refusals(world, published):
    built = published
    other = _other_candidate(built)
    with pytest.raises(PermissionDenied, match="本人"):
        services.objection_submit(attempt=built.copier, text="替他申诉", acting_user=other)
    with pytest.raises(ApplicationError, match="没有违规结论"):
        services.objection_submit(attempt=built.source, text="我也申诉", acting_user=other)
    with pytest.raises(PermissionDenied):
        services.objection_submit(attempt=built.copier, text="x", acting_user=world.central)
    late = timezone.now() + datetime.timedelta(days=11)
    with pytest.raises(ApplicationError, match="申诉期限已过"):
        services.objection_submit(attempt=built.copier, text="晚了", acting_user=world.candidate, now=late)
    with pytest.raises(ApplicationError, match="申诉理由"):
        services.objection_submit(attempt=built.copier, text=" ", acting_user=world.candidate)
    assert not Objection.objects.exists()
    services.objection_submit(attempt=built.copier, text="不服", acting_user=world.candidate)
    with pytest.raises(ApplicationError, match="已提出过申诉"):
        services.objection_submit(attempt=built.copier, text="再次", acting_user=world.candidate)
    objection = Objection.objects.get()
    for user in (world.admin_a, world.candidate):
        with pytest.raises(PermissionDenied):
            services.objection_decide(objection=objection, upheld=True, answer="x", acting_user=user)
    assert Objection.objects.get().status == ObjectionStatus.PENDING


def test_objection_before_publication_is_refused(world, built, review):
    Person.objects.filter(pk=built.copier.registration.person_id).update(user=world.candidate)
    decide(review, built.copier, world.central)
    with pytest.raises(ApplicationError, match="尚未发布"):
        services.objection_submit(attempt=built.copier, text="x", acting_user=world.candidate)


def test_a_running_computation_is_not_started_twice_unless_it_was_lost(world, built, review):
    from review.models import PlanReview

    PlanReview.objects.filter(pk=review.pk).update(status=ReviewStatus.RUNNING)
    review.job.__class__.objects.filter(pk=review.job_id).update(status="running", finished_at=None)
    with pytest.raises(ApplicationError, match="正在进行"):
        services.review_start(plan=built.plan, acting_user=world.central)
    later = timezone.now() + services.RUNNING_TIMEOUT + datetime.timedelta(minutes=1)
    again = services.review_start(plan=built.plan, acting_user=world.central, now=later)
    assert again.status == ReviewStatus.READY and again.runs == 2
