"""Scores: grading at submission and regrading after central corrects a question (docs/decisions.md#grading).
The arithmetic is results.grading.grade (pure); this module only feeds it from the paper's key,
the plan's corrections and the stored canonical answers, and stores the result."""

import datetime
from decimal import Decimal

from django.db import models, transaction
from django.utils import timezone

from audit.actions import Action
from audit.services import audit_record
from core.errors import ApplicationError
from core.roles import Role
from core.scoping import require_role
from exams.choices import AttemptState
from exams.models import Answer, Attempt

from .grading import GradeResult, KeyItem, grade, key_item
from .models import CorrectionKind, QuestionCorrection, Score


def grading_key(paper, corrections: dict | None = None, versions: dict | None = None,
                cache: dict | None = None) -> list[KeyItem]:
    """The paper's key as the grader's plain data: per position the canonical answer of its
    question version (what papers.selectors.answer_key gives as `canonical`), with central's
    corrections of the plan applied ({version_id: QuestionCorrection}). `cache` (version id →
    its accepted answers) lets a plan's regrade build each version's entry once."""
    from papers.selectors import paper_versions

    versions = versions if versions is not None else paper_versions(paper)
    return _key_items(paper.items, corrections or {}, versions, cache if cache is not None else {})


def _key_items(items, corrections: dict, versions: dict, cache: dict) -> list[KeyItem]:
    # `cache` holds each version's entry and each (version, position, points) KeyItem: a plan's
    # papers share one pool, so a regrade of 10,000 papers builds a few thousand items, not 10^6
    key = []
    for position, (version_id, _permutation, points) in enumerate(items, start=1):
        item = cache.get((version_id, position, points))
        if item is None:
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
                entry = cache[version_id] = key_item(0, version.qtype, Decimal(0), accepted, void)
            item = cache[(version_id, position, points)] = KeyItem(position, entry.qtype, _decimal(points),
                                                                   entry.accepted, entry.void)
        key.append(item)
    return key


_DECIMALS: dict = {}


def _decimal(points) -> Decimal:
    value = _DECIMALS.get(points)
    if value is None:
        value = _DECIMALS[points] = Decimal(str(points))
    return value


def _partial_multiple(paper) -> bool:
    """Whether the paper's rule allows partial credit for 多选 (PaperRule.partial_multiple, as
    frozen in the plan's draw: a later change of the rule never regrades a plan differently). A
    draw frozen before the setting existed carries none: exact."""
    return bool((paper.draw.blueprint or {}).get("partial_multiple", False)) if paper.draw_id else False


def _corrections(plan_id) -> dict:
    return {c.version_id: c for c in QuestionCorrection.objects.filter(plan_id=plan_id)}


def _grade_attempt(attempt: Attempt, paper, corrections: dict, versions=None) -> GradeResult:
    answers = dict(Answer.objects.filter(attempt=attempt).values_list("position", "canonical"))
    return grade(grading_key(paper, corrections, versions), answers, pass_mark=Decimal(paper.pass_mark),
                 partial_multiple=_partial_multiple(paper))


