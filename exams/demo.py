"""Demo exams that can be sat at once (docs/decisions.md#demo-exams): for each online mode (继续教育(线上) and
新取证(线上)) a plan of 北京 that started a minute ago, with the demo candidate and a few other
demo people registered and their papers drawn. A roster is frozen 48 hours before the start,
so these registrations cannot go through the import: they are written directly (with their
考生编号 from the plan's counter and an audit row), the papers through papers.services.
Idempotent in the sense that matters: a new plan is added only when the demo candidate has no
exam of that mode open for entry right now (a `make run` later in the day gets a fresh one).

考前测试 (docs/decisions.md#pretest): the demo candidate's upcoming online exams (imported by candidates.demo)
have theirs open; a few other candidates of 北京's upcoming 继续教育(线上) plan get results written
directly (they have no accounts to take it themselves): passed, a failed device check, and an
open report of a wrong phone number, so the 管局's 考前测试 pages and a candidate page show each."""

import datetime

from django.utils import timezone

from accounts.models import User
from audit.actions import Action
from audit.services import audit_record
from candidates.models import Registration
from core.roles import Role
from plans.choices import AuditStatus, ExamType
from plans.models import ExamPlan
from plans.rules import plan_moments
from plans.selectors import duration_for
from regions.models import Region

from .choices import AttemptState
from .models import Attempt
from .services import entry_closes_at, entry_code_for

OTHERS = 5


def _open_for_entry(person, exam_type, now) -> Registration | None:
    for reg in Registration.objects.filter(person=person, exam_type=exam_type, plan__starts_at__lte=now,
                                           plan__ends_at__gt=now).select_related("plan"):
        attempt = Attempt.objects.filter(registration=reg).first()
        if entry_closes_at(reg.plan) >= now and (attempt is None or attempt.state in (
                AttemptState.NOT_STARTED, AttemptState.IN_PROGRESS)):
            return reg
    return None


def _plan(region, exam_type, *, central, admin, now) -> ExamPlan:
    from plans.services import _next_batch_no

    start = timezone.localtime(now - datetime.timedelta(minutes=1)).replace(second=0, microsecond=0)
    minutes = duration_for(exam_type)
    starts_at, ends_at, end_time = plan_moments(start.date(), start.time(), minutes)
    plan = ExamPlan.objects.create(
        batch_no=_next_batch_no(region=region, year=start.year), region=region, exam_type=exam_type,
        exam_date=start.date(), start_time=start.time(), end_time=end_time, duration_minutes=minutes,
        starts_at=starts_at, ends_at=ends_at, audit_status=AuditStatus.APPROVED, reviewer=central, reviewed_at=now,
        review_note="演示考试", applicant=admin)
    audit_record(actor=central, action=Action.PLAN_CREATE, obj=plan, message=f"演示考试（{plan.get_exam_type_display()}），立即开考")
    return plan


def _register(plan, person, personnel_type) -> Registration:
    from candidates.services import _next_candidate_number

    registration = Registration.objects.create(
        person=person, plan=plan, personnel_type=personnel_type, region=plan.region, exam_type=plan.exam_type,
        exam_year=plan.exam_date.year, candidate_number=_next_candidate_number(plan))
    audit_record(actor=None, action=Action.REGISTRATION_CREATE, obj=registration, message="演示考试报名")
    return registration


