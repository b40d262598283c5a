from django.db import models


class CellStatus(models.TextChoices):
    """How well the bank covers one cell of a rule's blueprint (docs/decisions.md#paper-rules)."""

    OK = "ok", "充足"
    BARELY = "barely", "题量偏少"  # drawn papers would be (nearly) the same for everyone
    SHORT = "short", "题量不足"  # fewer enabled questions than the cell needs: no paper can be drawn


# A cell with fewer than this many times the questions it needs is a warning: with exactly as
# many, every candidate gets the same questions; below twice, most of them.
BARELY_FACTOR = 2

# How many papers one insert statement writes while generating.
GENERATE_BATCH = 500

# 多选题部分得分 when a rule switches it on (PaperRule.partial_multiple; results.grading.grade):
# all correct letters and no other = full points; some of the correct letters and no wrong one =
# half the points; any wrong letter, or none = 0. One rule for every plan, stated on the rule page.
PARTIAL_MULTIPLE_RULE = "多选题全部选对得满分；少选且所选选项均正确得该题一半分值；选错或未选不得分"