def _values(result: GradeResult, paper) -> dict:
    return {"total": result.total, "pass_mark": paper.pass_mark, "passed": result.passed, "correct": result.correct,
            "answered": result.answered, "earned": _earned(result)}


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

    require_role(acting_user, Role.CENTRAL, message="仅部中心可以更正试题")
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
    """Recompute every score of the plan with its corrections (docs/decisions.md#grading), in bulk: the scores,
    attempts, papers, their versions and every answer of the plan are read once (the answers
    aggregated per attempt by the database, core.db.JSONRows), graded by the pure grader, and
    the changed scores written back in batches (core.db.bulk_update_rows). One audit row with
    each changed score before and after. Returns how many scores changed. Budget: 10,000
    papers ≤ 5 s (bench/bench_exams.py)."""
    from core.db import JSONRows, bulk_update_rows
    from papers.models import Paper, PaperDraw

    require_role(acting_user, Role.CENTRAL, message="仅部中心可以重新评分")
    now = now or timezone.now()
    corrections = _corrections(plan.pk)
    changed, dirty, same = {}, [], {}
    with transaction.atomic():
        # earned (a JSON object per score) is read only for the scores whose total and pass stay
        # the same, to see whether a point moved between questions: decoding it is the cost
        scores = {attempt_id: (pk, total, passed) for pk, attempt_id, total, passed in
                  Score.objects.select_for_update().filter(plan=plan).order_by("pk").values_list(
                      "pk", "attempt_id", "total", "passed")}
        attempts = {pk: (registration_id, number) for pk, registration_id, number in
                    Attempt.objects.filter(plan=plan, score__isnull=False).values_list(
                        "pk", "registration_id", "registration__candidate_number")}
        papers = {registration_id: (items, pass_mark, draw_id) for registration_id, items, pass_mark, draw_id in
                  Paper.objects.filter(plan=plan).values_list("registration_id", "items", "pass_mark", "draw_id")}
        partial = {pk: bool((blueprint or {}).get("partial_multiple", False)) for pk, blueprint in
                   PaperDraw.objects.filter(pk__in={p[2] for p in papers.values()}).values_list("pk", "blueprint")}
        answers = {attempt_id: {position: canonical for position, canonical in rows or ()} for attempt_id, rows in
                   Answer.objects.filter(attempt__plan=plan).order_by().values("attempt_id")
                   .annotate(rows=JSONRows("position", "canonical")).values_list("attempt_id", "rows")}
        versions, cache = _versions_of(items for items, _m, _d in papers.values()), {}
        for attempt_id, (registration_id, number) in attempts.items():
            items, pass_mark, draw_id = papers[registration_id]
            key = _key_items(items, corrections, versions, cache)
            result = grade(key, answers.get(attempt_id, {}), pass_mark=Decimal(pass_mark),
                           partial_multiple=partial.get(draw_id, False))
            score_pk, total, passed = scores[attempt_id]
            row = (score_pk, result.total, pass_mark, result.passed, result.correct, result.answered,
                   _earned(result), now)
            if total != result.total or passed != result.passed:
                changed[number] = [str(total), str(result.total)]
                dirty.append(row)
            else:
                same[score_pk] = (number, row)
        unchanged = list(same)
        for start in range(0, len(unchanged), 2000):
            chunk = unchanged[start:start + 2000]
            for score_pk, earned in Score.objects.filter(pk__in=chunk).values_list("pk", "earned"):
                number, row = same[score_pk]
                if earned != row[6]:
                    changed[number] = [str(row[1]), str(row[1])]
                    dirty.append(row)
        bulk_update_rows(Score, ["total", "pass_mark", "passed", "correct", "answered", "earned", "regraded_at"],
                         dirty)
        audit_record(actor=acting_user, action=Action.SCORE_REGRADE, obj=plan, region=plan.region_id,
                     after={"changed": changed, "scores": len(scores)},
                     message=f"重新评分（批次 {plan.batch_no}）：{len(scores)} 份，{len(changed)} 份成绩变化")
    return len(changed)


def _earned(result: GradeResult) -> dict:
    return {str(k): str(v) for k, v in result.earned.items()}


def _versions_of(item_lists) -> dict:
    """Every question version the plan's papers hold (their `items`), in one query (a plan draws
    from one pool)."""
    from questions.models import QuestionVersion

    ids = {item[0] for items in item_lists for item in items}
    return {v.pk: v for v in QuestionVersion.objects.filter(pk__in=ids).only(
        "id", "qtype", "stem", "options", "answer", "explanation")}


# ---------------------------------------------------------------- the violation check's effects


CENTRAL_ONLY = "仅部中心可以执行此操作"


def score_void(*, attempt: Attempt, reason: str, acting_user, now: datetime.datetime | None = None) -> Score | None:
    """成绩作废 (SPEC.md §6: "A violation voids the score"), called by the violation check when the
    decision's category voids the score. The stored total is kept so that an upheld objection
    can restore it (score_restore); the 成绩单 shows 违规作废 and no score. Central only, audited.
    An attempt without a score (缺考, never graded) has nothing to void: None."""
    require_role(acting_user, Role.CENTRAL, message=CENTRAL_ONLY)
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
    require_role(acting_user, Role.CENTRAL, message=CENTRAL_ONLY)
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

    require_role(acting_user, Role.CENTRAL, message=CENTRAL_ONLY)
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
