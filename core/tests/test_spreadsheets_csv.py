"""CSV uploads through the shared reader (Sheet.accept_csv): the encodings Excel and scanners
write, the same header check and limits as a workbook, refusals with a Chinese reason."""

import io

import pytest

from core.spreadsheets.columns import Column, Sheet
from core.spreadsheets.reader import FileRejected, read_workbook
from core.spreadsheets.template import build_error_report

SHEET = Sheet(name="数据", item="记录", accept_csv=True,
              columns=(Column("code", "编号", "必填"), Column("name", "名称", "必填")))
XLSX_ONLY = Sheet(name="数据", item="记录", columns=SHEET.columns)


def read(content: bytes, name="data.csv", sheet=SHEET):
    return read_workbook(io.BytesIO(content), file_name=name, sheet=sheet)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk", "gb18030"])
def test_the_encodings_excel_and_scanners_write(encoding):
    parsed = read("编号,名称\r\n001,中国通信建设\r\n\r\n002,\"北京,电信\"\r\n".encode(encoding))
    assert parsed.rows == [(2, {"code": "001", "name": "中国通信建设"}), (4, {"code": "002", "name": "北京,电信"})]


def test_tab_separated_and_utf16():
    assert read("编号\t名称\n1\t甲\n".encode()).rows == [(2, {"code": "1", "name": "甲"})]
    assert read("编号,名称\n1,乙\n".encode("utf-16")).rows == [(2, {"code": "1", "name": "乙"})]


def test_the_header_check_and_the_neutralised_apostrophe_as_for_workbooks():
    with pytest.raises(FileRejected, match="缺少列 “名称”"):
        read("编号,别的\n1,2\n".encode())
    assert read("编号,名称\n'=1,x\n".encode()).rows[0][1]["code"] == "=1"


def test_refusals():
    with pytest.raises(FileRejected, match="只能上传 Excel 文件（.xlsx 或 .xls），"):
        read("编号,名称\n1,2\n".encode(), sheet=XLSX_ONLY)
    with pytest.raises(FileRejected, match="编码无法识别"):
        read(b"\xff\xff\xff,\xfe\n")
    with pytest.raises(FileRejected, match="不是有效的 CSV"):
        read("编号,名称\n1\x00,2\n".encode())
    with pytest.raises(FileRejected, match="超出模板的列范围"):
        read(("编号,名称" + ",x" * 30 + "\n").encode())
    with pytest.raises(FileRejected, match="超过 20,000 行的上限"):
        read(("编号,名称\n" + "\n" * 100_001).encode())
    with pytest.raises(FileRejected, match="引号不成对"):
        read('编号,名称\n"1,2\n'.encode())
    with pytest.raises(FileRejected, match="文件是空的"):
        read(b"")


def test_a_csv_upload_gets_the_error_report_as_a_workbook():
    import openpyxl

    parsed = read("编号,名称\n1,甲\n2,乙\n".encode("gbk"))
    report = build_error_report(SHEET, parsed=parsed, reasons={3: "名称：不对"})
    ws = openpyxl.load_workbook(io.BytesIO(report))["数据"]
    assert [c.value for c in ws[3]] == ["2", "乙", "名称：不对"]
