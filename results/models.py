"""Scores (成绩) and central's question corrections (docs/decisions.md#grading). Neither scopes to a region
nor to a candidate: until central publishes a plan's scores (the violation-check issue) only
central reads them, so a score never reaches a candidate's browser or a region's page."""

from django.db import models

from core.scoping import ScopedManager


class Score(models.Model):
    attempt = models.OneToOneField("exams.Attempt", verbose_name="考试记录", on_delete=models.PROTECT,
                                   related_name="score")
    plan = models.ForeignKey("plans.ExamPlan", verbose_name="考试批次", on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField("成绩", max_digits=6, decimal_places=1)
    pass_mark = models.DecimalField("合格分数线", max_digits=6, decimal_places=1)
    passed = models.BooleanField("是否合格")
    correct = models.PositiveSmallIntegerField("答对题数", default=0)
    answered = models.PositiveSmallIntegerField("作答题数", default=0)
    # position -> points earned, as strings
    earned = models.JSONField("各题得分", default=dict)
    graded_at = models.DateTimeField("评分时间")
    regraded_at = models.DateTimeField("重新评分时间", null=True, blank=True)
    # 成绩作废 by the violation check (review's decision, when its category voids the score). The
    # attempt keeps its state (作废 is final in the exam engine), so an upheld objection can give
    # the score back; the total stays stored for that reason.
    voided = models.BooleanField("成绩作废", default=False)
    void_reason = models.CharField("作废原因", max_length=200, blank=True)
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)

    objects = ScopedManager()
    scope_region_field = None
    scope_candidate_field = None

    class Meta:
        verbose_name = verbose_name_plural = "成绩"

    def __str__(self) -> str:
        return f"{self.attempt_id}: {self.total}"


class CorrectionKind(models.TextChoices):
    VOID = "void", "该题作废（所有考生得分）"
    ACCEPT = "accept", "同时认可多个答案"


class QuestionCorrection(models.Model):
    """Central's correction of one question version in one plan: void for everyone, or several
    accepted answers (canonical letters). Regrading the plan applies every correction."""

    plan = models.ForeignKey("plans.ExamPlan", verbose_name="考试批次", on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey("questions.QuestionVersion", verbose_name="试题版本", on_delete=models.PROTECT,
                                related_name="+")
    kind = models.CharField("更正方式", max_length=8, choices=CorrectionKind.choices)
    accepted = models.JSONField("认可答案", default=list, blank=True)
    reason = models.CharField("原因", max_length=200)
    created_by = models.ForeignKey("accounts.User", verbose_name="更正人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("更正时间", auto_now_add=True)

    objects = ScopedManager()
    scope_region_field = None
    scope_candidate_field = None

    class Meta:
        verbose_name = verbose_name_plural = "试题更正"
        constraints = [models.UniqueConstraint(fields=["plan", "version"], name="correction_unique_plan_version")]

    def __str__(self) -> str:
        return f"{self.plan_id} v{self.version_id} {self.kind}"


class ScorePublication(models.Model):
    """成绩发布 of one plan (the guide 四: "核查完成后，可以在‘成绩管理’模块中查看和导出该期考核的
    成绩单"). Written by central when the violation check of the plan is complete
    (review.services.review_publish checks that); from then on the plan's region reads the
    成绩单 and each candidate their own result, and candidates may object to a violation until
    `objection_until`."""

    plan = models.OneToOneField("plans.ExamPlan", verbose_name="考试批次", on_delete=models.PROTECT,
                                related_name="score_publication")
    published_at = models.DateTimeField("发布时间")
    published_by = models.ForeignKey("accounts.User", verbose_name="发布人", on_delete=models.PROTECT, related_name="+")
    objection_days = models.PositiveSmallIntegerField("申诉期限（天）")
    objection_until = models.DateTimeField("申诉截止时间")

    objects = ScopedManager()
    scope_region_field = "plan__region"
    scope_candidate_field = None

    class Meta:
        verbose_name = verbose_name_plural = "成绩发布"

    def __str__(self) -> str:
        return f"{self.plan_id} 发布于 {self.published_at:%Y-%m-%d %H:%M}"
