from django.db import models


class CellStatus(models.TextChoices):
    """How well the bank covers one cell of a rule's blueprint (issue 13 §3)."""

    OK = "ok", "充足"
    BARELY = "barely", "题量偏少"  # drawn papers would be (nearly) the same for everyone
    SHORT = "short", "题量不足"  # fewer enabled questions than the cell needs: no paper can be drawn


# A cell with fewer than this many times the questions it needs is a warning: with exactly as
# many, every candidate gets the same questions; below twice, most of them.
BARELY_FACTOR = 2

# How many papers one insert statement writes while generating.
GENERATE_BATCH = 500
