"""学员考核信息管理 at scale (docs/decisions.md#list-scale).

1. The list page, through the real view (django.test.Client, signed in), with combinations of
   the guide's filters and sorts, for a regional administrator and for central: p95 per
   combination (target ≤ 50 ms), beside the floor of running the same page's SQL alone: every
   statement one request of that page sent (captured, then replayed with a bare cursor: the
   session and user, the filter form's selects, the count capped at EXACT_COUNT_LIMIT + 1 rows,
   the planner's estimate when the list is longer — the page then shows 约 … 条 —, the page's
   keys and its rows). The query plans' index use (keys, count) is printed for each, with the median page, SQL and this process's CPU time per page (the
   Python side alone, which a loaded machine inflates far less than wall time).
2. Exporting 100,000 rows of the filtered list to .xlsx (the export path: selector →
   server-side cursor → candidates.exports): seconds and peak memory (target ≤ 2 s, ≤ 150 MB),
   beside the floors of writing the same rows, already in memory, with bare xlsxwriter
   (constant_memory) and with our writer alone, and of the fetch alone (the same query
   iterated, nothing written).

PostgreSQL: 1,000,000 registrations (800,000 people, 1,024 plans in 32 regions), loaded with
COPY. SQLite: 100,000 registrations (said so in the output). BENCH_KEEPDB=1 keeps the loaded
database between runs (for tuning); the default builds and drops a fresh one."""

import datetime
import io
import os
import statistics
import tempfile
import time
import tracemalloc

import _common

PG_ROWS = 1_000_000
SQLITE_ROWS = 100_000
REPEAT = 15
EXPORT_ROWS = 100_000

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰文斌海燕鹏飞宇浩然俊"
COMPANY_WORDS = ["华信", "中通", "东方", "长城", "天翼", "联创", "恒通", "远望", "博达", "鑫源", "瑞丰", "宏远", "汇通",
                 "永信", "星河", "凌云", "嘉禾", "金桥", "新纪元", "正泰"]
CHECK_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK_CODES = "10X98765432"


def resident_id(seq: int, area: str) -> str:
    birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=seq % 14000)
    body = f"{area}{birth:%Y%m%d}{seq % 997:03d}"
    return body + CHECK_CODES[sum(int(c) * w for c, w in zip(body, CHECK_WEIGHTS, strict=True)) % 11]


