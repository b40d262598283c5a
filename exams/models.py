"""Attempts, answers and the answer log (issue 14 §3–§6).

* `EntryRule`: per 考核类型, central's late-entry limit and the save grace (defaults 30 min, 60 s).
* `Attempt`: one per registration (the 考试状态 machine in exams.choices.TRANSITIONS), with the
  candidate's extension and the current exam session's token (a second page takes over).
* `AttemptTransition`: every move of an attempt, with its time and cause (append-only).
* `Answer`: the latest accepted answer per position, in displayed AND canonical letters, with
  the sequence number that wrote it (an older save never overwrites a newer one).
* `AnswerLog`: every answer received, kept or refused, with server and client times (append-only;
  the violation check reads it).
"""

import datetime

from django.db import models

from core.scoping import ScopedManager
from plans.choices import ExamType

from .choices import (
    DEFAULT_GRACE_SECONDS,
    DEFAULT_LATE_ENTRY_MINUTES,
    AttemptState,
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
