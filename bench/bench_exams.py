"""The exam engine's hot paths (docs/decisions.md#exam-page-queries), each beside its floor in the same run:

1. `save one answer`: exams.services.answers_save for one answer (checks, row lock, sequence
   rule, answer log) vs the same write alone (update the answer row + insert its log row in one
   transaction).
2. `load a started exam`: what the exam page reads for a started attempt
   (exams.selectors.exam_page_data: the stored paper with the saved answers in one query, its
   question versions in a second, the payload) vs the bare selects of the same rows; the
   number of queries is printed and must be at most two.
3. `grade 10000 papers`: results.services.plan_regrade over 10,000 submitted papers of one plan
   (target ≤ 5 s) vs the pure grader over the same plain data, already in memory."""

import datetime
import os
import time

import _common

N_SAVES = 300
N_PAPERS = int(os.environ.get("BENCH_EXAM_PAPERS", 10_000))


def _world():
    from django.utils import timezone

    from accounts.models import User
    from core.roles import Role
    from papers.services import RuleInput, rule_create
    from plans.choices import AuditStatus, ExamType
    from plans.models import ExamPlan
    from plans.rules import plan_moments
    from questions.models import KnowledgeArea
    from questions.services import area_create
    from questions.tests.factories import make_question
    from regions.models import Region

    central = User.objects.create_user("bench_central", "Bench@2026x", role=Role.CENTRAL)
    region = Region.objects.get(code="11")
    admin = User.objects.create_user("bench_bj", "Bench@2026x", role=Role.REGIONAL, region=region)
    areas = ["有限空间作业", "高处作业", "用电安全", "施工现场管理"]
    for i, name in enumerate(areas):
        area_create(name=name, sort_order=i, acting_user=central)
        for qtype in ("single", "multiple", "judge"):
            for k in range(12):
                make_question(central, f"B{i}{qtype[0].upper()}{k:03d}", qtype=qtype, area=name, personnel_types="ABC")
    cells = [(a.pk, q, n) for a in KnowledgeArea.objects.all() for q, n in (("single", 10), ("multiple", 5),
                                                                             ("judge", 5))]
    rule_create(data=RuleInput(name="bench", exam_type=ExamType.CONTINUING_ONLINE, personnel_types="ABC",
                               points={"single": "1", "multiple": "2", "judge": "1"}, pass_mark=60, cells=cells),
                acting_user=central)
    start = timezone.localtime(timezone.now() - datetime.timedelta(minutes=5)).replace(microsecond=0)
    starts_at, ends_at, end_time = plan_moments(start.date(), start.time(), 90)
    plan = ExamPlan.objects.create(batch_no="1126901", region=region, exam_type=ExamType.CONTINUING_ONLINE,
                                   exam_date=start.date(), start_time=start.time(), end_time=end_time,
                                   duration_minutes=90, starts_at=starts_at, ends_at=ends_at,
                                   audit_status=AuditStatus.APPROVED, applicant=admin)
    return central, plan


def _people(plan, n):
    from accounts.models import User
    from candidates.models import Registration
    from people.models import IdType, Person

    id_type = IdType.objects.get(code=1)
    users = User.objects.bulk_create([User(username=f"bench_c{i}", role="candidate") for i in range(n)], batch_size=2000)
    if users[0].pk is None:  # SQLite before 3.35 returns no ids
        users = list(User.objects.filter(username__startswith="bench_c").order_by("pk"))
    people = Person.objects.bulk_create([
        Person(id_type=id_type, id_number=f"1101051980{i:08d}", name=f"考生{i}", user=users[i]) for i in range(n)],
        batch_size=2000)
    if people[0].pk is None:
        people = list(Person.objects.filter(id_number__startswith="1101051980").order_by("pk"))
    Registration.objects.bulk_create([
        Registration(person=p, plan=plan, candidate_number=f"{plan.batch_no}{i + 1:05d}", personnel_type="ABC"[i % 3],
                     phone=f"139{i:08d}", company_name="华信通信工程有限公司",
                     region_id=plan.region_id, exam_type=plan.exam_type, exam_year=plan.exam_date.year)
        for i, p in enumerate(people)], batch_size=2000)
    return list(Registration.objects.filter(plan=plan).select_related("person__user").order_by("pk"))


