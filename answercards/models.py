"""The answer-card mode (新取证(线下), SPEC.md §5 "原有的机读卡考核模式"; docs/decisions.md#answer-cards).

* `CardPlan`: one per offline plan: the room size, the number of printed paper versions, where
  the exam is held, when the rooms were generated and when central closed the scanning.
* `ExamRoom` (考场) and `Seat` (座位): the rooms and every candidate's seat and paper version,
  generated once the roster freezes (answercards.seating; candidates of one company spread).
* `PaperVersion` (试卷版本): per personnel type, a few versions (A, B, …), each a seed that draws
  one paper from the plan's frozen draw (papers): its booklet is printed, and every candidate
  of that version and type gets that paper as their own (papers.services.papers_set_seeds).
* `CardImportRun` (答题卡导入记录) and `AnswerCard` (答题卡): the scanner's result file and each
  candidate's scanned answers as last imported. The answers themselves, the attempt and the
  score live where the online exam keeps them (exams.Answer, exams.Attempt, results.Score).

Scoping: everything is the plan's region's (and central's); candidates see none of it."""

from django.conf import settings
from django.db import models

from core.scoping import ScopedManager
from core.spreadsheets.runs import ImportRunBase

from .choices import DEFAULT_ROOM_SIZE, DEFAULT_VERSION_COUNT


class CardPlan(models.Model):
    """答题卡考试安排 of one 新取证(线下) plan."""

    plan = models.OneToOneField("plans.ExamPlan", verbose_name="考试批次", on_delete=models.PROTECT,
                                related_name="card_plan")
    region = models.ForeignKey("regions.Region", verbose_name="地区", on_delete=models.PROTECT, related_name="+")
    site = models.CharField("考点", max_length=100, blank=True)
    room_size = models.PositiveSmallIntegerField("每个考场座位数", default=DEFAULT_ROOM_SIZE)
    version_count = models.PositiveSmallIntegerField("试卷版本数", default=DEFAULT_VERSION_COUNT)
    seated_at = models.DateTimeField("考场生成时间", null=True, blank=True)
    seated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="考场生成人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    scanning_closed_at = models.DateTimeField("扫描结束时间", null=True, blank=True)
    scanning_closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="结束扫描人", null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedManager()
    scope_region_field = "region"
    scope_candidate_field = None

    class Meta:
        verbose_name = verbose_name_plural = "答题卡考试安排"

    def __str__(self) -> str:
        return f"答题卡考试 {self.plan.batch_no}"


class ExamRoom(models.Model):
    """考场: numbered from 1 within a plan."""

    plan = models.ForeignKey("plans.ExamPlan", verbose_name="考试批次", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="地区", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField("考场号")
    seats = models.PositiveSmallIntegerField("座位数")

    objects = ScopedManager()
    scope_region_field = "region"
    scope_candidate_field = None

    class Meta:
        verbose_name = verbose_name_plural = "考场"
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="room_unique_number")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"第 {self.number:02d} 考场"


class Seat(models.Model):
    """座位: one candidate's room, seat number and paper version."""

    plan = models.ForeignKey("plans.ExamPlan", verbose_name="考试批次", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="地区", on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey(ExamRoom, verbose_name="考场", on_delete=models.CASCADE, related_name="seat_rows")
    registration = models.OneToOneField("candidates.Registration", verbose_name="考生报名", on_delete=models.CASCADE,
                                        related_name="card_seat")
    number = models.PositiveSmallIntegerField("座号")
    version = models.CharField("试卷版本", max_length=1)

    objects = ScopedManager()
    scope_region_field = "region"
    scope_candidate_field = None

    class Meta:
        verbose_name = verbose_name_plural = "座位"
        ordering = ["room__number", "number"]
        constraints = [models.UniqueConstraint(fields=["room", "number"], name="seat_unique_number")]

    def __str__(self) -> str:
        return f"{self.room} {self.number} 号"


class PaperVersion(models.Model):
    """试卷版本 X of one personnel type: the seed its paper is drawn from (papers.drawing)."""

    plan = models.ForeignKey("plans.ExamPlan", verbose_name="考试批次", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="地区", on_delete=models.PROTECT, related_name="+")
    personnel_type = models.CharField("人员类型", max_length=1)
    letter = models.CharField("版本", max_length=1)
    seed = models.BigIntegerField("随机种子")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    objects = ScopedManager()
    scope_region_field = "region"
    scope_candidate_field = None

    class Meta:
        verbose_name = verbose_name_plural = "试卷版本"
        ordering = ["personnel_type", "letter"]
        constraints = [models.UniqueConstraint(fields=["plan", "personnel_type", "letter"],
                                               name="paper_version_unique")]

    def __str__(self) -> str:
        return f"{self.personnel_type} 类 {self.letter} 卷"


class CardImportRun(ImportRunBase):
    """答题卡导入记录: one scanner result file imported into a plan (ImportRunBase: who, when, the
    file, counts, per-row errors, the job)."""

    plan = models.ForeignKey("plans.ExamPlan", verbose_name="考试批次", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="地区", on_delete=models.PROTECT, related_name="+")
    replaced_count = models.PositiveIntegerField("更正", default=0)

    objects = ScopedManager()
    scope_region_field = "region"
    scope_candidate_field = None

    class Meta(ImportRunBase.Meta):
        verbose_name = verbose_name_plural = "答题卡导入记录"

    def __str__(self) -> str:
        return f"{self.file_name} → {self.plan.batch_no}"


class AnswerCard(models.Model):
    """答题卡: a candidate's scanned answers as last imported. `answers` holds one token per
    question in display order joined by commas (displayed letters, "" for a blank), so the same
    card written in the compact or the comma form compares equal (idempotent re-import)."""

    plan = models.ForeignKey("plans.ExamPlan", verbose_name="考试批次", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="地区", on_delete=models.PROTECT, related_name="+")
    registration = models.OneToOneField("candidates.Registration", verbose_name="考生报名", on_delete=models.PROTECT,
                                        related_name="answer_card")
    version = models.CharField("试卷版本", max_length=1)
    answers = models.TextField("作答")
    import_run = models.ForeignKey(CardImportRun, verbose_name="导入记录", null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    row_number = models.PositiveIntegerField("行号", default=0)
    times_replaced = models.PositiveSmallIntegerField("更正次数", default=0)
    created_at = models.DateTimeField("首次导入时间", auto_now_add=True)
    updated_at = models.DateTimeField("最近导入时间", auto_now=True)

    objects = ScopedManager()
    scope_region_field = "region"
    scope_candidate_field = None

    class Meta:
        verbose_name = verbose_name_plural = "答题卡"

    def __str__(self) -> str:
        return f"答题卡 {self.registration_id}"
