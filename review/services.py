"""Writes of the violation check (违规核查, SPEC.md §6; the guide 四). Central only; every write
runs in one transaction with its audit row.

* review_start / review_compute: a plan is 待核查 once its exam has ended and every attempt is
  closed; central starts the check, and a background job (jobs: Celery, a thread or inline)
  runs the collusion signal over the plan's answers (review.similarity) plus the per-candidate
  flags (answers faster than readable, shared IP addresses; review.evidence) and stores them.
* decision_record / decision_revise / decision_confirm / decision_return: 核查结论
  (docs/decisions.md#review-decisions). A violation voids the score when its category says so (results.services.score_void)
  and puts the person on the blacklist with the category's penalty
  (blacklist.services.entry_create_from_registration), in the same transaction. 提交复核 takes
  effect only when a second, different central reviewer confirms. Every change is a new
  Decision row naming who, when, the evidence considered and a note; a revision needs a reason
  and names the revision it saw (two reviewers racing: the second is refused).
* review_publish: 核查完成并发布 only when every flagged candidate has an effective decision.
* objection_submit / objection_decide: 申诉 within the days set at publication; upheld gives
  the score back and revokes the blacklist entry through their services.
"""

from __future__ import annotations

import datetime
import math

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.actions import Action
from audit.services import audit_record
from core.errors import ApplicationError, PermissionDenied
from core.locks import transaction_lock
from core.roles import Role
from core.scoping import assert_visible, require_role

from . import evidence as ev
from .choices import (
    DEFAULT_OBJECTION_DAYS,
    DecisionChoice,
    DecisionStatus,
    ObjectionStatus,
    Outcome,
    ReviewStatus,
)
from .models import Decision, Objection, PairFlag, PlanReview, ReviewCandidate

RUNNING_TIMEOUT = datetime.timedelta(minutes=30)  # a plan of 5,000 candidates computes in well under that
STALE_MESSAGE = "该考生的核查结论已被他人修改，请刷新页面查看最新结论后再操作"


REVIEW_CENTRAL_ONLY = "仅部中心可以进行违规核查"


def objection_days_default() -> int:
    return int(getattr(settings, "REVIEW_OBJECTION_DAYS", DEFAULT_OBJECTION_DAYS))


# ---------------------------------------------------------------- starting and computing


def plan_close_attempts(plan, *, now: datetime.datetime | None = None) -> int:
    """Close what the exam engine would close by now (submit overdue attempts, mark 缺考 those
    never started), so the check does not wait for the periodic task. Returns how many attempts
    are still open (the exam is not over for them: an extension, the save grace)."""
    from candidates.models import Registration
    from exams.choices import OPEN_STATES
    from exams.models import Attempt
    from exams.services import attempt_close_if_overdue, attempt_for

    now = now or timezone.now()
    for registration in Registration.objects.filter(plan=plan, attempt__isnull=True).select_related("plan"):
        attempt_close_if_overdue(attempt_for(registration), now=now)
    still_open = 0
    for attempt in Attempt.objects.filter(plan=plan, state__in=OPEN_STATES).select_related("plan", "registration"):
        if attempt_close_if_overdue(attempt, now=now).state in OPEN_STATES:
            still_open += 1
    return still_open


def review_assert_checkable(plan, *, now: datetime.datetime | None = None) -> None:
    """The rule of 待核查 (docs/decisions.md#review-due): an approved online plan whose exam has ended and whose
    every attempt is closed (closing the overdue ones on the way)."""
    from exams.services import ONLINE_TYPES
    from plans.choices import AuditStatus

    now = now or timezone.now()
    if plan.audit_status != AuditStatus.APPROVED or plan.exam_type not in ONLINE_TYPES:
        raise ApplicationError("只有审核通过的线上考核计划才进行违规核查")
    if now < plan.ends_at:
        raise ApplicationError(f"考试尚未结束（{timezone.localtime(plan.ends_at):%Y-%m-%d %H:%M} 结束），不能开始核查")
    still_open = plan_close_attempts(plan, now=now)
    if still_open:
        raise ApplicationError(f"仍有 {still_open} 名考生的考试未结束（延长考试时间或交卷宽限内），全部交卷后才能开始核查")


