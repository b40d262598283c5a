"""The exam day's data, built through the same services a real deployment uses (docs/decisions.md#load-simulation):
the demo accounts, the 演示题库 and the default paper rules (accounts/, questions/, papers/
demo builders); central shortens 继续教育(线上) to the benchmark's exam length; 北京's 管局 adds a
plan three days ahead, central approves it, the 管局 imports N candidates from a generated file
(candidates.importing: the same import as the web page), the papers are drawn
(papers.services.papers_generate), and central moves the plan to today's start
(plans.services.plan_update_by_central, with its reason in the audit log).

Only the candidates' accounts are made in bulk: each would otherwise be one first-login SMS
round and one Argon2 hash (100 MB, ~0.1 s) at build time, which is not what the exam day costs.
They all get the same password hash, made once by Django's hasher; logging in on the day does
the full Argon2 check of that hash like any account.

Run by bench/load/run.py under config.settings.bench:
    python bench/load/world.py build N EXAM_MINUTES OUT.json
    python bench/load/world.py move PLAN_ID START_EPOCH"""

import datetime
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PASSWORD = "Load@2026exam"
REASON = "负载测试：考试时间调整到今天"


def _setup():
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    django.setup()


def _out():
    class Quiet:
        def write(self, text):
            pass

    return Quiet()


def build(n: int, exam_minutes: int, target: Path) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts import demo as accounts_demo
    from accounts.models import User
    from candidates.importing.choices import RunSource
    from candidates.importing.samples import sample_rows, write_xlsx
    from candidates.importing.services import import_file
    from candidates.models import Registration
    from core.roles import Role
    from exams.services import attempt_for
    from papers import demo as papers_demo
    from papers.models import Paper
    from papers.services import papers_generate
    from people.models import IdType, Person
    from plans.choices import ExamType
    from plans.models import ExamPlan
    from plans.services import exam_type_durations_set, plan_approve, plan_create
    from questions import demo as questions_demo

    started = timezone.now()
    accounts_demo.load(_out())
    central = User.objects.get(username="center")
    admin = User.objects.get(username="bj_admin")
    questions_demo.load(_out())
    papers_demo.load(_out())
    exam_type_durations_set(durations={ExamType.CONTINUING_ONLINE: exam_minutes}, acting_user=central)

    day = timezone.localdate() + datetime.timedelta(days=3)
    plan = plan_create(exam_type=ExamType.CONTINUING_ONLINE, exam_date=day, start_time=datetime.time(9, 0),
                       acting_user=admin)
    plan = plan_approve(plan=plan, seen_version=plan.version, note="负载测试", acting_user=central)
    # every build imports people of its own: a second plan in the same database gets new numbers
    offset = (ExamPlan.objects.count() - 1) * 20_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{plan.batch_no}_考生名单.xlsx"
        # one more than asked: the floor view's attempt belongs to a registration nobody sits
        write_xlsx(sample_rows(n + 1, start=offset, continuing=True), path)
        run = import_file(plan=plan, path=path, acting_user=admin, source=RunSource.CLI)
    if run.created_count != n + 1:
        raise SystemExit(f"import made {run.created_count} of {n + 1} registrations: {run.status}")
    imported = timezone.now()
    result = papers_generate(plan=plan, acting_user=central)
    if result.problems:
        raise SystemExit("papers: " + "；".join(result.problems))
    drawn = timezone.now()

    encoded = make_password(PASSWORD)
    people = list(Person.objects.filter(registrations__plan=plan, user__isnull=True).order_by("pk"))
    users = User.objects.bulk_create([
        User(username=f"p{p.pk}", role=Role.CANDIDATE, full_name=p.name, password=encoded, is_active=True,
             must_change_password=False, password_changed_at=started) for p in people], batch_size=2000)
    by_username = {u.username: u for u in users}
    for person in people:
        person.user = by_username[f"p{person.pk}"]
    Person.objects.bulk_update(people, ["user"], batch_size=2000)

    registrations = list(Registration.objects.filter(plan=plan).select_related("person").order_by("pk"))
    floor_registration = registrations.pop()
    floor_attempt = attempt_for(floor_registration)
    id_type = IdType.objects.get(code="1")
    world = {
        "plan": plan.pk, "batch_no": plan.batch_no, "exam_minutes": exam_minutes, "password": PASSWORD,
        "id_type": id_type.pk, "floor_attempt": floor_attempt.pk,
        "build_seconds": {"import": round((imported - started).total_seconds(), 1),
                          "papers": round((drawn - imported).total_seconds(), 1),
                          "total": round((timezone.now() - started).total_seconds(), 1)},
        "questions_per_paper": len(Paper.objects.filter(plan=plan).first().items),
        "examinees": [{"registration": r.pk, "id_number": r.person.id_number} for r in registrations],
    }
    target.write_text(json.dumps(world, ensure_ascii=False))
    return world


def move(plan_id: int, start_epoch: float) -> dict:
    """Central moves the plan to the benchmark's start (whole minutes, as the plan form has)."""
    from django.utils import timezone

    from accounts.models import User
    from plans.models import ExamPlan
    from plans.services import plan_update_by_central

    central = User.objects.get(username="center")
    plan = ExamPlan.objects.get(pk=plan_id)
    start = timezone.localtime(datetime.datetime.fromtimestamp(start_epoch, tz=datetime.UTC))
    plan = plan_update_by_central(plan=plan, exam_type=plan.exam_type, exam_date=start.date(),
                                  start_time=start.time().replace(second=0, microsecond=0), reason=REASON,
                                  seen_version=plan.version, acting_user=central)
    return {"starts_at": plan.starts_at.timestamp(), "ends_at": plan.ends_at.timestamp()}


if __name__ == "__main__":
    _setup()
    if sys.argv[1] == "build":
        world = build(int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]))
        print(json.dumps({k: v for k, v in world.items() if k != "examinees"}))
    elif sys.argv[1] == "move":
        print(json.dumps(move(int(sys.argv[2]), float(sys.argv[3]))))
    else:
        raise SystemExit(f"unknown command {sys.argv[1]}")
