"""题库导入 and 导出 (docs/decisions.md#bank-import), as declarations over core.spreadsheets: the same reader,
limits, bad-file refusal, error report, run record and CLI shape as the candidate import.

Rules: central only; each row atomic (a bad row changes nothing, good rows stay); idempotent
by 题目编号 through questions.services.question_upsert: an unchanged row is reported as present
(已存在), a changed one becomes a new version and says so on its row ("内容有变化，已生成新版本
v2", shown with the warnings and in the error report), a row changing only the area, types or
difficulty is updated in place; the run is recorded with its per-row report and audited."""

import io
import uuid
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction

from audit.actions import Action
from audit.services import audit_record
from core.errors import ApplicationError
from core.roles import Role
from core.scoping import require_role
from core.spreadsheets.columns import validate_row
from core.spreadsheets.reader import ParsedFile, read_workbook
from core.spreadsheets.runs import (
    ImportOutcome,
    RunSource,
    RunStatus,
    report_reasons,
    run_guarded,
    run_set_status,
)
from core.spreadsheets.template import build_error_report, build_template
from core.spreadsheets.writer import write_xlsx

from ..models import QuestionImportRun
from ..services import BANK_CENTRAL_ONLY, question_upsert
from .columns import OPTION_KEYS, SHEET, BankContext

FAILED_MESSAGE = "导入过程中出错，已导入的行保留，请稍后重试或联系系统管理员"


class BankOutcome(ImportOutcome):
    """ImportOutcome plus the rows that became a new version or had their attributes updated."""

    def __init__(self):
        super().__init__()
        self.versioned = 0
        self.updated = 0

    def summary(self) -> str:
        return (f"新增 {self.created}，生成新版本 {self.versioned}，更新属性 {self.updated}，"
                f"已存在(内容未变化) {self.existing}，失败 {self.failed}")

    def run_values(self) -> dict:
        return {**super().run_values(), "versioned_count": self.versioned, "updated_count": self.updated}


def template_bytes() -> bytes:
    return build_template(SHEET)


def _item(row: int, column: str, value: str, message: str) -> dict:
    return {"row": row, "column": column, "value": value, "message": message}


def bank_import(*, source, file_name: str, acting_user, dry_run: bool = False, origin: str = RunSource.WEB
                ) -> QuestionImportRun:
    """Read, validate and import one file. A refused file (FileRejected: wrong type, too big, a
    formula, a wrong header …) raises with its Chinese message and imports nothing."""
    require_role(acting_user, Role.CENTRAL, message=BANK_CENTRAL_ONLY)
    # the reader checks the size before reading a byte more than the limit
    parsed = read_workbook(source, file_name=file_name, sheet=SHEET)
    if hasattr(source, "read"):
        source.seek(0)
        content = source.read()
    else:
        content = Path(source).read_bytes()
    run = QuestionImportRun(created_by=acting_user, source=origin, file_name=Path(file_name).name[:255],
                            dry_run=dry_run, total_rows=len(parsed.rows), status=RunStatus.RUNNING)
    run.stored_file.save(f"bank_{uuid.uuid4().hex}{Path(file_name).suffix.lower()}", ContentFile(content), save=False)
    run.save()
    return run_guarded(run, lambda: _execute(run=run, parsed=parsed, acting_user=acting_user),
                       failed_message=FAILED_MESSAGE)


