from django.db import models

from core.scoping import ScopedManager
from core.spreadsheets.runs import ImportRunBase
from plans.choices import ExamType

from .choices import PersonnelType


class Registration(models.Model):
    """报名: one person registered in one exam plan, with its 考生编号 (SPEC.md §3).
    region, exam_type and exam_year copy the plan's so that the candidate list filters on one
    table (docs/decisions.md#list-scale: one million rows, p95 ≤ 50 ms)."""

    person = models.ForeignKey("people.Person", verbose_name="考生", on_delete=models.PROTECT, related_name="registrations")
    # No single-column indexes on plan and region: every query on them is served by an index
    # that begins with them (the unique (plan, person), reg_plan_number_idx, reg_region_*), and
    # each index more costs every import (migration 0009, bench/bench_import.py).
    plan = models.ForeignKey("plans.ExamPlan", verbose_name="考试批次", on_delete=models.PROTECT, related_name="registrations",
                             db_index=False)
    candidate_number = models.CharField("考生编号", max_length=24, unique=True)
    personnel_type = models.CharField("人员类型", max_length=1, choices=PersonnelType.choices)
    cert_number = models.CharField("证书编号", max_length=50, blank=True)
    cert_expiry = models.DateField("证书到期日期", null=True, blank=True)
    # Contact details belong to the registration the region imported (docs/decisions.md#registration-contact): another
    # region's import of the same person never changes them. The candidate account's verified
    # phone (accounts.User.phone) is separate: see accounts.services.candidate_code_phone.
    phone = models.CharField("手机号码", max_length=11)
    company_name = models.CharField("企业名称", max_length=100)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    region = models.ForeignKey("regions.Region", verbose_name="地区", on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    exam_type = models.CharField("考试类型", max_length=32, choices=ExamType.choices)
    exam_year = models.PositiveSmallIntegerField("年份")
    import_run = models.ForeignKey(
        "candidates.ImportRun", verbose_name="导入批次", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedManager()
    scope_region_field = "region"
    scope_candidate_field = "person__user"

    class Meta:
        verbose_name = verbose_name_plural = "考生报名"
        constraints = [
            # One registration per person per plan: re-imports and racing imports never duplicate.
            models.UniqueConstraint(fields=["plan", "person"], name="registration_unique_person_plan"),
        ]
        indexes = [
            models.Index(fields=["region", "plan"], name="reg_region_plan_idx"),
            # (region, exam_year, exam_type) is the prefix of reg_region_year_type_num_idx (0003)
        ]

    def __str__(self) -> str:
        return f"{self.candidate_number} {self.person.name}"


class ImportRun(ImportRunBase):
    """One import of a candidate file (or CLI run) into a plan: who, when, which file, the counts
    and the per-row report (core.spreadsheets.runs.ImportRunBase), kept so it can be reopened
    (docs/decisions.md#candidate-import)."""

    plan = models.ForeignKey("plans.ExamPlan", verbose_name="考试批次", on_delete=models.PROTECT, related_name="import_runs")
    region = models.ForeignKey("regions.Region", verbose_name="地区", on_delete=models.PROTECT, related_name="+")
    # rows whose person the 管局 had deleted from this plan (docs/decisions.md#deletion-trace): not re-added unless
    # confirmed; each {"row", "candidate_number", "deleted_by", "deleted_at"}
    deleted_rows = models.JSONField("曾被删除的行", default=list, blank=True)
    # a confirmation run: only these Excel rows of the same file, deleted candidates re-added
    only_rows = models.JSONField("仅导入的行", default=list, blank=True)
    readd_deleted = models.BooleanField("重新添加曾被删除的考生", default=False)
    readd_of = models.ForeignKey("self", verbose_name="确认自", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")

    objects = ScopedManager()
    scope_region_field = "region"
    scope_candidate_field = None

    class Meta(ImportRunBase.Meta):
        verbose_name = verbose_name_plural = "导入记录"

    def __str__(self) -> str:
        return f"{self.file_name} → {self.plan.batch_no}"


class RegistrationDeletion(models.Model):
    """The trace of a deleted registration (docs/decisions.md#deletion-trace): who deleted which person from which
    plan, when, and the retired 考生编号, so that a re-import of the whole file does not
    silently bring the candidate back under a new number."""

    plan = models.ForeignKey("plans.ExamPlan", verbose_name="考试批次", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", verbose_name="考生", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="地区", on_delete=models.PROTECT, related_name="+")
    candidate_number = models.CharField("考生编号", max_length=24)
    deleted_by = models.ForeignKey("accounts.User", verbose_name="删除人", null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    deleted_at = models.DateTimeField("删除时间", auto_now_add=True)
    reason = models.CharField("原因", max_length=500, blank=True)

    objects = ScopedManager()
    scope_region_field = "region"
    scope_candidate_field = None

    class Meta:
        verbose_name = verbose_name_plural = "删除的考生报名"
        indexes = [models.Index(fields=["plan", "person"], name="regdel_plan_person_idx")]

    def __str__(self) -> str:
        return self.candidate_number


class NoticeLog(models.Model):
    """考前测试通知: one SMS per phone number per day at most (docs/decisions.md#pretest-notice), whichever
    plans and candidates it is for: candidates sharing a phone (a company's contact number) get
    one SMS naming them together, and someone registered in two plans one SMS a day. The unique
    constraint is the guarantee: two notice jobs racing cannot both text a number the same day.
    `registration` and `person` are the first candidate the SMS named."""

    registration = models.ForeignKey(Registration, verbose_name="考生报名", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("people.Person", verbose_name="考生", on_delete=models.CASCADE, related_name="+")
    phone = models.CharField("手机号码", max_length=11)
    date = models.DateField("通知日期")
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)
    sent_by = models.ForeignKey(
        "accounts.User", verbose_name="发送人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "考前测试通知记录"
        constraints = [
            models.UniqueConstraint(fields=["phone", "date"], name="notice_once_per_phone_day"),
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.date:%Y-%m-%d}"
