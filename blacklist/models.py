from django.conf import settings
from django.db import models

from core.scoping import ScopedManager


class ViolationCategory(models.Model):
    """违规类型, maintained by central since the official 处理办法 is not public (SPEC.md §7)."""

    name = models.CharField("名称", max_length=50, unique=True)
    description = models.TextField("说明", blank=True)
    default_penalty_months = models.PositiveSmallIntegerField("默认处罚期限（月）")
    voids_score = models.BooleanField("成绩作废", default=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = "违规类型"

    def __str__(self) -> str:
        return self.name


class EntryStatus(models.TextChoices):
    ACTIVE = "active", "有效"
    REVOKED = "revoked", "已撤销"


class BlacklistEntry(models.Model):
    """黑名单 entry: a person barred from import into any plan from penalty_start to penalty_end
    inclusive (SPEC.md §7). Nothing is deleted: revoking keeps the row with its reason.
    Whether it still blocks is derived from the dates, with no scheduled job."""

    id_type = models.ForeignKey("people.IdType", verbose_name="证件类型", on_delete=models.PROTECT, related_name="+")
    id_number = models.CharField("证件号码", max_length=32, db_index=True)
    name = models.CharField("姓名", max_length=50)
    company_name = models.CharField("企业名称", max_length=100, blank=True)
    person = models.ForeignKey(
        "people.Person", verbose_name="考生", null=True, blank=True, on_delete=models.PROTECT, related_name="blacklist_entries"
    )
    # The region the entry concerns: where the violation happened (or the person's registration).
    region = models.ForeignKey("regions.Region", verbose_name="地区", on_delete=models.PROTECT, related_name="+")
    registration = models.ForeignKey(
        "candidates.Registration", verbose_name="违规所在报名", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    category = models.ForeignKey(ViolationCategory, verbose_name="违规类型", on_delete=models.PROTECT, related_name="entries")
    penalty_start = models.DateField("处罚开始日期")
    penalty_end = models.DateField("处罚截止日期")
    evidence_note = models.TextField("证据说明")
    evidence_file = models.FileField("证据附件", upload_to="blacklist/%Y/", blank=True)
    status = models.CharField("状态", max_length=16, choices=EntryStatus.choices, default=EntryStatus.ACTIVE)
    revoked_reason = models.CharField("撤销原因", max_length=500, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="撤销人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="决定人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("决定时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedManager()
    scope_region_field = "region"
    scope_candidate_field = None

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "黑名单"
        constraints = [
            models.CheckConstraint(name="blacklist_period_ordered", condition=models.Q(penalty_end__gte=models.F("penalty_start"))),
        ]
        indexes = [models.Index(fields=["id_type", "id_number", "penalty_end"], name="blacklist_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.name} {self.category}"
