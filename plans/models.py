from django.conf import settings
from django.db import models

from core.scoping import ScopedManager, ScopedQuerySet

from .choices import AuditStatus, ExamType


class ExamTypeSetting(models.Model):
    """The duration central sets for each 考核类型 (SPEC.md §2)."""

    exam_type = models.CharField("考核类型", max_length=32, choices=ExamType.choices, unique=True)
    duration_minutes = models.PositiveSmallIntegerField("考试时长（分钟）")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedManager()
    scope_shared = True  # every administrator reads the durations (a region's add form shows them)
    scope_candidate_field = None

    class Meta:
        verbose_name = verbose_name_plural = "考核类型设置"

    def __str__(self) -> str:
        return f"{self.get_exam_type_display()} {self.duration_minutes} 分钟"


class ActivePlanManager(models.Manager.from_queryset(ScopedQuerySet)):
    """The default manager: a deleted plan (soft delete, see plans.services.plan_delete) is gone
    for every page, selector and import; the row and its 批次编号 stay for the audit trail."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class ExamPlan(models.Model):
    """考核计划 (one 考核期次/批次). Added by a region, audited by central (the guide, 二)."""

    batch_no = models.CharField("批次编号", max_length=16, unique=True)
    region = models.ForeignKey("regions.Region", verbose_name="地区", on_delete=models.PROTECT, related_name="plans")
    exam_type = models.CharField("考试类型", max_length=32, choices=ExamType.choices)
    exam_date = models.DateField("考试日期")
    start_time = models.TimeField("考试开始时间")
    end_time = models.TimeField("考试结束时间")
    duration_minutes = models.PositiveSmallIntegerField("考试时长")
    # starts_at/ends_at are exam_date + times in Asia/Shanghai, stored for cutoff queries.
    starts_at = models.DateTimeField("开始时刻", db_index=True)
    ends_at = models.DateTimeField("结束时刻")
    audit_status = models.CharField(
        "审核状态", max_length=16, choices=AuditStatus.choices, default=AuditStatus.PENDING, db_index=True
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    review_note = models.CharField("审核说明", max_length=500, blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField("申请时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # Optimistic concurrency: every change increments it; an approval names the version it saw.
    version = models.PositiveIntegerField("版本", default=1)
    # 考生编号 = 批次编号 + zero-padded sequence; the counter only grows, so numbers are never reused.
    last_candidate_seq = models.PositiveIntegerField("已分配考生序号", default=0)
    # Soft delete: "nothing is hard-deleted without a trace" (SPEC.md); the batch number stays taken.
    deleted_at = models.DateTimeField("删除时间", null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="删除人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    objects = ActivePlanManager()
    all_objects = ScopedManager()  # deleted plans included (history, tests)
    scope_region_field = "region"
    scope_candidate_field = None

    class Meta:
        ordering = ["-exam_date", "-start_time", "-id"]
        verbose_name = verbose_name_plural = "考核计划"
        indexes = [models.Index(fields=["region", "exam_date"], name="plan_region_date_idx")]
        constraints = [
            models.CheckConstraint(name="plan_ends_after_start", condition=models.Q(ends_at__gt=models.F("starts_at"))),
        ]

    def __str__(self) -> str:
        return f"{self.batch_no} {self.get_exam_type_display()} {self.exam_date:%Y-%m-%d}"


class BatchCounter(models.Model):
    """Per region and year, the last 批次编号 sequence handed out (see plans.services)."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_seq = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="batch_counter_unique")]

    def __str__(self) -> str:
        return f"{self.region_id}/{self.year}: {self.last_seq}"
