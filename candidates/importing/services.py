"""The import service (导入考生信息; the guide 二(二); SPEC.md §3; docs/decisions.md#candidate-import). The web page, the
background job and `manage.py import_candidates` all call these functions.

Rules and where they come from
------------------------------
* Only into an approved plan, until 48 hours before its start (the guide 二(二)); a regional
  administrator only into its own region's plans, central into any region's (docs/decisions.md#import-scope).
  Checked at upload AND again under the plan's row lock when the rows are written.
* Per row, the guide's way (常见问题 1–2): failed rows are reported with 行号, 列名, value and a
  Chinese reason; valid rows are imported; rows whose person is already in the plan are
  reported as "已存在(未重复导入)" and not imported again, so the corrected file can be imported
  whole again. All valid rows of one run are written in one transaction (all or none on a
  database error), after every row has been validated.
* Whole-file problems (reader.FileRejected) change nothing; the refused run is kept with its
  reason so the run list shows it.
* No duplicates, even racing: the unique constraint (plan, person) is the guarantee.
* 考生编号 = 批次编号 + a 5-digit sequence from ExamPlan.last_candidate_seq. The write phase locks
  the plan row (SELECT ... FOR UPDATE; SQLite's IMMEDIATE transactions serialize writers the
  same way), so concurrent imports into one plan take turns; the counter is advanced by one
  UPDATE for the whole block, so a run's numbers are consecutive, gapless across racing runs,
  and never reused (the counter only grows). If rows still collide with a writer that did not
  take the lock, the whole write is rolled back (the counter with it) and retried.
* Audit (decision, README): one audit entry per run — action "registration.import", with the
  file name, the counts and the range of 考生编号 created (a run's numbers are one contiguous
  block, so first–last names every registration exactly; each Registration also points to its
  run through import_run) — instead of 5,000 entries for a 5,000-row file; plus one
  "person.update" entry, with before/after (masked), for each person whose phone or enterprise
  changed (people.services).
"""

import datetime
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from audit.actions import Action
from audit.services import audit_record
from candidates.models import ImportRun, Registration, RegistrationDeletion
from core.errors import ApplicationError
from core.gc import collector_paused
from core.roles import Role
from core.scoping import assert_visible, require_role
from core.spreadsheets import runs
from core.spreadsheets.runs import run_guarded, run_set_status
from people.services import insert_ignoring_conflicts, person_upsert_many
from plans.models import ExamPlan
from plans.rules import assert_roster_writable

from .choices import BACKGROUND_THRESHOLD, RunSource, RunStatus
from .columns import COLUMN_BY_KEY
from .reader import FileRejected, ParsedFile, read_candidate_file
from .validation import RowError, ValidationContext, display_value, validate_row

log = logging.getLogger(__name__)

NAME_MISMATCH_MESSAGE = "姓名与系统中该证件号码登记的姓名不一致，未导入：请核对证件号码和姓名；如姓名确有变更，请联系部中心更正"
_WRITE_ATTEMPTS = 3


class _Collision(Exception):
    """Some registrations were not inserted because a concurrent writer got there first."""


@dataclass
class ImportOutcome(runs.ImportOutcome):
    # rows whose candidate the 管局 had deleted from this plan: reported apart, re-added only
    # on confirmation (decisions.md: deleted candidates)
    deleted_rows: list[dict] = field(default_factory=list)
    persons_updated: int = 0
    numbers: tuple[str, str] | None = None  # the first and last 考生编号 created

    def as_json(self) -> dict:
        return {**super().as_json(), "deleted": self.deleted_rows}

    def summary(self) -> str:
        text = super().summary()
        if self.deleted_rows:
            text += f"，曾被删除(待确认) {len(self.deleted_rows)}"
        return text

    def detail_lines(self) -> list[str]:
        lines = [f"考生编号 {self.numbers[0]} – {self.numbers[1]}"] if self.numbers else []
        return lines + [f"第 {item['row']} 行 {deleted_reason(item)}" for item in self.deleted_rows]

    def run_values(self) -> dict:
        return {**super().run_values(), "deleted_rows": self.deleted_rows}


