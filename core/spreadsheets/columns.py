"""Declaring the columns of an imported sheet, and validating its rows (docs/decisions.md#spreadsheets).

A `Sheet` names its data sheet and lists its `Column`s; each column has a `clean(value, row)`
that returns the cleaned value and reports problems through `row.error(...)` / `row.warn(...)`.
`validate_row` runs every column's clean in order, then the sheet's `row_rules` (rules across
columns, rows or tables: in-file duplicates, look-ups in the database), and returns a
`RowResult`. The reader (header check), the template, the instruction sheet and the error report
are all generated from the same declaration.
"""

import datetime
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

MAX_DATA_ROWS = 20_000
MAX_COLUMNS = 26  # up to column Z: a template has fewer (+ 错误原因)

# The column the error report appends; a re-uploaded report carries it and the reader ignores it.
ERROR_COLUMN = "错误原因"


# --------------------------------------------------------------------------- cells

def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def cell_text(value) -> str:
    """A cell as text: NFKC (full-width digits and letters become ASCII), trimmed, no
    zero-width characters; integral numbers without a trailing .0; dates as yyyy-mm-dd.
    A text cell is tested first: it is nearly every cell of a file (an import calls this for
    every cell of every row)."""
    if type(value) is str:
        if value.isascii():  # NFKC leaves ASCII as it is; most cells are ASCII
            return value.strip()
        text = unicodedata.normalize("NFKC", value)
        if "\u200b" in text or "\ufeff" in text:
            text = text.replace("\u200b", "").replace("\ufeff", "")
        return text.strip()
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.6G}"
    text = str(value)
    if text.isascii():  # NFKC leaves ASCII as it is; most cells are ASCII
        return text.strip()
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u200b", "").replace("\ufeff", "")
    return text.strip()


def display_value(value) -> str:
    """How a value is shown back to the user in a row error (Excel's way for long numbers)."""
    return cell_text(value)


def echo_text(value) -> str:
    """A cell as the error report writes it back: the value as read, untouched but for numbers
    and dates written the way Excel shows them."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.6G}"
    return str(value)


# --------------------------------------------------------------------------- declaration

@dataclass(frozen=True)
class Dropdown:
    """An Excel list validation on a template column. `choices()` gives (code, label) pairs; it is
    called when a template is built, so it may read the database."""

    choices: Callable[[], list[tuple[str, str]]]
    input_title: str
    error_message: str


@dataclass(frozen=True)
class Column:
    key: str  # the key in a raw row dict and in RowResult.cleaned
    header: str  # the Chinese header in the file (what users see)
    note: str  # the note on the header cell of the template, and its line in the instruction sheet
    clean: Callable[[object, "Row"], object] | None = None  # None: the value as text
    required: bool = True  # the header is shown as required (red) in the template
    requirement: str = ""  # the instruction sheet's 是否必填 (default: 必填 / 选填)
    width: int = 18
    example: str = ""
    dropdown: Dropdown | None = None

    @property
    def requirement_label(self) -> str:
        return self.requirement or ("必填" if self.required else "选填")


@dataclass(frozen=True)
class HelpTable:
    """A titled table on the instruction sheet (e.g. the codes of a coded column). `rows()` is
    called when the template is built."""

    title: str
    rows: Callable[[], list[tuple[str, ...]]]
    header: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sheet:
    """Everything an importer declares about its file."""

    name: str  # the data sheet (考生信息): read first, else the workbook's first sheet
    item: str  # what one row is, in messages: 考生, 试题
    columns: tuple[Column, ...]
    row_rules: tuple[Callable[["Row"], None], ...] = ()
    template_filename: str = ""
    help_title: str = ""
    help_tables: tuple[HelpTable, ...] = ()
    notes: tuple[str, ...] = ()  # 注意事项 on the instruction sheet
    help_sheet: str = "填写说明"
    max_rows: int = MAX_DATA_ROWS
    # also read .csv (UTF-8 with or without BOM, or GBK/GB18030 as Excel saves it on Chinese
    # Windows): for files other programs write, e.g. the answer-card scanner's results
    accept_csv: bool = False

    @cached_property
    def by_key(self) -> dict[str, Column]:
        return {c.key: c for c in self.columns}

    @cached_property
    def by_header(self) -> dict[str, Column]:
        return {c.header: c for c in self.columns}

    @cached_property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


# --------------------------------------------------------------------------- validation

@dataclass(frozen=True)
class RowError:
    """One problem of one cell: the column's Chinese header, the value as written, the reason."""

    column: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {"column": self.column, "value": self.value, "message": self.message}