def review_start(*, plan, acting_user, now: datetime.datetime | None = None, run_now: bool = False) -> PlanReview:
    """开始核查 (or 重新计算): the flags of the plan are computed in the background with progress
    (jobs). Not while a computation runs, not after publication. Audited. `run_now` runs the
    same job in this process after the row is written (the demo loader, which exits at once)."""
    from jobs.services import job_create, job_enqueue, job_run

    require_role(acting_user, Role.CENTRAL, message=REVIEW_CENTRAL_ONLY)
    now = now or timezone.now()
    review_assert_checkable(plan, now=now)
    with transaction.atomic():
        transaction_lock(f"review:{plan.pk}")
        review = PlanReview.objects.select_for_update().filter(plan=plan).first()
        if review is not None and review.status == ReviewStatus.PUBLISHED:
            raise ApplicationError("该批次的核查已完成并发布，不能重新计算")
        if review is not None and review.status == ReviewStatus.RUNNING and review.job_id and \
                not review.job.finished and review.started_at > now - RUNNING_TIMEOUT:
            # (a job older than that was lost with its worker or thread: it may be started again)
            raise ApplicationError("核查计算正在进行，请等待完成")
        if review is None:
            review = PlanReview(plan=plan, started_by=acting_user, started_at=now)
        review.status, review.started_by, review.started_at = ReviewStatus.RUNNING, acting_user, now
        review.runs += 1
        job = job_create(kind=Action.REVIEW_COMPUTE, title=f"违规核查计算（批次 {plan.batch_no}）",
                         acting_user=acting_user, region=None, total=4)
        review.job = job
        review.save()
        audit_record(actor=acting_user, action=Action.REVIEW_START, obj=plan, region=plan.region_id,
                     after={"run": review.runs},
                     message=f"开始违规核查计算（批次 {plan.batch_no}，第 {review.runs} 次）")
        if not run_now:
            job_enqueue(job, "review.services:review_compute_job", review_id=review.pk, user_id=acting_user.pk)
    if run_now:
        job_run(job.pk, "review.services:review_compute_job", {"review_id": review.pk, "user_id": acting_user.pk})
    review.refresh_from_db()
    return review


def review_compute_job(*, job, review_id: int, user_id: int | None = None) -> None:
    """The jobs entry point (Celery, a thread or inline) of review_compute."""
    from accounts.models import User
    from jobs.services import job_finish

    review = PlanReview.objects.select_related("plan").get(pk=review_id)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    try:
        summary = review_compute(review=review, acting_user=user, job=job)
    except Exception:
        PlanReview.objects.filter(pk=review.pk, status=ReviewStatus.RUNNING).update(status=ReviewStatus.FAILED)
        raise
    from django.urls import reverse

    job_finish(job, result=summary, result_url=reverse("review:plan", args=[review.plan_id]),
               message=f"标记雷同考生对 {summary['flagged']} 个，作答过快 {summary['fast']} 人，"
                       f"共用IP {summary['shared_ip']} 人")


