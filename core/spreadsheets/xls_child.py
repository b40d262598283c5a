"""Reads a legacy .xls in a child process (see reader._read_xls_isolated).

calamine allocates a sheet's whole used rectangle before we can look at its bounds, and for the
binary .xls format there is no cheap pre-scan as there is for .xlsx's XML: a crafted file can make
it allocate without bound or abort the process. So the parse runs here, under a memory limit,
and the parent turns any crash into a refusal. Input: the file's bytes on stdin, the row and column limits and the data sheet's name as arguments. Output: a
pickle of ("ok", table) or ("error", kind) on stdout."""

import io
import pickle
import sys


def main() -> None:
    import python_calamine

    from core.spreadsheets.xls_formulas import UnreadableXls, first_formula_cell

    max_rows, max_columns, sheet_name = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]  # the parent's
    data = sys.stdin.buffer.read()
    try:
        formula = first_formula_cell(data, sheet_name)
    except UnreadableXls:
        formula = None  # calamine decides whether the file is readable at all
    if formula:
        sys.stdout.buffer.write(pickle.dumps(("error", f"formula:{formula}")))
        return
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = workbook.sheet_names
        if not names:
            result = ("error", "empty")
        else:
            sheet = workbook.get_sheet_by_name(sheet_name) if sheet_name in names else workbook.get_sheet_by_index(0)
            if sheet.height > max_rows or sheet.width > max_columns:
                result = ("error", "too_large")
            else:
                result = ("ok", sheet.to_python(skip_empty_area=False))
    except python_calamine.PasswordError:
        result = ("error", "password")
    except Exception:
        result = ("error", "corrupt")
    sys.stdout.buffer.write(pickle.dumps(result))


if __name__ == "__main__":
    main()
