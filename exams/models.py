"""Attempts, answers and the answer log (docs/decisions.md#exam-engine).

* `EntryRule`: per 考核类型, central's late-entry limit and the save grace (defaults 30 min, 60 s).
* `Attempt`: one per registration (the 考试状态 machine in exams.choices.TRANSITIONS), with the
  candidate's extension and the current exam session's token (a second page takes over).
* `AttemptTransition`: every move of an attempt, with its time and cause (append-only).
* `Answer`: the latest accepted answer per position, in displayed AND canonical letters, with
  the sequence number that wrote it (an older save never overwrites a newer one).
* `AnswerLog`: every answer received, kept or refused, with server and client times (append-only;
  the violation check reads it).
* `Pretest` (考前测试, docs/decisions.md#pretest): one per registration of an online plan: 信息准确性测试,
  终端可用性测试 (each run a `DeviceCheck` with its measurements) and 练习卷 (`PracticePaper`).
"""

import datetime

from django.db import models

from core.scoping import ScopedManager
from plans.choices import ExamType

from .choices import (
    DEFAULT_GRACE_SECONDS,
    DEFAULT_LATE_ENTRY_MINUTES,
    AttemptState,
    InfoResolution,
    InfoStatus,
    PretestStatus,
    SaveOutcome,
    TransitionCause,
)


