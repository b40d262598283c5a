from django.db import models


class QuestionType(models.TextChoices):
    """题型 (SPEC.md §5: single choice, multiple choice, true/false). The order is the order of
    the sections of a paper."""

    SINGLE = "single", "单选题"
    MULTIPLE = "multiple", "多选题"
    JUDGE = "judge", "判断题"


QUESTION_TYPE_ORDER = [QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.JUDGE]

# Option letters: a question has 2–8 options (判断 exactly the two below).
LETTERS = "ABCDEFGH"
MIN_OPTIONS = 2
MAX_OPTIONS = 8
JUDGE_OPTIONS = ["正确", "错误"]

DIFFICULTY_MIN = 1
DIFFICULTY_MAX = 5

# The label every page showing demo questions carries (docs/decisions.md#demo-bank-label).
DEMO_LABEL = "演示题库"
