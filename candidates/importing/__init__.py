"""导入考生信息 (issue 6; the guide, section 二(二); SPEC.md §3).

columns.py     the one list of columns: it drives the template, the reader and the error report
validation.py  the ONE row validator shared by the Excel import, the CLI and the single-candidate form
reader.py      reading an uploaded file with python-calamine, refusing bad files as a whole
template.py    the .xlsx template and the "uploaded rows + 错误原因" report
services.py    the import service (web page, background job and CLI all call it)
selectors.py   scoped reads of import runs
tasks.py       the background-job entry point for files above 1,000 rows
"""