def main():
    connection = _common.setup()
    try:
        from django.db import transaction
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from exams.choices import AttemptState
        from exams.models import Answer, AnswerLog, Attempt
        from exams.selectors import exam_page_data
        from exams.services import answers_save, attempt_open_session, attempt_start
        from papers.models import Paper
        from papers.selectors import answer_key, paper_for_registration
        from papers.services import papers_generate
        from questions.models import QuestionVersion
        from results.grading import grade
        from results.models import QuestionCorrection, Score
        from results.services import grading_key, plan_regrade

        vendor = _common.db_label(connection)
        central, plan = _world()
        registrations = _people(plan, N_PAPERS)
        papers_generate(plan=plan, acting_user=central)
        first = registrations[0]
        user = first.person.user
        from exams.tests.factories import give_consent

        give_consent(first)  # 继续教育(线上) is remotely proctored: the start needs the consent
        attempt = attempt_start(registration=first, acting_user=user)
        token = attempt_open_session(attempt=attempt)
        attempt = Attempt.objects.select_related("plan", "registration__person").get(pk=attempt.pk)
        key = answer_key(paper_for_registration(first))

        # 1. one answer
        seq = iter(range(1, 10**9))

        def service():
            for i in range(N_SAVES):
                entry = key[i % len(key)]
                answers_save(attempt=attempt, token=token, acting_user=user,
                             raw_items=[{"position": entry.position, "answer": entry.displayed, "seq": next(seq)}])

        answers_save(attempt=attempt, token=token, acting_user=user,
                     raw_items=[{"position": e.position, "answer": e.displayed, "seq": next(seq)} for e in key])
        now = timezone.now()

        def floor():
            for i in range(N_SAVES):
                entry = key[i % len(key)]
                n = next(seq)
                with transaction.atomic():
                    Answer.objects.filter(attempt=attempt, position=entry.position).update(
                        displayed=entry.displayed, canonical=entry.canonical, seq=n, saved_at=now)
                    AnswerLog.objects.create(attempt=attempt, position=entry.position, displayed=entry.displayed,
                                             canonical=entry.canonical, seq=n, server_at=now, outcome="accepted")

        floor_s = _common.best_of(floor)
        service_s = _common.best_of(service)
        _common.report(f"save one answer [{vendor}]", service_s / N_SAVES * 1e3, "ms", floor_s / N_SAVES * 1e3)

        # 2. load a started exam
        def load():
            return exam_page_data(attempt)

        with CaptureQueriesContext(connection) as queries:
            load()

        def bare():
            paper = Paper.objects.filter(registration_id=first.pk).values_list("items", flat=True).first()
            list(QuestionVersion.objects.filter(pk__in=[i[0] for i in paper]).values_list("stem", "options"))
            list(Answer.objects.filter(attempt=attempt).values_list("position", "displayed", "seq"))

        repeat = 50
        floor_s = _common.best_of(lambda: [bare() for _ in range(repeat)])
        load_s = _common.best_of(lambda: [load() for _ in range(repeat)])
        _common.report(f"load a started exam [{vendor}]", load_s / repeat * 1e3, "ms", floor_s / repeat * 1e3)
        print(f"load a started exam [{vendor}]: {len(queries)} queries (the paper with its saved answers, "
              "its question versions)")
        assert len(queries) <= 2, [q["sql"] for q in queries]

        # 3. grade N papers: every candidate submitted every answer
        rows = Paper.objects.filter(plan=plan).values_list("registration_id", "items")
        items = dict(rows)
        others = registrations[1:]
        Attempt.objects.bulk_create([Attempt(registration=r, plan=plan, region_id=plan.region_id,
                                             state=AttemptState.GRADED) for r in others], batch_size=2000)
        attempt_of = dict(Attempt.objects.filter(plan=plan).values_list("registration_id", "pk"))
        Attempt.objects.filter(pk=attempt.pk).update(state=AttemptState.GRADED)
        versions = {v.pk: v for v in QuestionVersion.objects.all()}
        from papers.drawing import canonical_to_displayed

        answers, plain = [], {}
        for registration_id, paper_items in items.items():
            attempt_id = attempt_of[registration_id]
            given = {}
            for position, (version_id, permutation, _points) in enumerate(paper_items, start=1):
                canonical = versions[version_id].answer if position % 4 else "A"
                given[position] = canonical
                if attempt_id != attempt.pk:
                    answers.append(Answer(attempt_id=attempt_id, position=position, canonical=canonical, seq=position,
                                          displayed=canonical_to_displayed(permutation, canonical), saved_at=now))
            plain[attempt_id] = given
        Answer.objects.filter(attempt=attempt).delete()
        Answer.objects.bulk_create(answers + [
            Answer(attempt_id=attempt.pk, position=p, canonical=c, displayed=c, seq=p, saved_at=now)
            for p, c in plain[attempt.pk].items()], batch_size=5000)
        Score.objects.bulk_create([Score(attempt_id=a, plan=plan, total=0, pass_mark=60, passed=False, graded_at=now)
                                   for a in attempt_of.values()], batch_size=5000)
        QuestionCorrection.objects.create(plan=plan, version_id=key[0].version_id, kind="void", reason="bench",
                                          created_by=central)
        papers = list(Paper.objects.filter(plan=plan).select_related("draw"))
        cache = {}
        keys = [(grading_key(paper, {}, versions, cache), plain[attempt_of[paper.registration_id]], paper.pass_mark)
                for paper in papers]

        def pure():
            for key_items, given, pass_mark in keys:
                grade(key_items, given, pass_mark=pass_mark)

        floor_s = _common.best_of(pure, repeat=1)
        start = time.perf_counter()
        changed = plan_regrade(plan=plan, acting_user=central)
        regrade_s = time.perf_counter() - start
        assert changed == len(attempt_of), (changed, len(attempt_of))
        _common.report(f"grade {len(papers)} papers [{vendor}]", regrade_s, "s", floor_s)
        if len(papers) >= 10_000:
            verdict = "within" if regrade_s <= 5 else "OVER"
            print(f"# grade {len(papers)} papers [{vendor}]: {verdict} the 5 s target (docs/decisions.md#regrade-bulk)", flush=True)
    finally:
        _common.teardown(connection)


if __name__ == "__main__":
    main()
