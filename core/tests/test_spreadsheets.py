"""core.spreadsheets on its own, with a small question-like sheet declared here: no domain app is
needed, which is the point (docs/decisions.md#spreadsheets). The candidate import's own tests cover the same
machinery through its declaration."""

import ast
import datetime
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from core.spreadsheets.columns import (
    ERROR_COLUMN,
    Column,
    Dropdown,
    HelpTable,
    Sheet,
    ValidationContext,
    cell_text,
    validate_row,
)
from core.spreadsheets.reader import FileRejected, read_workbook
from core.spreadsheets.template import build_error_report, build_template
from core.spreadsheets.writer import neutralise, safe_cell, write_xlsx, xlsx_tempfile

KINDS = [("1", "单选题"), ("2", "多选题"), ("3", "判断题")]


def clean_stem(value, row):
    text = cell_text(value)
    if not text:
        row.error("题干不能为空")
    elif len(text) < 4:
        row.warn("题干过短，请核对")
    return text


def clean_kind(value, row):
    code = cell_text(value)
    if code not in dict(KINDS):
        row.error("题型应为 1、2 或 3")
        return None
    return code


def clean_answer(value, row):
    answer = cell_text(value).upper()
    if row.cleaned["kind"] == "3" and answer not in ("对", "错"):  # depends on the column before it
        row.error("判断题的答案应为“对”或“错”")
    return answer


def no_repeat(row):
    if row.errors:
        return
    row.key = row.cleaned["stem"]
    row.ctx.ensure(row.key)
    first = row.ctx.first_row(row.key, row.number)
    if first is not None:
        row.error(f"与第 {first} 行重复", key="stem")
    if row.key in row.ctx.banned:
        row.error("该题已停用", key="stem")


@dataclass
class BankContext(ValidationContext):
    banned: set = field(default_factory=set)
    loads: list = field(default_factory=list)
    store: frozenset = frozenset({"停用的题目"})

    def load(self, keys):
        self.loads.append(set(keys))
        self.banned |= keys & self.store


SHEET = Sheet(
    name="试题", item="试题",
    columns=(
        Column("stem", "题干", "必填。题目正文。", clean=clean_stem, width=40, example="安全帽的作用是什么"),
        Column("kind", "题型", "必填。1 单选题、2 多选题、3 判断题。", clean=clean_kind, example="1",
               dropdown=Dropdown(lambda: KINDS, "题型代码", "请从下拉列表选择题型")),
        Column("answer", "答案", "必填。", clean=clean_answer, example="A"),
        Column("source", "出处", "选填。", required=False, requirement="可不填"),
    ),
    row_rules=(no_repeat,),
    help_tables=(HelpTable("题型代码", lambda: KINDS, header=("代码", "题型")),),
    notes=("1. 每道题一行。",),
)


def xlsx(rows, sheet_name="试题") -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    worksheet = workbook.add_worksheet(sheet_name)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                worksheet.write_string(r, c, value)
    workbook.close()
    return buffer.getvalue()


HEADER = ["题干", "题型", "答案", "出处"]


# --------------------------------------------------------------------------- validation

def test_the_loop_cleans_every_column_and_reports_where_and_why():
    ctx = BankContext()
    result = validate_row({"stem": "  安全帽的作用是什么 ", "kind": 1.0, "answer": "a", "source": None}, sheet=SHEET, ctx=ctx)
    assert result.ok and result.cleaned == {"stem": "安全帽的作用是什么", "kind": "1", "answer": "A", "source": ""}
    assert result.key == "安全帽的作用是什么" and result.row_number == 1

    bad = validate_row({"stem": "", "kind": "9", "answer": "x"}, sheet=SHEET, ctx=ctx, row_number=7)
    assert bad.cleaned is None and bad.row_number == 7
    assert [(e.column, e.value, e.message) for e in bad.errors] == [
        ("题干", "", "题干不能为空"), ("题型", "9", "题型应为 1、2 或 3")]


def test_a_column_reads_the_columns_cleaned_before_it():
    result = validate_row({"stem": "高处作业须系安全带", "kind": "3", "answer": "A"}, sheet=SHEET, ctx=BankContext())
    assert [e.message for e in result.errors] == ["判断题的答案应为“对”或“错”"]


def test_warnings_keep_the_row():
    result = validate_row({"stem": "安全？", "kind": "1", "answer": "A"}, sheet=SHEET, ctx=BankContext())
    assert result.ok and [(w.column, w.message) for w in result.warnings] == [("题干", "题干过短，请核对")]


