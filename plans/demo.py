"""Demo exam plans for 北京 (11), 广东 (44) and 上海 (31): every audit status (未审核, 审核通过,
审核不通过, a rejected plan modified back to 未审核, an approved plan central modified with a
reason) and every time phase (可导入, 名单已锁定, 考试中, 待核查).

Created through plans.services so that batch numbers and the audit trail are real. Plans in the
past are added with the services' `now` set to a moment when the 48-hour rule held (the same
code path the tests use). Only an "考试中" plan at an hour when no exam could start and end on
the same day is written directly, with times computed by plans.rules.plan_moments.
Idempotent: a region that already has plans is left alone."""

import datetime

from django.utils import timezone

from accounts.models import User
from core.errors import ApplicationError
from core.roles import Role
from regions.models import Region

from .choices import AuditStatus, ExamType
from .models import ExamPlan
from .rules import plan_moments
from .selectors import duration_for
from .services import (
    plan_approve,
    plan_create,
    plan_reject,
    plan_update,
    plan_update_by_central,
)

DEMO_REGIONS = ["11", "44", "31"]


def _local_floor(moment: datetime.datetime, minutes: int) -> datetime.datetime:
    local = timezone.localtime(moment).replace(second=0, microsecond=0)
    return local - datetime.timedelta(minutes=local.minute % minutes)


def _add(admin, *, at: datetime.datetime, exam_type: str, status: str, central, note: str = "") -> ExamPlan:
    """Add (and review) a plan starting at `at`, as if it had been added five days before."""
    local = timezone.localtime(at)
    added = min(timezone.now(), at - datetime.timedelta(days=5))
    plan = plan_create(exam_type=exam_type, exam_date=local.date(), start_time=local.time(), acting_user=admin,
                       now=added)
    if status == AuditStatus.APPROVED:
        plan = plan_approve(plan=plan, seen_version=plan.version, note=note, acting_user=central, now=added)
    elif status == AuditStatus.REJECTED:
        plan = plan_reject(plan=plan, seen_version=plan.version, note=note, acting_user=central, now=added)
    return plan


def _add_in_progress(admin, central) -> ExamPlan:
    now = timezone.now()
    start = _local_floor(now - datetime.timedelta(minutes=20), 5)
    try:
        return _add(admin, at=start, exam_type=ExamType.CONTINUING_ONLINE, status=AuditStatus.APPROVED,
                    central=central, note="同意")
    except ApplicationError:
        # Around midnight no 90-minute exam both has started and ends today: write it directly.
        from .services import _next_batch_no

        minutes = duration_for(ExamType.CONTINUING_ONLINE)
        starts_at, ends_at, end_time = plan_moments(start.date(), start.time(), minutes)
        return ExamPlan.objects.create(
            batch_no=_next_batch_no(region=admin.region, year=start.year), region=admin.region,
            exam_type=ExamType.CONTINUING_ONLINE, exam_date=start.date(), start_time=start.time(), end_time=end_time,
            duration_minutes=minutes, starts_at=starts_at, ends_at=ends_at, audit_status=AuditStatus.APPROVED,
            reviewer=central, reviewed_at=now, review_note="同意", applicant=admin,
        )


def _region_plans(admin, central, offset: int) -> list[ExamPlan]:
    now = timezone.now()
    today = timezone.localdate()
    tz = timezone.get_current_timezone()

    def day(days: int, hour: int, minute: int = 0) -> datetime.datetime:
        return datetime.datetime.combine(today + datetime.timedelta(days=days + offset), datetime.time(hour, minute),
                                         tzinfo=tz)

    plans = [
        # 可导入: approved, more than 48 hours ahead (the candidates demo imports into these)
        _add(admin, at=day(14, 9), exam_type=ExamType.NEW_ONLINE, status=AuditStatus.APPROVED, central=central,
             note="同意"),
        _add(admin, at=day(21, 15), exam_type=ExamType.CONTINUING_ONLINE, status=AuditStatus.APPROVED,
             central=central),
        _add(admin, at=day(18, 9, 30), exam_type=ExamType.NEW_OFFLINE, status=AuditStatus.APPROVED, central=central),
        # 未审核 and 审核不通过
        _add(admin, at=day(30, 9), exam_type=ExamType.NEW_OFFLINE, status=AuditStatus.PENDING, central=central),
        _add(admin, at=day(25, 14), exam_type=ExamType.NEW_ONLINE, status=AuditStatus.REJECTED, central=central,
             note="考试日期与当地节假日冲突，请调整"),
    ]
    # rejected, then modified by the region: back to 未审核
    resubmitted = _add(admin, at=day(26, 9), exam_type=ExamType.NEW_ONLINE, status=AuditStatus.REJECTED,
                       central=central, note="上午考点已被占用，请改为下午")
    plans.append(plan_update(plan=resubmitted, exam_type=resubmitted.exam_type, exam_date=resubmitted.exam_date,
                             start_time=datetime.time(14, 0), seen_version=resubmitted.version, acting_user=admin))
    # approved, then changed by central with a reason
    changed = plans[1]
    plans[1] = plan_update_by_central(plan=changed, exam_type=changed.exam_type, exam_date=changed.exam_date,
                                      start_time=datetime.time(14, 30), reason="管局来函：考点下午开放，申请调整开始时间",
                                      seen_version=changed.version, acting_user=central)
    # 名单已锁定: approved, starts within 48 hours
    locked = _local_floor(now + datetime.timedelta(hours=26), 60)
    if locked.hour > 20 or locked.hour < 8:
        locked = locked.replace(hour=9) + datetime.timedelta(days=1 if locked.hour > 20 else 0)
    plans.append(_add(admin, at=locked, exam_type=ExamType.NEW_ONLINE, status=AuditStatus.APPROVED, central=central))
    # 考试中
    plans.append(_add_in_progress(admin, central))
    # 待核查: ended
    plans.append(_add(admin, at=day(-3 - offset, 9), exam_type=ExamType.NEW_ONLINE, status=AuditStatus.APPROVED,
                      central=central))
    return plans


def load(out) -> list[str]:
    central = (User.objects.filter(role=Role.CENTRAL, is_active=True, username="center").first()
               or User.objects.filter(role=Role.CENTRAL, is_active=True).order_by("pk").first())
    if central is None:
        return ["考核计划：没有部中心账号，未创建演示计划"]
    made = []
    for offset, code in enumerate(DEMO_REGIONS):
        region = Region.objects.get(code=code)
        admin = User.objects.filter(role=Role.REGIONAL, region=region, is_active=True).first()
        if admin is None or ExamPlan.all_objects.filter(region=region).exists():
            continue
        made.append(f"{region.name} {len(_region_plans(admin, central, offset))} 个")
    if not made:
        return ["考核计划：演示计划已存在（北京、广东、上海），未重复创建"]
    return [f"考核计划：已创建演示计划（{'，'.join(made)}），覆盖 未审核/审核通过/审核不通过 与 可导入/名单已锁定/考试中/待核查"]
