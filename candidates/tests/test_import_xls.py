"""Legacy .xls files are read in a child process under limits: a file that crashes the reader is
refused with a message and never takes the server process down."""

import io

import pytest
import xlwt

from candidates.importing.columns import COLUMNS
from candidates.importing.reader import FileRejected, read_candidate_file
from core.spreadsheets import reader as core_reader
from core.spreadsheets import xls_formulas


def _xls(rows) -> bytes:
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("考生信息")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _header():
    return [c.header for c in COLUMNS]


def test_an_xls_file_is_read_through_the_child_process():
    row = ["张三", "1", "11010519491231002X", "13812345678", "测试公司", "91110108551385082Q", "A", "", ""]
    parsed = read_candidate_file(io.BytesIO(_xls([_header(), row])), file_name="名单.xls")
    assert len(parsed.rows) == 1
    row_number, raw = parsed.rows[0]
    assert row_number == 2 and raw["id_number"] == "11010519491231002X" and raw["name"] == "张三"


def test_a_reader_crash_is_a_refusal_not_a_dead_server(monkeypatch):
    # a child that aborts the way calamine does on a crafted file
    monkeypatch.setattr(core_reader, "XLS_CHILD_MODULE", "candidates.tests.crashing_child")
    with pytest.raises(FileRejected, match="文件已损坏"):
        read_candidate_file(io.BytesIO(_xls([_header()])), file_name="名单.xls")


def test_an_xls_too_wide_is_refused():
    with pytest.raises(FileRejected, match="超出模板的列范围"):
        read_candidate_file(io.BytesIO(_xls([[f"c{i}" for i in range(40)]])), file_name="名单.xls")


def _xls_sheets(sheets: dict) -> bytes:
    """{sheet name: rows}; a cell given as ("=", "expr") is written as a formula."""
    wb = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, tuple):
                    ws.write(r, c, xlwt.Formula(value[1]))
                else:
                    ws.write(r, c, value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


ROW = ["张三", "1", "11010519491231002X", "13812345678", "测试公司", "91110108551385082Q", "A", "", ""]


def test_a_formula_in_an_xls_is_refused_with_its_cell():
    """calamine reads only a formula's cached value; the BIFF scan finds the formula itself."""
    formula_row = list(ROW)
    formula_row[3] = ("=", "13812345600+78")
    data = _xls_sheets({"考生信息": [_header(), ROW, formula_row]})
    with pytest.raises(FileRejected, match=r"单元格 D3 含有公式，请将公式替换为数值"):
        read_candidate_file(io.BytesIO(data), file_name="名单.xls")


def test_formulas_only_count_in_the_sheet_that_is_imported():
    data = _xls_sheets({"说明": [["合计", ("=", "1+1")]], "考生信息": [_header(), ROW]})
    assert xls_formulas.first_formula_cell(data, "考生信息") is None
    assert len(read_candidate_file(io.BytesIO(data), file_name="名单.xls").rows) == 1
    # without a 考生信息 sheet the first worksheet is read, as calamine does
    data = _xls_sheets({"Sheet1": [_header(), ROW, ["x", ("=", "A1&A2")]], "说明": [["a"]]})
    assert xls_formulas.first_formula_cell(data, "考生信息") == "B3"


def test_a_file_that_is_not_a_workbook_is_unreadable():
    with pytest.raises(xls_formulas.UnreadableXls):
        xls_formulas.first_formula_cell(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "考生信息")
