from core.spreadsheets.runs import EXISTING_MESSAGE, RunSource, RunStatus  # noqa: F401  (shared by every importer)

# Files with more rows than this are imported by a background job (docs/decisions.md#import-background).
BACKGROUND_THRESHOLD = 1000
# Shown on the result page; the full list is in the downloadable report.
ERRORS_SHOWN = 500
