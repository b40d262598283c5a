"""Demo of the violation check (docs/decisions.md#review-demo): an ended 继续教育(线上) plan of 北京 with the answer
log of a few hundred simulated candidates (review.synthetic.simulate_on_papers on the papers
really drawn from the demo bank), including a planted real-time copying pair who also answered
from one IP address, and a candidate who clicked through faster than anyone can read. Its
papers are drawn by papers.services and its scores computed by the grader; the check's
flags are computed at once (the same job the page starts), so 违规核查 shows the queue, and
after 核查完成并发布 the 管局 sees the 成绩单 in 成绩管理 and the candidates their results.

The rows of a past exam cannot be produced through the exam engine's services (they refuse
answers outside the exam's time), so attempts, answers, the answer log and scores are written
in bulk here, as the engine would have left them; every number of theirs comes from the real
papers and the real grader. `build_ended_plan` is also what the review tests build on.

The planted copier gets a candidate login (the demo password), so the candidate's side —
the result on 我的考核 and the 申诉 — can be tried too.

A snapshot without a face: `_plant_snapshot` stores an empty room's picture on the copier's
attempt through proctoring's demo, and the real face check gives it its note (未检测到人脸).
"""

from __future__ import annotations

import datetime
import ipaddress
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

DEMO_NOTE = "演示违规核查"
DEMO_CANDIDATES = 300
DEMO_SEED = 2026
PERSON_SEQ_START = 70_000  # resident_id sequences far from the candidate demo's (0–1,000)


@dataclass
class BuiltPlan:
    plan: object
    registrations: list
    attempts: list
    copier: object | None = None  # the planted pair (attempts)
    source: object | None = None
    fast: object | None = None
    cases: list = field(default_factory=list)


def _kind(version) -> tuple[str, list[str]]:
    """The simulation's view of a question: its kind and the answers one may give, right first."""
    from questions.choices import LETTERS, QuestionType

    letters = LETTERS[:len(version.options)]
    if version.qtype == QuestionType.JUDGE:
        return "tf", [version.answer] + [x for x in "AB" if x != version.answer]
    if version.qtype == QuestionType.SINGLE:
        return "single", [version.answer] + [x for x in letters if x != version.answer]
    right = set(version.answer)
    wrong = []
    for letter in letters:  # the usual slips: one right letter left out, one wrong letter added
        if letter in right and len(right) > 1:
            wrong.append("".join(sorted(right - {letter})))
        elif letter not in right:
            wrong.append("".join(sorted(right | {letter})))
    return "multi", [version.answer] + list(dict.fromkeys(w for w in wrong if w and w != version.answer))[:5]


def _ip(seed: int, k: int) -> str:
    return str(ipaddress.IPv4Address(0x0A000000 + ((seed * 7919 + k * 104729) % 0xFFFFFF)))


