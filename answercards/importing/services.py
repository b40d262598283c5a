"""答题卡扫描结果导入 (SPEC.md §5: "import of the scanned answer file (考生编号 + answers), graded
by the same grader"; docs/decisions.md#card-answers). The page, the background job and `manage.py
import_answer_cards` call these functions.

Rules
-----
* Central or the plan's own 管局, into a seated 新取证(线下) plan from its start until central
  closes the scanning (answercards.services.assert_import_open); checked at upload and again
  when the job runs, and each row's write locks the plan's CardPlan row, so a close of the
  scanning and a running import never interleave.
* A whole-file problem (core.spreadsheets.reader: wrong type, too big, corrupt, a formula, a
  wrong header, an encoding we cannot read) changes nothing. One import of a plan at a time.
* Per row (the shared machinery's way): failed rows are listed with 行号, 列名, value and reason
  and left out; good rows are graded. Every row is validated before any is written.
* Idempotent by 考生编号: a card already imported with the same version and answers is 已存在
  and nothing changes; a different one (a corrected row) replaces the stored card, its answers
  and its score (exams.services.attempt_record_card regrades), audited with before and after.
* The answers are graded by results.grading through exams/results exactly as an online paper:
  the same Attempt, Answer and Score rows, so the violation check, publication and 成绩管理 read
  them like any other plan's.
"""

import datetime
import io
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.actions import Action
from audit.services import audit_record
from core.errors import ApplicationError
from core.spreadsheets.columns import validate_row
from core.spreadsheets.reader import ParsedFile, read_workbook
from core.spreadsheets.runs import (
    ACTIVE_STATUSES,
    ImportOutcome,
    RunSource,
    RunStatus,
    report_reasons,
    run_guarded,
    run_set_status,
)
from core.spreadsheets.template import build_error_report, build_template

from ..models import AnswerCard, CardImportRun, CardPlan, PaperVersion
from ..services import assert_card_staff, assert_import_open, card_plan_get, version_letters
from .columns import SHEET, CardContext

FAILED_MESSAGE = "导入过程中出错，已导入的行保留，请稍后重试或联系系统管理员"
PROGRESS_EVERY = 25


@dataclass
class CardOutcome(ImportOutcome):
    replaced: int = 0  # rows that replaced a card imported before (a corrected row)

    def summary(self) -> str:
        return (f"新增 {self.created}，更正 {self.replaced}，已存在(内容未变化) {self.existing}，"
                f"失败 {self.failed}")

    def as_json(self) -> dict:
        return {**super().as_json(), "replaced": self.replaced}

    def run_values(self) -> dict:
        return {**super().run_values(), "replaced_count": self.replaced}


def template_bytes() -> bytes:
    return build_template(SHEET)


def _lock_key(plan_id: int) -> str:
    return f"answercards:import:{plan_id}"


def card_import_upload(*, plan, source, file_name: str, acting_user, dry_run: bool = False,
                       origin: str = RunSource.WEB, background: bool = True,
                       now: datetime.datetime | None = None) -> CardImportRun:
    """上传: who may, whether the plan takes cards now, the file as a whole; then the run is
    recorded and its rows are imported by a background job (jobs: Celery, a thread, or inline
    in tests), or at once when `background` is off (the CLI: the returned run carries
    `.outcome`). A refused file raises FileRejected (its Chinese reason) and records nothing."""
    from jobs.services import job_create, job_enqueue

    assert_card_staff(acting_user, plan)
    assert_import_open(plan, card_plan_get(plan), now=now)
    parsed = read_workbook(source, file_name=file_name, sheet=SHEET)
    if hasattr(source, "read"):
        source.seek(0)
        content = source.read()
    else:
        content = Path(source).read_bytes()
    if CardImportRun.objects.filter(plan=plan, status__in=ACTIVE_STATUSES).exists():
        raise ApplicationError("该计划有一个答题卡文件正在导入，请等待其完成后再上传")
    with transaction.atomic():
        run = CardImportRun(plan=plan, region_id=plan.region_id, created_by=acting_user, source=origin,
                            file_name=Path(file_name).name[:255], dry_run=dry_run, total_rows=len(parsed.rows),
                            status=RunStatus.QUEUED)
        run.stored_file.save(f"cards_{uuid.uuid4().hex}{Path(file_name).suffix.lower()}", ContentFile(content),
                             save=False)
        run.save()
        if background:
            job = job_create(kind="answercards.import", title=f"导入答题卡（批次 {plan.batch_no}）{run.file_name}",
                             acting_user=acting_user, region=plan.region, total=len(parsed.rows))
            CardImportRun.objects.filter(pk=run.pk).update(job=job)
            run.job = job
            job_enqueue(job, "answercards.importing.services:card_import_job", run_id=run.pk,
                        user_id=acting_user.pk)
    if not background:
        return card_import_execute(run=run, acting_user=acting_user, now=now)
    run.refresh_from_db()
    return run


