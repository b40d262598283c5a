from django.db import models


class AttemptState(models.TextChoices):
    """考试状态 of one attempt (issue 14 §3). One attempt per registration."""

    NOT_STARTED = "not_started", "未开始"
    IN_PROGRESS = "in_progress", "进行中"
    SUBMITTED = "submitted", "已交卷"
    GRADED = "graded", "已评分"
    ABSENT = "absent", "缺考"
    VOID = "void", "作废"


# The legal moves; anything else is refused by exams.services.attempt_transition.
TRANSITIONS = {
    AttemptState.NOT_STARTED: {AttemptState.IN_PROGRESS, AttemptState.ABSENT, AttemptState.VOID},
    AttemptState.IN_PROGRESS: {AttemptState.SUBMITTED, AttemptState.VOID},
    AttemptState.SUBMITTED: {AttemptState.GRADED, AttemptState.VOID},
    AttemptState.GRADED: {AttemptState.VOID},
    AttemptState.ABSENT: set(),
    AttemptState.VOID: set(),
}

OPEN_STATES = (AttemptState.NOT_STARTED, AttemptState.IN_PROGRESS)


class TransitionCause(models.TextChoices):
    START = "start", "考生进入考试"
    SUBMIT = "submit", "考生交卷"
    DEADLINE = "deadline", "考试时间到，系统自动交卷"
    GRADE = "grade", "系统自动评分"
    ABSENT = "absent", "考试结束仍未进入（缺考）"
    VOID = "void", "作废"
    # 新取证(线下): the answer card scanned and imported (answercards), or none by the close of scanning
    CARD = "card", "答题卡扫描结果导入"
    CARD_ABSENT = "card_absent", "扫描结束时没有答题卡（缺考）"


class SaveOutcome(models.TextChoices):
    """What became of one received answer (the answer log keeps every one)."""

    ACCEPTED = "accepted", "已保存"
    STALE = "stale", "较早的保存，未覆盖较新的答案"
    DUPLICATE = "duplicate", "重复提交，已保存过"
    LATE = "late", "超过交卷时间，未保存"
    CLOSED = "closed", "考试已结束，未保存"
    TAKEN_OVER = "taken_over", "考试已在其他页面打开，未保存"


# Defaults central may change per 考核类型 (exams.models.EntryRule).
DEFAULT_LATE_ENTRY_MINUTES = 30
DEFAULT_GRACE_SECONDS = 60
# The page re-syncs the server's remaining time at least this often (issue 14 §4).
CLOCK_SYNC_SECONDS = 30
# Answers are sent at most this long after they are given.
SAVE_DEBOUNCE_MS = 1500