@dataclass
class RowResult:
    cleaned: dict | None  # None when the row has errors
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    key: object = None  # what identifies the row's record (a row rule sets it), e.g. for duplicates
    row_number: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ValidationContext:
    """Per-file state of a validation: `seen` keys (in-file duplicates) and bulk look-ups. An
    importer subclasses it, builds it once per file from all raw rows, and overrides `load(keys)`
    to fetch what its row rules need for many keys in one query; `ensure(key)` fetches one key
    that was not prefetched (a form submission, a key that only cleaning revealed)."""

    today: datetime.date | None = None
    prefetched: set = field(default_factory=set)
    seen: dict = field(default_factory=dict)
    rows_validated: int = 0

    def load(self, keys: set) -> None:  # override
        """Fetch, in bulk, whatever the row rules need for `keys`."""

    def prefetch(self, keys: Iterable) -> None:
        keys = set(keys) - self.prefetched
        if not keys:
            return
        self.load(keys)
        self.prefetched |= keys

    def ensure(self, key) -> None:
        if key not in self.prefetched:
            self.prefetch([key])

    def first_row(self, key, row_number: int) -> int | None:
        """The row where `key` was first seen in this file, or None (and `key` is recorded)."""
        first = self.seen.get(key)
        if first is None:
            self.seen[key] = row_number
        return first


class Row:
    """A row being validated: what `clean` and the row rules read and report to."""

    __slots__ = ("raw", "ctx", "number", "cleaned", "errors", "warnings", "key", "_sheet", "_column")

    def __init__(self, raw: Mapping, *, ctx: ValidationContext, number: int, sheet: Sheet):
        self.raw = raw
        self.ctx = ctx
        self.number = number
        self.cleaned: dict = {}
        self.errors: list[RowError] = []
        self.warnings: list[RowError] = []
        self.key = None
        self._sheet = sheet
        self._column: Column | None = None

    def _problem(self, key: str | None, message: str, value) -> RowError:
        column = self._sheet.by_key[key] if key else self._column
        shown = self.raw.get(column.key) if value is _RAW else value
        return RowError(column.header, display_value(shown), message)

    def error(self, message: str, *, key: str | None = None, value=None) -> None:
        """The row is refused: `message` about column `key` (default: the column being cleaned);
        the value shown is the cell as written unless `value` is given."""
        self.errors.append(self._problem(key, message, _RAW if value is None else value))

    def warn(self, message: str, *, key: str | None = None, value=None) -> None:
        """The row is imported, the user should check `message`."""
        self.warnings.append(self._problem(key, message, _RAW if value is None else value))


_RAW = object()


def clean_text(value, row: Row) -> str:
    return cell_text(value)


def validate_row(raw: Mapping[str, object], *, sheet: Sheet, ctx: ValidationContext,
                 row_number: int | None = None) -> RowResult:
    """Validate one row: every column's clean in order, then the sheet's row rules. Never raises
    for bad data: every problem becomes a RowError. `row_number` is the Excel row (default: the
    count of rows this context validated)."""
    ctx.rows_validated += 1
    row = Row(raw, ctx=ctx, number=row_number if row_number is not None else ctx.rows_validated, sheet=sheet)
    cleaned = row.cleaned
    for column in sheet.columns:
        row._column = column
        cleaned[column.key] = (column.clean or clean_text)(raw.get(column.key), row)
    row._column = None
    for rule in sheet.row_rules:
        rule(row)
    return RowResult(cleaned=None if row.errors else cleaned, errors=row.errors, warnings=row.warnings,
                     key=row.key, row_number=row.number)
