from .models import Region


def region_list(*, fetched_by=None):
    """All regions, or only the caller's own for a regional administrator."""
    qs = Region.objects.all()
    return qs.visible_to(fetched_by) if fetched_by is not None else qs
