"""Per-candidate evidence of the violation check, as pure functions over plain data (no ORM), so
the background computation, the evidence page and the tests share them.

* Answer timing: the time a candidate spent on a question is the time from their previous
  answer event (any question; the exam's start for the first) to their first answer to it.
  Faster than readable: below max(MIN_READ_SECONDS, characters / READ_CHARS_PER_SECOND), the
  characters being the stem and every option (review.choices).
* Shared IP addresses: the addresses the answers came from (AnswerLog.ip), grouped.
* 监考异常: the proctoring record's anomaly counts against the limits of review.choices.
* Suspicion: the number the review queue sorts by.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass

from .choices import (
    CLIENT_STAMP_TOLERANCE_SECONDS,
    FAST_MIN_COUNT,
    FAST_MIN_SHARE,
    MIN_READ_SECONDS,
    PROCTOR_LEAVE_MIN,
    PROCTOR_MULTIPLE_FACES_MIN,
    PROCTOR_NO_FACE_MIN,
    READ_CHARS_PER_SECOND,
)

KIND_LABELS = {
    "timing_follow": "紧随他人作答相同答案",
    "answer_agreement": "相同答案过多",
    "answer_agreement_gbt": "相同答案过多（GBT）",
    "identical_wrong": "相同错误答案过多",
    "shared_fast_correct": "共同快速答对",
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def question_chars(stem: str, options: Iterable[str]) -> int:
    """Characters a candidate must read for a question: its stem and every option."""
    return len(stem or "") + sum(len(o or "") for o in options)


def read_limit(chars: int) -> float:
    """The least time in seconds in which a question of `chars` characters can be read."""
    return max(MIN_READ_SECONDS, chars / READ_CHARS_PER_SECOND)


def event_time(server_at: datetime.datetime, client_at: datetime.datetime | None) -> datetime.datetime:
    """When an answer was given: the page's stamp (its estimate of the server's clock, so several
    answers sent in one save keep their own moments) when it lies within the tolerance of the
    server's receipt, else the receipt (a wrong clock or a forged stamp is not believed)."""
    if client_at is None:
        return server_at
    if abs((server_at - client_at).total_seconds()) > CLIENT_STAMP_TOLERANCE_SECONDS:
        return server_at
    return client_at


def answer_times(events: Iterable[tuple[int, datetime.datetime]], started_at: datetime.datetime | None
                 ) -> dict[int, float]:
    """{position: seconds spent before its first answer}: events are (position, moment) of the
    accepted answers, any order. The gap is to the previous event of any position (a change of an
    earlier answer is time spent too), or to the start for the first; never negative."""
    ordered = sorted(events, key=lambda e: e[1])
    times: dict[int, float] = {}
    previous = started_at
    for position, moment in ordered:
        if position not in times:
            gap = (moment - previous).total_seconds() if previous is not None else math.nan
            times[position] = max(0.0, gap) if not math.isnan(gap) else math.nan
        previous = moment if previous is None else max(previous, moment)
    return times


@dataclass(frozen=True)
class QuestionTiming:
    position: int
    seconds: float  # nan when unknown (no start time)
    chars: int
    limit: float

    @property
    def fast(self) -> bool:
        return not math.isnan(self.seconds) and self.seconds < self.limit


def timing_report(times: dict[int, float], chars: dict[int, int]) -> list[QuestionTiming]:
    """One QuestionTiming per answered position, in position order."""
    return [QuestionTiming(position=p, seconds=times[p], chars=chars.get(p, 0), limit=read_limit(chars.get(p, 0)))
            for p in sorted(times)]


def fast_flag(fast_count: int, answered: int) -> bool:
    """作答过快: at least FAST_MIN_COUNT answers and FAST_MIN_SHARE of them faster than readable."""
    return answered > 0 and fast_count >= FAST_MIN_COUNT and fast_count >= FAST_MIN_SHARE * answered


def shared_ips(rows: Iterable[tuple[int, str]]) -> dict[str, set[int]]:
    """{ip: attempts} for the addresses two or more attempts of the plan answered from."""
    by_ip: dict[str, set[int]] = {}
    for attempt_id, ip in rows:
        if ip:
            by_ip.setdefault(ip, set()).add(attempt_id)
    return {ip: ids for ip, ids in by_ip.items() if len(ids) > 1}


def proctoring_flag(counts) -> bool:
    """监考异常 from a proctoring.selectors.AnomalyCounts (the limits in review.choices)."""
    return (counts.multiple_faces >= PROCTOR_MULTIPLE_FACES_MIN or counts.no_face >= PROCTOR_NO_FACE_MIN
            or counts.left_page >= PROCTOR_LEAVE_MIN)


def suspicion(*, flag_similar: bool, min_p_family: float | None, flag_fast: bool, fast_share: float,
              flag_shared_ip: bool, shared_ip_with: int, flag_proctoring: bool = False) -> float:
    """The queue's order: flagged similarity first (by how far below the family-wise 0.05 the
    strongest pair lies), then answering faster than readable, then the proctoring record's anomalies, then a shared address (a small
    group above a big one: a whole office behind one address says less). Each flag adds its own
    band, so a candidate with two kinds of flags comes before one with one."""
    score = 0.0
    if flag_similar:
        strength = -math.log10(max(min_p_family or 1.0, 1e-300))
        score += 100.0 + min(strength, 99.0)
    elif min_p_family is not None:
        score += min(-math.log10(max(min_p_family, 1e-300)), 9.0)  # ranked only
    if flag_fast:
        score += 50.0 + 40.0 * min(fast_share, 1.0)
    if flag_shared_ip:
        score += 20.0 + 10.0 / max(shared_ip_with, 1)
    if flag_proctoring:
        score += 40.0
    return round(score, 3)
