"""Scanner result files as programs and Excel leave them: .xlsx by openpyxl or xlsxwriter (numbers
left as numbers), .csv in UTF-8 with a BOM (Excel's “CSV UTF-8”), plain UTF-8 and GBK (Excel's
“CSV” on Chinese Windows)."""

import csv
import io

import openpyxl
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from answercards.models import Seat

from .factories import card_text

HEADERS = ["考生编号", "试卷版本", "作答"]


def xlsx_openpyxl(rows, headers=HEADERS, *, sheet="答题卡") -> bytes:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    ws.append(headers)
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_xlsxwriter(rows, headers=HEADERS, *, numbers=True) -> bytes:
    """As a scanner's export might write it: the 考生编号 as a number cell."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = workbook.add_worksheet("Sheet1")
    for j, h in enumerate(headers):
        ws.write_string(0, j, h)
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row):
            if j == 0 and numbers and str(value).isdigit():
                ws.write_number(i, j, int(value))
            else:
                ws.write_string(i, j, str(value))
    workbook.close()
    return buffer.getvalue()


def csv_bytes(rows, headers=HEADERS, *, encoding="utf-8-sig", delimiter=",") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode(encoding)


def card_rows(registrations, answers: dict | None = None) -> list[list[str]]:
    """One row per registration: 考生编号, its seat's version, its answer string (all right unless
    `answers` gives another list of displayed letters or a text for it)."""
    answers = answers or {}
    versions = dict(Seat.objects.filter(registration__in=registrations).values_list("registration_id", "version"))
    rows = []
    for reg in registrations:
        given = answers.get(reg.pk)
        text = given if isinstance(given, str) else card_text(reg, given)
        rows.append([reg.candidate_number, versions[reg.pk], text])
    return rows


def upload(content: bytes, name: str) -> dict:
    return {"source": SimpleUploadedFile(name, content), "file_name": name}


def upload_rows(registrations, answers=None, *, fmt="xlsx") -> dict:
    rows = card_rows(registrations, answers)
    if fmt == "csv":
        return upload(csv_bytes(rows), "扫描结果.csv")
    return upload(xlsx_openpyxl(rows), "扫描结果.xlsx")