def review_compute(*, review: PlanReview, acting_user=None, job=None) -> dict:
    """Compute and store the flags of one plan (docs/decisions.md#review-flags): the collusion signal over the
    final answers (item = the question version; option = canonical letters; answered_at = seconds
    from the plan's start to the answer's last accepted save, the server's time), the time per
    question from the answer log against the question's length, and the IP addresses shared by
    several candidates (flagged in remote mode only: a centralized exam room shares one address).
    Earlier flags of the plan are replaced; decisions are kept."""
    from exams.selectors import plan_answer_events, plan_answer_ips, plan_attempts, plan_final_answers
    from jobs.services import job_progress
    from papers.selectors import plan_papers
    from plans.choices import ExamType

    from .similarity import collusion_signal

    plan = review.plan

    def step(done, message):
        if job is not None:
            job_progress(job, done=done, total=4, message=message)

    step(0, "读取试卷和作答记录")
    attempts = {a.pk: a for a in plan_attempts(plan)}
    papers, versions = plan_papers(plan)
    items_of = {}
    for attempt in attempts.values():
        paper = papers.get(attempt.registration_id)
        items_of[attempt.pk] = [item[0] for item in paper.items] if paper else []
    rows, answered = [], {}
    for attempt_id, position, canonical, saved_at in plan_final_answers(plan):
        items = items_of.get(attempt_id) or []
        if not 1 <= position <= len(items):
            continue
        version = versions[items[position - 1]]
        seconds = max(0.0, (saved_at - plan.starts_at).total_seconds())
        rows.append((attempt_id, version.pk, canonical, 1 if canonical == version.answer else 0, round(seconds, 3)))
        answered[attempt_id] = answered.get(attempt_id, 0) + 1

    step(1, "计算雷同答卷与作答时间信号")
    signal = collusion_signal(rows)

    step(2, "计算作答用时与共用IP")
    chars = {vid: ev.question_chars(v.stem, v.options) for vid, v in versions.items()}
    events: dict[int, list] = {}
    for attempt_id, position, server_at, client_at in plan_answer_events(plan):
        events.setdefault(attempt_id, []).append((position, ev.event_time(server_at, client_at)))
    fast = {}
    for attempt_id, attempt in attempts.items():
        items = items_of[attempt_id]
        times = ev.answer_times(events.get(attempt_id, []), attempt.started_at)
        count = 0
        for position, seconds in times.items():
            if 1 <= position <= len(items) and not math.isnan(seconds) and \
                    seconds < ev.read_limit(chars[items[position - 1]]):
                count += 1
        fast[attempt_id] = count
    remote = plan.exam_type == ExamType.CONTINUING_ONLINE
    sharing: dict[int, set] = {}
    for _ip, ids in ev.shared_ips(plan_answer_ips(plan)).items():
        for attempt_id in ids:
            sharing.setdefault(attempt_id, set()).update(ids - {attempt_id})

    step(3, "保存标记")
    group_of = {}
    for number, members in enumerate(signal["groups"], start=1):
        for member in members:
            group_of[member] = number
    pairs, min_p, similar = [], {}, set()
    for flagged, entries in ((True, signal["flagged_pairs"]), (False, signal["ranked_pairs"])):
        for entry in entries:
            a, b = int(entry["a"]), int(entry["b"])
            evidence = {k: entry[k] for k in ("shared_items", "identical_answers", "identical_wrong", "a_follows_b",
                                              "b_follows_a", "shared_fast_correct") if k in entry}
            source = entry.get("likely_source")
            pairs.append(PairFlag(
                review=review, attempt_a_id=a, attempt_b_id=b, flagged=flagged, p_value=entry["p_value"],
                p_family=entry["p_family"], q_value=entry["q_value"], kind=entry["kind"], kinds=entry["kinds"],
                statistic=entry["statistic"], tails=entry["tails"], evidence=evidence,
                likely_source_id=int(source) if source is not None else None,
                group=group_of.get(a) if flagged and group_of.get(a) == group_of.get(b) else None))
            for member in (a, b):
                if min_p.get(member) is None or entry["p_family"] < min_p[member]:
                    min_p[member] = entry["p_family"]
                if flagged:
                    similar.add(member)
    candidates = []
    for attempt_id in attempts:
        n_answered = answered.get(attempt_id, 0)
        flag_fast = ev.fast_flag(fast[attempt_id], n_answered)
        shared_with = len(sharing.get(attempt_id, ()))
        flag_ip = remote and shared_with > 0
        candidates.append(ReviewCandidate(
            review=review, attempt_id=attempt_id, flag_similar=attempt_id in similar, flag_fast=flag_fast,
            flag_shared_ip=flag_ip, min_p_family=min_p.get(attempt_id), fast_count=fast[attempt_id],
            answered=n_answered, shared_ip_with=shared_with,
            suspicion=ev.suspicion(flag_similar=attempt_id in similar, min_p_family=min_p.get(attempt_id),
                                   flag_fast=flag_fast, fast_share=fast[attempt_id] / n_answered if n_answered else 0,
                                   flag_shared_ip=flag_ip, shared_ip_with=shared_with)))
    summary = {
        "candidates": signal["candidates"], "items": signal["items"], "pairs": signal["pairs"],
        "bonferroni_cut": signal["bonferroni_cut"], "exact_pairs": signal["exact_pairs"],
        "flagged": len(signal["flagged_pairs"]), "ranked": len(signal["ranked_pairs"]),
        "groups": signal["groups"], "fast": sum(1 for c in candidates if c.flag_fast),
        "shared_ip": sum(1 for c in candidates if c.flag_shared_ip),
        "shared_ip_seen": sum(1 for c in candidates if c.shared_ip_with), "remote": remote,
        "flagged_candidates": sum(1 for c in candidates if c.flagged), "parameters": signal["parameters"],
    }
    with transaction.atomic():
        locked = PlanReview.objects.select_for_update().get(pk=review.pk)
        if locked.status == ReviewStatus.PUBLISHED:
            raise ApplicationError("该批次的核查已发布，计算结果未保存")
        PairFlag.objects.filter(review=review).delete()
        ReviewCandidate.objects.filter(review=review).delete()
        PairFlag.objects.bulk_create(pairs, batch_size=500)
        ReviewCandidate.objects.bulk_create(candidates, batch_size=500)
        locked.status, locked.computed_at, locked.summary = ReviewStatus.READY, timezone.now(), summary
        locked.save(update_fields=["status", "computed_at", "summary"])
        audit_record(actor=acting_user, action=Action.REVIEW_COMPUTE, obj=plan, region=plan.region_id,
                     after={k: summary[k] for k in ("candidates", "flagged", "ranked", "fast", "shared_ip",
                                                    "flagged_candidates")},
                     message=f"违规核查计算完成（批次 {plan.batch_no}）：标记考生 {summary['flagged_candidates']} 人"
                             f"（雷同考生对 {summary['flagged']} 个，作答过快 {summary['fast']} 人，"
                             f"共用IP {summary['shared_ip']} 人）")
    review.refresh_from_db()
    step(4, "完成")
    return summary