def person_row(i: int, region_codes: list[str]) -> tuple:
    name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)] + GIVEN[(i // 311) % len(GIVEN)]
    code = region_codes[i % len(region_codes)]
    company = f"{COMPANY_WORDS[i % 20]}{COMPANY_WORDS[(i // 20) % 20]}通信工程有限公司{(i // 400) % 500}"
    return (name, f"{code}0105", f"139{i % 10**8:08d}", company)


def load(connection, n_regs: int) -> dict:
    """Plans, people and registrations, as fast as the database takes them."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from core.roles import Role
    from people.models import IdType
    from plans.choices import AuditStatus, ExamType
    from plans.models import ExamPlan
    from plans.rules import plan_moments
    from regions.models import Region

    regions = list(Region.objects.order_by("code"))
    central = User.objects.create_user("bench_central", "Bench@2026x", role=Role.CENTRAL)
    regional = User.objects.create_user("bench_bj", "Bench@2026x", role=Role.REGIONAL,
                                        region=next(r for r in regions if r.code == "11"))
    types = list(ExamType.values)
    plans = []
    for region in regions:
        for year in (2023, 2024, 2025, 2026):
            for k in range(8):
                exam_date = datetime.date(year, 1 + k, 10 + (int(region.code) % 15))
                starts, ends, end_time = plan_moments(exam_date, datetime.time(9, 0), 120)
                plans.append(ExamPlan(
                    batch_no=f"{region.code}{year % 100:02d}{k + 1:03d}", region=region,
                    exam_type=types[(k + int(region.code)) % 3], exam_date=exam_date,
                    start_time=datetime.time(9, 0), end_time=end_time, duration_minutes=120, starts_at=starts,
                    ends_at=ends, audit_status=AuditStatus.APPROVED, applicant=central, last_candidate_seq=0,
                ))
    ExamPlan.objects.bulk_create(plans, batch_size=500)
    plans = list(ExamPlan.objects.order_by("id").values_list("id", "batch_no", "region_id", "exam_type", "exam_date"))
    n_people = n_regs * 4 // 5
    id_type = IdType.objects.get(code=1).pk
    now = timezone.now()
    codes = [r.code for r in regions]
    started = time.perf_counter()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                raw = cursor.cursor
                with raw.copy("COPY people_person (id_type_id, id_number, name, created_at, updated_at) "
                              "FROM STDIN") as copy:
                    for i in range(n_people):
                        name, area, _, _ = person_row(i, codes)
                        copy.write_row((id_type, resident_id(i, area), name, now, now))
                cursor.execute("SELECT min(id) FROM people_person")
                first_person = cursor.fetchone()[0]
                with raw.copy("COPY candidates_registration (person_id, plan_id, candidate_number, personnel_type, "
                              "cert_number, phone, company_name, credit_code, region_id, exam_type, exam_year, "
                              "created_at, updated_at) FROM STDIN") as copy:
                    for i in range(n_regs):
                        plan = plans[i % len(plans)]
                        _, _, phone, company = person_row(i % n_people, codes)
                        copy.write_row((first_person + i % n_people, plan[0], f"{plan[1]}{i // len(plans) + 1:05d}",
                                        "ABC"[i % 3], "", phone, company, "91110108551385082Q", plan[2], plan[3],
                                        plan[4].year, now, now))
        else:
            from candidates.models import Registration
            from people.models import Person

            Person.objects.bulk_create(
                (Person(id_type_id=id_type, id_number=resident_id(i, row[1]), name=row[0])
                 for i, row in ((i, person_row(i, codes)) for i in range(n_people))), batch_size=5000)
            first_person = Person.objects.order_by("id").values_list("id", flat=True).first()
            Registration.objects.bulk_create(
                (Registration(person_id=first_person + i % n_people, plan_id=plans[i % len(plans)][0],
                              candidate_number=f"{plans[i % len(plans)][1]}{i // len(plans) + 1:05d}",
                              personnel_type="ABC"[i % 3], region_id=plans[i % len(plans)][2],
                              phone=person_row(i % n_people, codes)[2], company_name=person_row(i % n_people, codes)[3],
                              credit_code="91110108551385082Q",
                              exam_type=plans[i % len(plans)][3], exam_year=plans[i % len(plans)][4].year)
                 for i in range(n_regs)), batch_size=5000)
        per_plan = -(-n_regs // len(plans))
        ExamPlan.objects.update(last_candidate_seq=per_plan)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE people_person")
            cursor.execute("VACUUM ANALYZE candidates_registration")
            cursor.execute("ANALYZE plans_examplan")
        else:
            cursor.execute("ANALYZE")
    print(f"# loaded {n_people} people, {n_regs} registrations, {len(plans)} plans in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    return {"central": central, "regional": regional}


def combos(users: dict) -> list[tuple[str, object, dict]]:
    from candidates.models import Registration
    from plans.models import ExamPlan

    bj_plan = ExamPlan.objects.filter(region__code="11", exam_date__year=2025).order_by("id").first()
    gd_plan = ExamPlan.objects.filter(region__code="44", exam_date__year=2024).order_by("id").first()
    sample = Registration.objects.filter(region__code="11").select_related("person").order_by("id")[1000]
    other = Registration.objects.filter(region__code="44").select_related("person").order_by("id")[300]
    r, c = users["regional"], users["central"]
    gd = other.region_id
    return [
        ("region: no filter", r, {}),
        ("region: 姓名 (prefix)", r, {"name": sample.person.name[:2]}),
        ("region: 姓名 exact + 年份", r, {"name": sample.person.name, "exam_year": sample.exam_year}),
        ("region: 证件号码 exact", r, {"id_number": sample.person.id_number}),
        ("region: 企业名称 contains + 人员类型", r, {"company_name": sample.company_name[-8:],
                                                 "personnel_type": "B"}),
        ("region: 考试批次 + 人员类型", r, {"plan": bj_plan.pk, "personnel_type": "A"}),
        ("region: 年份 + 考试计划类型", r, {"exam_year": 2025, "exam_type": bj_plan.exam_type}),
        ("region: sort 姓名 desc", r, {"sort": "-name"}),
        ("region: sort 公司名称, 年份", r, {"sort": "company", "exam_year": 2024}),
        ("region: page 50", r, {"page": 50}),
        ("central: no filter", c, {}),
        ("central: 证件号码 exact", c, {"id_number": other.person.id_number}),
        ("central: 姓名 exact", c, {"name": other.person.name}),
        ("central: 地区 + 年份 + 考试计划类型", c, {"region": gd, "exam_year": 2024, "exam_type": gd_plan.exam_type}),
        ("central: 企业名称 contains", c, {"company_name": other.company_name[-10:]}),
        ("central: 考试批次", c, {"plan": gd_plan.pk}),
        ("central: 年份 + 人员类型", c, {"exam_year": 2026, "personnel_type": "C"}),
        ("central: sort 姓名", c, {"sort": "name"}),
        ("central: sort 考试类型 desc", c, {"sort": "-exam_type"}),
        ("central: sort 人员类型 + 地区", c, {"sort": "personnel_type", "region": gd}),
        ("central: all seven filters", c, {"name": other.person.name, "id_number": other.person.id_number[:6],
                                            "personnel_type": other.personnel_type,
                                            "company_name": other.company_name[-6:],
                                            "exam_type": other.exam_type, "exam_year": other.exam_year,
                                            "plan": other.plan_id}),
    ]


def page_sql(user, params: dict):
    """The page's filtered list (selectors.registration_list through the filter form)."""
    from django.http import QueryDict

    from candidates.forms import CandidateFilterForm

    query = QueryDict(mutable=True)
    query.update({k: v for k, v in params.items() if k != "page"})
    form = CandidateFilterForm(query, user=user)
    assert not form.invalid, form.errors
    return form.rows()


# the page's keys statement (selectors.registration_page_rows): its plan is printed
KEYS_PREFIX = ('SELECT "candidates_registration"."id" AS "pk" FROM "candidates_registration"',
               'SELECT "pk" FROM (SELECT')


def index_use(connection, sql: str, params) -> str:
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return "; ".join(sorted({row[-1] for row in cursor.fetchall() if "INDEX" in row[-1] or "SCAN" in row[-1]}))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        lines = [row[0] for row in cursor.fetchall()]
    used = []
    for line in lines:
        line = line.strip().lstrip("-> ").strip()
        for marker in ("Index Only Scan using ", "Index Scan Backward using ", "Index Scan using ",
                       "Bitmap Index Scan on ", "Seq Scan on ", "Parallel Seq Scan on "):
            if line.startswith(marker) or f" {marker}" in line:
                part = line[line.index(marker):].split("  ")[0]
                part = part.split(" (cost")[0]
                used.append(part.replace(" using ", ": ").replace(" on ", ": "))
                break
    return "; ".join(dict.fromkeys(used))


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def bench_list(connection, users: dict) -> None:
    from django.db import connection as conn
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from candidates.selectors import EXACT_COUNT_LIMIT

    clients = {}
    for key in ("regional", "central"):
        client = Client()
        client.force_login(users[key])
        clients[users[key].pk] = client
    url = reverse("candidates:list")
    all_samples, all_floor, all_cpu = [], [], []
    only = os.environ.get("BENCH_ONLY", "")  # a part of the labels: run only those combinations
    for label, user, params in combos(users):
        if only and only not in label:
            continue
        client = clients[user.pk]
        response = client.get(url, params)
        assert response.status_code == 200, (label, response.status_code)
        assert "candidate-row" in response.content.decode() or label.endswith("filters"), label
        samples, cpu = [], []
        for _ in range(REPEAT):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url, params)
            samples.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        # the page's own statements, exactly as this request sent them (session and user, the
        # filter form's selects, the count capped at EXACT_COUNT_LIMIT + 1 rows, the planner's
        # estimate when over it, the page's keys and its rows), replayed with a bare cursor
        with CaptureQueriesContext(conn) as captured:
            client.get(url, params)
        statements = [q["sql"] for q in captured.captured_queries
                      if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))]
        keys_sql = next((q for q in statements if q.startswith(KEYS_PREFIX)), None)
        count_sql = next((q for q in statements if q.startswith("SELECT COUNT(*)")), None)
        count_qs = page_sql(user, params)
        total = count_qs.count()
        estimated = total > EXACT_COUNT_LIMIT and conn.vendor == "postgresql"
        floor = []
        with conn.cursor() as cursor:
            for _ in range(REPEAT):
                start = time.perf_counter()
                for sql in statements:
                    cursor.execute(sql)
                    cursor.fetchall()
                floor.append((time.perf_counter() - start) * 1000)
        all_samples += samples
        all_floor += floor
        all_cpu += cpu
        _common.report(f"list page p95 [{label}]", p95(samples), "ms", p95(floor))
        shown = "estimated on the page" if estimated else "exact on the page"
        print(f"    median {statistics.median(samples):.1f} ms (SQL {statistics.median(floor):.1f} ms), this process's "
              f"CPU {statistics.median(cpu):.1f} ms a page")
        print(f"    rows: {total} ({shown}); {len(statements)} statements; "
              f"keys plan: {index_use(conn, keys_sql, None) if keys_sql else '-'}")
        print(f"    count plan: {index_use(conn, count_sql, None) if count_sql else '-'}", flush=True)
    _common.report("list page p95 [all combinations]", p95(all_samples), "ms", p95(all_floor))
    print(f"    max of all samples: {max(all_samples):.1f} ms; median {statistics.median(all_samples):.1f} ms",
          flush=True)
    # the Python side alone (this process's CPU time: the test client, middleware, form, ORM and
    # template; not the database's work), which a loaded machine inflates far less than wall time
    _common.report("list page CPU median [all combinations]", statistics.median(all_cpu), "ms",
                   statistics.median(all_floor))
    print("    floor above: the median of the page's SQL alone (wall time)", flush=True)


