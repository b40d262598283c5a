"""Finds formulas in a legacy .xls (BIFF5/BIFF8), which calamine cannot report: it reads only a
formula's cached value, so a sheet of formulas would be imported as whatever Excel last showed.

The workbook stream of the OLE2 file (read with olefile) is a run of records: 2-byte type,
2-byte length, data. The globals part lists the sheets (BOUNDSHEET: offset of the sheet's BOF
record and its name); each sheet is a run of records up to EOF, and every formula cell is a
FORMULA record whose data starts with the cell's row and column (0-based). We walk the one
sheet the importer reads (the declared data sheet, else the first worksheet), as calamine does."""

import io
import struct

import olefile

BOF, EOF, BOUNDSHEET, FORMULA = 0x0809, 0x000A, 0x0085, 0x0006
BIFF8 = 0x0600
WORKSHEET = 0x00


class UnreadableXls(Exception):
    """Not a BIFF workbook we can walk (the caller treats it as a corrupt file)."""


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _records(stream: bytes, pos: int):
    size = len(stream)
    while pos + 4 <= size:
        kind, length = struct.unpack_from("<HH", stream, pos)
        yield kind, stream[pos + 4: pos + 4 + length]
        pos += 4 + length


def _sheet_name(data: bytes, biff8: bool) -> str:
    count = data[6]
    if not biff8:
        return data[7: 7 + count].decode("gbk", "replace")
    wide = data[7] & 0x01
    raw = data[8: 8 + count * (2 if wide else 1)]
    return raw.decode("utf-16-le", "replace") if wide else raw.decode("latin-1")


def first_formula_cell(data: bytes, preferred_sheet: str) -> str | None:
    """The reference (e.g. "C5") of the first formula in the sheet the importer reads, or None."""
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
        name = "Workbook" if ole.exists("Workbook") else "Book"
        stream = ole.openstream(name).read()
    except (OSError, ValueError, struct.error) as exc:
        raise UnreadableXls(str(exc)) from None
    records = _records(stream, 0)
    first = next(records, None)
    if first is None or first[0] != BOF or len(first[1]) < 2:
        raise UnreadableXls("no BOF record")
    biff8 = struct.unpack_from("<H", first[1])[0] == BIFF8
    sheets: list[tuple[str, int]] = []
    for kind, body in records:
        if kind == EOF:
            break
        if kind == BOUNDSHEET and len(body) >= 8 and body[5] == WORKSHEET:
            sheets.append((_sheet_name(body, biff8), struct.unpack_from("<I", body)[0]))
    if not sheets:
        return None
    offset = next((off for sheet, off in sheets if sheet == preferred_sheet), sheets[0][1])
    for kind, body in _records(stream, offset):
        if kind == FORMULA and len(body) >= 4:
            row, col = struct.unpack_from("<HH", body)
            return f"{_column_letters(col)}{row + 1}"
        if kind == EOF:
            break
    return None
