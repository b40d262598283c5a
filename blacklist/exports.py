"""The blacklist as an .xlsx file: the same rows as the filtered list page (SPEC.md §7: search
and export). Regions get masked 证件号码; written by the shared streaming writer
(core.spreadsheets.writer), so every cell is text and a value starting with = + - @ (or a tab/CR)
is neutralised with an apostrophe, as in every export (CSV/formula injection)."""

import datetime
import tempfile

from core.masking import mask_id_number
from core.spreadsheets.writer import write_xlsx

COLUMNS = [
    ("姓名", 12), ("证件类型", 14), ("证件号码", 22), ("企业名称", 30), ("违规类型", 24),
    ("处罚开始日期", 13), ("处罚截止日期", 13), ("状态", 8), ("地区", 10), ("决定时间", 17), ("撤销原因", 24),
]


def _values(entry, *, masked: bool, on_date: datetime.date) -> list[str]:
    from django.utils import timezone

    created = timezone.localtime(entry.created_at)
    return [
        entry.name, entry.id_type.name, mask_id_number(entry.id_number) if masked else entry.id_number,
        entry.company_name, entry.category.name, f"{entry.penalty_start:%Y-%m-%d}",
        f"{entry.penalty_end:%Y-%m-%d}", entry.state_label(on_date), entry.region.name,
        f"{created:%Y-%m-%d %H:%M}", entry.revoked_reason,
    ]


def write_entries(entries, *, masked: bool, on_date: datetime.date) -> tuple[str, int]:
    """Write the rows to a temporary file (constant memory); returns (path, row count)."""
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as handle:
        rows = write_xlsx(handle, (_values(e, masked=masked, on_date=on_date) for e in entries),
                          headers=[title for title, _ in COLUMNS], widths=[width for _, width in COLUMNS],
                          title="黑名单")
    return handle.name, rows
