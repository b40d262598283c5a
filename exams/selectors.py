"""Reads of attempts. Every read of one attempt goes through attempt_close_if_overdue, so an
attempt past its deadline + grace is submitted by the first read (docs/decisions.md#exam-grace)."""

import datetime

from django.utils import timezone

from core.scoping import get_visible_or_404

from .models import Answer, Attempt
from .services import attempt_close_if_overdue, attempt_for


def attempt_for_candidate(*, registration, now: datetime.datetime | None = None) -> Attempt:
    """The registration's attempt (created 未开始), closed first when overdue. The caller fetched
    the registration through its own scope."""
    return attempt_close_if_overdue(attempt_for(registration), now=now)


def attempt_get(*, pk: int, fetched_by, now: datetime.datetime | None = None) -> Attempt:
    """An attempt the user may see (its candidate, its region, central), else 404."""
    attempt = get_visible_or_404(Attempt.objects.select_related("plan", "registration__person"), fetched_by, pk=pk)
    return attempt_close_if_overdue(attempt, now=now)


def saved_answers(attempt: Attempt) -> dict[int, dict]:
    """{position: {"answer": displayed letters, "seq": n}} of the attempt (what a resumed page shows)."""
    return {position: {"answer": displayed, "seq": seq} for position, displayed, seq in
            Answer.objects.filter(attempt=attempt).values_list("position", "displayed", "seq")}


def exam_page_data(attempt: Attempt) -> tuple[dict, dict]:
    """(payload, saved) of a started exam's page in two queries (docs/decisions.md#exam-page-queries): the stored paper
    with the attempt's saved answers aggregated by the database into the same row
    (core.db.JSONRows), then the paper's question versions. `payload` is
    papers.selectors.candidate_payload (never the key); `saved` as saved_answers."""
    from django.db.models import JSONField, Subquery

    from core.db import JSONRows
    from papers.selectors import candidate_payload, paper_for_registration, paper_versions

    rows = (Answer.objects.filter(attempt_id=attempt.pk).order_by().values("attempt_id")
            .annotate(rows=JSONRows("position", "displayed", "seq")).values("rows"))
    paper = paper_for_registration(attempt.registration_id,
                                   annotations={"saved_rows": Subquery(rows, output_field=JSONField())})
    saved = {int(position): {"answer": displayed, "seq": int(seq)}
             for position, displayed, seq in (paper.saved_rows or [])}
    return candidate_payload(paper, paper_versions(paper)), saved


