"""Reads of the violation check. Everything here is central's (PlanReview and its rows scope to
central only; the views are central_required), except `results_for_candidate` and the
objection reads, which a candidate reaches for their own registrations only."""

from __future__ import annotations

import datetime
import math

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from core.masking import mask_id_number
from core.scoping import get_visible_or_404

from . import evidence as ev
from .choices import DecisionStatus, FlagKind, ObjectionStatus, Outcome, ReviewStatus
from .models import Decision, Objection, PairFlag, PlanReview, ReviewCandidate

FOLLOW_WINDOW = 30.0  # seconds, as review.similarity's default


# ---------------------------------------------------------------- the queue of plans


def _open_now(plan, now) -> int:
    """Attempts of the plan whose exam is really still going (an extension, the save grace)."""
    from exams.choices import OPEN_STATES
    from exams.models import Attempt
    from exams.services import grace_for

    grace = grace_for(plan)
    return sum(1 for a in Attempt.objects.filter(plan=plan, state__in=OPEN_STATES).select_related("plan")
               if now <= a.deadline + grace)


def review_state_label(plan, review: PlanReview | None, now=None) -> str:
    """待核查 once the exam has ended and every attempt is closed (docs/decisions.md#review-due); then the check's
    own state (计算中, 核查中, 计算失败, 已发布)."""
    now = now or timezone.now()
    if review is not None:
        return review.get_status_display()
    if now < plan.ends_at:
        return "考试未结束"
    return "等待交卷" if _open_now(plan, now) else "待核查"


def review_plans(*, fetched_by, now: datetime.datetime | None = None, status: str = "") -> list[dict]:
    """违规核查's list: the approved online plans whose exam has ended, newest first, each with
    its state, candidates, flagged candidates and decisions still missing."""
    from exams.services import ONLINE_TYPES
    from plans.choices import AuditStatus
    from plans.models import ExamPlan

    now = now or timezone.now()
    plans = list(ExamPlan.objects.visible_to(fetched_by)
                 .filter(audit_status=AuditStatus.APPROVED, exam_type__in=ONLINE_TYPES, ends_at__lte=now)
                 .select_related("region").order_by("-ends_at", "-pk")[:500])
    reviews = {r.plan_id: r for r in PlanReview.objects.visible_to(fetched_by).filter(plan__in=plans)}
    from django.db.models import Count

    from candidates.models import Registration

    counts = dict(Registration.objects.filter(plan__in=plans).order_by().values("plan").annotate(n=Count("pk"))
                  .values_list("plan", "n"))
    rows = []
    for plan in plans:
        review = reviews.get(plan.pk)
        label = review_state_label(plan, review, now)
        if status and label != status:
            continue
        row = {"plan": plan, "review": review, "state": label, "candidates": counts.get(plan.pk, 0),
               "flagged": None, "missing": None}
        if review is not None and review.status in (ReviewStatus.READY, ReviewStatus.PUBLISHED):
            row["flagged"] = review.summary.get("flagged_candidates", 0)
            row["missing"] = len(undecided_flagged(review))
        rows.append(row)
    return rows


def review_plan_get(*, plan_id: int, fetched_by):
    """(plan, its PlanReview or None) for central; 404 for a plan the user cannot see."""
    from plans.models import ExamPlan

    plan = get_visible_or_404(ExamPlan.objects.select_related("region"), fetched_by, pk=plan_id)
    review = PlanReview.objects.visible_to(fetched_by).filter(plan=plan).select_related("job").first()
    return plan, review


# ---------------------------------------------------------------- candidates of a plan


def _current_decisions(attempt_ids) -> dict[int, Decision]:
    return {d.attempt_id: d for d in Decision.objects.filter(attempt_id__in=list(attempt_ids), current=True)
            .select_related("category", "decided_by", "second_reviewer")}


def _effective() -> Q:
    return Q(current=True, status__in=[DecisionStatus.EFFECTIVE, DecisionStatus.AWAITING])


