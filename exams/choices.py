from django.db import models


class AttemptState(models.TextChoices):
    """考试状态 of one attempt (docs/decisions.md#attempt-states). One attempt per registration."""

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
# The page re-syncs the server's remaining time at least this often (docs/decisions.md#exam-clock).
CLOCK_SYNC_SECONDS = 30
# Answers are sent at most this long after they are given.
SAVE_DEBOUNCE_MS = 1500


# ---------------------------------------------------------------- 考前测试 (docs/decisions.md#pretest)


class PretestStatus(models.TextChoices):
    """The whole 考前测试 of one registration, as the administrators' list shows it."""

    NOT_TAKEN = "not_taken", "未参加"
    FAILED = "failed", "未通过"  # taken, but not every part passed yet
    PASSED = "passed", "已通过"


class InfoStatus(models.TextChoices):
    """信息准确性测试: the candidate confirms the imported details or reports what is wrong."""

    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已确认无误"
    REPORTED = "reported", "已报告有误，待管局处理"
    RESOLVED = "resolved", "管局已处理，待考生重新确认"


class InfoResolution(models.TextChoices):
    CORRECTED = "corrected", "已更正考生信息"
    VERIFIED = "verified", "经核实信息无误"


# The imported details a candidate checks (name, label); a report names some of them.
INFO_FIELDS = [
    ("name", "姓名"), ("id_type", "证件类型"), ("id_number", "证件号码"), ("personnel_type", "人员类型"),
    ("company_name", "企业名称"), ("credit_code", "统一社会信用代码"), ("phone", "手机号码"),
    ("cert_number", "证书编号"), ("cert_expiry", "证书到期日期"),
]
INFO_FIELD_LABELS = dict(INFO_FIELDS)

# 终端可用性测试. Browsers: Chrome or Firefox (a 2021 provincial notice), at least the last
# versions that run on Windows 7, which many enterprise computers still use (Chrome 109, Firefox
# ESR 115); Chromium-based browsers that are not Chrome (Edge, Opera, 360 with its own token) are
# refused by name.
SUPPORTED_BROWSERS = {"chrome": ("Chrome", 109), "firefox": ("Firefox", 115)}
# the clock may be off by this much (the exam uses the server's time, but a computer whose clock
# is minutes off also fails HTTPS certificate checks and stamps answers confusingly)
MAX_CLOCK_OFFSET_MS = 120_000
# median round trip of the pings: above it, saving answers and syncing the clock lag visibly
MAX_RTT_MS = 1_000
PING_COUNT = 5
# a remotely proctored plan (继续教育(线上)) needs a camera that delivers moving frames
CAMERA_MIN_FRAMES = 3
# at most this many device checks per registration (each a row with its measurements)
MAX_DEVICE_CHECKS = 30

# The practice paper (练习卷): drawn from the 演示题库 (questions marked is_demo), graded by the
# exam's grader but never a score: (题型, questions, points each).
PRACTICE_SECTIONS = [("single", 5, "10"), ("multiple", 3, "10"), ("judge", 2, "10")]
