# SPEC.md §3 defaults for 证件类型 (the guide: "二代身份证" is 1).
ID_TYPES = [
    (1, "二代身份证", "resident_id"),
    (2, "护照", "passport"),
    (3, "港澳居民来往内地通行证", "hk_macau_permit"),
    (4, "台湾居民来往大陆通行证", "taiwan_permit"),
    (5, "外国人永久居留身份证", "foreign_permanent"),
    (6, "港澳台居民居住证", "hmt_residence"),
]


def ensure(IdType=None) -> None:
    """Create the default 证件类型 rows that are missing (migration and tests after a flush)."""
    if IdType is None:
        from .models import IdType
    existing = set(IdType.objects.values_list("code", flat=True))
    for code, name, check in ID_TYPES:
        if code not in existing:
            IdType.objects.create(code=code, name=name, check_kind=check)