def _execute(*, run: QuestionImportRun, parsed: ParsedFile, acting_user) -> QuestionImportRun:
    outcome = BankOutcome()
    ctx = BankContext.for_rows([raw for _n, raw in parsed.rows])
    for number, raw in parsed.rows:
        result = validate_row(raw, sheet=SHEET, ctx=ctx, row_number=number)
        if result.errors:
            outcome.failed += 1
            outcome.errors += [_item(number, e.column, e.value, e.message) for e in result.errors]
            continue
        data = result.cleaned["input"]
        if run.dry_run:
            existing = ctx.existing.get(data.code)
            status = "created" if existing is None else (
                "unchanged" if existing.current_version.content() == data.content() else "new_version")
            version = None
        else:
            try:
                done = question_upsert(data=data, acting_user=acting_user)
            except ApplicationError as exc:
                outcome.failed += 1
                outcome.errors.append(_item(number, SHEET.by_key.get(exc.field or "code", SHEET.by_key["code"]).header,
                                            data.code, exc.message))
                continue
            status, version = done.status, done.version_number
        if status == "created":
            outcome.created += 1
        elif status == "unchanged":
            outcome.existing += 1
            outcome.existing_rows.append(number)
        else:
            if status == "new_version":
                outcome.versioned += 1
                text = f"内容有变化，已生成新版本 v{version}" if version else "内容有变化，导入后将生成新版本"
            else:
                outcome.updated += 1
                text = "题目内容未变化，已更新知识领域、适用范围或难度"
            outcome.warning_items.append(_item(number, "题目编号", data.code, text))
    outcome.count_warnings()
    message = ("仅校验，未写入：" if run.dry_run else "") + outcome.summary()
    run_set_status(run, RunStatus.DONE, message=message, **outcome.run_values())
    run.outcome = outcome
    if not run.dry_run:
        with transaction.atomic():
            audit_record(actor=acting_user, action=Action.QUESTION_IMPORT, obj=run,
                         after={"file": run.file_name, **outcome.as_json(), "versioned": outcome.versioned,
                                "updated": outcome.updated, "errors": len(outcome.errors)},
                         message=f"导入题库 {run.file_name}：{outcome.summary()}")
    return run


def bank_report_bytes(*, run: QuestionImportRun, acting_user) -> bytes:
    """The uploaded rows with 错误原因 (errors, 已存在, new versions), to fix and upload again.
    The download is audited: it holds what the user uploaded."""
    require_role(acting_user, Role.CENTRAL, message=BANK_CENTRAL_ONLY)
    with run.stored_file.open("rb") as handle:
        parsed = read_workbook(io.BytesIO(handle.read()), file_name=run.stored_file.name, sheet=SHEET)
    audit_record(actor=acting_user, action=Action.IMPORT_REPORT_DOWNLOAD, obj=run, message=f"下载题库导入结果 {run.file_name}")
    return build_error_report(SHEET, parsed=parsed, reasons=report_reasons(run))


def bank_export_rows(qs):
    """The filtered bank in exactly the import's columns, so an export can be edited and
    imported back (the reader refuses unknown columns; the list's 状态 filter selects enabled or
    disabled questions, the page shows versions)."""
    from plans.choices import ExamType

    from ..choices import QuestionType

    labels = dict(ExamType.choices)
    for q in qs.select_related("area", "current_version").iterator(chunk_size=2000):
        v = q.current_version
        options = list(v.options) if v.qtype != QuestionType.JUDGE else []
        options += [""] * (len(OPTION_KEYS) - len(options))
        answer = v.answer if v.qtype != QuestionType.JUDGE else ("正确" if v.answer == "A" else "错误")
        yield [q.code, QuestionType(v.qtype).label, v.stem, *options, answer, v.explanation, q.area.name,
               q.personnel_types, "、".join(labels[t] for t in q.exam_type_list), str(q.difficulty)]


def bank_export(*, out, qs, acting_user, filters: dict) -> int:
    require_role(acting_user, Role.CENTRAL, message=BANK_CENTRAL_ONLY)
    widths = [c.width for c in SHEET.columns]
    count = write_xlsx(out, bank_export_rows(qs), headers=SHEET.headers, widths=widths, title=SHEET.name)
    audit_record(actor=acting_user, action=Action.QUESTION_EXPORT, message=f"导出题库 {count} 道试题",
                 after={"filters": {k: getattr(v, "pk", v) for k, v in filters.items() if v not in (None, "")},
                        "count": count},
                 object_type="questions.Question")
    return count