# ---------------------------------------------------------------- decisions


def _review_for_decision(attempt) -> PlanReview:
    review = PlanReview.objects.select_for_update().filter(plan_id=attempt.plan_id).first()
    if review is None or review.status in (ReviewStatus.RUNNING, ReviewStatus.FAILED):
        raise ApplicationError("该批次的核查计算尚未完成，完成后才能作出核查结论")
    if review.status == ReviewStatus.PUBLISHED:
        raise ApplicationError("该批次的成绩已发布，核查结论只能通过考生申诉更改")
    return review


def _current(attempt) -> Decision | None:
    return Decision.objects.select_for_update().filter(attempt=attempt, current=True).first()


def _check_seen(current: Decision | None, seen_revision: int | None) -> None:
    if seen_revision is None:
        raise ApplicationError(STALE_MESSAGE)
    if (current.revision if current else 0) != int(seen_revision):
        raise ApplicationError(STALE_MESSAGE, code="stale")


def _evidence(review, attempt, keys) -> list[dict]:
    """The evidence items the reviewer ticked, as shown on the evidence page (a key that page did
    not offer is refused: the record must name real evidence)."""
    from .selectors import evidence_options

    offered = dict(evidence_options(review=review, attempt=attempt))
    chosen = []
    for key in dict.fromkeys(keys or []):
        if key not in offered:
            raise ApplicationError("所选证据不属于该考生，请刷新页面后重新选择", field="evidence")
        chosen.append({"key": key, "label": offered[key]})
    return chosen


