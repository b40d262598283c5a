"""Scores: grading at submission and regrading after central corrects a question (issue 14 §9).
The arithmetic is results.grading.grade (pure); this module only feeds it from the paper's key,
the plan's corrections and the stored canonical answers, and stores the result."""

import datetime
from decimal import Decimal

from django.db import models, transaction
from django.utils import timezone

from audit.actions import Action
from audit.services import audit_record
from core.errors import ApplicationError, PermissionDenied
from core.roles import Role
from exams.choices import AttemptState
from exams.models import Answer, Attempt

from .grading import GradeResult, KeyItem, grade
from .models import CorrectionKind, QuestionCorrection, Score


def grading_key(paper, corrections: dict | None = None, versions: dict | None = None,
                cache: dict | None = None) -> list[KeyItem]:
    """The paper's key as the grader's plain data: per position the canonical answer of its
    question version (what papers.selectors.answer_key gives as `canonical`), with central's
    corrections of the plan applied ({version_id: QuestionCorrection}). `cache` (version id →
    its accepted answers) lets a plan's regrade build each version's entry once."""
    from papers.selectors import paper_versions

    corrections = corrections or {}
    versions = versions if versions is not None else paper_versions(paper)
    cache = cache if cache is not None else {}
    items = []
    for position, (version_id, _permutation, points) in enumerate(paper.items, start=1):
        entry = cache.get(version_id)
        if entry is None:
            version = versions[version_id]
            correction = corrections.get(version_id)
            accepted, void = (version.answer,), False
            if correction is not None:
                if correction.kind == CorrectionKind.VOID:
                    void = True
                else:
                    accepted = tuple(dict.fromkeys([version.answer, *correction.accepted]))
            entry = cache[version_id] = (version.qtype, accepted, void)
        items.append(KeyItem(position=position, qtype=entry[0], points=_decimal(points), accepted=entry[1],
                             void=entry[2]))
    return items


_DECIMALS: dict = {}


def _decimal(points) -> Decimal:
    value = _DECIMALS.get(points)
    if value is None:
        value = _DECIMALS[points] = Decimal(str(points))
    return value


def _partial_multiple(paper) -> bool:
    """Whether the paper's rule allows partial credit for 多选. Rules have no such setting yet
    (papers.PaperRule), so every frozen draw grades 多选 exactly; a blueprint that carries
    `partial_multiple` is honoured."""
    return bool((paper.draw.blueprint or {}).get("partial_multiple", False)) if paper.draw_id else False


def _corrections(plan_id) -> dict:
    return {c.version_id: c for c in QuestionCorrection.objects.filter(plan_id=plan_id)}


def _grade_attempt(attempt: Attempt, paper, corrections: dict, versions=None) -> GradeResult:
    answers = dict(Answer.objects.filter(attempt=attempt).values_list("position", "canonical"))
    return grade(grading_key(paper, corrections, versions), answers, pass_mark=Decimal(paper.pass_mark),
                 partial_multiple=_partial_multiple(paper))


def _values(result: GradeResult, paper) -> dict:
    return {"total": result.total, "pass_mark": paper.pass_mark, "passed": result.passed, "correct": result.correct,
            "answered": result.answered, "earned": {str(k): str(v) for k, v in result.earned.items()}}


def score_compute(*, attempt: Attempt, now: datetime.datetime | None = None) -> Score:
    """Grade a submitted attempt from its last saved answers (called by exams.services inside the
    submission's transaction). Hidden from candidates and regions until central publishes."""
    from papers.selectors import paper_for_registration

    now = now or timezone.now()
    if attempt.state != AttemptState.SUBMITTED:
        raise ApplicationError("只有已交卷的试卷才能评分")
    paper = paper_for_registration(attempt.registration_id)
    result = _grade_attempt(attempt, paper, _corrections(attempt.plan_id))
    score, _ = Score.objects.update_or_create(attempt=attempt, defaults={
        "plan_id": attempt.plan_id, "graded_at": now, **_values(result, paper)})
    return score


def score_recompute(*, attempt: Attempt, now: datetime.datetime | None = None) -> tuple[dict, Score]:
    """Grade a graded attempt again from its answers, now stored anew (新取证(线下): a corrected
    answer card replaced the scanned one). Returns (the score's values before, the score)."""
    from papers.selectors import paper_for_registration

    now = now or timezone.now()
    if attempt.state != AttemptState.GRADED:
        raise ApplicationError("只有已评分的试卷才能重新评分")
    score = Score.objects.select_for_update().get(attempt=attempt)
    before = {"total": str(score.total), "passed": score.passed, "correct": score.correct, "answered": score.answered}
    paper = paper_for_registration(attempt.registration_id)
    result = _grade_attempt(attempt, paper, _corrections(attempt.plan_id))
    for name, value in _values(result, paper).items():
        setattr(score, name, value)
    score.regraded_at = now
    score.save()
    return before, score