def _flagged_q() -> Q:
    return Q(flag_similar=True) | Q(flag_fast=True) | Q(flag_shared_ip=True)


def undecided_flagged(review: PlanReview) -> list[int]:
    """Attempts of flagged candidates with no decision yet (or whose proposal was returned)."""
    decided = Decision.objects.filter(attempt_id=OuterRef("attempt_id"), current=True,
                                      status__in=[DecisionStatus.EFFECTIVE, DecisionStatus.AWAITING])
    return list(ReviewCandidate.objects.filter(review=review).filter(_flagged_q())
                .exclude(Exists(decided)).values_list("attempt_id", flat=True))


def publication_blockers(review: PlanReview) -> list[str]:
    """Why the plan cannot be published yet (docs/decisions.md#publication), empty when it can."""
    if review.status == ReviewStatus.RUNNING:
        return ["核查计算尚未完成"]
    if review.status == ReviewStatus.FAILED:
        return ["核查计算失败，请重新计算"]
    blockers = []
    missing = undecided_flagged(review)
    if missing:
        blockers.append(f"还有 {len(missing)} 名被标记的考生没有核查结论")
    awaiting = Decision.objects.filter(review=review, current=True, status=DecisionStatus.AWAITING).count()
    if awaiting:
        blockers.append(f"{awaiting} 名考生的违规结论待另一位核查人复核")
    return blockers


FLAG_FILTERS = {
    "": ("全部考生", Q()),
    "any": ("有标记", _flagged_q()),
    FlagKind.SIMILAR.value: (FlagKind.SIMILAR.label, Q(flag_similar=True)),
    FlagKind.FAST.value: (FlagKind.FAST.label, Q(flag_fast=True)),
    FlagKind.SHARED_IP.value: (FlagKind.SHARED_IP.label, Q(flag_shared_ip=True)),
    "none": ("无标记", ~_flagged_q()),
}
DECISION_FILTERS = {"": "全部", "undecided": "尚无结论", "awaiting": "待复核", "violation": "违规", "normal": "正常"}


def review_candidates(*, review: PlanReview, flag: str = "", decision: str = ""):
    """The plan's candidates, most suspicious first (ReviewCandidate.suspicion, then 考生编号),
    filtered by flag kind and by decision state."""
    qs = (ReviewCandidate.objects.filter(review=review).filter(FLAG_FILTERS.get(flag, FLAG_FILTERS[""])[1])
          .select_related("attempt__registration__person").order_by("-suspicion", "attempt__registration__candidate_number"))
    current = Decision.objects.filter(attempt_id=OuterRef("attempt_id"), current=True)
    if decision == "undecided":
        qs = qs.exclude(Exists(current.filter(status__in=[DecisionStatus.EFFECTIVE, DecisionStatus.AWAITING])))
    elif decision == "awaiting":
        qs = qs.filter(Exists(current.filter(status=DecisionStatus.AWAITING)))
    elif decision in (Outcome.VIOLATION, Outcome.NORMAL):
        qs = qs.filter(Exists(current.filter(status=DecisionStatus.EFFECTIVE, outcome=decision)))
    return qs


def candidate_rows(page_candidates) -> list[dict]:
    """The queue's rows for one page of ReviewCandidate: score, state, flags, decision."""
    from results.selectors import scores_for_attempts

    items = list(page_candidates)
    ids = [c.attempt_id for c in items]
    scores = scores_for_attempts(ids)
    decisions = _current_decisions(ids)
    rows = []
    for c in items:
        attempt = c.attempt
        rows.append({"c": c, "attempt": attempt, "registration": attempt.registration,
                     "person": attempt.registration.person, "score": scores.get(attempt.pk),
                     "decision": decisions.get(attempt.pk), "flags": c.flag_labels})
    return rows


# ---------------------------------------------------------------- the evidence page


