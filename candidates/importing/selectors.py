"""Scoped reads of the import: every query starts from visible_to(user) (core.scoping)."""

from candidates.models import ImportRun
from core.masking import mask_id_number, mask_phone

from .columns import COLUMN_BY_KEY

_ID_HEADER = COLUMN_BY_KEY["id_number"].header
_PHONE_HEADER = COLUMN_BY_KEY["phone"].header


def import_run_list(*, fetched_by, filters: dict | None = None, plan=None):
    """导入记录 as the caller may see them, newest first: one plan's (the import page), or all,
    filtered by 批次编号 (contains; candidates.filters.ImportRunFilterForm)."""
    filters = filters or {}
    qs = ImportRun.objects.visible_to(fetched_by).select_related("plan", "created_by", "region")
    if plan is not None:
        qs = qs.filter(plan=plan)
    if filters.get("batch_no"):
        qs = qs.filter(plan__batch_no__icontains=filters["batch_no"].strip())
    return qs.order_by("-created_at", "-pk")


def masked_items(items: list[dict], limit: int | None = None) -> list[dict]:
    """Report rows for the screen: 证件号码 and 手机号码 masked (GB/T 35273); the user has the full
    values in their own file and in the downloadable report."""
    out = []
    for item in items[:limit] if limit else items:
        value = str(item.get("value", ""))
        if item.get("column") == _ID_HEADER and "E+" not in value.upper():
            value = mask_id_number(value)
        elif item.get("column") == _PHONE_HEADER:
            value = mask_phone(value)
        out.append({**item, "value": value})
    return out
