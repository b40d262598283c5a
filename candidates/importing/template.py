"""The .xlsx files the import hands out, both generated from COLUMNS:

* the template (下载模板): every cell of the data columns text-formatted (the guide's 常见问题 3:
  otherwise Excel turns 证件号码 into 1.10105E+17 and dates into serial numbers), dropdowns for
  证件类型 and 人员类型, a note on each header cell, and a second sheet 填写说明 with the codes
  and formats;
* the error report: the uploaded rows as they were, with a 错误原因 column appended, laid out
  like the template so the user fixes that file and uploads it again (SPEC.md §3 re-import).
"""

import datetime
import io

import xlsxwriter

from people.models import IdType

from .columns import COLUMNS, ERROR_COLUMN
from .reader import MAX_DATA_ROWS

DATA_SHEET = "考生信息"
HELP_SHEET = "填写说明"
TEMPLATE_FILENAME = "考生信息导入模板.xlsx"


def _id_types():
    return list(IdType.objects.filter(is_active=True).order_by("code"))


def _data_sheet(workbook, *, extra_headers: tuple[str, ...] = ()):
    """The 考生信息 sheet with header, notes, text format and dropdowns; returns (sheet, text_fmt)."""
    sheet = workbook.add_worksheet(DATA_SHEET)
    text = workbook.add_format({"num_format": "@"})
    head = workbook.add_format({"bold": True, "bg_color": "#DCE6F2", "border": 1, "num_format": "@"})
    head_required = workbook.add_format(
        {"bold": True, "bg_color": "#DCE6F2", "border": 1, "font_color": "#B42318", "num_format": "@"}
    )
    last_row = MAX_DATA_ROWS + 1
    id_types = _id_types()
    for i, column in enumerate(COLUMNS):
        sheet.set_column(i, i, column.width, text)
        sheet.write_string(0, i, column.header, head_required if column.required else head)
        sheet.write_comment(0, i, column.note, {"x_scale": 2.2, "y_scale": 1.6, "author": "导入模板"})
        if column.key == "id_type":
            sheet.data_validation(1, i, last_row, i, {
                "validate": "list", "source": [str(t.code) for t in id_types],
                "input_title": "证件类型代码", "input_message": "；".join(f"{t.code} {t.name}" for t in id_types)[:254],
                "error_title": "证件类型", "error_message": "请从下拉列表选择证件类型的数字代码（见“填写说明”）",
            })
        elif column.key == "personnel_type":
            sheet.data_validation(1, i, last_row, i, {
                "validate": "list", "source": ["A", "B", "C"],
                "input_title": "人员类型", "input_message": "A 企业主要负责人；B 项目负责人；C 专职安全生产管理人员",
                "error_title": "人员类型", "error_message": "请选择 A、B 或 C",
            })
    for j, header in enumerate(extra_headers, start=len(COLUMNS)):
        sheet.set_column(j, j, 60, text)
        sheet.write_string(0, j, header, head_required)
    sheet.freeze_panes(1, 0)
    return sheet, text


def _help_sheet(workbook) -> None:
    sheet = workbook.add_worksheet(HELP_SHEET)
    bold = workbook.add_format({"bold": True, "bg_color": "#DCE6F2", "border": 1})
    title = workbook.add_format({"bold": True, "font_size": 13})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top", "num_format": "@"})
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 1, 14)
    sheet.set_column(2, 2, 70)
    sheet.set_column(3, 3, 26)
    row = 0
    sheet.write(row, 0, "考生信息导入模板 填写说明", title)
    row += 2
    for i, h in enumerate(["列名", "是否必填", "填写要求", "示例"]):
        sheet.write(row, i, h, bold)
    for column in COLUMNS:
        row += 1
        required = "必填" if column.required else ("继续教育必填" if column.continuing_only else "选填")
        sheet.write_string(row, 0, column.header, wrap)
        sheet.write_string(row, 1, required, wrap)
        sheet.write_string(row, 2, column.note, wrap)
        sheet.write_string(row, 3, column.example, wrap)
    row += 2
    sheet.write(row, 0, "证件类型代码", title)
    row += 1
    sheet.write(row, 0, "代码", bold)
    sheet.write(row, 1, "证件类型", bold)
    sheet.write(row, 2, "号码要求", bold)
    for id_type in _id_types():
        row += 1
        sheet.write_string(row, 0, str(id_type.code), wrap)
        sheet.write_string(row, 1, id_type.name, wrap)
        sheet.write_string(row, 2, id_type.get_check_kind_display(), wrap)
    row += 2
    sheet.write(row, 0, "人员类型代码", title)
    for code, label in (("A", "企业主要负责人"), ("B", "项目负责人"), ("C", "专职安全生产管理人员")):
        row += 1
        sheet.write_string(row, 0, code, wrap)
        sheet.write_string(row, 1, label, wrap)
    row += 2
    sheet.write(row, 0, "注意事项", title)
    notes = [
        "1. 只在“考生信息”工作表中填写，每位考生一行；不要修改、删除或调换表头。",
        "2. 本模板所有单元格已设为“文本”格式。从其他表格粘贴时请使用“选择性粘贴 → 值”或“匹配目标格式”，"
        "否则“证件号码”“证书到期日期”会被 Excel 改写（如 1.10105E+17）而无法导入。",
        "3. “证件类型”填数字代码，如二代身份证填 1；“人员类型”填 A、B 或 C。",
        "4. “证书到期日期”按 2020-01-01 的格式填写；继续教育考核须填写证书编号和证书到期日期。",
        "5. 导入失败的记录会逐一提示行号、列名和原因；改正后可将整个文件再次导入，已导入的考生不会重复导入。",
        f"6. 单个文件不超过 10 MB、不超过 {MAX_DATA_ROWS:,} 行；不要使用公式。",
    ]
    for note in notes:
        row += 1
        sheet.merge_range(row, 0, row, 3, note, wrap)
        sheet.set_row(row, 32)


def build_template() -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    _data_sheet(workbook)
    _help_sheet(workbook)
    workbook.close()
    return buffer.getvalue()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.6G}"
    return str(value)


def build_error_report(*, parsed, reasons: dict[int, str]) -> bytes:
    """The uploaded rows (the template's columns, in its order) plus 错误原因 for each row."""
    from .columns import COLUMN_BY_HEADER
    from .reader import _normalise_header

    positions = {}
    for i, header in enumerate(parsed.headers):
        column = COLUMN_BY_HEADER.get(_normalise_header(header))
        if column is not None and column.key not in positions:
            positions[column.key] = i
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet, text = _data_sheet(workbook, extra_headers=(ERROR_COLUMN,))
    error_fmt = workbook.add_format({"num_format": "@", "font_color": "#B42318", "text_wrap": True})
    for out_row, (row_number, cells) in enumerate(parsed.cells, start=1):
        for j, column in enumerate(COLUMNS):
            pos = positions.get(column.key)
            value = cells[pos] if pos is not None and pos < len(cells) else None
            sheet.write_string(out_row, j, _cell_text(value), text)
        reason = reasons.get(row_number, "")
        sheet.write_string(out_row, len(COLUMNS), reason, error_fmt if reason else text)
    _help_sheet(workbook)
    workbook.close()
    return buffer.getvalue()
