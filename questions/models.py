"""The question bank (题库), kept by 部中心 only (SPEC.md §5; docs/decisions.md#bank-central).

A `Question` is the stable identity (题目编号) with what only decides future draws: knowledge
area, personnel types, exam types, difficulty, enabled. Its content (type, stem, options,
answer, explanation) lives in immutable `QuestionVersion` rows: a change of content is a new
version and papers keep the version they were drawn with, so no past paper or score changes.

Neither model declares a region or candidate path, so `visible_to` gives regional
administrators and candidates nothing: the bank is central's (core.scoping)."""

from django.conf import settings
from django.db import models

from core.scoping import ScopedManager
from core.spreadsheets.runs import ImportRunBase

from .choices import DIFFICULTY_MAX, DIFFICULTY_MIN, LETTERS, QuestionType


class KnowledgeArea(models.Model):
    """知识领域: the list central maintains; a rule's blueprint counts questions per area."""

    name = models.CharField("知识领域", max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedManager()
    scope_region_field = None
    scope_candidate_field = None

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = verbose_name_plural = "知识领域"

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """试题 (题目编号 stable forever). `qtype` repeats the current version's type so that the bank
    list and the draw filter on one table. `personnel_types` is a sorted string of A/B/C
    ("ABC", "B"); `exam_types` a comma-joined list of plans.choices.ExamType values."""

    code = models.CharField("题目编号", max_length=32, unique=True)
    qtype = models.CharField("题型", max_length=16, choices=QuestionType.choices)
    area = models.ForeignKey(KnowledgeArea, verbose_name="知识领域", on_delete=models.PROTECT, related_name="questions")
    personnel_types = models.CharField("适用人员类型", max_length=3)
    exam_types = models.CharField("适用考核类型", max_length=100)
    difficulty = models.PositiveSmallIntegerField("难度", default=3)
    is_enabled = models.BooleanField("启用", default=True, db_index=True)
    is_demo = models.BooleanField("演示题库", default=False)
    current_version = models.ForeignKey(
        "QuestionVersion", verbose_name="当前版本", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedManager()
    scope_region_field = None
    scope_candidate_field = None

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "试题"
        indexes = [models.Index(fields=["area", "qtype", "is_enabled"], name="question_draw_idx")]
        constraints = [
            models.CheckConstraint(
                name="question_difficulty_range",
                condition=models.Q(difficulty__gte=DIFFICULTY_MIN, difficulty__lte=DIFFICULTY_MAX),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def exam_type_list(self) -> list[str]:
        return [t for t in self.exam_types.split(",") if t]

    def applies_to(self, *, exam_type: str, personnel_type: str) -> bool:
        return personnel_type in self.personnel_types and exam_type in self.exam_type_list


class QuestionVersionQuerySet(models.QuerySet):
    def visible_to(self, user):
        from core.scoping import scope_queryset

        return scope_queryset(self, user)


class QuestionVersion(models.Model):
    """One immutable content of a question (版本). `answer` holds the canonical letters of the
    correct options, sorted ("B", "ACD"; 判断: A = 正确, B = 错误). `used_at` is set the first
    time a paper draws the version: from then on the question can only be disabled, never
    deleted (docs/decisions.md#bank-central)."""

    question = models.ForeignKey(Question, verbose_name="试题", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField("版本号")
    qtype = models.CharField("题型", max_length=16, choices=QuestionType.choices)
    stem = models.TextField("题干")
    options = models.JSONField("选项", default=list)
    answer = models.CharField("答案", max_length=len(LETTERS))
    explanation = models.TextField("解析", blank=True)
    used_at = models.DateTimeField("首次组卷时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = QuestionVersionQuerySet.as_manager()
    scope_region_field = None
    scope_candidate_field = None

    class Meta:
        ordering = ["question_id", "number"]
        verbose_name = verbose_name_plural = "试题版本"
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="question_version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id} v{self.number}"

    def save(self, *args, **kwargs):
        # Versions are immutable: a paper drawn with one must read the same text forever.
        if self.pk is not None:
            raise PermissionError("试题版本不可修改，请新建版本")
        super().save(*args, **kwargs)

    def content(self) -> dict:
        return {"qtype": self.qtype, "stem": self.stem, "options": list(self.options), "answer": self.answer,
                "explanation": self.explanation}

    @property
    def lettered_options(self) -> list[dict]:
        return [{"letter": LETTERS[i], "text": text, "correct": LETTERS[i] in self.answer}
                for i, text in enumerate(self.options)]


class QuestionImportRun(ImportRunBase):
    """题库导入记录: one upload (or CLI run) of a bank file, its counts and per-row report
    (core.spreadsheets.runs.ImportRunBase). Central's only, like the bank."""

    versioned_count = models.PositiveIntegerField("生成新版本", default=0)
    updated_count = models.PositiveIntegerField("更新属性", default=0)

    objects = ScopedManager()
    scope_region_field = None
    scope_candidate_field = None

    class Meta(ImportRunBase.Meta):
        verbose_name = verbose_name_plural = "题库导入记录"

    def __str__(self) -> str:
        return f"题库导入 {self.file_name}"
