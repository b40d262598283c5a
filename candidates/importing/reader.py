"""Reading an uploaded candidate file: core.spreadsheets.reader over the candidate SHEET (the
whole-file checks and their messages are described there)."""

from core.spreadsheets.columns import MAX_DATA_ROWS  # noqa: F401
from core.spreadsheets.reader import (  # noqa: F401  (re-exported for the import's callers)
    CORRUPT_MESSAGE,
    FORMULA_MESSAGE,
    PASSWORD_MESSAGE,
    FileRejected,
    ParsedFile,
    read_workbook,
)

from .columns import SHEET


def read_candidate_file(source, *, file_name: str) -> ParsedFile:
    """Read and check a whole candidate file; raises FileRejected with the reason."""
    return read_workbook(source, file_name=file_name, sheet=SHEET)
