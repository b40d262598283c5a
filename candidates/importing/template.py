"""The .xlsx files the candidate import hands out, both generated from its SHEET declaration by
core.spreadsheets.template: the template (下载模板, with its 填写说明 sheet) and the error report
(the uploaded rows as they were, with 错误原因 appended, to fix and upload again; SPEC.md §3)."""

from core.spreadsheets import template

from .columns import SHEET

DATA_SHEET = SHEET.name
HELP_SHEET = SHEET.help_sheet
TEMPLATE_FILENAME = SHEET.template_filename


def build_template() -> bytes:
    return template.build_template(SHEET)


def build_error_report(*, parsed, reasons: dict[int, str]) -> bytes:
    """The uploaded rows (the template's columns, in its order) plus 错误原因 for each row."""
    return template.build_error_report(SHEET, parsed=parsed, reasons=reasons)
