"""Time rules of a plan, shared by plans, the import and candidate management.

The guide (二(二)): candidates are imported into an approved plan until 48 hours before its
start; after that the roster is frozen for the region. Phases are derived from time, with no
scheduled job: 可导入 → 名单已锁定 → 考试中 → 待核查 → 成绩已发布."""

import datetime

from django.utils import timezone

from core.errors import ApplicationError

from .choices import IMPORT_CUTOFF_HOURS, AuditStatus


class Phase:
    IMPORTABLE = "可导入"
    LOCKED = "名单已锁定"
    IN_PROGRESS = "考试中"
    AWAITING_CHECK = "待核查"
    PUBLISHED = "成绩已发布"


def roster_cutoff(plan) -> datetime.datetime:
    """The moment the roster freezes: 48 hours before the start."""
    return plan.starts_at - datetime.timedelta(hours=IMPORT_CUTOFF_HOURS)


def roster_open(plan, now: datetime.datetime | None = None) -> bool:
    return (now or timezone.now()) < roster_cutoff(plan)


def phase(plan, now: datetime.datetime | None = None) -> str | None:
    """The phase of an approved plan; None while it is 未审核 or 审核不通过 (nothing can be imported
    into it, so "可导入" would mislead; its status says what is pending)."""
    if plan.audit_status != AuditStatus.APPROVED:
        return None
    return schedule_phase(plan, now)


def schedule_phase(plan, now: datetime.datetime | None = None) -> str:
    """Where the plan's times stand, whatever its review status (the review queue warns with it
    that approving a plan past its cutoff opens no import)."""
    now = now or timezone.now()
    if getattr(plan, "scores_published_at", None):
        return Phase.PUBLISHED
    if now < roster_cutoff(plan):
        return Phase.IMPORTABLE
    if now < plan.starts_at:
        return Phase.LOCKED
    if now < plan.ends_at:
        return Phase.IN_PROGRESS
    return Phase.AWAITING_CHECK


def assert_roster_writable(plan, now: datetime.datetime | None = None) -> None:
    """Raise unless candidates may be added to, changed in or removed from the plan now:
    the plan must be approved (审核通过) and the 48-hour cutoff not yet reached. Central is
    under the same cutoff for imports (docs/decisions.md#roster-cutoff); corrections by central after the cutoff go
    through their own service with a required reason (docs/decisions.md#roster-cutoff)."""
    if plan.audit_status != AuditStatus.APPROVED:
        raise ApplicationError("该考核计划尚未审核通过，不能导入或修改考生信息")
    if not roster_open(plan, now):
        cutoff = timezone.localtime(roster_cutoff(plan))
        raise ApplicationError(
            f"已超过导入截止时间（考核开始前 {IMPORT_CUTOFF_HOURS} 小时，即 {cutoff:%Y-%m-%d %H:%M}），考生名单已锁定"
        )


# Plans are made for the coming months; a date further away is a typo (2126 for 2026), which
# would also collide with a real year's 批次编号 (YY is the year's last two digits).
MAX_DAYS_AHEAD = 366


def check_schedule(*, exam_date: datetime.date, start_time: datetime.time, duration: int,
                   now: datetime.datetime, enforce_cutoff: bool) -> None:
    """Raise unless a plan may be scheduled so (plans.services, adding and modifying): the date
    not in the past nor more than MAX_DAYS_AHEAD days ahead; the start in the future and, unless
    central corrects (`enforce_cutoff` False), at least 48 hours away (the guide 二(二): otherwise
    no candidate could be imported); the exam ends on its own day (an end time after midnight
    would read as earlier than the start)."""
    today = timezone.localtime(now).date()
    if exam_date < today:
        raise ApplicationError(f"考核日期不能早于今天（{today:%Y-%m-%d}）", field="exam_date")
    latest = today + datetime.timedelta(days=MAX_DAYS_AHEAD)
    if exam_date > latest:
        raise ApplicationError(f"考核日期不能晚于 {latest:%Y-%m-%d}（最多提前一年安排），请检查年份", field="exam_date")
    starts_at, ends_at, _ = plan_moments(exam_date, start_time, duration)
    if starts_at <= now:
        raise ApplicationError("开始时间已过，请选择以后的时间", field="start_time")
    if enforce_cutoff and starts_at - now < datetime.timedelta(hours=IMPORT_CUTOFF_HOURS):
        earliest = timezone.localtime(now + datetime.timedelta(hours=IMPORT_CUTOFF_HOURS))
        raise ApplicationError(
            f"考核开始时间须在 {IMPORT_CUTOFF_HOURS} 小时之后（不早于 {earliest:%Y-%m-%d %H:%M}），"
            "否则将无法导入考生信息",
            field="exam_date",
        )
    if timezone.localtime(ends_at).date() != exam_date:
        latest = datetime.datetime.combine(exam_date, datetime.time(23, 59)) - datetime.timedelta(minutes=duration)
        raise ApplicationError(
            f"考试须在当天结束：该类型时长 {duration} 分钟，开始时间不能晚于 {latest:%H:%M}", field="start_time"
        )


def plan_moments(exam_date: datetime.date, start_time: datetime.time, duration_minutes: int):
    """(starts_at, ends_at, end_time) of a plan in Asia/Shanghai; 结束时间 = start + duration."""
    tz = timezone.get_default_timezone()
    starts_at = datetime.datetime.combine(exam_date, start_time, tzinfo=tz)
    ends_at = starts_at + datetime.timedelta(minutes=duration_minutes)
    return starts_at, ends_at, ends_at.astimezone(tz).time()


# The guide (二(一)): once 审核通过, the region may neither modify nor delete the plan.
APPROVED_LOCKED_MESSAGE = "已审核通过的计划不能修改，如需变更请联系部中心"


def region_may_change(plan) -> bool:
    """A region may modify or delete its plan while it is 未审核 or 审核不通过 (the guide, 二(一))."""
    return plan.audit_status != AuditStatus.APPROVED
