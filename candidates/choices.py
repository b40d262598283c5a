from django.db import models


class PersonnelType(models.TextChoices):
    """人员类型 (三类人员, the guide: A/B/C)."""

    A = "A", "A 企业主要负责人"
    B = "B", "B 项目负责人"
    C = "C", "C 专职安全生产管理人员"
