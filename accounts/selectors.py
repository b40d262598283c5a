"""Reads for the account pages. Every query starts from User.objects.visible_to(user)."""

from dataclasses import dataclass

from django.db.models import Count, Q

from core.roles import Role
from regions.models import Region

from . import security
from .models import User


@dataclass
class RegionAccountRow:
    region: Region
    holder: User | None
    locked_minutes: int | None
    past_holders: int


def regional_account_rows(*, fetched_by) -> list[RegionAccountRow]:
    """One row per region: its active 管局 account (if any), the lock state, how many earlier
    holders the history has (表1: one person per region, 变更 keeps the history)."""
    visible = User.objects.visible_to(fetched_by).filter(role=Role.REGIONAL)
    holders = {u.region_id: u for u in visible.filter(is_active=True).select_related("region")}
    past = dict(
        visible.values("region").annotate(n=Count("pk", filter=Q(is_active=False))).values_list("region", "n")
    )
    rows = []
    for region in Region.objects.visible_to(fetched_by):
        holder = holders.get(region.pk)
        lock = security.lock_status(security.admin_subject(holder.username)) if holder else None
        rows.append(RegionAccountRow(region=region, holder=holder, locked_minutes=lock.minutes_left if lock else None,
                                     past_holders=past.get(region.pk, 0)))
    return rows


def regional_account_history(*, region, fetched_by) -> list[User]:
    """Every 管局 account a region has had, newest first (active one included)."""
    return list(
        User.objects.visible_to(fetched_by).filter(role=Role.REGIONAL, region=region).order_by("-date_joined", "-pk")
    )


def regional_holder_get(*, pk, fetched_by) -> User:
    """A regional account central may act on (404 for anything else)."""
    from core.scoping import get_visible_or_404

    return get_visible_or_404(User.objects.filter(role=Role.REGIONAL), fetched_by, pk=pk)
