from django.db import models


class ExamType(models.TextChoices):
    """考核类型 (the guide, section 二(一))."""

    CONTINUING_ONLINE = "continuing_online", "继续教育(线上)"  # non-centralized, proctored remotely
    NEW_ONLINE = "new_online", "新取证(线上)"  # centralized at an exam site
    NEW_OFFLINE = "new_offline", "新取证(线下)"  # machine-read answer cards


class AuditStatus(models.TextChoices):
    """审核状态 (the guide: 未审核 → 审核通过 / 审核不通过)."""

    PENDING = "pending", "未审核"
    APPROVED = "approved", "审核通过"
    REJECTED = "rejected", "审核不通过"


# Defaults for each type's duration in minutes (SPEC.md §2); central may change them.
DEFAULT_DURATIONS = {
    ExamType.CONTINUING_ONLINE: 90,
    ExamType.NEW_ONLINE: 120,
    ExamType.NEW_OFFLINE: 120,
}

# The roster is frozen this long before the start (the guide, section 二(二): 48 小时之前).
IMPORT_CUTOFF_HOURS = 48