def _entry_note(attempt, decision: Decision) -> str:
    registration = attempt.registration
    lines = [f"违规核查：批次 {attempt.plan.batch_no}，考生编号 {registration.candidate_number}。",
             f"核查说明：{decision.note}"]
    if decision.evidence:
        lines.append("依据：" + "；".join(item["label"] for item in decision.evidence))
    return "\n".join(lines)[:5000]


def _undo(old: Decision | None, *, attempt, reason: str, acting_user) -> None:
    """Take back what an effective violation did: the score counts again, the entry is revoked."""
    from blacklist.services import entry_revoke
    from results.services import score_restore

    if old is None or old.status != DecisionStatus.EFFECTIVE or old.outcome != Outcome.VIOLATION:
        return
    if old.score_voided:
        score_restore(attempt=attempt, reason=reason, acting_user=acting_user)
    if old.blacklist_entry_id:
        entry = old.blacklist_entry
        if not entry.is_revoked:
            entry_revoke(entry=entry, reason=reason, acting_user=acting_user)


def _apply(new: Decision, *, attempt, acting_user) -> None:
    """An effective violation voids the score when its category says so and creates the
    blacklist entry with the category's penalty (both through their apps' services)."""
    from blacklist.services import entry_create_from_registration
    from results.services import score_void

    if new.status != DecisionStatus.EFFECTIVE or new.outcome != Outcome.VIOLATION:
        return
    category = new.category
    if category.voids_score:
        score = score_void(attempt=attempt, reason=f"违规：{category.name}", acting_user=acting_user)
        new.score_voided = score is not None
    new.blacklist_entry = entry_create_from_registration(
        registration=attempt.registration, category=category, evidence_note=_entry_note(attempt, new),
        acting_user=acting_user)


def _same_effects(old: Decision | None, new: Decision) -> bool:
    return (old is not None and old.status == DecisionStatus.EFFECTIVE and new.status == DecisionStatus.EFFECTIVE
            and old.outcome == new.outcome == Outcome.VIOLATION and old.category_id == new.category_id
            and (old.blacklist_entry_id is None or not old.blacklist_entry.is_revoked))


def _write(*, review, attempt, old: Decision | None, outcome: str, status: str, category, evidence: list, note: str,
           reason: str, acting_user, decided_by=None, second_reviewer=None, action: str, message: str) -> Decision:
    """Write the next revision of the attempt's decision and bring the effects (voided score,
    blacklist entry) from what the old one did to what the new one says, through their services.
    `decided_by` is who took the decision (the proposer of a confirmed second review; default
    the acting user, who is the actor of every audit row)."""
    now = timezone.now()
    if old is not None:
        Decision.objects.filter(pk=old.pk).update(current=False)
    new = Decision(review=review, attempt=attempt, revision=(old.revision + 1) if old else 1, current=True,
                   outcome=outcome, status=status, category=category, evidence=evidence, note=note[:5000],
                   reason=reason[:500], decided_by=decided_by or acting_user, decided_at=now, previous=old,
                   second_reviewer=second_reviewer)
    if _same_effects(old, new):
        new.blacklist_entry_id, new.score_voided = old.blacklist_entry_id, old.score_voided
    else:
        undo_reason = reason or note or "核查结论变更"
        _undo(old, attempt=attempt, reason=undo_reason, acting_user=acting_user)
        _apply(new, attempt=attempt, acting_user=acting_user)
    new.full_clean(exclude=["review", "attempt", "previous", "blacklist_entry", "decided_by", "second_reviewer",
                            "category"])
    new.save()
    audit_record(
        actor=acting_user, action=action, obj=attempt, region=attempt.region_id,
        before=_snapshot(old), after=_snapshot(new), reason=reason,
        object_repr=f"考生 {attempt.registration.candidate_number}", message=message)
    return new


