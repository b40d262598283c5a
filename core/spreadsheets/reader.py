"""Reading an uploaded spreadsheet with python-calamine, for any importer (docs/decisions.md#import-file-refusal, docs/decisions.md#spreadsheets).

`read_workbook(source, file_name=..., sheet=SHEET)` reads the data sheet a `Sheet` declares
(core.spreadsheets.columns) and checks its header row against the sheet's columns.

Whole-file problems are refused before a single row is looked at, with a Chinese message that
says what is wrong, and nothing is changed: not an .xlsx (or .xls), larger than 10 MB,
corrupt, password-protected, an archive that expands past a safe size (zip bomb), a used area
too large to load safely, formulas in cells, more than 20,000 data rows, a missing, renamed or
repeated header column. Empty rows (Excel often carries thousands of formatted empty rows at the
end) are skipped silently; row numbers stay Excel's own, so "第 7 行" is row 7 on screen.

Why the XML is pre-scanned: calamine allocates the sheet's whole used rectangle, so a 5 KB file
with one value in XFD1048576 would make it ask for half a terabyte and abort the process. The
scan bounds the used area and finds formulas (calamine reads only their cached values) in one
regular-expression pass over the decompressed sheets, far cheaper than the read itself.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine

from core.errors import ApplicationError

from .columns import ERROR_COLUMN, MAX_COLUMNS, MAX_DATA_ROWS, Sheet

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_EXPANDED_BYTES = 60 * 1024 * 1024  # all parts of the .xlsx decompressed
MAX_ZIP_MEMBERS = 2000
ALLOWED_SUFFIXES = (".xlsx", ".xls")
CSV_SUFFIX = ".csv"

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
# A cell with content: its reference, then (after its attributes) a value, inline text or a
# formula. Self-closing cells (formatting only, e.g. thousands of styled empty rows) do not match.
# Each pattern starts with a literal, so the regex engine's fast prefix search does the scanning.
_WIDE_CELL_RE = re.compile(rb'r="([A-Z]{2,3}\d+)"[^>]*>\s*<(?:\w+:)?(?:v|is|f)\b')
# a valued cell at row 100,000 or beyond, anywhere (a crafted file need not keep rows in order)
_FAR_CELL_RE = re.compile(rb'r="([A-Z]{1,3}[1-9]\d{5,})"[^>]*>\s*<(?:\w+:)?(?:v|is|f)\b')
_FORMULA_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_REF_RE = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3}\d+)"')

FORMULA_MESSAGE = "含有公式，请将公式替换为数值（复制后“选择性粘贴 → 值”）后重新上传"
CORRUPT_MESSAGE = "文件已损坏或不是有效的 Excel 文件，请用 Excel 打开确认后另存为 .xlsx 再上传"
PASSWORD_MESSAGE = "文件设置了打开密码，请在 Excel 中取消密码后重新上传"
CSV_ENCODING_MESSAGE = ("CSV 文件的编码无法识别（应为 UTF-8 或 GBK），请在 Excel 中“另存为 → CSV UTF-8（逗号分隔）”"
                        "后重新上传")


class FileRejected(ApplicationError):
    """The whole file is refused; nothing was imported."""

    def __init__(self, message: str):
        super().__init__(message, field="file", code="file_rejected")


@dataclass
class ParsedFile:
    headers: list[str]  # the header row as written
    header_row: int  # Excel row number of the header
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (Excel row number, raw dict)
    cells: list[tuple[int, list]] = field(default_factory=list)  # (row number, the cells as read)


def _col_letters(index: int) -> str:
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _check_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise FileRejected(f"文件大小为 {size / 1024 / 1024:.1f} MB，超过 10 MB 的上限，请拆分后分批导入")
    if size == 0:
        raise FileRejected("文件是空的，请选择填好的模板文件")


_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _imported_sheet_part(archive: zipfile.ZipFile, names: set[str], sheet_name: str) -> str | None:
    """The zip member of the sheet that is read (the declared one, else the first), or None when the
    workbook's own index cannot say (then every sheet is held to the same checks)."""
    import xml.etree.ElementTree as ET

    try:
        with archive.open("xl/workbook.xml") as fh:
            workbook = ET.fromstring(fh.read(1024 * 1024))
        with archive.open("xl/_rels/workbook.xml.rels") as fh:
            rels = ET.fromstring(fh.read(1024 * 1024))
    except (KeyError, ET.ParseError, zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return None
    sheets = [(el.get("name"), el.get(f"{_REL_NS}id")) for el in workbook.iter(f"{_MAIN_NS}sheet")]
    if not sheets:
        return None
    rel_id = next((rid for name, rid in sheets if name == sheet_name), sheets[0][1])
    target = next((el.get("Target") for el in rels.iter(f"{_PKG_REL_NS}Relationship") if el.get("Id") == rel_id), None)
    if not target:
        return None
    part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return part if part in names else None


def _scan_xlsx(data: bytes, sheet_name: str) -> None:
    """Zip-bomb guard, used-area bounds and formulas, from the archive itself."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRejected(CORRUPT_MESSAGE) from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise FileRejected("文件内部结构异常（包含的部件过多），已拒绝")
    declared = sum(info.file_size for info in infos)
    if declared > MAX_EXPANDED_BYTES:
        raise FileRejected(
            f"文件解压后为 {declared / 1024 / 1024:.0f} MB，超过 {MAX_EXPANDED_BYTES // 1024 // 1024} MB 的安全上限"
            "（可能是压缩炸弹），已拒绝"
        )
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise FileRejected(CORRUPT_MESSAGE)
    imported = _imported_sheet_part(archive, names, sheet_name)
    budget = MAX_EXPANDED_BYTES
    for info in infos:
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            continue
        try:
            with archive.open(info) as member:
                # never trust the declared size: read at most what is left of the budget
                xml = member.read(budget + 1)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
            raise FileRejected(CORRUPT_MESSAGE) from None
        if len(xml) > budget:
            raise FileRejected("文件解压后超过安全上限（可能是压缩炸弹），已拒绝")
        budget -= len(xml)
        # formulas matter only where rows are read (calamine takes their cached values); a helper
        # sheet may compute whatever it likes. Unknown mapping: every sheet is checked.
        formula = _FORMULA_RE.search(xml) if imported in (None, info.filename) else None
        if formula:
            start = xml.rfind(b"<c", 0, formula.start())
            ref = _CELL_REF_RE.match(xml, start) if start >= 0 else None
            where = f"单元格 {ref.group(1).decode()} " if ref else ""
            raise FileRejected(f"{where}{FORMULA_MESSAGE}")
        wide = _WIDE_CELL_RE.search(xml)
        if wide:
            raise FileRejected(f"单元格 {wide.group(1).decode()} 超出模板的列范围，请删除模板以外的列后重新上传")
        far = _FAR_CELL_RE.search(xml)
        if far:
            raise FileRejected(
                f"数据超过 {MAX_DATA_ROWS:,} 行的上限（单元格 {far.group(1).decode()} 仍有内容），请拆分后分批导入"
            )
        # Below row 100,000 and within A–Z the rectangle is at most 2.6 million cells: calamine can
        # load it, and the row count decides (whitespace-only rows at the end are not data).


def _check_ole(data: bytes) -> None:
    """An OLE2 compound file is either a legacy .xls or an encrypted .xlsx."""
    if _ENCRYPTED_MARK in data:
        raise FileRejected(PASSWORD_MESSAGE)


def _normalise_header(value) -> str:
    text = str(value or "").strip().replace("＊", "*")
    text = text.strip("*").strip()
    for suffix in ("（必填）", "(必填)", "（选填）", "(选填)"):
        text = text.removesuffix(suffix).strip()
    return text


def _is_empty(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


# What neutralise (writer.py) puts before a value that starts like a formula; a re-uploaded error
# report or export gets its values back as they were first uploaded.
_NEUTRALISED_RE = re.compile("^'(?=[=+\\-@\t\r])")


def read_workbook(source, *, file_name: str, sheet: Sheet) -> ParsedFile:
    """Read and check a whole file against `sheet` (its data sheet name and columns). `source` is
    a path or a file object (an UploadedFile). Raises FileRejected with the reason; otherwise
    returns the non-empty data rows."""
    suffix = Path(file_name or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES and not (sheet.accept_csv and suffix == CSV_SUFFIX):
        kinds = "Excel 文件（.xlsx 或 .xls）或 CSV 文件（.csv）" if sheet.accept_csv else "Excel 文件（.xlsx 或 .xls）"
        raise FileRejected(f"只能上传 {kinds}，请使用“下载模板”得到的文件填写后上传")
    if isinstance(source, str | Path):
        size = Path(source).stat().st_size
        _check_size(size)
        data = Path(source).read_bytes()
    else:
        size = getattr(source, "size", None)
        if size is not None:
            _check_size(size)
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(MAX_FILE_BYTES + 1)
        _check_size(len(data))
    head = data[:8]
    if suffix == CSV_SUFFIX and not head.startswith(_ZIP_MAGIC) and head != _OLE_MAGIC:
        return _rows_from_table(_csv_table(data), sheet)
    if head.startswith(_ZIP_MAGIC):
        _scan_xlsx(data, sheet.name)
    elif head == _OLE_MAGIC:
        _check_ole(data)
    else:
        raise FileRejected(CORRUPT_MESSAGE)

    if head == _OLE_MAGIC:
        return _rows_from_table(_read_xls_isolated(data, sheet.name), sheet)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet_names = workbook.sheet_names
        if not sheet_names:
            raise FileRejected("文件中没有工作表")
        data_sheet = (workbook.get_sheet_by_name(sheet.name) if sheet.name in sheet_names
                      else workbook.get_sheet_by_index(0))
        if data_sheet.height > 100_000 or data_sheet.width > MAX_COLUMNS:  # .xls: bounds known only now
            raise FileRejected(f"数据超过 {MAX_DATA_ROWS:,} 行的上限或超出模板的列范围，请只保留模板中的列和数据行")
        table = data_sheet.to_python(skip_empty_area=False)
    except FileRejected:
        raise
    except python_calamine.PasswordError:
        raise FileRejected(PASSWORD_MESSAGE) from None
    except Exception:  # calamine raises several error types for broken content
        raise FileRejected(CORRUPT_MESSAGE) from None
    return _rows_from_table(table, sheet)


def _decode_csv(data: bytes) -> str:
    """The text of a CSV file: UTF-8 (a BOM, as Excel's “CSV UTF-8” writes, is dropped), else
    GB18030, the superset of the GBK that Excel's plain “CSV” writes on Chinese Windows."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileRejected(CSV_ENCODING_MESSAGE) from None
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected(CSV_ENCODING_MESSAGE)


_EMPTY_ROW: list = []


def _csv_table(data: bytes) -> list[list]:
    """A CSV file as the reader's table of cells (text; an empty cell is None). Comma-separated,
    or tab-separated when the first line has tabs and no commas."""
    text = _decode_csv(data)
    if "\x00" in text:
        raise FileRejected("文件不是有效的 CSV 文本文件，请用 Excel 打开确认后另存为 CSV 或 .xlsx 再上传")
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    table = []
    try:
        for cells in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            if len(cells) > MAX_COLUMNS and any(c.strip() for c in cells[MAX_COLUMNS:]):
                raise FileRejected(f"第 {len(table) + 1} 行超出模板的列范围，请删除模板以外的列后重新上传")
            table.append([c if c.strip() else None for c in cells[:MAX_COLUMNS]] if cells else _EMPTY_ROW)
            if len(table) > 100_000:  # as for a workbook's used area: the data-row limit decides below it
                raise FileRejected(f"数据超过 {MAX_DATA_ROWS:,} 行的上限，请拆分后分批导入")
    except csv.Error:
        raise FileRejected("CSV 文件格式不正确（引号不成对等），请用 Excel 打开确认后另存为 CSV 再上传") from None
    return table


# The .xls child may use this much memory (address space) and time before it is stopped.
XLS_CHILD_MEMORY_BYTES = 1024 * 1024 * 1024
XLS_CHILD_TIMEOUT_SECONDS = 60
XLS_CHILD_MODULE = "core.spreadsheets.xls_child"


def _limit_child_memory() -> None:  # runs in the child before exec
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (XLS_CHILD_MEMORY_BYTES, XLS_CHILD_MEMORY_BYTES))


def _read_xls_isolated(data: bytes, sheet_name: str) -> list[list]:
    """Parse a legacy .xls in a child process under a memory and time limit, so that a crafted
    file can neither exhaust the server's memory nor abort the web or worker process
    (core/spreadsheets/xls_child.py says why). Any crash is a refusal of the file."""
    import pickle
    import subprocess
    import sys

    from django.conf import settings

    try:
        done = subprocess.run(
            [sys.executable, "-m", XLS_CHILD_MODULE, "100000", str(MAX_COLUMNS), sheet_name], input=data, capture_output=True,
            timeout=XLS_CHILD_TIMEOUT_SECONDS, cwd=settings.BASE_DIR, preexec_fn=_limit_child_memory,
        )
    except subprocess.TimeoutExpired:
        raise FileRejected("文件读取超时，文件可能已损坏，请另存为 .xlsx 后重新上传") from None
    if done.returncode != 0 or not done.stdout:
        raise FileRejected(CORRUPT_MESSAGE)
    status, payload = pickle.loads(done.stdout)  # our own child's output
    if status == "ok":
        return payload
    if payload == "password":
        raise FileRejected(PASSWORD_MESSAGE)
    if payload == "too_large":
        raise FileRejected(f"数据超过 {MAX_DATA_ROWS:,} 行的上限或超出模板的列范围，请只保留模板中的列和数据行")
    if payload.startswith("formula:"):
        raise FileRejected(f"单元格 {payload.removeprefix('formula:')} {FORMULA_MESSAGE}")
    if payload == "empty":
        raise FileRejected("文件中没有工作表")
    raise FileRejected(CORRUPT_MESSAGE)


def _rows_from_table(table: list[list], sheet: Sheet) -> ParsedFile:
    header_index = next((i for i, row in enumerate(table) if any(not _is_empty(c) for c in row)), None)
    if header_index is None:
        raise FileRejected(f"文件中没有内容，请在模板的“{sheet.name}”工作表中填写{sheet.item}后上传")
    header_cells = table[header_index]
    headers = [_normalise_header(c) for c in header_cells]
    positions: dict[str, int] = {}
    unknown, repeated = [], []
    for i, header in enumerate(headers):
        if not header:
            continue
        if header == ERROR_COLUMN:
            continue  # a re-uploaded error report: the reasons column is ignored
        column = sheet.by_header.get(header)
        if column is None:
            unknown.append(f"“{header}”（{_col_letters(i + 1)} 列）")
        elif column.key in positions:
            repeated.append(f"“{header}”")
        else:
            positions[column.key] = i
    missing = [f"“{c.header}”" for c in sheet.columns if c.key not in positions]
    if missing or unknown or repeated:
        parts = []
        if missing:
            parts.append("缺少列 " + "、".join(missing))
        if unknown:
            parts.append("无法识别的列 " + "、".join(unknown))
        if repeated:
            parts.append("重复的列 " + "、".join(repeated))
        raise FileRejected(
            "第 {} 行表头与模板不一致：{}。请使用“下载模板”得到的文件，不要修改、删除或增加表头列（应为：{}）".format(
                header_index + 1, "；".join(parts), "、".join(sheet.headers)
            )
        )
    parsed = ParsedFile(headers=[str(c) if c is not None else "" for c in header_cells], header_row=header_index + 1)
    for i in range(header_index + 1, len(table)):
        cells = table[i]
        if all(_is_empty(c) for c in cells):
            continue  # empty rows anywhere (and thousands at the end) are not errors
        if len(parsed.rows) >= sheet.max_rows:
            raise FileRejected(f"数据超过 {sheet.max_rows:,} 行的上限，请拆分后分批导入")
        raw = {key: (cells[pos] if pos < len(cells) else None) for key, pos in positions.items()}
        for key, value in raw.items():
            if value == "":
                raw[key] = None
            elif isinstance(value, str) and value.startswith("'"):
                raw[key] = _NEUTRALISED_RE.sub("", value)
        parsed.rows.append((i + 1, raw))
        parsed.cells.append((i + 1, cells))
    if not parsed.rows:
        raise FileRejected(f"文件中没有{sheet.item}数据（表头下方没有填写任何行）")
    return parsed