# --------------------------------------------------------------------------- checks

def assert_may_import(*, plan: ExamPlan, acting_user) -> None:
    """Central imports into any region's plan; a regional administrator only into its own."""
    require_role(acting_user, Role.CENTRAL, Role.REGIONAL, message="只有管局或部中心账号可以导入考生")
    assert_visible(plan, acting_user, message="只能向本地区的考核计划导入考生")


def _fresh_plan(plan: ExamPlan, *, lock: bool = False) -> ExamPlan:
    qs = ExamPlan.objects.all()
    if lock:
        qs = qs.select_for_update()
    current = qs.filter(pk=plan.pk).first()
    if current is None:
        raise ApplicationError("该考核计划已被删除，不能导入考生")
    return current


# --------------------------------------------------------------------------- upload

def import_upload(*, plan: ExamPlan, uploaded_file, file_name: str, acting_user,
                  source: str = RunSource.WEB, dry_run: bool = False, readd_deleted: bool = False,
                  now: datetime.datetime | None = None) -> ImportRun:
    """上传: check who may import into the plan and whether its roster is open, then check the
    file as a whole (reader.py) and keep it for 导入. A refused file is recorded as a rejected
    run (so the run list shows it) and the FileRejected error is raised; nothing else changes."""
    assert_may_import(plan=plan, acting_user=acting_user)
    plan = _fresh_plan(plan)
    assert_roster_writable(plan, now)
    file_name = Path(file_name or "upload.xlsx").name[:200]
    try:
        with collector_paused():
            parsed = read_candidate_file(uploaded_file, file_name=file_name)
    except FileRejected as exc:
        with transaction.atomic():
            ImportRun.objects.create(
                plan=plan, region_id=plan.region_id, created_by=_user_or_none(acting_user), source=source,
                file_name=file_name, status=RunStatus.REJECTED, dry_run=dry_run, message=exc.message[:500],
                finished_at=timezone.now(),
            )
        raise
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    content = uploaded_file.read() if hasattr(uploaded_file, "read") else Path(uploaded_file).read_bytes()
    with transaction.atomic():
        run = ImportRun(
            plan=plan, region_id=plan.region_id, created_by=_user_or_none(acting_user), source=source,
            file_name=file_name, status=RunStatus.UPLOADED, dry_run=dry_run, total_rows=len(parsed.rows),
            readd_deleted=readd_deleted,
        )
        suffix = Path(file_name).suffix.lower()
        # a random name: the file holds full documents and phones, and must not be guessable
        run.stored_file.save(f"plan{plan.pk}_{uuid.uuid4().hex}{suffix}", ContentFile(content), save=False)
        run.save()
    run._parsed = parsed  # the caller may import right away without reading the file again
    return run


def _user_or_none(user):
    return user if getattr(user, "is_authenticated", False) else None


# --------------------------------------------------------------------------- start / execute

def import_start(*, run: ImportRun, acting_user, now: datetime.datetime | None = None) -> ImportRun:
    """导入: run an uploaded file. Up to BACKGROUND_THRESHOLD rows inside the request; above it
    a background job (docs/decisions.md#import-background) whose progress the run page shows, so the page can be left.
    A run starts once: a second click (or two tabs) finds it no longer 'uploaded'."""
    assert_may_import(plan=run.plan, acting_user=acting_user)
    with transaction.atomic():
        current = ImportRun.objects.select_for_update().get(pk=run.pk)
        background = current.total_rows > BACKGROUND_THRESHOLD
        if not run_set_status(current, RunStatus.QUEUED if background else RunStatus.RUNNING,
                              only_from=(RunStatus.UPLOADED,)):
            raise ApplicationError("该文件已经导入过（或正在导入），请查看导入结果", code="already_started")
        if background:
            from jobs.services import job_create, job_enqueue

            job = job_create(
                kind="candidates.import", title=f"导入考生 {current.file_name} → {run.plan.batch_no}",
                acting_user=acting_user, region=run.plan.region, total=current.total_rows,
            )
            current.job = job
            current.save(update_fields=["job"])
            job_enqueue(job, "candidates.importing.tasks:run_import", run_id=current.pk, user_id=acting_user.pk)
    if background:
        current.refresh_from_db()
        return current
    parsed = getattr(run, "_parsed", None)
    return import_execute(run=current, acting_user=acting_user, parsed=parsed, now=now)