def build_ended_plan(*, region, central, admin, n: int = DEMO_CANDIDATES, seed: int = DEMO_SEED,
                     exam_type=None, ended_minutes_ago: int = 120, realtime_pairs: int = 1, fast: int = 1,
                     person_seq_start: int = PERSON_SEQ_START, note: str = DEMO_NOTE,
                     now: datetime.datetime | None = None) -> BuiltPlan:
    """An approved online plan that ended `ended_minutes_ago` minutes ago, `n` candidates with
    papers drawn (papers.services), every attempt 已评分 with its answers, its answer log (server
    and client times, an IP per candidate; the planted pair share one) and its score from the
    grader."""
    from candidates.importing.samples import COMPANIES, GIVEN, SURNAMES, resident_id
    from candidates.models import Registration
    from exams.choices import AttemptState, SaveOutcome, TransitionCause
    from exams.models import Answer, AnswerLog, Attempt, AttemptTransition
    from papers.drawing import canonical_to_displayed
    from papers.selectors import plan_papers
    from papers.services import papers_generate
    from people.models import IdType
    from people.services import person_upsert_many
    from plans.choices import AuditStatus, ExamType
    from plans.models import ExamPlan
    from plans.rules import plan_moments
    from plans.services import _next_batch_no, duration_for
    from results.grading import grade
    from results.models import Score
    from results.services import grading_key

    from .synthetic import SimulatedItem, simulate_on_papers

    now = now or timezone.now()
    exam_type = exam_type or ExamType.CONTINUING_ONLINE
    minutes = duration_for(exam_type)
    start = timezone.localtime(now - datetime.timedelta(minutes=ended_minutes_ago + minutes)).replace(
        second=0, microsecond=0)
    starts_at, ends_at, end_time = plan_moments(start.date(), start.time(), minutes)
    with transaction.atomic():
        plan = ExamPlan.objects.create(
            batch_no=_next_batch_no(region=region, year=start.year), region=region, exam_type=exam_type,
            exam_date=start.date(), start_time=start.time(), end_time=end_time, duration_minutes=minutes,
            starts_at=starts_at, ends_at=ends_at, audit_status=AuditStatus.APPROVED, reviewer=central,
            reviewed_at=now, review_note=note, applicant=admin, last_candidate_seq=n)
        id_type = IdType.objects.get(code=1)
        rows = []
        for k in range(n):
            seq = person_seq_start + k
            rows.append({"id_type": id_type.pk, "id_number": resident_id(seq),
                         "name": SURNAMES[seq % len(SURNAMES)] + GIVEN[(seq // len(SURNAMES)) % len(GIVEN)]})
        people = person_upsert_many(rows=rows, acting_user=central).person_ids
        registrations = []
        for k, row in enumerate(rows):
            company, code = COMPANIES[k % len(COMPANIES)]
            registrations.append(Registration(
                person_id=people[(row["id_type"], row["id_number"])], plan=plan, personnel_type="ABC"[k % 3],
                candidate_number=f"{plan.batch_no}{k + 1:05d}", phone=f"139{(person_seq_start + k) % 10**8:08d}",
                company_name=company, credit_code=code, region=region, exam_type=exam_type,
                exam_year=plan.exam_date.year,
                cert_number=f"安A(2024){person_seq_start + k:06d}" if exam_type == ExamType.CONTINUING_ONLINE else "",
                cert_expiry=datetime.date(2027, 6, 30) if exam_type == ExamType.CONTINUING_ONLINE else None))
        Registration.objects.bulk_create(registrations, batch_size=500)
        registrations = list(Registration.objects.filter(plan=plan).order_by("candidate_number"))
    result = papers_generate(plan=plan, acting_user=central, now=starts_at - datetime.timedelta(hours=48))
    if result.problems:
        raise RuntimeError("；".join(result.problems))
    papers, versions = plan_papers(plan)
    registrations = [r for r in registrations if r.pk in papers]
    items = {vid: SimulatedItem(*_kind(v)) for vid, v in versions.items()}
    simulated = simulate_on_papers(seed, items, [[item[0] for item in papers[r.pk].items] for r in registrations],
                                   realtime_pairs=realtime_pairs, fast=fast, limit_seconds=minutes * 60)

    with transaction.atomic():
        attempts = []
        for k, registration in enumerate(registrations):
            answers = [(letters, t) for letters, t in simulated.answers[k] if letters]
            first = min(t for _l, t in answers) if answers else 60.0
            last = max(t for _l, t in answers) if answers else 60.0
            attempts.append(Attempt(
                registration=registration, plan=plan, region=region, state=AttemptState.GRADED,
                started_at=starts_at + datetime.timedelta(seconds=max(1.0, first - 40)),
                submitted_at=(ends_at if len(answers) < len(simulated.answers[k])  # the time ran out
                              else starts_at + datetime.timedelta(seconds=min(minutes * 60, last + 30))),
                last_seq=len(answers), sessions_opened=1, last_contact_at=starts_at + datetime.timedelta(seconds=last)))
        Attempt.objects.bulk_create(attempts, batch_size=500)
        attempts = list(Attempt.objects.filter(plan=plan).select_related("registration").order_by(
            "registration__candidate_number"))
        by_registration = {a.registration_id: a for a in attempts}
        ips = {k: _ip(seed, k) for k in range(len(registrations))}
        for kind, members in simulated.cases:
            if kind == "realtime":  # the copier sat beside the source: one address
                ips[members[0]] = ips[members[1]]
        answer_rows, log_rows, transitions, scores, cache = [], [], [], [], {}
        for k, registration in enumerate(registrations):
            attempt = by_registration[registration.pk]
            paper = papers[registration.pk]
            given = {}
            timeline = sorted((t, position) for position, (letters, t) in enumerate(simulated.answers[k], start=1)
                              if letters)
            for seq, (t, position) in enumerate(timeline, start=1):
                letters = simulated.answers[k][position - 1][0]
                permutation = paper.items[position - 1][1]
                displayed = canonical_to_displayed(permutation, letters)
                server_at = starts_at + datetime.timedelta(seconds=t + 0.4)
                client_at = starts_at + datetime.timedelta(seconds=t)
                answer_rows.append(Answer(attempt=attempt, position=position, displayed=displayed, canonical=letters,
                                          seq=seq, client_at=client_at, saved_at=server_at))
                log_rows.append(AnswerLog(attempt=attempt, position=position, displayed=displayed, canonical=letters,
                                          seq=seq, client_at=client_at, server_at=server_at,
                                          outcome=SaveOutcome.ACCEPTED, ip=ips[k]))
                given[position] = letters
            submit = TransitionCause.DEADLINE if len(given) < len(paper.items) else TransitionCause.SUBMIT
            for before, after, cause, at in (
                    (AttemptState.NOT_STARTED, AttemptState.IN_PROGRESS, TransitionCause.START, attempt.started_at),
                    (AttemptState.IN_PROGRESS, AttemptState.SUBMITTED, submit, attempt.submitted_at),
                    (AttemptState.SUBMITTED, AttemptState.GRADED, TransitionCause.GRADE, attempt.submitted_at)):
                transitions.append(AttemptTransition(attempt=attempt, from_state=before, to_state=after, cause=cause,
                                                     at=at, note=note))
            graded = grade(grading_key(paper, {}, versions, cache), given, pass_mark=Decimal(paper.pass_mark))
            scores.append(Score(attempt=attempt, plan=plan, total=graded.total, pass_mark=paper.pass_mark,
                                passed=graded.passed, correct=graded.correct, answered=graded.answered,
                                earned={str(p): str(v) for p, v in graded.earned.items()},
                                graded_at=attempt.submitted_at))
        Answer.objects.bulk_create(answer_rows, batch_size=2000)
        AnswerLog.objects.bulk_create(log_rows, batch_size=2000)
        AttemptTransition.objects.bulk_create(transitions, batch_size=2000)
        Score.objects.bulk_create(scores, batch_size=500)
        from audit.actions import Action
        from audit.services import audit_record

        audit_record(actor=None, action=Action.PLAN_CREATE, obj=plan,
                     message=f"{note}：已结束的考核，{len(attempts)} 名模拟考生的作答记录与成绩")
    built = BuiltPlan(plan=plan, registrations=registrations, attempts=attempts, cases=simulated.cases)
    by_index = {k: by_registration[r.pk] for k, r in enumerate(registrations)}
    for kind, members in simulated.cases:
        if kind == "realtime" and built.copier is None:
            built.copier, built.source = by_index[members[0]], by_index[members[1]]
        elif kind == "fast" and built.fast is None:
            built.fast = by_index[members[0]]
    return built


def _plant_snapshot(built: BuiltPlan) -> None:
    """A camera snapshot without a face on the copier's attempt, ten minutes into the exam, so
    the evidence page shows one with its automatic note."""
    if built.copier is None:
        return
    from proctoring.demo import plant_snapshot

    plant_snapshot(built.copier, taken_at=built.plan.starts_at + datetime.timedelta(minutes=10))


def load(out) -> list[str]:
    from accounts.models import User
    from core.roles import Role
    from plans.models import ExamPlan
    from regions.models import Region

    from .services import review_start

    existing = ExamPlan.objects.filter(review_note=DEMO_NOTE).order_by("-pk").first()
    if existing is None:
        central = User.objects.filter(role=Role.CENTRAL, is_active=True).order_by("pk").first()
        region = Region.objects.get(code="11")
        admin = User.objects.filter(role=Role.REGIONAL, region=region, is_active=True).order_by("pk").first()
        if central is None or admin is None:
            return []
        began = time.monotonic()
        built = build_ended_plan(region=region, central=central, admin=admin)
        _plant_snapshot(built)
        if built.copier is not None:  # the copier can log in to see the result and object
            from accounts.services import candidate_account_activate
            from candidates.demo import DEMO_CANDIDATE_PASSWORD

            candidate_account_activate(person=built.copier.registration.person, new_password=DEMO_CANDIDATE_PASSWORD)
        review_start(plan=built.plan, acting_user=central, run_now=True)
        existing = built.plan
        out.write(f"review demo: {len(built.attempts)} 名考生的已结束考核，{time.monotonic() - began:.1f} 秒\n")
    lines = [f"违规核查演示：批次 {existing.batch_no}（北京，已结束的继续教育(线上)考核，{DEMO_CANDIDATES} 名模拟考生，"
             f"含一对实时抄袭的考生与一名作答过快的考生）；部中心在“违规核查”中核查并发布后，"
             f"北京管局在“成绩管理”查看成绩单"]
    from candidates.demo import DEMO_CANDIDATE_PASSWORD
    from people.models import Person

    copier = Person.objects.filter(registrations__plan=existing, user__isnull=False).select_related("id_type").first()
    if copier is not None:
        lines.append(f"违规核查演示的抄袭考生登录（查看结果、提出申诉）：证件号码 {copier.id_number}，"
                     f"密码 {DEMO_CANDIDATE_PASSWORD}（{copier.name}；演示数据，非真实身份）")
    return lines