def _demo_pretests(person, now) -> list[str]:
    """Pretest results for a few other candidates of the demo candidate's upcoming 继续教育(线上)
    plan, once per plan; and the line telling where the demo candidate takes theirs."""
    from .choices import InfoStatus, PretestStatus
    from .models import DeviceCheck, Pretest
    from .pretest_services import pretest_closes_at, pretest_is_open

    upcoming = [r for r in Registration.objects.filter(person=person).select_related("plan").order_by("plan__starts_at")
                if pretest_is_open(r.plan, now)]
    if not upcoming:
        return ["考前测试：演示考生暂无开放中的考前测试（考前测试在考试开始前 48 小时截止）"]
    remote = next((r for r in upcoming if r.plan.exam_type == ExamType.CONTINUING_ONLINE), upcoming[0])
    plan = remote.plan
    if not Pretest.objects.filter(plan=plan).exclude(registration=remote).exists():
        others = list(Registration.objects.filter(plan=plan).exclude(person=person).order_by("candidate_number")[:6])
        ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
        for i, registration in enumerate(others):
            passed = i < 3
            reported = i == 3
            pretest = Pretest.objects.create(
                registration=registration, plan=plan, region=registration.region,
                status=PretestStatus.PASSED if passed else PretestStatus.FAILED, passed_at=now if passed else None,
                info_status=InfoStatus.REPORTED if reported else InfoStatus.CONFIRMED,
                info_confirmed_at=None if reported else now, info_reported_at=now if reported else None,
                info_fields=["phone"] if reported else [], info_note="手机号码应为 13800138000（演示）" if reported else "",
                device_passed=i != 4, device_checked_at=now, practice_done_at=now if i < 4 else None)
            DeviceCheck.objects.create(
                pretest=pretest, started_at=now, finished_at=now, user_agent=ua, browser="Chrome", browser_version=126,
                camera_required=True, camera_ok=i != 4, camera_frames=0 if i == 4 else 6, camera_width=640,
                camera_height=480, camera_error="未允许浏览器使用摄像头" if i == 4 else "", clock_offset_ms=120 + i * 40,
                rtt_ms=35 + i * 5, rtt_samples=[40, 35, 38, 36, 37], save_received_at=now, passed=i != 4,
                reasons=["摄像头不可用或没有画面（未允许浏览器使用摄像头）：继续教育(线上)为远程监考，须有可用的摄像头并允许浏览器使用"]
                if i == 4 else [])
        audit_record(actor=None, action=Action.PRETEST_DEMO, obj=plan, message=f"演示考前测试结果（批次 {plan.batch_no}）")
    due = timezone.localtime(pretest_closes_at(plan))
    return [f"考前测试：演示考生在“我的考核”点击“完成考前测试”（批次 {plan.batch_no}，{due:%Y-%m-%d %H:%M} 前）；"
            f"{plan.region.name}管局在“考前测试”查看每场考试的通过情况并通知未完成的考生"]


def load(out) -> list[str]:
    from candidates.demo import _demo_candidate
    from papers.services import papers_generate
    from people.models import Person

    central = User.objects.filter(role=Role.CENTRAL, is_active=True).order_by("pk").first()
    region = Region.objects.get(code="11")
    admin = User.objects.filter(role=Role.REGIONAL, region=region, is_active=True).order_by("pk").first()
    person = _demo_candidate()
    if central is None or admin is None or person is None:
        return []
    now = timezone.now()
    lines = []
    for exam_type in (ExamType.CONTINUING_ONLINE, ExamType.NEW_ONLINE):
        registration = _open_for_entry(person, exam_type, now)
        if registration is None:
            plan = _plan(region, exam_type, central=central, admin=admin, now=now)
            ptype = person.registrations.order_by("pk").values_list("personnel_type", flat=True).first() or "A"
            registration = _register(plan, person, ptype)
            others = (Person.objects.filter(registrations__plan__region=region).exclude(pk=person.pk).distinct()
                      .order_by("pk")[:OTHERS])
            for i, other in enumerate(others):
                _register(plan, other, "ABC"[i % 3])
            result = papers_generate(plan=plan, acting_user=central, now=now)
            if result.problems:
                out.write(f"exams demo: {plan.batch_no}: {'；'.join(result.problems)}\n")
        plan = registration.plan
        code = ""
        if exam_type == ExamType.NEW_ONLINE:
            code = (f"，入场码 {entry_code_for(plan=plan, acting_user=admin).code}"
                    f"（{region.name}管局在“考试监控”查看）")
        if exam_type == ExamType.CONTINUING_ONLINE:
            code = "，远程监考：进入前须在考试页面同意摄像头抓拍和考试行为记录（部中心在“考试监控”→“监考记录”查看）"
        lines.append(f"演示考试（{plan.get_exam_type_display()}）：批次 {plan.batch_no}，"
                     f"{timezone.localtime(plan.starts_at):%H:%M} 开考，{timezone.localtime(entry_closes_at(plan)):%H:%M} 前可进入{code}；"
                     f"考生登录后在“我的考核”点击“进入考试”")
    return lines + _demo_pretests(person, now)
