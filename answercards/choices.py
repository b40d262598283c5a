"""Constants of the answer-card mode (新取证(线下); SPEC.md §5; docs/decisions.md#answer-cards)."""

# 考场 size: how many seats a room has (the 管局 sets it per plan).
DEFAULT_ROOM_SIZE = 30
MIN_ROOM_SIZE = 5
MAX_ROOM_SIZE = 200

# 试卷版本: a plan prints a few versions (A/B/…) of each personnel type's paper; neighbouring
# seats get different versions.
VERSION_LETTERS = "ABCDEF"
DEFAULT_VERSION_COUNT = 2
MAX_VERSION_COUNT = len(VERSION_LETTERS)

# The answer string of a scanned card (the template's 填写说明 says the same):
BLANK = "-"  # a question left unanswered (no mark, or a mark the reviewer could not read)
GROUP_OPEN, GROUP_CLOSE = "(", ")"  # compact form: a 多选 answer written (ACD)
SEPARATOR = ","  # or one answer per question separated by commas: A,B,ACD,-,B

# Rows above this go to a background job (the page shows its progress); smaller files too,
# since grading writes an attempt, its answers and a score per row.
ERRORS_SHOWN = 500