FAILED_MESSAGE = "导入出错，未写入任何考生，请重新上传；如仍出错请联系部中心"


def import_execute(*, run: ImportRun, acting_user, parsed: ParsedFile | None = None, progress=None,
                   now: datetime.datetime | None = None) -> ImportRun:
    """Validate every row of the run's file, then write the valid ones (see the module's rules).
    `progress(done, total, message)` is called while validating (the background job's bar).
    A run never stays 'running': a plan that stopped accepting imports since the upload, or a
    stored file that can no longer be read, marks it rejected; anything unexpected marks it
    failed (logged with its traceback). Both raise ApplicationError with the run's message."""
    with collector_paused():
        return run_guarded(run, lambda: _execute(run=run, acting_user=acting_user, parsed=parsed, progress=progress,
                                                 now=now), failed_message=FAILED_MESSAGE)


def _execute(*, run: ImportRun, acting_user, parsed: ParsedFile | None, progress, now) -> ImportRun:
    plan = run.plan
    if parsed is None:
        with run.stored_file.open("rb") as handle:
            parsed = read_candidate_file(handle, file_name=run.stored_file.name)
    if run.only_rows:  # a confirmation run: the confirmed rows only
        wanted = set(run.only_rows)
        parsed.rows = [(n, raw) for n, raw in parsed.rows if n in wanted]
    total = len(parsed.rows)
    raw_rows = [raw for _, raw in parsed.rows]
    ctx = ValidationContext.for_plan(plan, raw_rows=raw_rows, today=timezone.localdate(now) if now else None)
    outcome = ImportOutcome()
    valid = []  # (row number, RowResult)
    step = max(200, total // 20)
    for i, (row_number, raw) in enumerate(parsed.rows, start=1):
        result = validate_row(raw, ctx=ctx, row_number=row_number)
        if result.errors:
            outcome.failed += 1
            outcome.errors.extend(_item(row_number, e, name=raw.get("name")) for e in result.errors)
        else:
            valid.append((row_number, result))
        if result.warnings and not result.errors:  # a failed row is not imported: its warnings would mislead
            outcome.warning_items.extend(_item(row_number, w, name=raw.get("name")) for w in result.warnings)
        if progress and i % step == 0:
            progress(i, total, "正在校验")
    if progress:
        progress(total, total, "正在写入")

    if run.dry_run:
        # the same sorting as _write: rows of candidates deleted from the plan are listed apart
        deletions = {} if run.readd_deleted else {
            (d.person.id_type_id, d.person.id_number): d for d in _latest_deletions(plan).values()}
        for row_number, result in valid:
            if result.already_registered:
                outcome.existing += 1
                outcome.existing_rows.append(row_number)
            elif result.key in deletions:
                outcome.deleted_rows.append(_deleted_item(row_number, deletions[result.key]))
            else:
                outcome.created += 1
        outcome.count_warnings()
        _finish(run, outcome, status=RunStatus.DONE, message="仅校验（未写入）")
        return run

    for attempt in range(_WRITE_ATTEMPTS):
        try:
            with transaction.atomic():
                locked = _fresh_plan(plan, lock=True)
                try:
                    assert_roster_writable(locked, now)  # again, when the rows are written
                except ApplicationError as exc:
                    transaction.set_rollback(True)
                    rejected_message = exc.message
                    break
                written = _write(plan=locked, run=run, valid=valid, acting_user=acting_user)
                final = _merge(outcome, written)
                final.count_warnings()
                _finish(run, final, status=RunStatus.DONE, message=final.summary())
                audit_record(
                    actor=acting_user, action=Action.REGISTRATION_IMPORT, obj=run, region=locked.region_id,
                    after={
                        "batch_no": locked.batch_no, "file_name": run.file_name, "source": run.source,
                        "total_rows": run.total_rows, "created": final.created, "existing": final.existing,
                        "failed": final.failed, "warnings": final.warnings, "persons_updated": final.persons_updated,
                        "candidate_numbers": "–".join(final.numbers) if final.numbers else None,
                    },
                    message=f"导入考生 {run.file_name}：{final.summary()}",
                )
            return run
        except _Collision:
            log.warning("import run %s collided with a concurrent writer (attempt %s)", run.pk, attempt + 1)
            continue
    else:
        rejected_message = "导入时与其他操作冲突，请稍后重新导入"
    _finish(run, outcome, status=RunStatus.REJECTED, message=rejected_message, counts=False)
    raise ApplicationError(rejected_message)


def _item(row_number: int, error: RowError, *, name) -> dict:
    """One error or warning of a row, with the row's 姓名 so the page says whose row it is."""
    return {"row": row_number, "name": display_value(name)[:50], **error.as_dict()}


def _merge(outcome: ImportOutcome, written: ImportOutcome) -> ImportOutcome:
    return ImportOutcome(
        created=written.created, existing=written.existing, failed=outcome.failed + written.failed,
        errors=sorted(outcome.errors + written.errors, key=lambda e: e["row"]),
        warning_items=sorted((w for w in outcome.warning_items + written.warning_items
                              if w["row"] not in {e["row"] for e in written.errors}), key=lambda w: w["row"]),
        existing_rows=written.existing_rows, deleted_rows=written.deleted_rows,
        persons_updated=written.persons_updated, numbers=written.numbers,
    )




def _finish(run: ImportRun, outcome: ImportOutcome, *, status: str, message: str, counts: bool = True) -> None:
    run_set_status(run, status, message=message, **(outcome.run_values() if counts else {}))
    run.outcome = outcome


def _latest_deletions(plan: ExamPlan) -> dict:
    """The latest deletion from `plan` of each person deleted from it, by person id."""
    deletions = {}
    for d in (RegistrationDeletion.objects.filter(plan=plan).select_related("deleted_by", "person")
              .order_by("deleted_at", "pk")):
        deletions[d.person_id] = d
    return deletions


def _deleted_item(row_number: int, d: RegistrationDeletion) -> dict:
    return {
        "row": row_number, "candidate_number": d.candidate_number,
        "deleted_by": (d.deleted_by.full_name or d.deleted_by.username) if d.deleted_by else "（已注销账号）",
        "deleted_at": f"{timezone.localtime(d.deleted_at):%Y-%m-%d %H:%M}",
    }


def _write(*, plan: ExamPlan, run: ImportRun, valid: list, acting_user) -> ImportOutcome:
    """Inside the transaction, with the plan row locked: people, then registrations."""
    written = ImportOutcome()
    if not valid:
        return written
    upsert = person_upsert_many(
        rows=[result.cleaned for _, result in valid], acting_user=acting_user,
        reason=f"导入考生 {run.file_name}（批次 {plan.batch_no}）", region=plan.region_id,
    )
    name_col = COLUMN_BY_KEY["name"].header
    person_ids = upsert.person_ids
    registered = dict(Registration.objects.filter(plan=plan).values_list("person_id", "pk"))
    deletions = {} if run.readd_deleted else _latest_deletions(plan)
    new = []
    refreshed = []
    for row_number, result in valid:
        if result.key in upsert.name_mismatch:
            # the number is someone else's (or the name is mistyped): never registered, nothing of
            # that person changed, and the registered name is not shown
            written.failed += 1
            written.errors.append(
                {"row": row_number, "name": result.cleaned["name"], "column": name_col, "value": result.cleaned["name"],
                 "message": NAME_MISMATCH_MESSAGE}
            )
        elif person_ids[result.key] in registered:
            written.existing += 1
            written.existing_rows.append(row_number)
            refreshed.append((registered[person_ids[result.key]], result.cleaned))
        elif person_ids[result.key] in deletions:
            written.deleted_rows.append(_deleted_item(row_number, deletions[person_ids[result.key]]))
        else:
            new.append(result)
    written.persons_updated = _refresh_contacts(refreshed, plan=plan, run=run, acting_user=acting_user)
    if not new:
        return written
    first = plan.last_candidate_seq + 1
    ExamPlan.objects.filter(pk=plan.pk).update(last_candidate_seq=F("last_candidate_seq") + len(new))
    year = plan.exam_date.year
    now = timezone.now()
    numbers = [f"{plan.batch_no}{first + i:05d}" for i in range(len(new))]
    created = _insert_registrations(
        ["person", "plan", "candidate_number", "personnel_type", "cert_number", "cert_expiry", "phone",
         "company_name", "credit_code", "region", "exam_type", "exam_year", "import_run", "created_at", "updated_at"],
        [
            (person_ids[result.key], plan.pk, number, result.cleaned["personnel_type"], result.cleaned["cert_number"],
             result.cleaned["cert_expiry"], result.cleaned["phone"], result.cleaned["company_name"],
             result.cleaned.get("credit_code", ""), plan.region_id, plan.exam_type, year, run.pk, now, now)
            for number, result in zip(numbers, new, strict=True)
        ],
        run=run,
    )
    if created != len(new):
        raise _Collision()
    written.created = created
    written.numbers = (numbers[0], numbers[-1])
    return written


def _insert_registrations(fields: list[str], rows: list[tuple], *, run: ImportRun) -> int:
    """Insert the run's new registrations; return how many were inserted. The plan row is
    locked, so no other import of this plan writes meanwhile; a writer that did not take the
    lock may still have taken a person or a 考生编号 (the unique constraints decide), and then
    fewer rows than given come back and the caller retries the whole write.

    PostgreSQL: one COPY straight into the table inside a savepoint; a unique violation rolls
    the savepoint back and reports 0 (a COPY into a temporary table and an INSERT ... ON
    CONFLICT DO NOTHING from it cost a third more with the table's indexes: bench_import.py).
    Elsewhere: INSERT ... ON CONFLICT DO NOTHING, and the rows really inserted are counted."""
    if connection.vendor != "postgresql":
        insert_ignoring_conflicts(Registration, fields, rows)
        return Registration.objects.filter(import_run=run).count()
    opts = Registration._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(opts.get_field(name).column) for name in fields)
    try:
        with transaction.atomic(), connection.cursor() as cursor, connection.wrap_database_errors:
            with cursor.cursor.copy(f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    except IntegrityError:
        return 0
    return len(rows)


CONTACT_FIELDS = ("phone", "company_name", "credit_code")


def _refresh_contacts(items, *, plan: ExamPlan, run: ImportRun, acting_user) -> int:
    """A row already registered in this plan brings this plan's registration's contact details
    up to date (the same region's roster; no other registration of the person is touched),
    each change audited with before and after."""
    if not items:
        return 0
    by_pk = {pk: cleaned for pk, cleaned in items}
    changed = []
    # the plan's registrations as tuples (a re-import compares thousands and changes few); model
    # instances only for the changed ones
    current = Registration.objects.filter(plan=plan)
    if len(by_pk) <= 1000:
        current = current.filter(pk__in=list(by_pk))
    fields = ("pk", "candidate_number", "person__name", *CONTACT_FIELDS)
    for pk, number, name, *values in current.values_list(*fields).iterator(chunk_size=5000):
        cleaned = by_pk.get(pk)
        if cleaned is None:
            continue
        old = dict(zip(CONTACT_FIELDS, values, strict=True))
        new = {f: cleaned.get(f, "") for f in CONTACT_FIELDS}
        if new != old:
            changed.append((Registration(pk=pk, candidate_number=number, **new), f"{number} {name}", old, new))
    if changed:
        Registration.objects.bulk_update([r for r, _, _, _ in changed], list(CONTACT_FIELDS), batch_size=500)
        for reg, shown, old, new in changed:
            audit_record(actor=acting_user, action=Action.REGISTRATION_UPDATE, obj=reg, object_repr=shown,
                         region=plan.region_id, before=old, after=new,
                         reason=f"导入考生 {run.file_name}（批次 {plan.batch_no}）",
                         message=f"导入更新联系方式：{reg.candidate_number}")
    return len(changed)


# --------------------------------------------------------------------------- one call (CLI, demo)

def import_file(*, plan: ExamPlan, path, acting_user, source: str = RunSource.CLI, dry_run: bool = False,
                file_name: str | None = None, readd_deleted: bool = False,
                now: datetime.datetime | None = None) -> ImportRun:
    """Upload and import a file from disk in one call, always inside this process (the CLI and
    the demo data). The same checks and the same writes as the web page."""
    path = Path(path)
    with path.open("rb") as handle:
        run = import_upload(plan=plan, uploaded_file=handle, file_name=file_name or path.name,
                            acting_user=acting_user, source=source, dry_run=dry_run,
                            readd_deleted=readd_deleted, now=now)
    parsed = run._parsed
    run_set_status(run, RunStatus.RUNNING)
    return import_execute(run=run, acting_user=acting_user, parsed=parsed, now=now)


def deleted_reason(item: dict) -> str:
    return (f"曾被删除：删除人 {item['deleted_by']}，时间 {item['deleted_at']}（原考生编号 {item['candidate_number']}），"
            "未重新添加，须在导入结果页确认")


def import_readd_confirm(*, run: ImportRun, acting_user, now: datetime.datetime | None = None) -> ImportRun:
    """确认重新添加: the rows of `run` whose candidate the 管局 had deleted from the plan are
    imported again, on the user's confirmation (docs/decisions.md#deletion-trace), as a new run over the same stored
    file restricted to those rows; each gets a new 考生编号 (the old one stays retired). The
    rows are validated again, under the same cutoff and rules as any import."""
    assert_may_import(plan=run.plan, acting_user=acting_user)
    if run.status != RunStatus.DONE or run.dry_run or not run.deleted_rows:
        raise ApplicationError("该导入记录没有待确认重新添加的考生", code="nothing_to_confirm")
    with transaction.atomic():
        if ImportRun.objects.filter(readd_of=run).exists():
            raise ApplicationError("已确认过重新添加，请查看导入记录", code="already_confirmed")
        assert_roster_writable(_fresh_plan(run.plan), now)
        confirm = ImportRun.objects.create(
            plan=run.plan, region_id=run.region_id, created_by=_user_or_none(acting_user), source=run.source,
            file_name=run.file_name, stored_file=run.stored_file.name, status=RunStatus.RUNNING,
            total_rows=len(run.deleted_rows), only_rows=[d["row"] for d in run.deleted_rows],
            readd_deleted=True, readd_of=run,
        )
    return import_execute(run=confirm, acting_user=acting_user, now=now)


def report_reasons(run: ImportRun) -> dict[int, str]:
    """错误原因 per Excel row for the downloadable report: the shared reasons (errors, already
    present, warnings) and the rows of deleted candidates waiting for confirmation."""
    reasons = runs.report_reasons(run)
    for item in run.deleted_rows:
        reason = deleted_reason(item)
        reasons[item["row"]] = f"{reasons[item['row']]}；{reason}" if item["row"] in reasons else reason
    return reasons


def import_report_build(*, run: ImportRun, acting_user) -> bytes:
    """The uploaded rows with 错误原因 appended (docs/decisions.md#import-error-report). The file holds the full 证件号码 and
    手机号码 the administrator uploaded, so each download is recorded (GB/T 35273). Raises
    FileRejected or OSError when the stored upload can no longer be read."""
    from .template import build_error_report

    with run.stored_file.open("rb") as handle:
        parsed = read_candidate_file(handle, file_name=run.stored_file.name)
    content = build_error_report(parsed=parsed, reasons=report_reasons(run))
    audit_record(actor=acting_user, action=Action.IMPORT_REPORT_DOWNLOAD, obj=run, region=run.plan.region_id,
                 message=f"下载导入结果（含完整证件号码、手机号码）：{run.file_name}，{len(parsed.rows)} 行")
    return content