def _snapshot(decision: Decision | None) -> dict | None:
    if decision is None:
        return None
    return {"revision": decision.revision, "outcome": decision.outcome, "status": decision.status,
            "category": decision.category.name if decision.category_id else "",
            "evidence": [item["label"] for item in decision.evidence], "note": decision.note,
            "decided_by": decision.decided_by.display_name if decision.decided_by_id else "",
            "blacklist_entry": decision.blacklist_entry_id, "score_voided": decision.score_voided}


def _clean_choice(choice: str, category, note: str, evidence: list) -> tuple[str, str]:
    if choice not in DecisionChoice.values:
        raise ApplicationError("请选择核查结论：正常、违规或提交复核", field="choice")
    note = (note or "").strip()
    if not note:
        raise ApplicationError("请填写核查说明", field="note")
    if choice == DecisionChoice.NORMAL:
        return Outcome.NORMAL, DecisionStatus.EFFECTIVE
    if category is None:
        raise ApplicationError("违规结论须选择违规类型", field="category")
    if not evidence:
        raise ApplicationError("违规结论须勾选所依据的证据", field="evidence")
    return Outcome.VIOLATION, (DecisionStatus.AWAITING if choice == DecisionChoice.SECOND_REVIEW
                               else DecisionStatus.EFFECTIVE)


def _check_category(category, old: Decision | None) -> None:
    if category is not None and not category.is_active and (old is None or old.category_id != category.pk):
        raise ApplicationError(f"违规类型“{category.name}”已停用，请选择其他类型", field="category")


def decision_record(*, attempt, choice: str, category=None, evidence_keys=(), note: str, reason: str = "",
                    seen_revision: int | None, acting_user) -> Decision:
    """核查结论 of one candidate (docs/decisions.md#review-decisions): 正常, 违规 (category required; the score voided when
    the category says so and a blacklist entry with the category's penalty created from the
    same decision), or 提交复核 (a violation that takes effect only when another central
    reviewer confirms). The first decision needs no reason; a later one is a revision and
    needs one. `seen_revision` is the revision the reviewer's page showed (0: none)."""
    require_role(acting_user, Role.CENTRAL, message=REVIEW_CENTRAL_ONLY)
    with transaction.atomic():
        transaction_lock(f"review:decision:{attempt.pk}")
        review = _review_for_decision(attempt)
        old = _current(attempt)
        _check_seen(old, seen_revision)
        reason = (reason or "").strip()
        if old is not None and old.status != DecisionStatus.RETURNED and not reason:
            raise ApplicationError("修改核查结论须填写修改原因", field="reason")
        evidence = _evidence(review, attempt, evidence_keys)
        outcome, status = _clean_choice(choice, category, note, evidence)
        _check_category(category, old)
        label = DecisionChoice(choice).label.split("，")[0] if choice != DecisionChoice.SECOND_REVIEW else "提交复核"
        revising = old is not None and old.status != DecisionStatus.RETURNED
        text = (f"核查结论：{label}" + (f"（{category.name}）" if outcome == Outcome.VIOLATION else ""))
        return _write(review=review, attempt=attempt, old=old, outcome=outcome, status=status,
                      category=category if outcome == Outcome.VIOLATION else None, evidence=evidence,
                      note=note.strip(), reason=reason, acting_user=acting_user,
                      action=Action.REVIEW_REVISE if revising else Action.REVIEW_DECIDE,
                      message=("修改" if revising else "") + text)


def decision_revise(**kwargs) -> Decision:
    """A revision is decision_record with a reason (the name says what the page does)."""
    return decision_record(**kwargs)


def _awaiting_second_review(attempt, seen_revision, acting_user, *, own: str):
    """Inside the caller's transaction: lock the candidate's decisions and return (review, the
    提交复核 decision awaiting a second reviewer), refusing a stale page, a candidate with nothing
    awaiting, and the proposer themself (`own` says so)."""
    transaction_lock(f"review:decision:{attempt.pk}")
    review = _review_for_decision(attempt)
    old = _current(attempt)
    _check_seen(old, seen_revision)
    if old is None or old.status != DecisionStatus.AWAITING:
        raise ApplicationError("该考生没有待复核的核查结论")
    if old.decided_by_id == acting_user.pk:
        raise PermissionDenied(own)
    return review, old


