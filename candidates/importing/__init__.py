"""导入考生信息 (docs/decisions.md#candidate-import; the guide, section 二(二); SPEC.md §3), over core.spreadsheets.

columns.py     the declaration: the columns with their clean functions and the row rules (SHEET);
               the template, the reader's header check and the error report are generated from it
validation.py  the ONE row validator (the context with its bulk look-ups, and validate_row) shared
               by the Excel import, the CLI and the single-candidate form
reader.py      read_candidate_file: core.spreadsheets.reader over SHEET
template.py    the template and the "uploaded rows + 错误原因" report from SHEET
services.py    the import service (web page, background job and CLI all call it)
selectors.py   scoped reads of import runs
tasks.py       the background-job entry point for files above 1,000 rows
"""
