"""Whole-file problems are refused with a reason and change nothing (docs/decisions.md#import-file-refusal)."""

import io
import zipfile

import openpyxl
import pytest
import xlsxwriter

from candidates.importing.columns import HEADERS
from candidates.importing.reader import (
    CORRUPT_MESSAGE,
    MAX_DATA_ROWS,
    PASSWORD_MESSAGE,
    FileRejected,
    read_candidate_file,
)
from candidates.importing.samples import sample_rows, write_xlsx
from candidates.importing.services import import_upload
from candidates.models import ImportRun, Registration
from plans.tests.factories import ExamPlanFactory


def read(content: bytes, name="a.xlsx"):
    return read_candidate_file(io.BytesIO(content), file_name=name)


def rejected(content: bytes, name="a.xlsx") -> str:
    with pytest.raises(FileRejected) as info:
        read(content, name)
    return info.value.message


def test_a_good_file():
    parsed = read(write_xlsx(sample_rows(3)))
    assert [n for n, _ in parsed.rows] == [2, 3, 4]
    assert parsed.rows[0][1]["id_type"] == "1"


def test_wrong_type_and_corrupt():
    assert "只能上传 Excel 文件" in rejected(b"a,b,c", "a.csv")
    assert rejected(b"this is not a spreadsheet at all", "a.xlsx") == CORRUPT_MESSAGE
    truncated = write_xlsx(sample_rows(3))[:600]
    assert rejected(truncated) == CORRUPT_MESSAGE


def test_password_protected():
    # an encrypted .xlsx is an OLE2 compound file holding an "EncryptedPackage" stream
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 1000
    assert rejected(ole) == PASSWORD_MESSAGE


def test_too_large():
    class Big(io.BytesIO):
        size = 10 * 1024 * 1024 + 1

    with pytest.raises(FileRejected, match="超过 10 MB"):
        read_candidate_file(Big(b"PK"), file_name="a.xlsx")


def test_zip_bomb():
    good = zipfile.ZipFile(io.BytesIO(write_xlsx(sample_rows(1))))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in good.infolist():
            data = good.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = data.replace(b"</worksheet>", b" " * (80 * 1024 * 1024) + b"</worksheet>")
            bomb.writestr(info.filename, data)
    content = buffer.getvalue()
    assert len(content) < 1024 * 1024
    assert "安全上限" in rejected(content)


def test_far_away_cell_is_refused_before_calamine_allocates_it():
    # calamine would allocate the whole rectangle A1:XFD1048576 and abort the process
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADERS)
    ws.append([c for c in sample_rows(1)[0].values()])
    ws["XFD1048576"] = "x"
    buffer = io.BytesIO()
    wb.save(buffer)
    assert "XFD1048576" in rejected(buffer.getvalue())
    ws["XFD1048576"] = None
    ws["C900000"] = "x"
    buffer = io.BytesIO()
    wb.save(buffer)
    assert "C900000" in rejected(buffer.getvalue())


def test_more_than_the_row_limit():
    message = rejected(write_xlsx(sample_rows(MAX_DATA_ROWS + 1)))
    assert "20,000" in message


def test_header_missing_or_renamed():
    headers = list(HEADERS)
    headers[2] = "身份证号"
    message = rejected(write_xlsx(sample_rows(1), headers=headers))
    assert "缺少列 “证件号码”" in message and "无法识别的列 “身份证号”（C 列）" in message
    message = rejected(write_xlsx([list(sample_rows(1)[0].values())[:8]], headers=HEADERS[:8]))
    assert "缺少列 “证书到期日期”" in message


def test_formulas_are_refused():
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, HEADERS)
    ws.write_row(1, 0, list(sample_rows(1)[0].values()))
    ws.write_formula(1, 3, '="139"&"12345678"', None, "13912345678")
    wb.close()
    assert "单元格 D2 含有公式" in rejected(buffer.getvalue())


def _two_sheets(first: str, second: str, formula_in: str) -> bytes:
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for name in (first, second):
        ws = wb.add_worksheet(name)
        if name == "考生信息" or (name == first and "考生信息" not in (first, second)):
            ws.write_row(0, 0, HEADERS)
            ws.write_row(1, 0, list(sample_rows(1)[0].values()))
        if name == formula_in:
            ws.write_formula(4, 2, "=1+1", None, 2)
    wb.close()
    return buffer.getvalue()


def test_formulas_only_count_in_the_sheet_that_is_imported():
    """Like the .xls reader: a helper sheet may compute; the read sheet's cells must be values."""
    assert len(read(_two_sheets("说明", "考生信息", formula_in="说明")).rows) == 1
    assert len(read(_two_sheets("考生信息", "说明", formula_in="说明")).rows) == 1
    assert "单元格 C5 含有公式" in rejected(_two_sheets("说明", "考生信息", formula_in="考生信息"))
    # without a 考生信息 sheet the first sheet is the one read
    assert "单元格 C5 含有公式" in rejected(_two_sheets("Sheet1", "Sheet2", formula_in="Sheet1"))
    assert len(read(_two_sheets("Sheet1", "Sheet2", formula_in="Sheet2")).rows) == 1


@pytest.mark.django_db
def test_data_validation_formulas_of_the_template_are_not_cell_formulas():
    from candidates.importing.template import build_template

    with pytest.raises(FileRejected, match="没有考生数据"):
        read(build_template())


def test_trailing_empty_rows_are_ignored():
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = wb.add_worksheet()
    fmt = wb.add_format({"num_format": "@", "bg_color": "#FFFF00"})
    ws.write_row(0, 0, HEADERS)
    for r, row in enumerate(sample_rows(5), start=1):
        ws.write_row(r, 0, list(row.values()))
    for r in range(6, 30000):  # thousands of formatted empty rows, some with blank strings
        ws.set_row(r, None, fmt)
        if r % 1000 == 0:
            ws.write_string(r, 0, " ")
    wb.close()
    parsed = read(buffer.getvalue())
    assert len(parsed.rows) == 5


@pytest.mark.django_db
def test_refused_file_changes_nothing_but_the_run_says_why(world):
    plan = ExamPlanFactory(region=world.region_a)
    with pytest.raises(FileRejected):
        import_upload(plan=plan, uploaded_file=io.BytesIO(b"garbage"), file_name="x.xlsx", acting_user=world.admin_a)
    run = ImportRun.objects.get()
    assert run.status == "rejected" and run.message == CORRUPT_MESSAGE and not run.stored_file
    assert not Registration.objects.exists()