class AppendOnly(models.Model):
    """Rows that are written once: an update or a delete raises (the trail must not change)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise RuntimeError(f"{self._meta.verbose_name}只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError(f"{self._meta.verbose_name}只能追加，不能删除")


class EntryRule(models.Model):
    """入场规则 per 考核类型, set by central: how long after the start a candidate may still enter
    (迟到限制), and how long after the deadline a save stamped before it is still kept."""

    exam_type = models.CharField("考核类型", max_length=32, choices=ExamType.choices, unique=True)
    late_entry_minutes = models.PositiveSmallIntegerField("开考后允许进入（分钟）", default=DEFAULT_LATE_ENTRY_MINUTES)
    grace_seconds = models.PositiveSmallIntegerField("交卷宽限（秒）", default=DEFAULT_GRACE_SECONDS)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "入场规则"

    def __str__(self) -> str:
        return f"{self.get_exam_type_display()} 开考后 {self.late_entry_minutes} 分钟内可进入"


class Attempt(models.Model):
    """考试记录: the one attempt of a registration. region copies the registration's so that a
    regional administrator's monitor scopes on one table."""

    registration = models.OneToOneField("candidates.Registration", verbose_name="考生报名", on_delete=models.PROTECT,
                                        related_name="attempt")
    plan = models.ForeignKey("plans.ExamPlan", verbose_name="考试批次", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="地区", on_delete=models.PROTECT, related_name="+")
    state = models.CharField("考试状态", max_length=16, choices=AttemptState.choices, default=AttemptState.NOT_STARTED,
                             db_index=True)
    started_at = models.DateTimeField("进入考试时间", null=True, blank=True)
    submitted_at = models.DateTimeField("交卷时间", null=True, blank=True)
    extension_minutes = models.PositiveSmallIntegerField("延长时间（分钟）", default=0)
    extension_reason = models.CharField("延长原因", max_length=200, blank=True)
    # the highest sequence number accepted so far (a new page continues after it)
    last_seq = models.PositiveBigIntegerField("最新序号", default=0)
    # the exam page that may write: opening the page again (another tab, another computer) takes over
    session_token = models.CharField("考试会话", max_length=32, blank=True)
    sessions_opened = models.PositiveIntegerField("打开考试页面次数", default=0)
    last_contact_at = models.DateTimeField("最后联系时间", null=True, blank=True)
    # 新取证(线上): entry with the room's code, or after the 管局 unlocked this candidate
    unlocked_at = models.DateTimeField("解锁时间", null=True, blank=True)
    unlocked_by = models.ForeignKey("accounts.User", verbose_name="解锁人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    entry_code_failures = models.PositiveSmallIntegerField("入场码错误次数", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedManager()
    scope_region_field = "region"
    scope_candidate_field = "registration__person__user"

    class Meta:
        verbose_name = verbose_name_plural = "考试记录"
        indexes = [models.Index(fields=["plan", "state"], name="attempt_plan_state_idx")]

    def __str__(self) -> str:
        return f"{self.registration.candidate_number} {self.get_state_display()}"

    @property
    def deadline(self) -> datetime.datetime:
        """start + duration (the plan's end) + the candidate's extension: never from when the
        candidate entered, so a late entry, a reload or another computer changes nothing."""
        return self.plan.ends_at + datetime.timedelta(minutes=self.extension_minutes)


class PlanEntryCode(models.Model):
    """入场码 of a centralized plan (新取证(线上)): the 管局 reads it on its monitor page and gives it
    to the candidates in the exam room; without it (or an unlock) a candidate cannot start."""

    plan = models.OneToOneField("plans.ExamPlan", verbose_name="考试批次", on_delete=models.PROTECT,
                                related_name="entry_code")
    code = models.CharField("入场码", max_length=6)
    created_by = models.ForeignKey("accounts.User", verbose_name="生成人", null=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    objects = ScopedManager()
    scope_region_field = "plan__region"
    scope_candidate_field = None

    class Meta:
        verbose_name = verbose_name_plural = "入场码"

    def __str__(self) -> str:
        return f"{self.plan_id}: ******"


class PlanEntryNetwork(models.Model):
    """考点网络 of a centralized plan (新取证(线上), docs/decisions.md#entry-networks): the exam site's IP ranges (CIDR),
    set by the plan's 管局 or central. When set, a candidate enters (and reopens) the exam only
    from an address inside one of them (the client IP as core.middleware.client_ip sees it,
    behind TRUSTED_PROXY_COUNT proxies). No row, or an empty list: no limit."""

    plan = models.OneToOneField("plans.ExamPlan", verbose_name="考试批次", on_delete=models.PROTECT,
                                related_name="entry_network")
    networks = models.JSONField("考点 IP 段", default=list, blank=True)
    updated_by = models.ForeignKey("accounts.User", verbose_name="设置人", null=True, on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField("设置时间", auto_now=True)

    objects = ScopedManager()
    scope_region_field = "plan__region"
    scope_candidate_field = None

    class Meta:
        verbose_name = verbose_name_plural = "考点网络"

    def __str__(self) -> str:
        return f"{self.plan_id}: {', '.join(self.networks) or '不限'}"


class AttemptTransition(AppendOnly):
    attempt = models.ForeignKey(Attempt, verbose_name="考试记录", on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField("原状态", max_length=16, choices=AttemptState.choices)
    to_state = models.CharField("新状态", max_length=16, choices=AttemptState.choices)
    cause = models.CharField("原因", max_length=16, choices=TransitionCause.choices)
    note = models.CharField("说明", max_length=200, blank=True)
    actor = models.ForeignKey("accounts.User", verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "考试状态变更"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.attempt_id} {self.from_state}→{self.to_state}"


class Answer(models.Model):
    """The latest accepted answer at one position. `displayed` is what the candidate chose in the
    letters they saw; `canonical` the same in the question version's letters (what grading and
    the similarity check read). An empty answer is a cleared choice."""

    attempt = models.ForeignKey(Attempt, verbose_name="考试记录", on_delete=models.CASCADE, related_name="answers")
    position = models.PositiveSmallIntegerField("题号")
    displayed = models.CharField("所选答案", max_length=8, blank=True)
    canonical = models.CharField("标准字母答案", max_length=8, blank=True)
    seq = models.PositiveBigIntegerField("序号")
    # the exam page (Attempt.sessions_opened when it was opened) the answer was given on: across
    # pages the later answer wins, not the higher number (exams.services._supersedes)
    session = models.PositiveIntegerField("考试页面序号", default=0)
    client_at = models.DateTimeField("客户端时间", null=True, blank=True)
    saved_at = models.DateTimeField("保存时间")

    class Meta:
        verbose_name = verbose_name_plural = "答案"
        constraints = [models.UniqueConstraint(fields=["attempt", "position"], name="answer_unique_position")]

    def __str__(self) -> str:
        return f"{self.attempt_id}#{self.position}={self.displayed}"


class AnswerLog(AppendOnly):
    """Every answer the server received, with what became of it."""

    attempt = models.ForeignKey(Attempt, verbose_name="考试记录", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField("题号")
    displayed = models.CharField("所选答案", max_length=8, blank=True)
    canonical = models.CharField("标准字母答案", max_length=8, blank=True)
    seq = models.PositiveBigIntegerField("序号")
    session = models.PositiveIntegerField("考试页面序号", default=0)
    client_at = models.DateTimeField("客户端时间", null=True, blank=True)
    server_at = models.DateTimeField("服务器时间")
    outcome = models.CharField("结果", max_length=16, choices=SaveOutcome.choices)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "答题日志"
        indexes = [models.Index(fields=["attempt", "server_at"], name="answerlog_attempt_time_idx")]

    def __str__(self) -> str:
        return f"{self.attempt_id}#{self.position} {self.seq} {self.outcome}"


# ---------------------------------------------------------------- 考前测试 (docs/decisions.md#pretest)


class Pretest(models.Model):
    """考前测试 of one registration, open from the import until 48 hours before the exam (the
    roster cutoff). `status` is derived from the three parts by exams.pretest.services and kept
    here so that a plan's list and counts are one indexed query."""

    registration = models.OneToOneField("candidates.Registration", verbose_name="考生报名", on_delete=models.CASCADE,
                                        related_name="pretest")
    plan = models.ForeignKey("plans.ExamPlan", verbose_name="考试批次", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="地区", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("考前测试", max_length=16, choices=PretestStatus.choices,
                              default=PretestStatus.NOT_TAKEN)
    passed_at = models.DateTimeField("通过时间", null=True, blank=True)
    # 信息准确性测试
    info_status = models.CharField("信息准确性测试", max_length=16, choices=InfoStatus.choices,
                                   default=InfoStatus.PENDING)
    info_confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    info_reported_at = models.DateTimeField("报告时间", null=True, blank=True)
    info_fields = models.JSONField("有误的信息", default=list, blank=True)
    info_note = models.CharField("考生说明", max_length=200, blank=True)
    info_resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    info_resolved_by = models.ForeignKey("accounts.User", verbose_name="处理人", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    info_resolution = models.CharField("处理结果", max_length=16, choices=InfoResolution.choices, blank=True)
    info_resolution_note = models.CharField("处理说明", max_length=200, blank=True)
    # 终端可用性测试: the outcome of the latest finished DeviceCheck
    device_passed = models.BooleanField("终端可用性测试通过", null=True, blank=True)
    device_checked_at = models.DateTimeField("终端检测时间", null=True, blank=True)
    # 练习卷: the first submitted practice paper
    practice_done_at = models.DateTimeField("完成练习时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedManager()
    scope_region_field = "region"
    scope_candidate_field = "registration__person__user"

    class Meta:
        verbose_name = verbose_name_plural = "考前测试"
        indexes = [models.Index(fields=["plan", "status"], name="pretest_plan_status_idx")]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.get_status_display()}"


class DeviceCheck(models.Model):
    """One run of 终端可用性测试 with every value measured: the browser (from the User-Agent the
    server received), the camera (frames the page saw; no image leaves the browser), the clock
    offset and round trip of the pings, and whether the test save reached the server (the
    server's own record). `passed` and `reasons` are the server's verdict on those values."""

    pretest = models.ForeignKey(Pretest, verbose_name="考前测试", on_delete=models.CASCADE,
                                related_name="device_checks")
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    user_agent = models.CharField("浏览器标识", max_length=300, blank=True)
    browser = models.CharField("浏览器", max_length=30, blank=True)
    browser_version = models.PositiveIntegerField("浏览器版本", null=True, blank=True)
    camera_required = models.BooleanField("需要摄像头", default=False)
    camera_ok = models.BooleanField("摄像头可用", null=True, blank=True)
    camera_frames = models.PositiveIntegerField("摄像头画面帧数", null=True, blank=True)
    camera_width = models.PositiveIntegerField("画面宽度", null=True, blank=True)
    camera_height = models.PositiveIntegerField("画面高度", null=True, blank=True)
    camera_error = models.CharField("摄像头错误", max_length=100, blank=True)
    clock_offset_ms = models.IntegerField("时钟偏差（毫秒）", null=True, blank=True)
    rtt_ms = models.PositiveIntegerField("网络往返（毫秒）", null=True, blank=True)
    rtt_samples = models.JSONField("往返时间样本", default=list, blank=True)
    save_received_at = models.DateTimeField("保存检测到达时间", null=True, blank=True)
    passed = models.BooleanField("通过", null=True, blank=True)
    reasons = models.JSONField("未通过原因", default=list, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)

    objects = ScopedManager()
    scope_region_field = "pretest__region"
    scope_candidate_field = "pretest__registration__person__user"

    class Meta:
        verbose_name = verbose_name_plural = "终端可用性检测"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.pretest_id} {self.started_at:%Y-%m-%d %H:%M} {self.passed}"


class PracticePaper(models.Model):
    """练习卷: a short paper from the 演示题库 in the exam's format (sections and items as
    papers.Paper), graded by the exam's grader; the score is the candidate's feedback only."""

    pretest = models.ForeignKey(Pretest, verbose_name="考前测试", on_delete=models.CASCADE,
                                related_name="practice_papers")
    seed = models.BigIntegerField("随机种子")
    sections = models.JSONField("题型分组")
    items = models.JSONField("试题")
    total_points = models.DecimalField("总分", max_digits=6, decimal_places=1)
    answers = models.JSONField("答案", default=dict, blank=True)  # position (str) -> displayed letters
    started_at = models.DateTimeField("开始时间")
    submitted_at = models.DateTimeField("交卷时间", null=True, blank=True)
    score = models.DecimalField("练习得分", max_digits=6, decimal_places=1, null=True, blank=True)
    correct = models.PositiveSmallIntegerField("答对题数", null=True, blank=True)
    # per position (str): true when right, for the candidate's feedback (never the key itself)
    marks = models.JSONField("各题对错", default=dict, blank=True)

    objects = ScopedManager()
    scope_region_field = "pretest__region"
    scope_candidate_field = "pretest__registration__person__user"

    class Meta:
        verbose_name = verbose_name_plural = "练习卷"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.pretest_id} 练习 {self.started_at:%Y-%m-%d %H:%M}"
