"""组卷规则 and 试卷 (SPEC.md §5; docs/decisions.md#bank-and-papers).

* `PaperRule` (+ `RuleCell`, `RuleTarget`): the blueprint central keeps per 考核类型 × 人员类型.
  `RuleTarget` is unique on (exam_type, personnel_type): at most one rule answers for each pair.
* `PaperDraw`: the frozen inputs of one plan's papers for one personnel type: the rule as it
  was (blueprint, points, pass mark) and the pool of question versions per cell. Taken once,
  the first time papers of that plan and type are drawn; later papers of the plan (central's
  corrections) draw from the same one, so one plan's candidates sit papers of one rule.
* `Paper`: one per registration, the compact snapshot the exam reads in one query: the seed
  and `items`, in display order, `[question_version_id, permutation, points]`, where
  permutation is the canonical option letters in the order they are displayed ("CADB": the
  option shown as A is the version's C). papers.drawing rebuilds `items` exactly from the
  seed and the draw.

Scoping: a paper is central's and its own candidate's (the candidate path); regions see none
(a paper is bank content). Rules and draws are central's only."""

from django.conf import settings
from django.db import models

from core.scoping import ScopedManager
from plans.choices import ExamType
from questions.choices import QuestionType


class PaperRule(models.Model):
    """组卷规则. `revision` grows with every change; a draw records the revision it froze."""

    name = models.CharField("规则名称", max_length=100)
    exam_type = models.CharField("考核类型", max_length=32, choices=ExamType.choices)
    personnel_types = models.CharField("适用人员类型", max_length=3)
    points_single = models.DecimalField("单选题每题分值", max_digits=4, decimal_places=1, default=1)
    points_multiple = models.DecimalField("多选题每题分值", max_digits=4, decimal_places=1, default=2)
    points_judge = models.DecimalField("判断题每题分值", max_digits=4, decimal_places=1, default=1)
    total_points = models.DecimalField("总分", max_digits=6, decimal_places=1, default=0)
    pass_mark = models.DecimalField("合格分数线", max_digits=6, decimal_places=1)
    # 多选题部分得分 (docs/decisions.md#partial-multiple): off by default (多选 exact); on, the rule of
    # papers.choices.PARTIAL_MULTIPLE_RULE applies (results.grading.grade)
    partial_multiple = models.BooleanField("多选题部分得分", default=False)
    is_active = models.BooleanField("启用", default=True)
    is_demo = models.BooleanField("演示规则", default=False)
    revision = models.PositiveIntegerField("修订号", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedManager()
    scope_region_field = None
    scope_candidate_field = None

    class Meta:
        ordering = ["exam_type", "personnel_types", "id"]
        verbose_name = verbose_name_plural = "组卷规则"

    def __str__(self) -> str:
        return self.name

    def points_for(self, qtype: str):
        return {QuestionType.SINGLE: self.points_single, QuestionType.MULTIPLE: self.points_multiple,
                QuestionType.JUDGE: self.points_judge}[qtype]


class RuleCell(models.Model):
    """One cell of the blueprint: how many questions of one type from one knowledge area."""

    rule = models.ForeignKey(PaperRule, verbose_name="组卷规则", on_delete=models.CASCADE, related_name="cells")
    area = models.ForeignKey("questions.KnowledgeArea", verbose_name="知识领域", on_delete=models.PROTECT,
                             related_name="+")
    qtype = models.CharField("题型", max_length=16, choices=QuestionType.choices)
    count = models.PositiveSmallIntegerField("题数")

    class Meta:
        verbose_name = verbose_name_plural = "组卷规则明细"
        constraints = [models.UniqueConstraint(fields=["rule", "area", "qtype"], name="rule_cell_unique")]

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.area_id}/{self.qtype} × {self.count}"


class RuleTarget(models.Model):
    """Which (考核类型, 人员类型) an active rule answers for; the constraint makes it one rule."""

    rule = models.ForeignKey(PaperRule, verbose_name="组卷规则", on_delete=models.CASCADE, related_name="targets")
    exam_type = models.CharField("考核类型", max_length=32, choices=ExamType.choices)
    personnel_type = models.CharField("人员类型", max_length=1)

    class Meta:
        verbose_name = verbose_name_plural = "组卷规则适用范围"
        constraints = [models.UniqueConstraint(fields=["exam_type", "personnel_type"], name="rule_target_unique")]

    def __str__(self) -> str:
        return f"{self.exam_type}/{self.personnel_type} → {self.rule_id}"


class PaperDraw(models.Model):
    """抽题底稿: the rule and the question pools one plan's papers of one personnel type are
    drawn from, frozen when its first paper is drawn (see papers.drawing for the shapes)."""

    plan = models.ForeignKey("plans.ExamPlan", verbose_name="考试批次", on_delete=models.PROTECT, related_name="+")
    personnel_type = models.CharField("人员类型", max_length=1)
    rule = models.ForeignKey(PaperRule, verbose_name="组卷规则", on_delete=models.PROTECT, related_name="draws")
    rule_revision = models.PositiveIntegerField("规则修订号")
    blueprint = models.JSONField("组卷结构")
    pools = models.JSONField("抽题范围")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = ScopedManager()
    scope_region_field = None
    scope_candidate_field = None

    class Meta:
        verbose_name = verbose_name_plural = "抽题底稿"
        constraints = [models.UniqueConstraint(fields=["plan", "personnel_type"], name="paper_draw_unique")]

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.personnel_type} rule {self.rule_id} r{self.rule_revision}"


class Paper(models.Model):
    """试卷: one registration's drawn and shuffled paper. `sections` is
    `[[qtype, count, points], …]` in display order; `items` as in the module docstring."""

    registration = models.OneToOneField("candidates.Registration", verbose_name="考生报名",
                                        on_delete=models.CASCADE, related_name="paper")
    plan = models.ForeignKey("plans.ExamPlan", verbose_name="考试批次", on_delete=models.PROTECT, related_name="papers")
    draw = models.ForeignKey(PaperDraw, verbose_name="抽题底稿", on_delete=models.PROTECT, related_name="papers")
    personnel_type = models.CharField("人员类型", max_length=1)
    seed = models.BigIntegerField("随机种子")
    sections = models.JSONField("题型分组")
    items = models.JSONField("试题")
    total_points = models.DecimalField("总分", max_digits=6, decimal_places=1)
    pass_mark = models.DecimalField("合格分数线", max_digits=6, decimal_places=1)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    objects = ScopedManager()
    scope_region_field = None
    scope_candidate_field = "registration__person__user"

    class Meta:
        verbose_name = verbose_name_plural = "试卷"

    def __str__(self) -> str:
        return f"试卷 {self.registration_id}"
