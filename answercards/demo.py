"""Demo answer-card exam (docs/decisions.md#card-demo): a 新取证(线下) plan of 北京 held yesterday 09:00–11:00, its
rooms and paper versions generated before its start (through answercards.services), and a
sample scanner result file written to var/demo/ for the 管局 (or central) to import on the
plan's 答题卡考试 page after `make run`. The file has a card for all but two candidates (they
become 缺考 when central closes the scanning), a realistic spread of right, wrong and blank
answers, and two rows that fail on purpose (a wrong version, a missing answer), so the error
report can be downloaded, fixed and uploaded again.

The roster of a past plan cannot go through the import (it froze 48 hours before the start), so,
as in exams.demo, registrations are written directly with their 考生编号 from the plan's counter
and an audit row; contact details are copied from the person's registration in another demo plan.
Idempotent: the plan is made once (found again by its review note); the file is rewritten when
missing."""

import csv
import datetime
import io
import random

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from audit.actions import Action
from audit.services import audit_record
from candidates.models import Registration
from core.roles import Role
from plans.choices import AuditStatus, ExamType
from plans.models import ExamPlan
from plans.rules import plan_moments
from plans.services import duration_for
from regions.models import Region

from .answers import compact, slots_of
from .models import Seat
from .services import rooms_generate

NOTE = "演示答题卡考试"
CANDIDATES = 24
ROOM_SIZE = 8


def _plan(region, central, admin) -> ExamPlan:
    from plans.services import _next_batch_no

    day = timezone.localdate() - datetime.timedelta(days=1)
    minutes = duration_for(ExamType.NEW_OFFLINE)
    starts_at, ends_at, end_time = plan_moments(day, datetime.time(9, 0), minutes)
    plan = ExamPlan.objects.create(
        batch_no=_next_batch_no(region=region, year=day.year), region=region, exam_type=ExamType.NEW_OFFLINE,
        exam_date=day, start_time=datetime.time(9, 0), end_time=end_time, duration_minutes=minutes,
        starts_at=starts_at, ends_at=ends_at, audit_status=AuditStatus.APPROVED, reviewer=central,
        reviewed_at=starts_at - datetime.timedelta(days=10), review_note=NOTE, applicant=admin)
    audit_record(actor=central, action=Action.PLAN_CREATE, obj=plan, message="演示答题卡考试（新取证(线下)），昨日举行")
    return plan


def _register(plan, people) -> None:
    from candidates.services import _next_candidate_number

    for i, person in enumerate(people):
        source = person.registrations.exclude(plan=plan).order_by("pk").first()
        registration = Registration.objects.create(
            person=person, plan=plan, personnel_type="ABC"[i % 3], region=plan.region, exam_type=plan.exam_type,
            exam_year=plan.exam_date.year, candidate_number=_next_candidate_number(plan),
            phone=source.phone if source else "", company_name=source.company_name if source else "",
            credit_code=source.credit_code if source else "")
        audit_record(actor=None, action=Action.REGISTRATION_CREATE, obj=registration, message="演示答题卡考试报名")


def sample_path(plan):
    return settings.VAR_DIR / "demo" / f"答题卡扫描结果_{plan.batch_no}.csv"


def sample_rows(plan, *, seed: int = 16) -> list[list[str]]:
    """考生编号, 试卷版本, 作答 of every seated candidate but the last two, as a scanner would
    export them; two rows are wrong on purpose (see the module docstring)."""
    from papers.selectors import answer_key, paper_for_registration

    rng = random.Random(seed)
    seats = list(Seat.objects.filter(plan=plan).select_related("registration").order_by("registration__candidate_number"))
    rows = []
    for index, seat in enumerate(seats[:-2]):
        paper = paper_for_registration(seat.registration)
        ability = 0.45 + 0.5 * rng.random()
        answers = []
        for entry in answer_key(paper):
            letters = "ABCDEFGH"[:len(entry.permutation)]
            roll = rng.random()
            if roll < 0.03:
                answers.append("")
            elif roll < 0.03 + ability:
                answers.append(entry.displayed)
            elif entry.qtype == "multiple":
                answers.append(entry.displayed[:-1] or letters[0])
            else:
                answers.append(rng.choice([ch for ch in letters if ch != entry.displayed]))
        text = compact(answers, slots_of(paper))
        version = seat.version
        if index == 3:
            version = "B" if version == "A" else "A"  # the wrong version (not the one handed out)
        if index == 7:
            text = text[:-1]  # one answer missing
        rows.append([seat.registration.candidate_number, version, text])
    return rows


def write_sample(plan) -> str:
    path = sample_path(plan)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["考生编号", "试卷版本", "作答"])
    writer.writerows(sample_rows(plan))
    path.write_bytes(out.getvalue().encode("utf-8-sig"))  # Excel's “CSV UTF-8”
    return str(path)


def load(out) -> list[str]:
    from candidates.demo import _demo_candidate
    from people.models import Person

    central = User.objects.filter(role=Role.CENTRAL, is_active=True).order_by("pk").first()
    region = Region.objects.get(code="11")
    admin = User.objects.filter(role=Role.REGIONAL, region=region, is_active=True).order_by("pk").first()
    if central is None or admin is None:
        return []
    plan = ExamPlan.objects.filter(region=region, exam_type=ExamType.NEW_OFFLINE, review_note=NOTE).first()
    if plan is None:
        people = list(Person.objects.filter(registrations__plan__region=region).distinct().order_by("pk")[:CANDIDATES])
        demo = _demo_candidate()
        if demo is not None and demo not in people:
            people[-1:] = [demo]
        if len(people) < 3:
            return []
        plan = _plan(region, central, admin)
        _register(plan, people)
        try:
            rooms_generate(plan=plan, room_size=ROOM_SIZE, version_count=2, site="北京市通信管理局考点（海淀区）",
                           acting_user=admin, now=plan.starts_at - datetime.timedelta(hours=20))
        except Exception as exc:  # a bank without 新取证(线下) rules: the plan stays, without rooms
            out.write(f"answercards demo: {plan.batch_no}: {getattr(exc, 'message', exc)}\n")
            return []
    if not Seat.objects.filter(plan=plan).exists():
        return []
    path = sample_path(plan)
    if not path.exists():
        write_sample(plan)
    rooms = Seat.objects.filter(plan=plan).values("room").distinct().count()
    try:
        shown = path.relative_to(settings.BASE_DIR)
    except ValueError:
        shown = path
    return [f"答题卡考试（新取证(线下)）：批次 {plan.batch_no}（{plan.exam_date:%Y-%m-%d} 已考），{rooms} 个考场；"
            f"扫描结果示例文件 {shown}，{region.name}管局在“答题卡考试”中导入（有 2 行故意出错）"]
