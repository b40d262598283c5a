from django.db import models


class PenaltyState(models.TextChoices):
    """状态 shown for an entry, derived from its dates and status on a given day (never stored:
    a penalty stops blocking the day after penalty_end with no scheduled job, SPEC.md §7)."""

    NOT_STARTED = "not_started", "未开始"
    RUNNING = "running", "处罚中"
    EXPIRED = "expired", "已期满"
    REVOKED = "revoked", "已撤销"


# Evidence attachments (证据附件): what central may upload and how large (decision, README).
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_EXTENSIONS = {
    # extension: (content type, accepted leading bytes)
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "zip": ("application/zip", (b"PK\x03\x04",)),
}

# The longest penalty a category may default to (10 years); an entry may still be edited.
MAX_PENALTY_MONTHS = 120
