"""Legacy .xls files are read in a child process under limits: a file that crashes the reader is
refused with a message and never takes the server process down."""

import io

import pytest
import xlwt

from candidates.importing import reader
from candidates.importing.columns import COLUMNS
from candidates.importing.reader import FileRejected, read_candidate_file


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
    monkeypatch.setattr(reader, "XLS_CHILD_MODULE", "candidates.tests.crashing_child")
    with pytest.raises(FileRejected, match="文件已损坏"):
        read_candidate_file(io.BytesIO(_xls([_header()])), file_name="名单.xls")


def test_an_xls_too_wide_is_refused():
    with pytest.raises(FileRejected, match="超出模板的列范围"):
        read_candidate_file(io.BytesIO(_xls([[f"c{i}" for i in range(40)]])), file_name="名单.xls")
