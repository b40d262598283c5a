import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.scoping import ScopedManager, ScopedQuerySet

from .choices import PenaltyState


class ViolationCategory(models.Model):
    """违规类型, maintained by central since the official 处理办法 is not public (SPEC.md §7)."""

    name = models.CharField("名称", max_length=50, unique=True)
    description = models.TextField("说明", blank=True)
    default_penalty_months = models.PositiveSmallIntegerField("默认处罚期限（月）")
    voids_score = models.BooleanField("成绩作废", default=True)
    is_active = models.BooleanField("启用", default=True)

    objects = ScopedManager()
    scope_shared = True  # every administrator reads the categories (the list's filter names them)
    scope_candidate_field = None

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = "违规类型"

    def __str__(self) -> str:
        return self.name


class EntryStatus(models.TextChoices):
    ACTIVE = "active", "有效"
    REVOKED = "revoked", "已撤销"


class BlacklistQuerySet(ScopedQuerySet):
    """Who sees which entry, decided here and nowhere else (docs/decisions.md#blacklist-own-region).

    Central sees every entry. A regional administrator sees its own region's entries in full
    (entry.region: the violation happened in one of its plans; the guide 五 "查看本地区的黑名单
    人员") and nothing of another region's entry, not even when it registers that person: of
    those it learns only that the person is barred and until when, from the import's refusal
    and from the 停考 mark of its own registrations (candidates.selectors.registration_suspension,
    built on blacklist.selectors.penalty_ends_for_many). Candidates see nothing. That is plain
    core.scoping over scope_region_field: the blacklist declares no extra path."""

    def in_state(self, state: str, on_date: datetime.date | None = None) -> "BlacklistQuerySet":
        """Entries whose derived 状态 on `on_date` (default today) is `state` (PenaltyState)."""
        on_date = on_date or timezone.localdate()
        active = self.filter(status=EntryStatus.ACTIVE)
        if state == PenaltyState.REVOKED:
            return self.filter(status=EntryStatus.REVOKED)
        if state == PenaltyState.NOT_STARTED:
            return active.filter(penalty_start__gt=on_date)
        if state == PenaltyState.RUNNING:
            return active.filter(penalty_start__lte=on_date, penalty_end__gte=on_date)
        if state == PenaltyState.EXPIRED:
            return active.filter(penalty_end__lt=on_date)
        return self.none()


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
    # The registration may later be removed from its plan (e.g. from the conflicts list): the
    # entry keeps what it said about it in registration_label, and the link becomes empty.
    registration = models.ForeignKey(
        "candidates.Registration", verbose_name="违规所在报名", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    registration_label = models.CharField("违规所在报名（记录时）", max_length=100, blank=True)
    category = models.ForeignKey(ViolationCategory, verbose_name="违规类型", on_delete=models.PROTECT, related_name="entries")
    penalty_start = models.DateField("处罚开始日期")
    penalty_end = models.DateField("处罚截止日期")
    evidence_note = models.TextField("证据说明")
    evidence_file = models.FileField("证据附件", upload_to="blacklist/%Y/", blank=True)
    # The stored file gets a random name; the name central uploaded is kept for the download.
    evidence_file_name = models.CharField("附件原文件名", max_length=200, blank=True)
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

    objects = BlacklistQuerySet.as_manager()
    scope_region_field = "region"  # the entry's own region (docs/decisions.md#blacklist-own-region)
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

    def state(self, on_date: datetime.date | None = None) -> str:
        """状态 on a day: 已撤销, 未开始, 处罚中 (start..end inclusive) or 已期满 (the day after end)."""
        on_date = on_date or timezone.localdate()
        if self.status == EntryStatus.REVOKED:
            return PenaltyState.REVOKED
        if on_date < self.penalty_start:
            return PenaltyState.NOT_STARTED
        if on_date <= self.penalty_end:
            return PenaltyState.RUNNING
        return PenaltyState.EXPIRED

    def state_label(self, on_date: datetime.date | None = None) -> str:
        return PenaltyState(self.state(on_date)).label

    @property
    def is_revoked(self) -> bool:
        return self.status == EntryStatus.REVOKED
