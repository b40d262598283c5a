import datetime

from django.db.models import Q
from django.utils import timezone

from .models import AuditLog


def audit_log_list(*, filters: dict, fetched_by):
    """The audit trail as the caller may see it, filtered (audit.filters.AuditFilterForm for the
    viewer; a record's own history for the plan, candidate and blacklist pages). Only central
    reaches the viewer."""
    qs = AuditLog.objects.visible_to(fetched_by).select_related("actor", "region")
    if filters.get("actor"):
        qs = qs.filter(Q(actor_name__icontains=filters["actor"]) | Q(actor__username__icontains=filters["actor"]))
    if filters.get("action"):
        qs = qs.filter(action__startswith=filters["action"])
    if filters.get("object_type"):
        qs = qs.filter(object_type=filters["object_type"])
    if filters.get("object_id"):
        qs = qs.filter(object_id=filters["object_id"])
    if filters.get("region"):
        qs = qs.filter(region=filters["region"])
    if filters.get("ip"):
        qs = qs.filter(ip=filters["ip"])
    tz = timezone.get_current_timezone()
    if filters.get("date_from"):
        start = datetime.datetime.combine(filters["date_from"], datetime.time.min, tzinfo=tz)
        qs = qs.filter(created_at__gte=start)
    if filters.get("date_to"):
        end = datetime.datetime.combine(filters["date_to"] + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        qs = qs.filter(created_at__lt=end)
    return qs.order_by("-created_at", "-id")