def decision_confirm(*, attempt, note: str, seen_revision: int | None, acting_user) -> Decision:
    """复核确认: a second central reviewer, not the one who proposed it, confirms a 提交复核
    violation; only now is the score voided and the blacklist entry created."""
    require_role(acting_user, Role.CENTRAL, message=REVIEW_CENTRAL_ONLY)
    with transaction.atomic():
        review, old = _awaiting_second_review(attempt, seen_revision, acting_user,
                                              own="复核须由另一位部中心核查人确认，不能确认自己提交的结论")
        note = (note or "").strip()
        if not note:
            raise ApplicationError("请填写复核意见", field="note")
        return _write(review=review, attempt=attempt, old=old, outcome=old.outcome, status=DecisionStatus.EFFECTIVE,
                      category=old.category, evidence=old.evidence, note=f"{old.note}\n复核意见：{note}",
                      reason="", acting_user=acting_user, decided_by=old.decided_by, second_reviewer=acting_user,
                      action=Action.REVIEW_CONFIRM,
                      message=f"复核确认：违规（{old.category.name}），复核人 {acting_user.display_name}")


def decision_return(*, attempt, note: str, seen_revision: int | None, acting_user) -> Decision:
    """复核不同意: the second reviewer sends a 提交复核 back; the candidate has no effective
    decision again until someone decides anew. Not by the proposer."""
    require_role(acting_user, Role.CENTRAL, message=REVIEW_CENTRAL_ONLY)
    with transaction.atomic():
        review, old = _awaiting_second_review(attempt, seen_revision, acting_user,
                                              own="复核须由另一位部中心核查人进行，不能复核自己提交的结论")
        note = (note or "").strip()
        if not note:
            raise ApplicationError("请填写复核不同意的理由", field="note")
        return _write(review=review, attempt=attempt, old=old, outcome=old.outcome, status=DecisionStatus.RETURNED,
                      category=old.category, evidence=old.evidence, note=note, reason=note,
                      acting_user=acting_user, second_reviewer=acting_user, action=Action.REVIEW_RETURN,
                      message=f"复核不同意：{note[:100]}")


# ---------------------------------------------------------------- publication


def review_publish(*, plan, objection_days: int | None = None, acting_user,
                   now: datetime.datetime | None = None):
    """核查完成并发布 (the guide 四; docs/decisions.md#publication): only when the computation is done, every flagged
    candidate has an effective decision and none awaits a second review. Then the region reads
    the 成绩单 and candidates their results (results.services.scores_publish)."""
    from results.services import scores_publish

    from .selectors import publication_blockers

    require_role(acting_user, Role.CENTRAL, message=REVIEW_CENTRAL_ONLY)
    now = now or timezone.now()
    with transaction.atomic():
        transaction_lock(f"review:{plan.pk}")
        review = PlanReview.objects.select_for_update().filter(plan=plan).first()
        if review is None:
            raise ApplicationError("该批次尚未开始违规核查")
        if review.status == ReviewStatus.PUBLISHED:
            raise ApplicationError("该批次的成绩已经发布")
        blockers = publication_blockers(review)
        if blockers:
            raise ApplicationError("不能发布：" + "；".join(blockers))
        publication = scores_publish(plan=plan, objection_days=objection_days or objection_days_default(),
                                     acting_user=acting_user, now=now)
        review.status = ReviewStatus.PUBLISHED
        review.save(update_fields=["status"])
        audit_record(actor=acting_user, action=Action.REVIEW_PUBLISH, obj=plan, region=plan.region_id,
                     after={"objection_until": publication.objection_until},
                     message=f"核查完成并发布（批次 {plan.batch_no}）")
    return publication


# ---------------------------------------------------------------- objections


