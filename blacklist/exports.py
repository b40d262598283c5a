"""The blacklist as an .xlsx file: the same rows as the filtered list page (SPEC.md §7: search
and export). Regions get masked 证件号码; every cell is written as text and a value starting
with = + - @ (or a tab/CR) is prefixed with an apostrophe, so no cell ever acts as a formula
(CSV/formula injection) even if the file is re-saved in another format."""

import datetime
import tempfile

import xlsxwriter

from core.masking import mask_id_number

COLUMNS = [
    ("姓名", 12), ("证件类型", 14), ("证件号码", 22), ("企业名称", 30), ("违规类型", 24),
    ("处罚开始日期", 13), ("处罚截止日期", 13), ("状态", 8), ("地区", 10), ("决定时间", 17), ("撤销原因", 24),
]
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


def write_entries(entries, *, masked: bool, on_date: datetime.date) -> tuple[str, int]:
    """Write the rows to a temporary file (constant memory); returns (path, row count)."""
    from django.utils import timezone

    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)
    handle.close()
    workbook = xlsxwriter.Workbook(handle.name, {"constant_memory": True, "strings_to_formulas": False,
                                                 "strings_to_numbers": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet("黑名单")
    head = workbook.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    for col, (title, width) in enumerate(COLUMNS):
        sheet.set_column(col, col, width, text)
        sheet.write_string(0, col, title, head)
    rows = 0
    for entry in entries:
        rows += 1
        created = timezone.localtime(entry.created_at)
        values = [
            entry.name, entry.id_type.name, mask_id_number(entry.id_number) if masked else entry.id_number,
            entry.company_name, entry.category.name, f"{entry.penalty_start:%Y-%m-%d}",
            f"{entry.penalty_end:%Y-%m-%d}", entry.state_label(on_date), entry.region.name,
            f"{created:%Y-%m-%d %H:%M}", entry.revoked_reason,
        ]
        for col, value in enumerate(values):
            sheet.write_string(rows, col, neutralise(value), text)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return handle.name, rows
