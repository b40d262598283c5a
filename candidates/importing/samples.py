"""Generated candidate files: the demo data, the benchmark and the tests all import files made
here, laid out exactly like the template (text cells, the template's header row)."""

import datetime
import io

import xlsxwriter
from stdnum.cn import ric

from .columns import COLUMNS, HEADERS

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "强", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "建华", "志强"]
COMPANIES = [
    ("中通服建设有限公司", "91110000100010433L"),
    ("京通信工程局有限公司", "91110108551385082Q"),
    ("华信网络科技有限公司", "91440300MA5DC8T375"),
    ("长城通信建设有限公司", "91310000132204836Y"),
]


def resident_id(seq: int, *, area: str = "110105") -> str:
    """A valid GB 11643 number, distinct for every seq below 999 × 20,000."""
    birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=seq // 999)
    body = f"{area}{birth:%Y%m%d}{seq % 999 + 1:03d}"
    return body + ric.calc_check_digit(body + "0")


def sample_row(seq: int, *, continuing: bool = False) -> dict:
    company, code = COMPANIES[seq % len(COMPANIES)]
    return {
        "name": SURNAMES[seq % len(SURNAMES)] + GIVEN[(seq // len(SURNAMES)) % len(GIVEN)],
        "id_type": "1",
        "id_number": resident_id(seq),
        "phone": f"139{seq % 10**8:08d}",
        "company_name": company,
        "credit_code": code,
        "personnel_type": "ABC"[seq % 3],
        "cert_number": f"安A(2024){seq:06d}" if continuing else "",
        "cert_expiry": "2027-06-30" if continuing else "",
    }


def sample_rows(n: int, *, start: int = 0, continuing: bool = False) -> list[dict]:
    return [sample_row(start + i, continuing=continuing) for i in range(n)]


def write_xlsx(rows: list[dict] | list[list], target=None, *, headers: list[str] | None = None) -> bytes | None:
    """Write rows (dicts keyed by column key, or lists of cell values) under the template's
    header as text cells. `target` a path; without it, the bytes are returned."""
    buffer = io.BytesIO() if target is None else None
    workbook = xlsxwriter.Workbook(buffer if target is None else str(target), {"in_memory": True})
    sheet = workbook.add_worksheet("考生信息")
    text = workbook.add_format({"num_format": "@"})
    sheet.write_row(0, 0, headers or HEADERS)
    keys = [c.key for c in COLUMNS]
    for r, row in enumerate(rows, start=1):
        values = [row.get(k) for k in keys] if isinstance(row, dict) else row
        for c, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                sheet.write_string(r, c, value, text)
            else:
                sheet.write(r, c, value)
    workbook.close()
    return buffer.getvalue() if buffer is not None else None