def remaining_seconds(attempt: Attempt, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    return max(0, int((attempt.deadline - now).total_seconds()))


def next_steps(registrations, *, now: datetime.datetime | None = None) -> dict[int, dict]:
    """我的考核: per registration, its exam state and what the candidate must do next, with the
    link to the exam page when there is one: {registration_id: {"state", "step", "url", "open"}}.
    Before the start of an online exam, `pretest` is its 考前测试 (pretest_selectors.pretest_step
    + "url"); while that is open and not passed it is the step ("完成考前测试") and `then` says
    by when and what follows."""
    from django.urls import reverse

    from plans.choices import AuditStatus, ExamType

    from .choices import AttemptState
    from .pretest_selectors import pretest_step, pretests_for
    from .services import ONLINE_TYPES, entry_closes_at

    now = now or timezone.now()
    registrations = list(registrations)
    attempts = {a.registration_id: a for a in Attempt.objects.filter(
        registration__in=[r.pk for r in registrations]).select_related("plan", "registration")}
    pretests = pretests_for(registrations)
    steps = {}
    for reg in registrations:
        plan = reg.plan
        attempt = attempts.get(reg.pk)
        if attempt is not None:
            attempt = attempt_close_if_overdue(attempt, now=now)
        state = attempt.state if attempt else AttemptState.NOT_STARTED
        url = reverse("exams:sit", args=[reg.pk])
        step = {"state": AttemptState(state).label, "step": "", "url": None, "open": False}
        if plan.exam_type == ExamType.NEW_OFFLINE:
            step.update(state="线下考试", step="答题卡考试，请按管局通知到考点参加")
        elif plan.audit_status != AuditStatus.APPROVED or plan.exam_type not in ONLINE_TYPES:
            step.update(step="等待考核计划审核")
        elif state == AttemptState.IN_PROGRESS:
            minutes = remaining_seconds(attempt, now) // 60
            step.update(step=f"继续考试（剩余约 {minutes} 分钟）", url=url, open=True)
        elif state in (AttemptState.SUBMITTED, AttemptState.GRADED):
            step.update(state=AttemptState.SUBMITTED.label, step="等待成绩发布", url=url)
        elif state == AttemptState.ABSENT:
            step.update(step="未在考试时间内进入考试")
        elif state == AttemptState.VOID:
            step.update(step="本场考试已作废，如有疑问请联系报名所在管局")
        else:
            closes = entry_closes_at(plan)
            if now < plan.starts_at:
                step.update(step=f"进入考试：{timezone.localtime(plan.starts_at):%Y-%m-%d %H:%M} 起", url=url)
                pretest = pretest_step(reg, pretests.get(reg.pk), now=now)
                if pretest is not None:
                    # 考前测试 comes first while it is open and not passed (docs/decisions.md#pretest)
                    pretest["url"] = reverse("exams:pretest", args=[reg.pk])
                    step["pretest"] = pretest
                    if pretest["open"] and not pretest["passed"]:
                        due = timezone.localtime(pretest["due"])
                        step.update(step="完成考前测试", url=pretest["url"], open=True,
                                    then=f"{due:%Y-%m-%d %H:%M} 前完成；"
                                         f"{timezone.localtime(plan.starts_at):%Y-%m-%d %H:%M} 起进入考试")
            elif now <= closes:
                step.update(step=f"进入考试（{timezone.localtime(closes):%H:%M} 前）", url=url, open=True)
            elif now < plan.ends_at:
                step.update(step=f"已超过入场时间（{timezone.localtime(closes):%H:%M}）")
            else:
                step.update(state=AttemptState.ABSENT.label, step="未在考试时间内进入考试")
        steps[reg.pk] = step
    return steps


# ---------------------------------------------------------------- 考试监控


def monitor_plans(*, fetched_by, now: datetime.datetime | None = None):
    """Online plans the user may watch: approved, of its region (central: all), from a day before
    their start until a day after their end."""
    from plans.choices import AuditStatus
    from plans.models import ExamPlan

    from .services import ONLINE_TYPES

    now = now or timezone.now()
    day = datetime.timedelta(days=1)
    return (ExamPlan.objects.visible_to(fetched_by)
            .filter(audit_status=AuditStatus.APPROVED, exam_type__in=ONLINE_TYPES, starts_at__lte=now + day,
                    ends_at__gte=now - day)
            .select_related("region").order_by("starts_at", "pk"))


def monitor_plan_get(*, pk: int, fetched_by):
    from plans.models import ExamPlan

    return get_visible_or_404(ExamPlan.objects.select_related("region"), fetched_by, pk=pk)


def monitor_rows(*, plan, fetched_by, now: datetime.datetime | None = None) -> tuple[dict, list[dict]]:
    """考试监控 of one plan: counts per state (a registration without an attempt is 未开始) and one
    row per registration with its state, entry time, last contact and saved answers. Overdue
    attempts are closed on the way (a read submits them)."""
    from django.db.models import Count

    from candidates.models import Registration

    from .choices import AttemptState

    now = now or timezone.now()
    registrations = list(Registration.objects.visible_to(fetched_by).filter(plan=plan)
                         .select_related("person").order_by("candidate_number"))
    attempts = {a.registration_id: a for a in Attempt.objects.visible_to(fetched_by).filter(plan=plan)
                .select_related("plan", "registration")}
    for key, attempt in list(attempts.items()):
        attempts[key] = attempt_close_if_overdue(attempt, now=now)
    answered = dict(Answer.objects.filter(attempt__plan=plan).exclude(displayed="").order_by()
                    .values("attempt").annotate(n=Count("pk")).values_list("attempt", "n"))
    counts = {state: 0 for state in AttemptState}
    rows = []
    # 继续教育(线上): the incidents so far and the consent state per candidate (counts only; the
    # snapshots and the timeline are central's, on proctoring's 监考记录)
    from proctoring.selectors import is_remote_plan, monitor_counts

    proctor = monitor_counts(plan=plan, fetched_by=fetched_by) if is_remote_plan(plan) else None
    for reg in registrations:
        attempt = attempts.get(reg.pk)
        state = attempt.state if attempt else AttemptState.NOT_STARTED
        if state == AttemptState.NOT_STARTED and now > plan.ends_at and attempt is None:
            state = AttemptState.ABSENT  # the periodic task records it; the monitor already says so
        counts[AttemptState(state)] += 1
        rows.append({"registration": reg, "attempt": attempt, "state": AttemptState(state),
                     "answered": answered.get(attempt.pk, 0) if attempt else 0,
                     "proctor": None if proctor is None else {
                         "events": proctor["events"].get(attempt.pk) if attempt else None,
                         "consent": proctor["consent"].get(reg.pk)}})
    return {"labels": [(s.label, counts[s]) for s in AttemptState], "total": len(registrations),
            "remote": proctor is not None}, rows


# ---------------------------------------------------------------- the violation check's reads


def plan_attempts(plan):
    """Every attempt of a plan with its registration and person (central's violation check)."""
    return (Attempt.objects.filter(plan=plan).select_related("registration__person", "registration")
            .order_by("registration__candidate_number"))


def plan_final_answers(plan):
    """(attempt_id, position, canonical letters, saved_at) of every non-empty saved answer of the
    plan: the last accepted change of each answer (what the collusion signal reads)."""
    return (Answer.objects.filter(attempt__plan=plan).exclude(canonical="").order_by()
            .values_list("attempt_id", "position", "canonical", "saved_at").iterator(chunk_size=5000))


def plan_answer_events(plan):
    """(attempt_id, position, server_at, client_at) of every accepted save of the plan (the
    answer log's timing of each answer given)."""
    from .choices import SaveOutcome
    from .models import AnswerLog

    return (AnswerLog.objects.filter(attempt__plan=plan, outcome=SaveOutcome.ACCEPTED).order_by()
            .values_list("attempt_id", "position", "server_at", "client_at").iterator(chunk_size=5000))


def plan_answer_ips(plan) -> list[tuple[int, str]]:
    """The distinct (attempt_id, ip) the plan's answers came from (where the log recorded one)."""
    from .models import AnswerLog

    return list(AnswerLog.objects.filter(attempt__plan=plan, ip__isnull=False).order_by()
                .values_list("attempt_id", "ip").distinct())


def attempt_answer_log(attempt):
    """Every answer the server received for one attempt, in order of receipt."""
    from .models import AnswerLog

    return AnswerLog.objects.filter(attempt=attempt).order_by("server_at", "seq", "pk")


def attempt_answers(attempt) -> dict[int, dict]:
    """{position: {"canonical", "displayed", "saved_at"}} of one attempt's saved answers."""
    return {position: {"canonical": canonical, "displayed": displayed, "saved_at": saved_at}
            for position, canonical, displayed, saved_at in
            Answer.objects.filter(attempt=attempt).values_list("position", "canonical", "displayed", "saved_at")}
