"""Date rules of a penalty (黑名单, SPEC.md §7): the default end of a penalty and the plausible
bounds of a period, shared by the services (adding and changing an entry), the entry form's
script (entry_form.js proposes the same default end) and the tests. Pure functions of dates;
`today` is Asia/Shanghai's."""

import calendar
import datetime

from django.utils import timezone

from core.errors import ApplicationError

# Plausibility bounds for a penalty period (a typo such as 2205 is refused, not stored).
EARLIEST_START = datetime.date(2000, 1, 1)
LONGEST_PENALTY_YEARS = 20
# A penalty decided now starts now or soon; a start further than this is a typo (2205 for 2025).
LATEST_START_DAYS_AHEAD = 366


def add_months(start: datetime.date, months: int) -> datetime.date:
    """start + months, clamped to the month's last day (2026-01-31 + 1 month = 2026-02-28)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def penalty_default_end(start: datetime.date, months: int) -> datetime.date:
    """The default last day of a penalty of `months` starting on `start` (both days inclusive):
    the day before the same day `months` later, so 12 months from 2026-03-01 run through
    2027-02-28 and nothing is blocked on 2027-03-01. When that day does not exist (31st, 29 Feb)
    the anniversary is the 1st of the following month, so the period ends on the month's last
    day: 1 month from 2026-01-31 runs through 2026-02-28, 12 months from 2024-02-29 through
    2025-02-28. A consequence of SPEC.md §7 (derived dates, no scheduled job)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    if start.day > last_day:
        return datetime.date(year, month, last_day)
    return datetime.date(year, month, start.day) - datetime.timedelta(days=1)


def check_penalty_start(start: datetime.date) -> None:
    """A penalty starts no earlier than EARLIEST_START and at most LATEST_START_DAYS_AHEAD days
    from today (a later start is a typo, 2205 for 2025)."""
    if start < EARLIEST_START:
        raise ApplicationError(f"处罚开始日期不能早于 {EARLIEST_START:%Y-%m-%d}", field="penalty_start")
    latest = timezone.localdate() + datetime.timedelta(days=LATEST_START_DAYS_AHEAD)
    if start > latest:
        raise ApplicationError(f"处罚开始日期不能晚于 {latest:%Y-%m-%d}，请检查年份", field="penalty_start")


def check_penalty_period(start: datetime.date, end: datetime.date) -> None:
    """A plausible period: its start (check_penalty_start), an end not before it and at most
    LONGEST_PENALTY_YEARS after it."""
    check_penalty_start(start)
    if end < start:
        raise ApplicationError(
            f"处罚截止日期（{end:%Y-%m-%d}）不能早于开始日期（{start:%Y-%m-%d}）", field="penalty_end"
        )
    if end > add_months(start, 12 * LONGEST_PENALTY_YEARS):
        raise ApplicationError(f"处罚期限不能超过 {LONGEST_PENALTY_YEARS} 年，请核对截止日期", field="penalty_end")
