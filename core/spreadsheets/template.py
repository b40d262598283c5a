"""The .xlsx files an importer hands out, both generated from its `Sheet` declaration:

* the template (下载模板): every cell of the data columns text-formatted (otherwise Excel turns
  an 18-digit number into 1.10105E+17 and dates into serial numbers), the declared dropdowns, a
  note on each header cell, and an instruction sheet (填写说明) listing each column's
  requirement, note and example, the declared code tables and notes;
* the error report: the uploaded rows as they were, with a 错误原因 column appended, laid out
  like the template so the user fixes that file and uploads it again. Echoed cells are
  formula-neutralised like every export (writer.neutralise; docs/decisions.md#error-report-formulas); the reader takes the
  apostrophe off again on re-upload.
"""

import io

import xlsxwriter

from .columns import ERROR_COLUMN, Sheet, echo_text
from .reader import ParsedFile, _normalise_header
from .writer import neutralise


def _data_sheet(workbook, sheet: Sheet, *, extra_headers: tuple[str, ...] = ()):
    """The data sheet with header, notes, text format and dropdowns; returns (worksheet, text_fmt)."""
    worksheet = workbook.add_worksheet(sheet.name)
    text = workbook.add_format({"num_format": "@"})
    head = workbook.add_format({"bold": True, "bg_color": "#DCE6F2", "border": 1, "num_format": "@"})
    head_required = workbook.add_format(
        {"bold": True, "bg_color": "#DCE6F2", "border": 1, "font_color": "#B42318", "num_format": "@"}
    )
    last_row = sheet.max_rows + 1
    for i, column in enumerate(sheet.columns):
        worksheet.set_column(i, i, column.width, text)
        worksheet.write_string(0, i, column.header, head_required if column.required else head)
        worksheet.write_comment(0, i, column.note, {"x_scale": 2.2, "y_scale": 1.6, "author": "导入模板"})
        if column.dropdown is not None:
            choices = column.dropdown.choices()
            worksheet.data_validation(1, i, last_row, i, {
                "validate": "list", "source": [code for code, _ in choices],
                "input_title": column.dropdown.input_title,
                "input_message": "；".join(f"{code} {label}" for code, label in choices)[:254],
                "error_title": column.header, "error_message": column.dropdown.error_message,
            })
    for j, header in enumerate(extra_headers, start=len(sheet.columns)):
        worksheet.set_column(j, j, 60, text)
        worksheet.write_string(0, j, header, head_required)
    worksheet.freeze_panes(1, 0)
    return worksheet, text


def _help_sheet(workbook, sheet: Sheet) -> None:
    worksheet = workbook.add_worksheet(sheet.help_sheet)
    bold = workbook.add_format({"bold": True, "bg_color": "#DCE6F2", "border": 1})
    title = workbook.add_format({"bold": True, "font_size": 13})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top", "num_format": "@"})
    for col, width in enumerate((20, 14, 70, 26)):
        worksheet.set_column(col, col, width)
    row = 0
    worksheet.write(row, 0, sheet.help_title or f"{sheet.name}导入模板 填写说明", title)
    row += 2
    for i, h in enumerate(["列名", "是否必填", "填写要求", "示例"]):
        worksheet.write(row, i, h, bold)
    for column in sheet.columns:
        row += 1
        for col, value in enumerate((column.header, column.requirement_label, column.note, column.example)):
            worksheet.write_string(row, col, value, wrap)
    for table in sheet.help_tables:
        row += 2
        worksheet.write(row, 0, table.title, title)
        if table.header:
            row += 1
            for col, value in enumerate(table.header):
                worksheet.write(row, col, value, bold)
        for cells in table.rows():
            row += 1
            for col, value in enumerate(cells):
                worksheet.write_string(row, col, str(value), wrap)
    if sheet.notes:
        row += 2
        worksheet.write(row, 0, "注意事项", title)
        for note in sheet.notes:
            row += 1
            worksheet.merge_range(row, 0, row, 3, note, wrap)
            worksheet.set_row(row, 32)


def build_template(sheet: Sheet) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    _data_sheet(workbook, sheet)
    _help_sheet(workbook, sheet)
    workbook.close()
    return buffer.getvalue()


def build_error_report(sheet: Sheet, *, parsed: ParsedFile, reasons: dict[int, str]) -> bytes:
    """The uploaded rows (the template's columns, in its order) plus 错误原因 for each row."""
    positions = {}
    for i, header in enumerate(parsed.headers):
        column = sheet.by_header.get(_normalise_header(header))
        if column is not None and column.key not in positions:
            positions[column.key] = i
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    worksheet, text = _data_sheet(workbook, sheet, extra_headers=(ERROR_COLUMN,))
    error_fmt = workbook.add_format({"num_format": "@", "font_color": "#B42318", "text_wrap": True})
    for out_row, (row_number, cells) in enumerate(parsed.cells, start=1):
        for j, column in enumerate(sheet.columns):
            pos = positions.get(column.key)
            value = cells[pos] if pos is not None and pos < len(cells) else None
            worksheet.write_string(out_row, j, neutralise(echo_text(value)), text)
        reason = reasons.get(row_number, "")
        worksheet.write_string(out_row, len(sheet.columns), neutralise(reason), error_fmt if reason else text)
    _help_sheet(workbook, sheet)
    workbook.close()
    return buffer.getvalue()
