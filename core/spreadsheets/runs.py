"""The record of one import run, for any importer (docs/decisions.md#spreadsheets).

* `ImportRunBase`, an abstract model: who, when, which file (name and the stored upload), the
  status, the counts, the per-row errors/warnings and the background job. An importer's concrete
  model adds what it imports into (candidates.ImportRun: the plan and its region) and its scope.
* `run_set_status`: the one function that changes a run's status (a conditional UPDATE, so a run
  that was meanwhile finished is not overwritten).
* `run_guarded`: the runner shape every importer's execute step uses: an ApplicationError marks
  the run rejected with its message; anything else marks it failed (logged) and becomes an
  ApplicationError with `failed_message`. A run never stays 'running'.
* `ImportOutcome`: the counts and row items of one run, as the service, the page and the CLI
  (core.spreadsheets.cli.ImportCommand) use them.
* `report_reasons`: 错误原因 per Excel row for the error report, from a run's errors, already
  present rows and warnings.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.errors import ApplicationError

log = logging.getLogger(__name__)

EXISTING_MESSAGE = "已存在(未重复导入)"


class RunStatus(models.TextChoices):
    """uploaded (checked as a file, waiting for 导入) → queued/running → done; or rejected (the
    whole file refused, or the target no longer accepts imports) / failed."""

    UPLOADED = "uploaded", "已上传，待导入"
    QUEUED = "queued", "排队中"
    RUNNING = "running", "导入中"
    DONE = "done", "已完成"
    REJECTED = "rejected", "已拒绝"
    FAILED = "failed", "出错"


ACTIVE_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class RunSource(models.TextChoices):
    WEB = "web", "网页"
    CLI = "cli", "命令行"
    DEMO = "demo", "演示数据"


class ImportRunBase(models.Model):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField("来源", max_length=16, choices=RunSource.choices, default=RunSource.WEB)
    file_name = models.CharField("文件名", max_length=255)
    stored_file = models.FileField("上传文件", upload_to="imports/%Y/%m/", blank=True)
    status = models.CharField("状态", max_length=16, choices=RunStatus.choices, default=RunStatus.UPLOADED)
    dry_run = models.BooleanField("仅校验", default=False)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    created_count = models.PositiveIntegerField("新增", default=0)
    existing_count = models.PositiveIntegerField("已存在", default=0)
    failed_count = models.PositiveIntegerField("失败", default=0)
    warning_count = models.PositiveIntegerField("警告", default=0)
    errors = models.JSONField("错误明细", default=list, blank=True)
    warnings = models.JSONField("警告明细", default=list, blank=True)
    # Excel row numbers of rows whose record was already there (已存在(未重复导入))
    existing_rows = models.JSONField("已存在的行", default=list, blank=True)
    message = models.CharField("说明", max_length=500, blank=True)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("导入时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]


@dataclass
class ImportOutcome:
    created: int = 0
    existing: int = 0
    failed: int = 0
    warnings: int = 0  # rows with at least one warning
    errors: list[dict] = field(default_factory=list)  # {"row", "column", "value", "message"}
    warning_items: list[dict] = field(default_factory=list)
    existing_rows: list[int] = field(default_factory=list)

    def as_json(self) -> dict:
        """The CLI's --json object."""
        return {
            "created": self.created, "existing": self.existing, "failed": self.failed,
            "warnings": self.warnings, "errors": self.errors,
        }

    def summary(self) -> str:
        return f"新增 {self.created}，已存在(未重复导入) {self.existing}，失败 {self.failed}，警告 {self.warnings}"

    def detail_lines(self) -> list[str]:  # override: importer-specific lines after the summary
        return []

    def count_warnings(self) -> None:
        self.warnings = len({w["row"] for w in self.warning_items})

    def run_values(self) -> dict:
        """The run's fields that hold this outcome (for run_set_status)."""
        return {
            "created_count": self.created, "existing_count": self.existing, "failed_count": self.failed,
            "warning_count": self.warnings, "errors": self.errors, "warnings": self.warning_items,
            "existing_rows": self.existing_rows,
        }


def run_set_status(run: ImportRunBase, status: str, *, message: str | None = None,
                   only_from: tuple[str, ...] | None = None, **values) -> bool:
    """Change `run`'s status in the database (and on the instance): one UPDATE, limited to runs
    still in `only_from` when given, also writing `values` (e.g. the counts of a finished run).
    A final status (done, rejected, failed) stamps finished_at; `message` is cut to the field's
    500 characters. Returns whether the row was changed."""
    fields: dict = {**values, "status": status}
    if message is not None:
        fields["message"] = message[:500]
    if status in (RunStatus.DONE, RunStatus.REJECTED, RunStatus.FAILED):
        fields["finished_at"] = timezone.now()
    qs = type(run)._default_manager.filter(pk=run.pk)
    if only_from is not None:
        qs = qs.filter(status__in=only_from)
    changed = bool(qs.update(**fields))
    if changed:
        for name, value in fields.items():
            setattr(run, name, value)
    return changed


def run_guarded(run: ImportRunBase, execute: Callable[[], ImportRunBase], *, failed_message: str):
    """Call `execute()` for `run`; a refusal (ApplicationError) marks a queued/running run
    rejected with its message and is raised again; any other exception marks the run failed,
    is logged with its traceback, and is raised as ApplicationError(failed_message,
    code="import_failed")."""
    try:
        return execute()
    except ApplicationError as exc:
        run_set_status(run, RunStatus.REJECTED, message=exc.message, only_from=ACTIVE_STATUSES)
        raise
    except Exception as exc:
        log.exception("import run %s (%s) failed", run.pk, type(run).__name__)
        run_set_status(run, RunStatus.FAILED, message=failed_message)
        raise ApplicationError(failed_message, code="import_failed") from exc


def report_reasons(run: ImportRunBase) -> dict[int, str]:
    """错误原因 per Excel row for the downloadable report: errors, already present, warnings."""
    reasons: dict[int, list[str]] = {}
    for item in run.errors:
        reasons.setdefault(item["row"], []).append(f"{item['column']}：{item['message']}")
    for row in run.existing_rows:
        reasons.setdefault(row, []).append(EXISTING_MESSAGE)
    for item in run.warnings:
        reasons.setdefault(item["row"], []).append(f"警告（已导入）{item['column']}：{item['message']}")
    return {row: "；".join(msgs) for row, msgs in reasons.items()}