def test_row_rules_see_the_file_and_the_bulk_lookups():
    ctx = BankContext()
    rows = [{"stem": "安全帽的作用是什么", "kind": "1", "answer": "A"}, {"stem": "停用的题目", "kind": "1", "answer": "B"}]
    ctx.prefetch(r["stem"] for r in rows)
    first = validate_row(rows[0], sheet=SHEET, ctx=ctx, row_number=2)
    again = validate_row(rows[0], sheet=SHEET, ctx=ctx, row_number=5)
    banned = validate_row(rows[1], sheet=SHEET, ctx=ctx, row_number=6)
    assert first.ok
    assert [(e.column, e.message) for e in again.errors] == [("题干", "与第 2 行重复")]
    assert [e.message for e in banned.errors] == ["该题已停用"]
    # one bulk load for the file; a key that was not prefetched is fetched on its own
    validate_row({"stem": "未预取的题目", "kind": "1", "answer": "A"}, sheet=SHEET, ctx=ctx)
    assert ctx.loads == [{"安全帽的作用是什么", "停用的题目"}, {"未预取的题目"}]


# --------------------------------------------------------------------------- reader

def test_the_reader_checks_the_declared_header_and_names_the_item():
    parsed = read_workbook(io.BytesIO(xlsx([HEADER, ["安全帽的作用是什么", "1", "A", None], [None] * 4,
                                               ["高处作业须系安全带", "3", "对", "教材"]])), file_name="题库.xlsx", sheet=SHEET)
    assert [n for n, _ in parsed.rows] == [2, 4]  # Excel's row numbers; the empty row skipped
    assert parsed.rows[1][1] == {"stem": "高处作业须系安全带", "kind": "3", "answer": "对", "source": "教材"}

    with pytest.raises(FileRejected) as info:
        read_workbook(io.BytesIO(xlsx([["题干", "题型", "答案", "难度"]])), file_name="题库.xlsx", sheet=SHEET)
    assert "缺少列 “出处”" in info.value.message and "无法识别的列 “难度”（D 列）" in info.value.message
    assert "应为：题干、题型、答案、出处" in info.value.message
    with pytest.raises(FileRejected, match="文件中没有试题数据"):
        read_workbook(io.BytesIO(xlsx([HEADER])), file_name="题库.xlsx", sheet=SHEET)


def test_the_reader_prefers_the_declared_sheet():
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.add_worksheet("说明").write_string(0, 0, "随便写点什么")
    data = workbook.add_worksheet("试题")
    for c, header in enumerate(HEADER):
        data.write_string(0, c, header)
    data.write_string(1, 0, "安全帽的作用是什么")
    workbook.close()
    parsed = read_workbook(io.BytesIO(buffer.getvalue()), file_name="题库.xlsx", sheet=SHEET)
    assert parsed.rows[0][1]["stem"] == "安全帽的作用是什么"


def test_a_formula_in_the_data_sheet_is_refused():
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("试题")
    for c, header in enumerate(HEADER):
        sheet.write_string(0, c, header)
    sheet.write_formula(1, 0, "=1+1")
    workbook.close()
    with pytest.raises(FileRejected, match="单元格 A2 含有公式"):
        read_workbook(io.BytesIO(buffer.getvalue()), file_name="题库.xlsx", sheet=SHEET)


# --------------------------------------------------------------------------- template and report

def test_the_template_is_generated_from_the_declaration():
    wb = openpyxl.load_workbook(io.BytesIO(build_template(SHEET)))
    assert wb.sheetnames == ["试题", "填写说明"]
    data = wb["试题"]
    assert [c.value for c in data[1]] == HEADER
    assert data.column_dimensions["A"].number_format == "@" and data["A1"].comment.text == "必填。题目正文。"
    (validation,) = data.data_validations.dataValidation
    assert validation.formula1 == '"1,2,3"' and str(validation.sqref).startswith("B2:")
    help_cells = [c.value for row in wb["填写说明"].iter_rows() for c in row if c.value]
    assert "试题导入模板 填写说明" in help_cells and "可不填" in help_cells and "判断题" in help_cells
    assert "1. 每道题一行。" in help_cells