def review_candidate_get(*, attempt_id: int, fetched_by):
    """(attempt, its plan's review, its ReviewCandidate) for central; 404 otherwise (another
    role never reaches the view; a missing attempt or one of a plan not yet computed is 404)."""
    from exams.models import Attempt

    attempt = get_visible_or_404(Attempt.objects.select_related("plan__region", "registration__person__id_type"),
                                 fetched_by, pk=attempt_id)
    review = get_visible_or_404(PlanReview, fetched_by, plan_id=attempt.plan_id)
    candidate = ReviewCandidate.objects.filter(review=review, attempt=attempt).first()
    return attempt, review, candidate


def _pairs_of(review, attempt):
    return (PairFlag.objects.filter(review=review).filter(Q(attempt_a=attempt) | Q(attempt_b=attempt))
            .select_related("attempt_a__registration__person", "attempt_b__registration__person")
            .order_by("-flagged", "p_value"))


def _letters_text(version, letters: str) -> str:
    from questions.choices import LETTERS

    parts = []
    for letter in letters or "":
        index = LETTERS.find(letter)
        text = version.options[index] if 0 <= index < len(version.options) else "?"
        parts.append(f"{letter}. {text}")
    return "；".join(parts)


def _seconds(moment, start) -> float | None:
    return (moment - start).total_seconds() if moment is not None else None


def _clock(seconds: float | None) -> str:
    if seconds is None or math.isnan(seconds):
        return "—"
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 3600:d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _ip_sharing(review, attempt) -> list[dict]:
    from exams.models import Attempt
    from exams.selectors import plan_answer_ips

    rows = plan_answer_ips(attempt.plan)
    mine = sorted({ip for a, ip in rows if a == attempt.pk})
    shared = ev.shared_ips(rows)
    others_ids = {a for ip in mine for a in shared.get(ip, ()) if a != attempt.pk}
    others = {a.pk: a for a in Attempt.objects.filter(pk__in=others_ids).select_related("registration__person")}
    out = []
    for ip in mine:
        ids = sorted(shared.get(ip, set()) - {attempt.pk}, key=lambda pk: others[pk].registration.candidate_number)
        out.append({"ip": ip, "others": [others[pk] for pk in ids]})
    return out