def question_correct(*, plan, version_id: int, kind: str, accepted: list[str] | None = None, reason: str,
                     acting_user) -> QuestionCorrection:
    """Central corrects a question found wrong after the exam: void for everyone (everyone earns
    its points), or several accepted answers (canonical letters). Then the whole plan is regraded.
    Audited."""
    from questions.models import QuestionVersion

    if getattr(acting_user, "role", None) != Role.CENTRAL:
        raise PermissionDenied("仅部中心可以更正试题")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("请填写更正原因", field="reason")
    if kind not in CorrectionKind.values:
        raise ApplicationError("更正方式不正确", field="kind")
    version = QuestionVersion.objects.filter(pk=version_id).first()
    if version is None:
        raise ApplicationError("试题版本不存在", field="version")
    letters = []
    if kind == CorrectionKind.ACCEPT:
        for answer in accepted or []:
            answer = "".join(sorted(set(str(answer).strip().upper())))
            if not answer or any(ch not in "ABCDEFGH"[:len(version.options)] for ch in answer):
                raise ApplicationError(f"认可答案“{answer}”不是该题的选项", field="accepted")
            letters.append(answer)
        if not letters:
            raise ApplicationError("请填写要认可的答案", field="accepted")
    with transaction.atomic():
        correction, _ = QuestionCorrection.objects.update_or_create(
            plan=plan, version=version, defaults={"kind": kind, "accepted": letters, "reason": reason[:200],
                                                  "created_by": acting_user})
        audit_record(actor=acting_user, action=Action.QUESTION_CORRECT, obj=plan, region=plan.region_id,
                     after={"version": version.pk, "kind": kind, "accepted": letters}, reason=reason,
                     message=f"更正试题（批次 {plan.batch_no}，版本 {version.pk}）：{CorrectionKind(kind).label}")
        plan_regrade(plan=plan, acting_user=acting_user)
    return correction


def plan_regrade(*, plan, acting_user, now: datetime.datetime | None = None) -> int:
    """Recompute every score of the plan with its corrections (issue 14 §9), in bulk: the papers,
    their versions and every answer of the plan are read once, graded by the pure grader, and
    the changed scores written back in batches. One audit row with each changed score before
    and after. Returns how many scores changed."""
    from papers.models import Paper

    if getattr(acting_user, "role", None) != Role.CENTRAL:
        raise PermissionDenied("仅部中心可以重新评分")
    now = now or timezone.now()
    corrections = _corrections(plan.pk)
    changed, dirty = {}, []
    with transaction.atomic():
        scores = {s.attempt_id: s for s in Score.objects.select_for_update().filter(plan=plan)}
        attempts = dict(Attempt.objects.filter(plan=plan, pk__in=list(scores)).values_list("pk", "registration_id"))
        numbers = dict(Attempt.objects.filter(pk__in=list(scores)).values_list("pk", "registration__candidate_number"))
        papers = {p.registration_id: p for p in Paper.objects.filter(plan=plan).select_related("draw")}
        answers: dict[int, dict] = {}
        for attempt_id, position, canonical in Answer.objects.filter(attempt__plan=plan).values_list(
                "attempt_id", "position", "canonical").iterator(chunk_size=5000):
            answers.setdefault(attempt_id, {})[position] = canonical
        versions, cache = _versions_of(papers.values()), {}
        for attempt_id, registration_id in attempts.items():
            paper = papers[registration_id]
            key = grading_key(paper, corrections, versions, cache)
            result = grade(key, answers.get(attempt_id, {}), pass_mark=Decimal(paper.pass_mark),
                           partial_multiple=_partial_multiple(paper))
            score, values = scores[attempt_id], _values(result, paper)
            if score.total != values["total"] or score.passed != values["passed"] or score.earned != values["earned"]:
                changed[numbers[attempt_id]] = [str(score.total), str(values["total"])]
                for name, value in values.items():
                    setattr(score, name, value)
                score.regraded_at = now
                dirty.append(score)
        Score.objects.bulk_update(dirty, ["total", "pass_mark", "passed", "correct", "answered", "earned",
                                          "regraded_at"], batch_size=1000)
        audit_record(actor=acting_user, action=Action.SCORE_REGRADE, obj=plan, region=plan.region_id,
                     after={"changed": changed, "scores": len(scores)},
                     message=f"重新评分（批次 {plan.batch_no}）：{len(scores)} 份，{len(changed)} 份成绩变化")
    return len(changed)


def _versions_of(papers) -> dict:
    """Every question version the plan's papers hold, in one query (a plan draws from one pool)."""
    from questions.models import QuestionVersion

    ids = {item[0] for paper in papers for item in paper.items}
    return {v.pk: v for v in QuestionVersion.objects.filter(pk__in=ids).only(
        "id", "qtype", "stem", "options", "answer", "explanation")}


# ---------------------------------------------------------------- the violation check's effects


def _require_central(user) -> None:
    if getattr(user, "role", None) != Role.CENTRAL or not getattr(user, "is_active", False):
        raise PermissionDenied("仅部中心可以执行此操作")


