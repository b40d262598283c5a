"""The candidate list's columns, and writing the list to .xlsx (docs/decisions.md#list-export) with the shared
streaming writer (core.spreadsheets.writer: text cells, formulas neutralised, flat memory; rows
come from a server-side cursor).

LIST_COLUMNS is the one table of the list: the page's headers and sort keys
(views._sort_headers), the export's headers and widths, and the fields the export reads
(selectors.EXPORT_FIELDS) all come from it."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from core.masking import mask_id_number, mask_phone
from core.spreadsheets.writer import safe_cell, xlsx_tempfile  # noqa: F401  (safe_cell re-exported)
from core.spreadsheets.writer import write_xlsx as write_any_xlsx
from plans.choices import ExamType

from .choices import PersonnelType


@dataclass(frozen=True)
class ListColumn:
    header: str  # the guide's column name, on the page and in the file
    field: str  # the values_list field the export reads
    width: int  # in the file
    sort: str | None = None  # the list page's sort key (selectors.SORT_KEYS), None: not sortable
    on_page: bool = True  # False: the file only (the page shows it as a badge beside the name)


LIST_COLUMNS: tuple[ListColumn, ...] = (
    ListColumn("考试批次", "plan__batch_no", 12, "candidate_number"),
    ListColumn("考生编号", "candidate_number", 16, "candidate_number"),
    ListColumn("姓名", "person__name", 10, "name"),
    ListColumn("证件种类", "person__id_type__name", 14),
    ListColumn("证件号码", "person__id_number", 22, "id_number"),
    ListColumn("公司名称", "company_name", 32, "company"),
    ListColumn("统一社会信用代码", "credit_code", 22),
    ListColumn("考试类型", "exam_type", 16, "exam_type"),
    ListColumn("人员类型/报考类型", "personnel_type", 22, "personnel_type"),
    ListColumn("联系电话", "phone", 14),
    # 停考 (a running blacklist penalty, decisions.md): the last day of the penalty, annotated
    # by selectors.registration_export_values
    ListColumn("考试状态", "suspended_until", 20, on_page=False),
)
PAGE_COLUMNS = tuple(c for c in LIST_COLUMNS if c.on_page)
HEADERS = [c.header for c in LIST_COLUMNS]
WIDTHS = [c.width for c in LIST_COLUMNS]
EXPORT_FIELDS = tuple(c.field for c in LIST_COLUMNS)
SHEET_NAME = "学员考核信息"

_EXAM_TYPES = dict(ExamType.choices)
_PERSONNEL = {k: k for k in PersonnelType.values}  # the guide's column shows the letter (A/B/C)


# row_transformer unpacks a row by position (a list copy and five item assignments per row cost
# as much again, over 100,000 rows): the order it is written for
assert EXPORT_FIELDS == ("plan__batch_no", "candidate_number", "person__name", "person__id_type__name",
                         "person__id_number", "company_name", "credit_code", "exam_type", "personnel_type", "phone",
                         "suspended_until"), "LIST_COLUMNS changed: update row_transformer"


def _as_is(value):
    return value


def row_transformer(*, full: bool) -> Callable[[tuple], tuple]:
    """Turn a values_list row (selectors.EXPORT_FIELDS) into the cells of the file: codes to
    their labels, 证件号码 and 联系电话 masked unless the exporter chose full values (logged)."""
    exam_types, personnel_types = _EXAM_TYPES, _PERSONNEL
    id_cell = _as_is if full else mask_id_number
    phone_cell = _as_is if full else mask_phone

    def transform(row: tuple) -> tuple:
        batch, number, name, id_type, id_number, company, credit, exam_type, personnel, phone, end = row
        return (batch, number, name, id_type, id_cell(id_number), company, credit,
                exam_types.get(exam_type, exam_type), personnel_types.get(personnel, personnel), phone_cell(phone),
                # the running penalty's last day (blacklist): 停考 (docs/decisions.md#suspension-derived)
                f"停考（黑名单处罚期至 {end:%Y-%m-%d}）" if end else "")

    return transform


# the shared writer with the list's headers, widths and sheet name (each can still be given)
write_xlsx = partial(write_any_xlsx, headers=HEADERS, widths=WIDTHS, title=SHEET_NAME)


def write_registrations(out, values_qs, *, full: bool, progress=None, chunk_size: int = 5000) -> int:
    """Write the rows of a registration_export_values queryset (iterated with a server-side
    cursor, so memory does not grow with the row count)."""
    return write_xlsx(out, values_qs.iterator(chunk_size=chunk_size), transform=row_transformer(full=full),
                      progress=progress)


def registrations_tempfile(values_qs, *, full: bool, progress=None):
    """The file in a temporary file (deleted when closed), positioned at its start."""
    return xlsx_tempfile(values_qs.iterator(chunk_size=5000), headers=HEADERS, widths=WIDTHS, title=SHEET_NAME,
                         transform=row_transformer(full=full), progress=progress)


def export_filename(filters: dict, *, full: bool, stamp: str, part: int | None = None) -> str:
    """学员考核信息[_批次][_第N批][_含完整信息]_时间.xlsx: a file with full documents and phones says so
    in its name, so it is not passed on by mistake for the masked one."""
    parts = ["学员考核信息"]
    plan = filters.get("plan")
    if plan is not None:
        parts.append(str(plan.batch_no))
    if part:
        parts.append(f"第{part}批")
    if full:
        parts.append("含完整信息")
    parts.append(stamp)
    return "_".join(parts) + ".xlsx"
