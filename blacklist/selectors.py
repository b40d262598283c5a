"""The one question other apps ask of the blacklist: is this person barred on this date?"""

import datetime
from collections.abc import Iterable

from django.db.models import Max, Q
from django.utils import timezone

from .models import BlacklistEntry, EntryStatus


def _running(on_date: datetime.date):
    return Q(status=EntryStatus.ACTIVE, penalty_start__lte=on_date, penalty_end__gte=on_date)


def penalty_end_for(*, id_type_id: int, id_number: str, on_date: datetime.date | None = None) -> datetime.date | None:
    """The last day of the running penalty for this document, or None when not barred.
    A penalty runs from penalty_start to penalty_end inclusive; the day after, it no longer blocks."""
    on_date = on_date or timezone.localdate()
    return (
        BlacklistEntry.objects.filter(_running(on_date), id_type_id=id_type_id, id_number=id_number)
        .aggregate(end=Max("penalty_end"))["end"]
    )


def penalty_ends_for_many(
    keys: Iterable[tuple[int, str]], *, on_date: datetime.date | None = None
) -> dict[tuple[int, str], datetime.date]:
    """The same for many documents in one query (the import checks a whole file at once)."""
    on_date = on_date or timezone.localdate()
    keys = set(keys)
    if not keys:
        return {}
    numbers = {number for _, number in keys}
    result: dict[tuple[int, str], datetime.date] = {}
    numbers = sorted(numbers)
    for start in range(0, len(numbers), 900):  # stay under SQLite's variable limit
        rows = (
            BlacklistEntry.objects.filter(_running(on_date), id_number__in=numbers[start:start + 900])
            .values("id_type_id", "id_number")
            .annotate(end=Max("penalty_end"))
        )
        for row in rows:
            key = (row["id_type_id"], row["id_number"])
            if key in keys:
                result[key] = row["end"]
    return result