def bench_export(connection, users: dict) -> None:
    import xlsxwriter

    from candidates.exports import HEADERS, row_transformer, write_registrations, write_xlsx
    from candidates.selectors import registration_export_values, registration_list

    user = users["central"]
    qs = registration_export_values(registration_list(filters={"exam_year": 2025}, fetched_by=user))[:EXPORT_ROWS]

    def ours(out):
        return write_registrations(out, qs, full=False)

    # time (no tracing: tracemalloc slows Python down)
    times = []
    for _ in range(3):
        with tempfile.TemporaryFile() as out:
            start = time.perf_counter()
            rows = ours(out)
            times.append(time.perf_counter() - start)
            size = out.tell()
    # peak memory of the same export, traced
    tracemalloc.start()
    with tempfile.TemporaryFile() as out:
        ours(out)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    data = list(qs)
    transform = row_transformer(full=False)
    cells = [transform(r) for r in data]

    def bare_xlsxwriter():
        with tempfile.TemporaryDirectory() as tmp:
            workbook = xlsxwriter.Workbook(os.path.join(tmp, "f.xlsx"), {"constant_memory": True})
            sheet = workbook.add_worksheet()
            sheet.write_row(0, 0, HEADERS)
            for r, row in enumerate(cells, start=1):
                for c, value in enumerate(row):
                    sheet.write_string(r, c, value)
            workbook.close()

    def bare_ours():
        write_xlsx(io.BytesIO(), data, transform=transform)

    def fetch_only():
        for _ in qs.iterator(chunk_size=5000):
            pass

    floor_xw = _common.best_of(bare_xlsxwriter, repeat=1)
    floor_ours = _common.best_of(bare_ours, repeat=3)
    floor_fetch = _common.best_of(fetch_only, repeat=3)
    best = min(times)
    print(f"# export: {rows} rows, {size / 1e6:.1f} MB file", flush=True)
    _common.report(f"export {rows} rows to xlsx (DB + write)", best, "s", floor_xw)
    print("    floor above: the same rows, already in memory, written with bare xlsxwriter (constant_memory)")
    _common.report(f"export {rows} rows to xlsx (DB + write), vs our writer alone", best, "s", floor_ours)
    print("    floor above: our writer (with the masking and labels) over the same rows already in memory")
    _common.report(f"export {rows} rows to xlsx (DB + write), vs the fetch alone", best, "s", floor_fetch)
    print("    floor above: iterating the same query (server-side cursor, 5,000 rows a fetch), nothing written")
    tracemalloc.start()
    bare_ours()
    _, peak_floor = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    _common.report(f"export {rows} rows peak memory (tracemalloc)", peak / 1e6, "MB", peak_floor / 1e6)
    print("    floor above: our writer alone over the rows already in memory (peak of the writing only)")


def main():
    keep = os.environ.get("BENCH_KEEPDB") == "1"
    if keep:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
        os.environ.setdefault("JOBS_EAGER_MODE", "inline")
        import django

        django.setup()
        from django.db import connection
        from django.test.utils import setup_test_environment

        setup_test_environment()
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True, serialize=False)
    else:
        connection = _common.setup()
    try:
        from accounts.models import User
        from candidates.models import Registration

        n = PG_ROWS if connection.vendor == "postgresql" else SQLITE_ROWS
        if connection.vendor != "postgresql":
            print(f"# SQLite: {n} registrations (the 1,000,000-row figures are PostgreSQL's)", flush=True)
        if keep and Registration.objects.count() >= n:
            users = {"central": User.objects.get(username="bench_central"),
                     "regional": User.objects.get(username="bench_bj")}
        else:
            users = load(connection, n)
        parts = os.environ.get("BENCH_PARTS", "list,export").split(",")
        if "list" in parts:
            bench_list(connection, users)
        if "export" in parts:
            bench_export(connection, users)
    finally:
        if not keep:
            _common.teardown(connection)


if __name__ == "__main__":
    main()