def objection_submit(*, attempt, text: str, acting_user, now: datetime.datetime | None = None) -> Objection:
    """申诉 (docs/decisions.md#objections): the candidate of the attempt, against an effective violation of a
    published plan, until the deadline set at publication; one per exam."""
    from results.models import ScorePublication

    now = now or timezone.now()
    require_role(acting_user, Role.CANDIDATE, message="只能对本人的考核结果提出申诉")
    assert_visible(attempt, acting_user, message="只能对本人的考核结果提出申诉")
    text = (text or "").strip()
    if not text:
        raise ApplicationError("请填写申诉理由", field="text")
    if len(text) > 2000:
        raise ApplicationError("申诉理由不能超过 2000 个字", field="text")
    with transaction.atomic():
        transaction_lock(f"review:decision:{attempt.pk}")
        publication = ScorePublication.objects.filter(plan_id=attempt.plan_id).first()
        if publication is None:
            raise ApplicationError("本场考核的成绩尚未发布")
        if now > publication.objection_until:
            raise ApplicationError(f"申诉期限已过（{timezone.localtime(publication.objection_until):%Y-%m-%d %H:%M} 截止）")
        decision = _current(attempt)
        if decision is None or decision.outcome != Outcome.VIOLATION or decision.status != DecisionStatus.EFFECTIVE:
            raise ApplicationError("本场考核没有违规结论，无需申诉")
        if Objection.objects.filter(attempt=attempt).exists():
            raise ApplicationError("本场考核已提出过申诉")
        objection = Objection.objects.create(attempt=attempt, decision=decision, text=text, submitted_by=acting_user,
                                             submitted_at=now)
        audit_record(actor=acting_user, action=Action.OBJECTION_SUBMIT, obj=attempt, region=attempt.region_id,
                     after={"objection": objection.pk, "decision": decision.revision}, reason=text[:500],
                     object_repr=f"考生 {attempt.registration.candidate_number}", message="考生提出申诉")
    return objection


def objection_decide(*, objection: Objection, upheld: bool, answer: str, acting_user) -> Objection:
    """Central decides an objection: 申诉成立 revises the violation to 正常 (the score counts again
    and the blacklist entry is revoked, through their services), 申诉驳回 keeps it. Audited; the
    answer is shown to the candidate."""
    require_role(acting_user, Role.CENTRAL, message=REVIEW_CENTRAL_ONLY)
    answer = (answer or "").strip()
    if not answer:
        raise ApplicationError("请填写处理意见", field="answer")
    with transaction.atomic():
        objection = Objection.objects.select_for_update().select_related("attempt__registration", "attempt__plan").get(
            pk=objection.pk)
        attempt = objection.attempt
        transaction_lock(f"review:decision:{attempt.pk}")
        if objection.status != ObjectionStatus.PENDING:
            raise ApplicationError("该申诉已经处理")
        if upheld:
            old = _current(attempt)
            review = PlanReview.objects.get(plan_id=attempt.plan_id)
            _write(review=review, attempt=attempt, old=old, outcome=Outcome.NORMAL, status=DecisionStatus.EFFECTIVE,
                   category=None, evidence=old.evidence if old else [], note=f"申诉成立：{answer}",
                   reason=f"申诉成立：{answer}", acting_user=acting_user, action=Action.REVIEW_REVISE,
                   message="申诉成立，核查结论改为正常")
        objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.REJECTED
        objection.decided_by, objection.decided_at, objection.answer = acting_user, timezone.now(), answer[:2000]
        objection.save(update_fields=["status", "decided_by", "decided_at", "answer"])
        audit_record(actor=acting_user, action=Action.OBJECTION_UPHOLD if upheld else Action.OBJECTION_REJECT, obj=attempt,
                     region=attempt.region_id, before={"status": ObjectionStatus.PENDING},
                     after={"status": objection.status}, reason=answer,
                     object_repr=f"考生 {attempt.registration.candidate_number}",
                     message=("申诉成立" if upheld else "申诉驳回") + f"：{answer[:100]}")
    return objection
