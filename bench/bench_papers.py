"""Paper generation and loading (docs/decisions.md#bank-and-papers):

* generating the papers of a plan of 5,000 registrations, 100 questions each, through
  papers.services.papers_generate (drawing with the seed, shuffling, inserting, marking the
  versions used), against the floor of bulk-inserting the same number of paper rows with the
  same payload (the same 5,000 rows, already drawn);
* loading one paper through the exam engine's contract (papers.selectors.paper_for_registration),
  median of 500 random registrations, against the floor of one primary-key fetch of a paper id.

Bank: 12 knowledge areas × (40 单选, 15 多选, 15 判断) = 840 questions; the rule draws 60 单选,
20 多选 and 20 判断 (per area 5 单选, and 2 多选 + 2 判断 in 8 areas, 1 + 1 in 4)."""

import random
import statistics
import time

import _common

REGISTRATIONS = 5_000
AREAS = 12


def main():
    connection = _common.setup()
    try:
        from django.db import transaction

        from accounts.models import User
        from candidates.models import Registration
        from core.roles import Role
        from papers.choices import GENERATE_BATCH
        from papers.models import Paper
        from papers.selectors import paper_for_registration
        from papers.services import RuleInput, papers_generate, rule_create
        from people.models import IdType, Person
        from people.tests.factories import make_resident_id
        from plans.tests.factories import ExamPlanFactory
        from questions.models import KnowledgeArea
        from questions.services import area_create, question_create
        from questions.validation import clean_question
        from regions.models import Region

        rnd = random.Random(13)
        central = User.objects.create_user("bench_c", "Bench@2026x", role=Role.CENTRAL)
        region = Region.objects.get(code="11")
        admin = User.objects.create_user("bench_a", "Bench@2026x", role=Role.REGIONAL, region=region)
        for a in range(AREAS):
            area_create(name=f"知识领域{a:02d}", sort_order=a, acting_user=central)
        n = 0
        for a in range(AREAS):
            for qtype, count in (("single", 40), ("multiple", 15), ("judge", 15)):
                for _ in range(count):
                    n += 1
                    options = [] if qtype == "judge" else [f"选项内容{k}（{n}）" for k in range(4 if qtype == "single" else 5)]
                    answer = {"single": "B", "multiple": "ACD", "judge": "正确"}[qtype]
                    question_create(data=clean_question({
                        "code": f"B{n:05d}", "qtype": qtype, "stem": f"通信施工安全生产题干第 {n} 题（ ）。" * 3,
                        "options": options, "answer": answer, "explanation": "解析", "area": f"知识领域{a:02d}",
                        "personnel_types": "ABC", "exam_types": ["new_online"], "difficulty": 3}), acting_user=central)
        areas = list(KnowledgeArea.objects.order_by("sort_order"))
        cells = []
        for i, area in enumerate(areas):
            cells += [(area.pk, "single", 5), (area.pk, "multiple", 2 if i < 8 else 1), (area.pk, "judge", 2 if i < 8 else 1)]
        rule_input = RuleInput(name="bench", exam_type="new_online", personnel_types="ABC",
                               points={"single": 1, "multiple": 1, "judge": 1}, pass_mark=60, cells=cells)
        rule = rule_create(data=rule_input, acting_user=central)
        assert sum(c.count for c in rule.cells.all()) == 100

        id_type = IdType.objects.get(code=1)
        people = Person.objects.bulk_create(
            [Person(id_type=id_type, id_number=make_resident_id(i), name=f"考生{i}", phone="13900000000",
                    company_name="中通服建设有限公司") for i in range(REGISTRATIONS)], batch_size=2000)
        plan = ExamPlanFactory(region=region, applicant=admin, days_ahead=1)
        Registration.objects.bulk_create(
            [Registration(person=p, plan=plan, candidate_number=f"{plan.batch_no}{k:05d}", personnel_type="ABC"[k % 3],
                          region=region, exam_type=plan.exam_type, exam_year=plan.exam_date.year)
             for k, p in enumerate(people)], batch_size=2000)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        vendor = _common.db_label(connection)

        # the real run first (it freezes the draws), its rows kept aside for the floor
        with _common.timer() as real:
            result = papers_generate(plan=plan)
        assert result.present == REGISTRATIONS and not result.problems, result.summary
        per_paper = len(Paper.objects.first().items)
        rows = list(Paper.objects.filter(plan=plan).values(
            "registration_id", "plan_id", "draw_id", "personnel_type", "seed", "sections", "items", "total_points",
            "pass_mark"))
        Paper.objects.filter(plan=plan).delete()

        def floor():
            for start in range(0, len(rows), GENERATE_BATCH):
                with transaction.atomic():
                    Paper.objects.bulk_create([Paper(**r) for r in rows[start:start + GENERATE_BATCH]])

        with _common.timer() as floor_t:
            floor()
        Paper.objects.filter(plan=plan).delete()
        with _common.timer() as again:  # a second real run, the draws already frozen
            papers_generate(plan=plan)
        seconds = min(real["seconds"], again["seconds"])
        _common.report(f"generate papers {REGISTRATIONS}x{per_paper} [{vendor}]", seconds, "s", floor_t["seconds"])

        reg_ids = list(Registration.objects.filter(plan=plan).values_list("pk", flat=True))
        paper_ids = list(Paper.objects.values_list("pk", flat=True))
        sample = rnd.sample(reg_ids, 500)
        pk_sample = rnd.sample(paper_ids, 500)

        def median_ms(fn, keys):
            times = []
            for key in keys:
                start = time.perf_counter()
                fn(key)
                times.append(time.perf_counter() - start)
            return statistics.median(times) * 1e3

        median_ms(lambda k: paper_for_registration(k), sample[:50])  # warm up
        load = median_ms(lambda k: len(paper_for_registration(k).items), sample)
        floor_ms = median_ms(lambda k: Paper.objects.filter(pk=k).values_list("pk", flat=True).first(), pk_sample)
        _common.report(f"load one paper [{vendor}]", load, "ms", floor_ms)
    finally:
        _common.teardown(connection)


if __name__ == "__main__":
    main()