def score_void(*, attempt: Attempt, reason: str, acting_user, now: datetime.datetime | None = None) -> Score | None:
    """成绩作废 (SPEC.md §6: "A violation voids the score"), called by the violation check when the
    decision's category voids the score. The stored total is kept so that an upheld objection
    can restore it (score_restore); the 成绩单 shows 违规作废 and no score. Central only, audited.
    An attempt without a score (缺考, never graded) has nothing to void: None."""
    _require_central(acting_user)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("请填写成绩作废的原因", field="reason")
    now = now or timezone.now()
    with transaction.atomic():
        score = Score.objects.select_for_update().filter(attempt=attempt).first()
        if score is None or score.voided:
            return score
        score.voided, score.void_reason, score.voided_at = True, reason[:200], now
        score.save(update_fields=["voided", "void_reason", "voided_at"])
        audit_record(actor=acting_user, action=Action.SCORE_VOID, obj=attempt, region=attempt.region_id,
                     before={"voided": False, "total": str(score.total)}, after={"voided": True}, reason=reason,
                     object_repr=f"考生 {attempt.registration.candidate_number}",
                     message=f"成绩作废（原成绩 {score.total}）")
    return score


def score_restore(*, attempt: Attempt, reason: str, acting_user) -> Score | None:
    """恢复成绩: a voided score counts again (an upheld objection, or the check's decision revised
    before publication). Central only, audited."""
    _require_central(acting_user)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("请填写恢复成绩的原因", field="reason")
    with transaction.atomic():
        score = Score.objects.select_for_update().filter(attempt=attempt).first()
        if score is None or not score.voided:
            return score
        before = {"voided": True, "void_reason": score.void_reason}
        score.voided, score.void_reason, score.voided_at = False, "", None
        score.save(update_fields=["voided", "void_reason", "voided_at"])
        audit_record(actor=acting_user, action=Action.SCORE_RESTORE, obj=attempt, region=attempt.region_id,
                     before=before, after={"voided": False, "total": str(score.total)}, reason=reason,
                     object_repr=f"考生 {attempt.registration.candidate_number}",
                     message=f"恢复成绩 {score.total}")
    return score


MAX_OBJECTION_DAYS = 60


def scores_publish(*, plan, objection_days: int, acting_user, now: datetime.datetime | None = None):
    """成绩发布 of a plan: from now its region reads the 成绩单 and candidates their own results;
    objections are accepted for `objection_days` days. Central only, once per plan, audited.
    The violation check's completeness (every flagged candidate decided) is the caller's rule:
    review.services.review_publish checks it and is the only caller."""
    from .models import ScorePublication

    _require_central(acting_user)
    try:
        objection_days = int(objection_days)
    except (TypeError, ValueError):
        raise ApplicationError("申诉期限应为天数", field="objection_days") from None
    if not 1 <= objection_days <= MAX_OBJECTION_DAYS:
        raise ApplicationError(f"申诉期限应为 1 到 {MAX_OBJECTION_DAYS} 天", field="objection_days")
    now = now or timezone.now()
    with transaction.atomic():
        if ScorePublication.objects.select_for_update().filter(plan=plan).exists():
            raise ApplicationError("该批次的成绩已经发布")
        until = now + datetime.timedelta(days=objection_days)
        publication = ScorePublication.objects.create(plan=plan, published_at=now, published_by=acting_user,
                                                      objection_days=objection_days, objection_until=until)
        counts = Score.objects.filter(plan=plan).aggregate(
            n=models.Count("pk"), voided=models.Count("pk", filter=models.Q(voided=True)))
        audit_record(actor=acting_user, action=Action.SCORE_PUBLISH, obj=plan, region=plan.region_id,
                     after={"scores": counts["n"], "voided": counts["voided"], "objection_days": objection_days,
                            "objection_until": until},
                     message=f"发布成绩（批次 {plan.batch_no}）：{counts['n']} 份成绩，其中作废 {counts['voided']} 份；"
                             f"申诉截止 {timezone.localtime(until):%Y-%m-%d %H:%M}")
    return publication


def sheet_export_record(*, plan, filters: dict, count: int, part: int | None, kind: str, acting_user) -> None:
    """An export or print of a 成绩单 is a logged action (names and scores leave the system;
    证件号码 are masked in the file)."""
    described = {k: (str(v) if not isinstance(v, int | str) else v) for k, v in filters.items()
                 if v not in ("", None) and not k.startswith("_")}
    printed = kind == "pdf"
    what = "打印成绩单（PDF）" if printed else "导出成绩单" + (f"第 {part} 批" if part else "")
    action = Action.SCORE_PRINT if printed else Action.SCORE_EXPORT
    audit_record(actor=acting_user, action=action, obj=plan,
                 region=plan.region_id, after={"filters": described, "rows": count, "part": part},
                 message=f"{what}（批次 {plan.batch_no}）{count} 条")