def _timing(attempt, paper, versions) -> dict:
    from exams.choices import SaveOutcome
    from exams.selectors import attempt_answer_log

    log = list(attempt_answer_log(attempt))
    events = [(row.position, ev.event_time(row.server_at, row.client_at)) for row in log
              if row.outcome == SaveOutcome.ACCEPTED]
    times = ev.answer_times(events, attempt.started_at)
    items = paper.items if paper else []
    chars = {}
    for position, (version_id, _perm, _points) in enumerate(items, start=1):
        version = versions.get(version_id)
        if version is not None:
            chars[position] = ev.question_chars(version.stem, version.options)
    report = ev.timing_report(times, chars)
    known = [t.seconds for t in report if not math.isnan(t.seconds)]
    known.sort()
    median = known[len(known) // 2] if known else None
    return {"rows": report, "fast": sum(1 for t in report if t.fast), "answered": len(report), "median": median,
            "log_count": len(log), "refused": sum(1 for row in log if row.outcome != SaveOutcome.ACCEPTED)}


def _side_by_side(pair: PairFlag, me, other, papers, versions) -> list[dict]:
    """The questions both candidates drew, with both answers, the correct one and both times."""
    from exams.selectors import attempt_answers

    mine, theirs = attempt_answers(me), attempt_answers(other)
    start = me.plan.starts_at
    other_position = {}
    paper_other = papers.get(other.registration_id)
    for position, item in enumerate(paper_other.items if paper_other else [], start=1):
        other_position[item[0]] = position
    paper_me = papers.get(me.registration_id)
    rows = []
    for position, item in enumerate(paper_me.items if paper_me else [], start=1):
        version_id = item[0]
        if version_id not in other_position:
            continue
        version = versions[version_id]
        a = mine.get(position, {})
        b = theirs.get(other_position[version_id], {})
        a_letters, b_letters = a.get("canonical", ""), b.get("canonical", "")
        ta, tb = _seconds(a.get("saved_at"), start), _seconds(b.get("saved_at"), start)
        identical = bool(a_letters) and a_letters == b_letters
        wrong = identical and a_letters != version.answer
        follow = ""
        if identical and ta is not None and tb is not None:
            delta = ta - tb
            if 0 < delta <= FOLLOW_WINDOW:
                follow = f"晚 {delta:.0f} 秒"
            elif 0 < -delta <= FOLLOW_WINDOW:
                follow = f"早 {-delta:.0f} 秒"
        rows.append({"position": position, "other_position": other_position[version_id],
                     "stem": version.stem, "qtype": version.get_qtype_display(),
                     "mine": a_letters, "mine_text": _letters_text(version, a_letters),
                     "theirs": b_letters, "theirs_text": _letters_text(version, b_letters),
                     "correct": version.answer, "correct_text": _letters_text(version, version.answer),
                     "mine_time": _clock(ta), "theirs_time": _clock(tb), "mine_seconds": ta,
                     "identical": identical, "wrong": wrong, "follow": follow})
    rows.sort(key=lambda r: (not r["wrong"], not r["follow"], not r["identical"],
                             r["mine_seconds"] if r["mine_seconds"] is not None else 1e12))
    return rows


def evidence_for(*, review: PlanReview, attempt) -> dict:
    """Everything the evidence page shows for one candidate (docs/decisions.md#evidence-contract): answer timing, IP
    addresses and who shared them, the similar candidates with the shared answers side by side.
    The proctoring part (events, snapshots with their automatic notes) is the proctoring app's:
    the view adds proctoring.selectors.evidence_for_attempt (docs/decisions.md#evidence-contract)."""
    from papers.selectors import plan_papers
    from results.selectors import scores_for_attempts

    papers, versions = plan_papers(attempt.plan)
    paper = papers.get(attempt.registration_id)
    pairs = []
    for pair in _pairs_of(review, attempt):
        other = pair.attempt_b if pair.attempt_a_id == attempt.pk else pair.attempt_a
        rows = _side_by_side(pair, attempt, other, papers, versions)
        pairs.append({"pair": pair, "other": other, "rows": rows, "kind_label": ev.kind_label(pair.kind),
                      "kinds": [ev.kind_label(k) for k in pair.kinds],
                      "identical": sum(1 for r in rows if r["identical"]),
                      "identical_wrong": sum(1 for r in rows if r["wrong"]),
                      "follows": sum(1 for r in rows if r["follow"]),
                      "source": pair.likely_source})
    person = attempt.registration.person
    return {
        "person": person, "masked_id": mask_id_number(person.id_number), "registration": attempt.registration,
        "score": scores_for_attempts([attempt.pk]).get(attempt.pk), "timing": _timing(attempt, paper, versions),
        "ips": _ip_sharing(review, attempt), "pairs": pairs,
        "remote": review.summary.get("remote", False),
    }


def evidence_options(*, review: PlanReview, attempt) -> list[tuple[str, str]]:
    """The evidence items a decision may name (the evidence page's checkboxes): each similar
    candidate, the fast answers, each shared address. Not yet a proctoring event or snapshot
    (docs/decisions.md#evidence-contract)."""
    options = []
    for pair in _pairs_of(review, attempt):
        other = pair.attempt_b if pair.attempt_a_id == attempt.pk else pair.attempt_a
        reg = other.registration
        state = "标记" if pair.flagged else "较相似"
        options.append((f"pair:{other.pk}", f"与考生 {reg.candidate_number} {reg.person.name} 答卷雷同（{state}，"
                                            f"{ev.kind_label(pair.kind)}，校正 p={pair.p_family:.2g}）"))
    candidate = ReviewCandidate.objects.filter(review=review, attempt=attempt).first()
    if candidate is not None and candidate.fast_count:
        options.append(("fast", f"作答过快：{candidate.fast_count} / {candidate.answered} 题快于阅读所需时间"))
    for item in _ip_sharing(review, attempt):
        if item["others"]:
            options.append((f"ip:{item['ip']}", f"与 {len(item['others'])} 名考生共用 IP {item['ip']}"))
    return options


def decision_history(attempt) -> list[Decision]:
    return list(Decision.objects.filter(attempt=attempt).select_related("category", "decided_by", "second_reviewer",
                                                                        "blacklist_entry").order_by("revision"))


def current_decision(attempt) -> Decision | None:
    return Decision.objects.filter(attempt=attempt, current=True).select_related("category", "decided_by").first()


# ---------------------------------------------------------------- objections


def objection_list(*, fetched_by, status: str = ""):
    qs = (Objection.objects.visible_to(fetched_by)
          .select_related("attempt__registration__person", "attempt__plan__region", "decision__category")
          .order_by("-submitted_at"))
    if status:
        qs = qs.filter(status=status)
    return qs


def objection_get(*, pk: int, fetched_by) -> Objection:
    return get_visible_or_404(Objection.objects.select_related(
        "attempt__registration__person", "attempt__plan__region", "decision__category", "decision__decided_by"),
        fetched_by, pk=pk)


def pending_objections_count() -> int:
    return Objection.objects.filter(status=ObjectionStatus.PENDING).count()


# ---------------------------------------------------------------- what a candidate sees


def results_for_candidate(registrations, *, now: datetime.datetime | None = None) -> dict[int, dict]:
    """我的考核 (docs/decisions.md#publication): per registration of a published plan, what its candidate may see —
    the score and 合格/不合格, or the violation with its category (and whether the score was
    voided), the objection and whether one may still be made. Nothing for an unpublished plan.
    The caller fetched the registrations through the candidate's own scope."""
    from exams.choices import AttemptState
    from exams.models import Attempt
    from results.models import ScorePublication
    from results.selectors import scores_for_attempts

    now = now or timezone.now()
    registrations = list(registrations)
    publications = {p.plan_id: p for p in ScorePublication.objects.filter(
        plan_id__in={r.plan_id for r in registrations})}
    attempts = {a.registration_id: a for a in Attempt.objects.filter(
        registration__in=[r.pk for r in registrations if r.plan_id in publications])}
    ids = [a.pk for a in attempts.values()]
    scores = scores_for_attempts(ids)
    decisions = _current_decisions(ids)
    objections = {o.attempt_id: o for o in Objection.objects.filter(attempt_id__in=ids)}
    out = {}
    for reg in registrations:
        publication = publications.get(reg.plan_id)
        if publication is None:
            continue
        attempt = attempts.get(reg.pk)
        score = scores.get(attempt.pk) if attempt else None
        decision = decisions.get(attempt.pk) if attempt else None
        violation = (decision is not None and decision.outcome == Outcome.VIOLATION
                     and decision.status == DecisionStatus.EFFECTIVE)
        objection = objections.get(attempt.pk) if attempt else None
        result = {"publication": publication, "attempt": attempt, "score": score, "violation": violation,
                  "category": decision.category.name if violation else "", "objection": objection,
                  "can_object": bool(violation and objection is None and now <= publication.objection_until),
                  "absent": attempt is not None and attempt.state == AttemptState.ABSENT}
        if violation:
            result["text"] = f"违规（{decision.category.name}）" + ("，成绩作废" if score and score.voided else "")
        elif score is None:
            result["text"] = "缺考" if result["absent"] else "无成绩"
        elif score.voided:
            result["text"] = "成绩作废"
        else:
            result["text"] = f"{score.total} 分，{'合格' if score.passed else '不合格'}"
        out[reg.pk] = result
    return out


def candidate_attempt_for_objection(*, registration_id: int, fetched_by):
    """The attempt of the candidate's own registration (404 for anyone else's)."""
    from candidates.models import Registration
    from exams.models import Attempt

    registration = get_visible_or_404(Registration.objects.select_related("plan", "person"), fetched_by,
                                      pk=registration_id)
    attempt = Attempt.objects.filter(registration=registration).select_related("plan", "registration__person").first()
    if attempt is None:
        from django.http import Http404

        raise Http404("未找到该记录")
    return registration, attempt
