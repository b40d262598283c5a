"""The blacklist's reads of registrations (从报名添加, 冲突名单), asked of the candidates app's
selectors. Apart from blacklist.selectors because candidates.selectors asks that module whether a
person is barred: the two selector modules must not import each other."""

import datetime

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from candidates.selectors import registration_get as candidates_registration_get
from candidates.selectors import registration_lookup, registrations_visible

from .models import BlacklistEntry, EntryStatus


def registration_search(*, query: str, fetched_by, limit: int = 50) -> list:
    """Registrations whose 考生编号 or 证件号码 is exactly `query` (adding an entry from a
    registration), as the candidates app shows them to the caller."""
    return registration_lookup(query=query, fetched_by=fetched_by, limit=limit)


def registration_get(*, pk, fetched_by):
    """The registration an entry is added from, if the caller sees it (else 404)."""
    return candidates_registration_get(pk=pk, fetched_by=fetched_by)


def conflict_list(*, fetched_by, now: datetime.datetime | None = None) -> QuerySet:
    """冲突名单 (central): registrations in plans that have not started (plan.starts_at > now)
    whose person has an active penalty that runs today or on the exam date — i.e. the period
    overlaps [today, exam date]. Decision (README): a penalty running today already means the
    person should not have been registered (the import refuses them); one that starts before the
    exam date means they would sit the exam under penalty. Either way central must act.
    Each row carries blocking_entry_id: the blocking entry that ends last."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    blocking = BlacklistEntry.objects.filter(
        status=EntryStatus.ACTIVE,
        id_type_id=OuterRef("person__id_type_id"),
        id_number=OuterRef("person__id_number"),
        penalty_end__gte=today,
        penalty_start__lte=OuterRef("plan__exam_date"),
    )
    return (
        registrations_visible(fetched_by=fetched_by)
        .filter(plan__starts_at__gt=now)
        .filter(Exists(blocking))
        .annotate(blocking_entry_id=Subquery(blocking.order_by("-penalty_end", "-pk").values("pk")[:1]))
        .order_by("plan__starts_at", "candidate_number")
    )