def card_import_job(*, job, run_id: int, user_id: int) -> None:
    """The jobs entry point: the same service as the CLI, with progress on the job."""
    from accounts.models import User
    from jobs.services import job_finish, job_progress

    run = CardImportRun.objects.select_related("plan", "plan__region").get(pk=run_id)
    user = User.objects.get(pk=user_id)
    url = reverse("answercards:import_run", args=[run.pk])
    try:
        run = card_import_execute(run=run, acting_user=user,
                                  progress=lambda done, total, message: job_progress(job, done=done, total=total,
                                                                                     message=message))
    except ApplicationError as exc:
        job_finish(job, result={"status": "rejected" if exc.code != "import_failed" else "failed"},
                   message=exc.message, result_url=url)
        return
    job_finish(job, result={"created": run.created_count, "replaced": run.replaced_count,
                            "existing": run.existing_count, "failed": run.failed_count},
               message=run.message, result_url=url)


def card_import_execute(*, run: CardImportRun, acting_user, progress=None,
                        now: datetime.datetime | None = None) -> CardImportRun:
    """导入 the rows of an uploaded run (the job, the CLI). Refusals mark the run rejected."""
    if not cache.add(_lock_key(run.plan_id), 1, timeout=60 * 60):
        run_set_status(run, RunStatus.REJECTED, message="该计划有一个答题卡文件正在导入", only_from=(RunStatus.QUEUED,))
        raise ApplicationError("该计划有一个答题卡文件正在导入，请等待其完成后再导入")
    try:
        run_set_status(run, RunStatus.RUNNING, only_from=(RunStatus.QUEUED,))
        return run_guarded(run, lambda: _execute(run=run, acting_user=acting_user, progress=progress, now=now),
                           failed_message=FAILED_MESSAGE)
    finally:
        cache.delete(_lock_key(run.plan_id))


def _parsed(run: CardImportRun) -> ParsedFile:
    with run.stored_file.open("rb") as handle:
        data = handle.read()
    return read_workbook(io.BytesIO(data), file_name=run.stored_file.name, sheet=SHEET)


def _item(row: int, column: str, value: str, message: str) -> dict:
    return {"row": row, "column": column, "value": value, "message": message}