def test_the_error_report_echoes_the_rows_neutralised_and_reads_back_as_uploaded():
    hostile = ['=HYPERLINK("http://evil.example","点我")', "+1", "-2", "@SUM(A1)"]
    upload = xlsx([HEADER, hostile, ["安全帽的作用是什么", "1", "A", None]])
    parsed = read_workbook(io.BytesIO(upload), file_name="题库.xlsx", sheet=SHEET)
    report = build_error_report(SHEET, parsed=parsed, reasons={2: "=题型：题型应为 1、2 或 3"})
    sheet = openpyxl.load_workbook(io.BytesIO(report))["试题"]
    assert [c.value for c in sheet[1]] == HEADER + [ERROR_COLUMN]
    assert [c.value for c in sheet[2]] == ["'" + v for v in hostile] + ["'=题型：题型应为 1、2 或 3"]
    assert all(c.data_type == "s" for c in sheet[2])
    assert [c.value for c in sheet[3]][:3] == ["安全帽的作用是什么", "1", "A"]
    # uploaded again, the cells are what the user first uploaded (the 错误原因 column is ignored)
    again = read_workbook(io.BytesIO(report), file_name="题库_错误原因.xlsx", sheet=SHEET)
    assert again.rows[0][1] == dict(zip(("stem", "kind", "answer", "source"), hostile, strict=True))


# --------------------------------------------------------------------------- writer

def test_neutralise_and_safe_cell():
    for value in ("=1+1", "+86", "-3", "@A1", "\tx", "\rx"):
        assert neutralise(value) == "'" + value and safe_cell(value).startswith("'")
    assert neutralise("张三") == "张三" and neutralise(None) == "" and neutralise(12) == "12"
    assert safe_cell("a<b&c") == "a&lt;b&amp;c" and safe_cell("a\x01b") == "ab"


def test_the_writer_writes_text_cells_with_widths_and_title():
    handle, count = xlsx_tempfile([("110105194912310029", "=cmd"), (None, 3), ("甲", datetime.date(2026, 1, 2))],
                                  headers=["证件号码", "备注"], widths=[22], title="名单")
    with handle:
        wb = openpyxl.load_workbook(handle)
    assert count == 3 and wb.sheetnames == ["名单"]
    sheet = wb["名单"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["证件号码", "备注"], ["110105194912310029", "'=cmd"], ["", "3"], ["甲", "2026-01-02"]]
    assert sheet.column_dimensions["A"].width == 22 and sheet.freeze_panes == "A2"
    out = io.BytesIO()
    write_xlsx(out, [], headers=["h"])
    assert zipfile.ZipFile(out).testzip() is None


def test_the_writer_checks_batches_and_escapes_only_the_rows_that_need_it(monkeypatch):
    """Plain text rows take the fast path (no per-cell safe_cell); a row with something to
    escape or neutralise, a None, a number, a row of another width or a stray separator
    character takes the careful path, alone, and reads back right."""
    from core.spreadsheets import writer

    calls = []
    real = writer.safe_cell
    monkeypatch.setattr(writer, "safe_cell", lambda value: calls.append(value) or real(value))
    plain = [(f"名{i}", f"110105{i:012d}") for i in range(2500)]
    out = io.BytesIO()
    assert write_xlsx(out, plain, headers=["姓名", "证件号码"], title="名单") == 2500
    assert sorted(calls) == sorted(["名单", "名单", "姓名", "证件号码"])  # the title twice, the headers; no data cell

    hostile = [("a&b", "x"), ("=1+1", "y"), (None, 7), ("short",), ("a\x1eb", "z"), ("-3", "<t>")]
    rows = plain[:1500] + hostile + plain[1500:]
    calls.clear()
    out = io.BytesIO()
    write_xlsx(out, rows, headers=["姓名", "证件号码"])
    assert len(calls) == 2 + 2 + sum(len(r) for r in hostile)  # only the hostile rows, cell by cell
    out.seek(0)
    values = [[c.value for c in row] for row in openpyxl.load_workbook(out)["Sheet1"].iter_rows()]
    assert values[1501:1507] == [["a&b", "x"], ["'=1+1", "y"], ["", "7"], ["short", None], ["ab", "z"], ["'-3", "<t>"]]
    assert values[1:1501] == [list(r) for r in plain[:1500]] and values[1507:] == [list(r) for r in plain[1500:]]


# --------------------------------------------------------------------------- arrows

def test_the_package_imports_no_domain_app():
    from django.conf import settings

    domain = {app.split(".")[0] for app in settings.INSTALLED_APPS
              if not app.startswith(("django", "core")) and "." not in app} - {"django_htmx", "csp", "captcha"}
    package = Path(__file__).resolve().parent.parent / "spreadsheets"
    found = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] in domain]
    assert domain and not found
