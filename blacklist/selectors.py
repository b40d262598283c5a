"""Reads of the blacklist. The one question other apps ask (is this person barred on this date?)
is penalty_end_for / penalty_ends_for_many; everything a page shows starts from
BlacklistEntry.objects.visible_to(user), the one place that decides who sees which entry."""

import datetime
from collections.abc import Iterable

from django.db import connections
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from core.lookups import chunk_size
from people.validation import normalize_id_number

from .models import BlacklistEntry, EntryStatus, ViolationCategory


def _running(on_date: datetime.date):
    return Q(status=EntryStatus.ACTIVE, penalty_start__lte=on_date, penalty_end__gte=on_date)


def penalty_end_for(*, id_type_id: int, id_number: str, on_date: datetime.date | None = None) -> datetime.date | None:
    """The last day of the running penalty for this document, or None when not barred.
    A penalty runs from penalty_start to penalty_end inclusive; the day after, it no longer blocks
    (derived from the dates, no scheduled job). A revoked entry never blocks (SPEC.md §7)."""
    on_date = on_date or timezone.localdate()
    return (
        BlacklistEntry.objects.filter(_running(on_date), id_type_id=id_type_id, id_number=id_number)
        .aggregate(end=Max("penalty_end"))["end"]
    )


def penalty_ends_for_many(
    keys: Iterable[tuple[int, str]], *, on_date: datetime.date | None = None
) -> dict[tuple[int, str], datetime.date]:
    """The same for many documents in one query per 5,000 numbers on PostgreSQL, 900 on SQLite
    (the import checks a whole file at once): {(id_type_id, id_number): last day of the running penalty} for the barred ones."""
    on_date = on_date or timezone.localdate()
    keys = set(keys)
    if not keys:
        return {}
    result: dict[tuple[int, str], datetime.date] = {}
    numbers = sorted({number for _, number in keys})
    chunk = chunk_size(connections[BlacklistEntry.objects.db])
    for start in range(0, len(numbers), chunk):  # 5,000 an array on PostgreSQL; SQLite's variable limit
        rows = (
            BlacklistEntry.objects.filter(_running(on_date), id_number__any_of=numbers[start:start + chunk])
            .order_by()
            .values("id_type_id", "id_number")
            .annotate(end=Max("penalty_end"))
        )
        for row in rows:
            key = (row["id_type_id"], row["id_number"])
            if key in keys:
                result[key] = row["end"]
    return result


def running_penalty_end_subquery(*, id_type_ref: str, id_number_ref: str, on_date: datetime.date | None = None):
    """The same question inside another query (the candidate export of 100,000 rows): the last
    day of the running penalty of the document at OuterRef(id_type_ref, id_number_ref), or NULL."""
    from django.db.models import OuterRef, Subquery

    on_date = on_date or timezone.localdate()
    return Subquery(
        BlacklistEntry.objects.filter(_running(on_date), id_type_id=OuterRef(id_type_ref),
                                      id_number=OuterRef(id_number_ref))
        .order_by("-penalty_end").values("penalty_end")[:1]
    )


# --------------------------------------------------------------------------- pages

def entry_list(*, filters: dict, fetched_by, on_date: datetime.date | None = None) -> QuerySet:
    """黑名单 as the caller may see it, filtered: 姓名 (contains), 证件号码 (exact), 违规类型,
    状态 (derived on on_date), 处罚期 overlapping [period_from, period_to], 地区 (central)."""
    qs = BlacklistEntry.objects.visible_to(fetched_by).select_related("id_type", "category", "region", "created_by")
    if filters.get("name"):
        qs = qs.filter(name__icontains=filters["name"].strip())
    if filters.get("id_number"):
        qs = qs.filter(id_number=normalize_id_number(filters["id_number"]))
    if filters.get("category"):
        qs = qs.filter(category=filters["category"])
    if filters.get("state"):
        qs = qs.in_state(filters["state"], on_date)
    if filters.get("period_from"):
        qs = qs.filter(penalty_end__gte=filters["period_from"])
    if filters.get("period_to"):
        qs = qs.filter(penalty_start__lte=filters["period_to"])
    if filters.get("region"):
        qs = qs.filter(region=filters["region"])
    return qs.order_by("-created_at", "-id")


def entry_get(*, pk, fetched_by) -> BlacklistEntry:
    """One entry the caller may see; out of scope is a 404 exactly like a missing row."""
    try:
        return (
            BlacklistEntry.objects.visible_to(fetched_by)
            .select_related("id_type", "category", "region", "created_by", "revoked_by", "person", "registration__plan")
            .get(pk=pk)
        )
    except (BlacklistEntry.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("未找到该记录") from exc


def entry_history(*, entry: BlacklistEntry, fetched_by) -> QuerySet:
    """The audit rows of one entry (central's detail page)."""
    from audit.selectors import audit_log_list

    return audit_log_list(
        filters={"object_type": BlacklistEntry._meta.label, "object_id": str(entry.pk)}, fetched_by=fetched_by
    )


def category_list(*, fetched_by) -> QuerySet:
    """违规类型管理: every category with its number of entries, the active ones first. Categories
    are reference data every administrator reads (ViolationCategory.scope_shared)."""
    return (ViolationCategory.objects.visible_to(fetched_by).annotate(entry_count=Count("entries"))
            .order_by("-is_active", "name"))


def category_choices(*, fetched_by) -> QuerySet:
    """The list's 违规类型 filter: every category, a deactivated one too (old entries name it)."""
    return ViolationCategory.objects.visible_to(fetched_by).order_by("name")


def active_categories(*, fetched_by) -> QuerySet:
    """What a new or changed entry may be filed under."""
    return ViolationCategory.objects.visible_to(fetched_by).filter(is_active=True).order_by("name")


def category_get(*, pk, fetched_by) -> ViolationCategory:
    try:
        return ViolationCategory.objects.visible_to(fetched_by).get(pk=pk)
    except (ViolationCategory.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("未找到该违规类型") from exc


def entries_by_pk(pks: Iterable[int]) -> dict:
    return BlacklistEntry.objects.select_related("category").in_bulk(set(pks))
