"""Spreadsheets for every app: reading uploads safely, validating rows, templates, error reports,
exports and the import run record (docs/decisions.md#spreadsheets). Core imports no domain app; an importer
declares itself here and keeps its own rules and writes. The candidate import
(candidates/importing/) is the worked example.

Modules (import them directly; this package imports nothing, so the .xls child process that
runs `python -m core.spreadsheets.xls_child` starts without Django):

columns.py   Column, Dropdown, HelpTable, Sheet (the declaration); Row, RowError, RowResult,
             ValidationContext, validate_row (the loop over the columns and row rules)
reader.py    read_workbook(source, file_name=, sheet=): .xlsx/.xls, 10 MB, 20,000 rows, A–Z,
             zip bomb, formulas and passwords refused as a whole (FileRejected, a Chinese
             message); empty rows skipped; Excel's own row numbers; .xls parsed in a child process
template.py  build_template(sheet), build_error_report(sheet, parsed=, reasons=)
writer.py    write_xlsx / xlsx_tempfile (streaming, text cells), neutralise, safe_cell
runs.py      ImportRunBase (abstract model), RunStatus, RunSource, run_set_status,
             run_guarded, report_reasons

How a second importer (e.g. the question bank) declares itself
---------------------------------------------------------------
1. Columns and row rules, in <app>/importing/columns.py::

       from core.spreadsheets.columns import Column, Dropdown, HelpTable, Sheet, cell_text

       def clean_stem(value, row):            # returns the cleaned value ...
           text = cell_text(value)
           if not text:
               row.error("题干不能为空")          # ... and reports on this column (row refused)
           return text

       def no_repeat(row):                     # a row rule: runs after every column's clean
           if row.errors:
               return
           row.key = row.cleaned["stem"]
           first = row.ctx.first_row(row.key, row.number)
           if first is not None:
               row.error(f"与第 {first} 行重复", key="stem")

       SHEET = Sheet(name="试题", item="试题", template_filename="试题导入模板.xlsx",
                     columns=(Column("stem", "题干", "必填。…", clean=clean_stem, width=40),
                              Column("kind", "题型", "必填。…", clean=clean_kind,
                                     dropdown=Dropdown(lambda: [("1", "单选题")], "题型", "请从下拉列表选择"))),
                     row_rules=(no_repeat,), help_tables=(HelpTable("题型代码", lambda: [...]),),
                     notes=("1. …",))

   `row.error(message, key=None)` / `row.warn(...)`: key defaults to the column being cleaned;
   the value shown is the cell as written. `row.cleaned` holds the columns cleaned so far (a
   column may depend on an earlier one), `row.ctx` the context, `row.key` what identifies the row.
2. A context: subclass ValidationContext (a dataclass) with what the rules need, build it once
   per file, call `ctx.prefetch(keys_of_all_rows)` and override `load(keys)` with the bulk
   queries; `ctx.ensure(key)` in a rule fetches a key that was not prefetched.
3. Validate: `validate_row(raw, sheet=SHEET, ctx=ctx, row_number=n)` → RowResult(cleaned or
   None, errors, warnings, key). The same call serves a single-record form.
4. Read: `read_workbook(upload, file_name=name, sheet=SHEET)` → ParsedFile(rows=[(Excel row,
   {key: raw value})], cells=...); `FileRejected` changes nothing.
5. Run model: `class QuestionImportRun(ImportRunBase)` plus the target (FK) and the scope fields
   (`objects = ScopedManager()`, scope_region_field …), `class Meta(ImportRunBase.Meta)`.
   Status changes only through `run_set_status`; wrap the execute step in `run_guarded`; the
   background job (jobs.services.job_create/job_enqueue) and the CLI call the same service.
6. Template and report views: `build_template(SHEET)`; `build_error_report(SHEET, parsed=...,
   reasons=report_reasons(run))` (audit the download: it holds what the user uploaded).
7. Exports: `write_xlsx(out, rows, headers=..., widths=..., title=...)` or `xlsx_tempfile(...)`.
"""
