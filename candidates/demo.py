"""Demo candidates: a generated file imported into every approved plan whose roster is still
open, through the same service as the web page (so runs, 考生编号 and the audit trail are real).
Each file has a few bad rows, so the result page shows the failures table. Idempotent: a plan
that already has a demo import is left alone."""

import tempfile
from pathlib import Path

from accounts.models import User
from core.errors import ApplicationError
from core.roles import Role
from plans.choices import AuditStatus, ExamType
from plans.models import ExamPlan
from plans.rules import roster_open

from .importing.choices import RunSource
from .importing.samples import sample_rows, write_xlsx
from .importing.services import import_file
from .models import ImportRun

ROWS_PER_PLAN = 40


def _rows(index: int, plan: ExamPlan) -> list[dict]:
    # neighbouring plans share 10 people: one person, several registrations
    rows = sample_rows(ROWS_PER_PLAN, start=index * 30, continuing=plan.exam_type == ExamType.CONTINUING_ONLINE)
    rows[3]["phone"] = "1381234567"  # 10 digits
    rows[7]["id_number"] = rows[7]["id_number"][:-1] + ("0" if rows[7]["id_number"][-1] != "0" else "1")
    rows[11]["personnel_type"] = "D"
    return rows


def load(out) -> list[str]:
    plans = ExamPlan.objects.filter(audit_status=AuditStatus.APPROVED).select_related("region").order_by("pk")
    imported = 0
    with tempfile.TemporaryDirectory() as tmp:
        for index, plan in enumerate(plans):
            if not roster_open(plan) or ImportRun.objects.filter(plan=plan, source=RunSource.DEMO).exists():
                continue
            admin = (User.objects.filter(role=Role.REGIONAL, region=plan.region, is_active=True).order_by("pk").first()
                     or User.objects.filter(role=Role.CENTRAL, is_active=True).order_by("pk").first())
            if admin is None:
                continue
            path = Path(tmp) / f"{plan.batch_no}_考生名单.xlsx"
            write_xlsx(_rows(index, plan), path)
            try:
                run = import_file(plan=plan, path=path, acting_user=admin, source=RunSource.DEMO)
            except ApplicationError as exc:
                out.write(f"candidates demo: {plan.batch_no} skipped: {exc.message}\n")
                continue
            imported += run.created_count
    total = ImportRun.objects.filter(source=RunSource.DEMO).count()
    lines = [f"考生导入：{total} 个演示导入记录（本次新增 {imported} 名考生）；命令行导入：manage.py import_candidates 批次编号 文件"]
    candidate = _demo_candidate()
    if candidate is not None:
        lines.append(f"考生登录：证件类型 {candidate.id_type.name}，证件号码 {candidate.id_number}，密码 {DEMO_CANDIDATE_PASSWORD}"
                     f"（{candidate.name}，报名 {candidate.registrations.count()} 场考试；演示数据，非真实身份）")
    return lines


DEMO_CANDIDATE_PASSWORD = "Demo@2026pass"


def _demo_candidate():
    """A person registered in more than one demo plan, with a password already set, so a newcomer
    can open 我的考核 without the first-login SMS step (which also works, via the outbox)."""
    from django.db.models import Count

    from accounts.services import candidate_account_activate
    from people.models import Person

    person = (Person.objects.filter(registrations__import_run__source=RunSource.DEMO)
              .annotate(n=Count("registrations")).filter(n__gt=1).select_related("id_type", "user")
              .order_by("pk").first())
    if person is None:
        return None
    if person.user is None:
        candidate_account_activate(person=person, new_password=DEMO_CANDIDATE_PASSWORD)
    return person