def _execute(*, run: CardImportRun, acting_user, progress, now) -> CardImportRun:
    from papers.selectors import displayed_to_canonical
    from papers.services import papers_set_seeds

    from ..answers import slots_of
    from ..selectors import version_papers

    now = now or timezone.now()
    plan = type(run.plan).objects.select_related("region").get(pk=run.plan_id)
    assert_card_staff(acting_user, plan)
    card_plan = card_plan_get(plan)
    assert_import_open(plan, card_plan, now=now)
    parsed = _parsed(run)
    papers = version_papers(plan)
    ctx = CardContext.for_rows(plan=plan, letters=version_letters(card_plan), parsed_rows=parsed.rows,
                               slots={key: slots_of(paper) for key, paper in papers.items()})
    outcome = CardOutcome()
    total = len(parsed.rows)
    accepted = []
    for number, raw in parsed.rows:
        result = validate_row(raw, sheet=SHEET, ctx=ctx, row_number=number)
        if result.errors:
            outcome.failed += 1
            outcome.errors += [_item(number, e.column, e.value, e.message) for e in result.errors]
        else:
            accepted.append((number, result.cleaned))
    if progress:
        progress(0, total, "已校验，正在评分")
    if not run.dry_run and accepted:
        seeds = {(p, v): seed for p, v, seed in PaperVersion.objects.filter(plan=plan).values_list(
            "personnel_type", "letter", "seed")}
        # safety net: a registration whose paper is not its version's (a personnel type corrected
        # after the seating) gets it before its answers are graded against that version
        papers_set_seeds(plan=plan, seeds={c["registration"].pk: (c["registration"].personnel_type,
                                                                  seeds[(c["registration"].personnel_type, c["version"])])
                                           for _n, c in accepted},
                         acting_user=acting_user, reason="答题卡导入：考生试卷为其答题卡的试卷版本")
    done = 0
    for number, cleaned in accepted:
        registration, version, tokens = cleaned["registration"], cleaned["version"], cleaned["tokens"]
        joined = ",".join(tokens)
        previous = ctx.cards.get(registration.pk)
        if previous is not None and previous.version == version and previous.answers == joined:
            outcome.existing += 1
            outcome.existing_rows.append(number)
        elif run.dry_run:
            if previous is None:
                outcome.created += 1
            else:
                outcome.replaced += 1
                outcome.warning_items.append(_item(number, "作答", cleaned["answers"], "与已导入的答题卡不同，导入后将替换并重新评分"))
        else:
            paper = papers[(registration.personnel_type, version)]
            answers = [(position, token, displayed_to_canonical(paper, position, token))
                       for position, token in enumerate(tokens, start=1) if token]
            try:
                replaced = _write_row(run=run, plan=plan, registration=registration, version=version, joined=joined,
                                      answers=answers, number=number, acting_user=acting_user, now=now)
            except _ScanningClosed as exc:
                raise ApplicationError(f"{exc.message}；本次已导入的行保留") from None
            except ApplicationError as exc:
                outcome.failed += 1
                outcome.errors.append(_item(number, "考生编号", registration.candidate_number, exc.message))
                continue
            if replaced:
                outcome.replaced += 1
                outcome.warning_items.append(_item(number, "作答", cleaned["answers"],
                                                   "已更正：替换了此前导入的答题卡并重新评分"))
            else:
                outcome.created += 1
        done += 1
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, len(accepted), "正在评分")
    outcome.count_warnings()
    message = ("仅校验，未写入：" if run.dry_run else "") + outcome.summary()
    run_set_status(run, RunStatus.DONE, message=message, **outcome.run_values())
    run.outcome = outcome
    if progress:
        progress(len(accepted), len(accepted), message)
    if not run.dry_run:
        audit_record(actor=acting_user, action=Action.ANSWERCARDS_IMPORT, obj=run, region=plan.region_id,
                     after={"file": run.file_name, "plan": plan.batch_no, **outcome.as_json(),
                            "errors": len(outcome.errors)},
                     message=f"导入答题卡 {run.file_name}（批次 {plan.batch_no}）：{outcome.summary()}")
    return run


class _ScanningClosed(ApplicationError):
    pass


def _write_row(*, run, plan, registration, version, joined, answers, number, acting_user, now) -> bool:
    """One row in one transaction, under the plan's CardPlan row lock (a close of the scanning
    waits for it, and a row after the close is refused)."""
    from exams.services import attempt_record_card

    with transaction.atomic():
        card_plan = CardPlan.objects.select_for_update().get(plan=plan)
        if card_plan.scanning_closed_at:
            raise _ScanningClosed("部中心已结束该计划的扫描")
        card = AnswerCard.objects.select_for_update().filter(registration=registration).first()
        before = {"version": card.version, "answers": card.answers} if card else None
        attempt, replaced = attempt_record_card(
            registration=registration, answers=answers, acting_user=acting_user, now=now,
            note=f"答题卡导入：{run.file_name} 第 {number} 行")
        if card is None:
            card = AnswerCard(plan=plan, region_id=plan.region_id, registration=registration)
        else:
            card.times_replaced += 1
        card.version, card.answers, card.import_run, card.row_number = version, joined, run, number
        card.save()
        if before is not None:
            audit_record(actor=acting_user, action=Action.ANSWERCARDS_CARD_REPLACE, obj=card, region=plan.region_id,
                         before=before, after={"version": version, "answers": joined, "file": run.file_name,
                                               "row": number},
                         object_repr=f"考生 {registration.candidate_number}",
                         message=f"更正答题卡（考生 {registration.candidate_number}，{run.file_name} 第 {number} 行），已重新评分")
    return replaced


def card_report_bytes(*, run: CardImportRun, acting_user) -> bytes:
    """The uploaded rows with 错误原因 (failed, already present, corrected), to fix and upload
    again. The download is audited: it holds what was uploaded."""
    assert_card_staff(acting_user, run.plan)
    parsed = _parsed(run)
    audit_record(actor=acting_user, action=Action.IMPORT_REPORT_DOWNLOAD, obj=run, region=run.region_id,
                 message=f"下载答题卡导入结果 {run.file_name}")
    return build_error_report(SHEET, parsed=parsed, reasons=report_reasons(run))
