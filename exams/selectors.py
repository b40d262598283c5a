"""Reads of attempts. Every read of one attempt goes through attempt_close_if_overdue, so an
attempt past its deadline + grace is submitted by the first read (issue 14 §6)."""

import datetime

from django.utils import timezone

from core.scoping import get_visible_or_404

from .models import Answer, Attempt
from .services import attempt_close_if_overdue, attempt_for


def attempt_for_candidate(*, registration, now: datetime.datetime | None = None) -> Attempt:
    """The registration's attempt (created 未开始), closed first when overdue. The caller fetched
    the registration through its own scope."""
    return attempt_close_if_overdue(attempt_for(registration), now=now)


def attempt_get(*, pk: int, fetched_by, now: datetime.datetime | None = None) -> Attempt:
    """An attempt the user may see (its candidate, its region, central), else 404."""
    attempt = get_visible_or_404(Attempt.objects.select_related("plan", "registration__person"), fetched_by, pk=pk)
    return attempt_close_if_overdue(attempt, now=now)


def saved_answers(attempt: Attempt) -> dict[int, dict]:
    """{position: {"answer": displayed letters, "seq": n}} of the attempt (what a resumed page shows)."""
    return {position: {"answer": displayed, "seq": seq} for position, displayed, seq in
            Answer.objects.filter(attempt=attempt).values_list("position", "displayed", "seq")}


def remaining_seconds(attempt: Attempt, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    return max(0, int((attempt.deadline - now).total_seconds()))
