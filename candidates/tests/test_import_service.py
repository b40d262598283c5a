"""The import service: per-row results, idempotent re-import, gapless numbers, the cutoff checked
again at write time, person updates audited, the audit entry of a run, background jobs."""

import datetime
import io
import threading

import pytest
from django.db import connection
from django.utils import timezone

from audit.actions import Action
from audit.models import AuditLog
from blacklist.models import BlacklistEntry, ViolationCategory
from candidates.importing.choices import EXISTING_MESSAGE, RunStatus
from candidates.importing.samples import sample_row, sample_rows, write_xlsx
from candidates.importing.services import (
    import_execute,
    import_file,
    import_start,
    import_upload,
    report_reasons,
)
from candidates.importing.validation import NUMERIC_ID_MESSAGE
from candidates.models import ImportRun, Registration
from core.errors import ApplicationError, PermissionDenied
from jobs.models import JobStatus
from people.models import IdType, Person
from plans.choices import AuditStatus
from plans.models import ExamPlan
from plans.tests.factories import ExamPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world):
    return ExamPlanFactory(region=world.region_a, batch_no="1126001")


def run_file(plan, rows, user, tmp_path, name="名单.xlsx", **kw):
    path = tmp_path / name
    write_xlsx(rows, path)
    return import_file(plan=plan, path=path, acting_user=user, **kw)


def numbers(plan):
    return sorted(Registration.objects.filter(plan=plan).values_list("candidate_number", flat=True))


def test_valid_rows_import_bad_rows_are_reported(world, plan, tmp_path):
    rows = sample_rows(5)
    rows[1]["phone"] = "1234"
    rows[3]["id_number"] = 1.10105198506010e17  # a numeric cell: Excel lost the digits
    run = run_file(plan, rows, world.admin_a, tmp_path)
    assert (run.created_count, run.existing_count, run.failed_count) == (3, 0, 2)
    assert run.status == RunStatus.DONE
    assert [(e["row"], e["column"]) for e in run.errors] == [(3, "手机号码"), (5, "证件号码")]
    # whose row it is (docs/decisions.md#clear-messages): the row's 姓名 travels with each error
    assert [e["name"] for e in run.errors] == [rows[1]["name"], rows[3]["name"]]
    assert run.errors[1]["message"] == NUMERIC_ID_MESSAGE
    # 考生编号 = 批次编号 + 5-digit sequence, gapless from 1
    assert numbers(plan) == ["112600100001", "112600100002", "112600100003"]
    plan.refresh_from_db()
    assert plan.last_candidate_seq == 3
    reg = Registration.objects.get(candidate_number="112600100001")
    assert (reg.region_id, reg.exam_type, reg.exam_year, reg.import_run_id) == (
        plan.region_id, plan.exam_type, plan.exam_date.year, run.pk)


def test_reimport_adds_only_what_is_missing(world, plan, tmp_path):
    rows = sample_rows(4)
    rows[2]["personnel_type"] = "X"
    first = run_file(plan, rows, world.admin_a, tmp_path)
    assert (first.created_count, first.failed_count) == (3, 1)
    again = run_file(plan, rows, world.admin_a, tmp_path)  # the same file twice
    assert (again.created_count, again.existing_count, again.failed_count) == (0, 3, 1)
    rows[2]["personnel_type"] = "B"  # the user fixes the failed row and imports the whole file
    fixed = run_file(plan, rows, world.admin_a, tmp_path)
    assert (fixed.created_count, fixed.existing_count, fixed.failed_count) == (1, 3, 0)
    assert Registration.objects.filter(plan=plan).count() == 4
    assert numbers(plan)[-1] == "112600100004"  # the fixed row got the next number, none skipped
    assert report_reasons(fixed) == {2: EXISTING_MESSAGE, 3: EXISTING_MESSAGE, 5: EXISTING_MESSAGE}


def test_one_audit_entry_per_run_names_the_numbers(world, plan, tmp_path):
    run = run_file(plan, sample_rows(3), world.admin_a, tmp_path)
    entry = AuditLog.objects.get(action=Action.REGISTRATION_IMPORT)
    assert entry.actor == world.admin_a and entry.region_id == plan.region_id
    assert entry.object_id == str(run.pk)
    assert entry.after["created"] == 3 and entry.after["file_name"] == "名单.xlsx"
    assert entry.after["candidate_numbers"] == "112600100001–112600100003"


def test_contact_details_belong_to_each_registration(world, plan, tmp_path):
    """docs/decisions.md#registration-contact: another plan's import keeps its own contact details; a re-import into the
    same plan updates that registration's, audited (masked)."""
    row = sample_row(1)
    run_file(plan, [row], world.admin_a, tmp_path)
    other = ExamPlanFactory(region=world.region_a)
    changed = dict(row, phone="13711112222", company_name="新公司有限公司")
    run_file(other, [changed], world.admin_a, tmp_path)
    first = Registration.objects.get(plan=plan)
    assert (first.phone, first.company_name) == (row["phone"], row["company_name"])
    assert Registration.objects.get(plan=other).phone == "13711112222"
    assert not AuditLog.objects.filter(action__in=[Action.PERSON_UPDATE, Action.REGISTRATION_UPDATE]).exists()
    run_file(plan, [changed], world.admin_a, tmp_path)  # the same plan, corrected file
    first.refresh_from_db()
    assert (first.phone, first.company_name) == ("13711112222", "新公司有限公司")
    entry = AuditLog.objects.get(action=Action.REGISTRATION_UPDATE)
    assert entry.before["phone"] == "139****0001" and entry.after["phone"] == "137****2222"  # masked
    assert Person.objects.count() == 1


def test_a_row_whose_name_differs_from_the_registered_one_is_refused_and_changes_nothing(world, plan, tmp_path):
    """Someone else's number (or a mistyped name): not registered, that person's phone not
    re-routed (their SMS codes go there), and their name not shown back."""
    row = sample_row(1)
    run_file(ExamPlanFactory(region=world.region_b), [row], world.admin_b, tmp_path)
    before = Person.objects.values().get(id_number=row["id_number"])
    foreign = dict(row, name="随便填", phone="13900009999", company_name="别的公司")
    run = run_file(plan, [foreign, sample_row(2)], world.admin_a, tmp_path)
    assert (run.created_count, run.failed_count) == (1, 1)
    assert run.errors[0]["column"] == "姓名" and run.errors[0]["row"] == 2 and "未导入" in run.errors[0]["message"]
    assert row["name"] not in str(run.errors)
    assert Person.objects.values().get(id_number=row["id_number"]) == before
    assert not Registration.objects.filter(plan=plan, person__id_number=row["id_number"]).exists()


def test_regional_admin_only_into_own_region(world, plan, tmp_path):
    with pytest.raises(PermissionDenied):
        run_file(plan, sample_rows(1), world.admin_b, tmp_path)
    run = run_file(plan, sample_rows(1), world.central, tmp_path)  # central: any region
    assert run.created_count == 1


def test_pending_plan_and_cutoff_refuse_at_upload(world, tmp_path):
    pending = ExamPlanFactory(region=world.region_a, audit_status=AuditStatus.PENDING)
    with pytest.raises(ApplicationError, match="尚未审核通过"):
        run_file(pending, sample_rows(1), world.admin_a, tmp_path)
    soon = ExamPlanFactory(region=world.region_a, days_ahead=1)
    with pytest.raises(ApplicationError, match="已超过导入截止时间"):
        run_file(soon, sample_rows(1), world.central, tmp_path)
    assert not Registration.objects.exists() and not ImportRun.objects.exists()


def test_cutoff_checked_again_when_rows_are_written(world, plan):
    run = import_upload(plan=plan, uploaded_file=io.BytesIO(write_xlsx(sample_rows(2))), file_name="a.xlsx",
                        acting_user=world.admin_a)
    later = plan.starts_at - datetime.timedelta(hours=47)  # the cutoff passed between upload and 导入
    with pytest.raises(ApplicationError, match="已超过导入截止时间"):
        import_execute(run=run, acting_user=world.admin_a, now=later)
    run.refresh_from_db()
    assert run.status == RunStatus.REJECTED and "截止" in run.message
    assert not Registration.objects.exists() and not Person.objects.exists()
    plan.refresh_from_db()
    assert plan.last_candidate_seq == 0


def test_blacklisted_row_fails_the_rest_import(world, plan, tmp_path):
    rows = sample_rows(2)
    BlacklistEntry.objects.create(
        id_type=IdType.objects.get(code=1), id_number=rows[0]["id_number"], name="x", region=world.region_b,
        category=ViolationCategory.objects.first(), penalty_start=timezone.localdate() - datetime.timedelta(days=10),
        penalty_end=datetime.date(2099, 1, 31), evidence_note="替考", created_by=world.central,
    )
    run = run_file(plan, rows, world.admin_a, tmp_path)
    assert run.created_count == 1
    assert run.errors == [{"row": 2, "name": rows[0]["name"], "column": "证件号码", "value": rows[0]["id_number"],
                           "message": "该考生在黑名单处罚期内（至 2099-01-31）"}]


def test_dry_run_changes_nothing(world, plan, tmp_path):
    run = run_file(plan, sample_rows(3), world.admin_a, tmp_path, dry_run=True)
    assert run.created_count == 3 and run.dry_run
    assert not Registration.objects.exists() and not Person.objects.exists()
    assert not AuditLog.objects.filter(action=Action.REGISTRATION_IMPORT).exists()


def test_collision_with_a_writer_that_ignored_the_lock_rolls_back(world, plan, tmp_path):
    """A registration holding the next number without advancing the counter (a writer that
    did not take the plan lock): the run must not report rows as created that were not, and
    must not consume numbers — it rolls back and says so."""
    stray = Person.objects.create(id_type=IdType.objects.get(code=1), id_number="11010519491231002X",
                                  name="x")
    Registration.objects.create(person=stray, plan=plan, candidate_number="112600100001", personnel_type="A",
                                region=plan.region, exam_type=plan.exam_type, exam_year=plan.exam_date.year,
                                phone="13800000000", company_name="c")
    with pytest.raises(ApplicationError, match="冲突"):
        run_file(plan, sample_rows(2), world.admin_a, tmp_path)
    plan.refresh_from_db()
    assert plan.last_candidate_seq == 0
    assert Registration.objects.filter(plan=plan).count() == 1
    assert ImportRun.objects.get().status == RunStatus.REJECTED


def test_big_file_goes_to_a_background_job(world, plan):
    run = import_upload(plan=plan, uploaded_file=io.BytesIO(write_xlsx(sample_rows(1001))), file_name="big.xlsx",
                        acting_user=world.admin_a)
    run = import_start(run=run, acting_user=world.admin_a)  # JOBS_EAGER_MODE=inline: runs here
    run.refresh_from_db()
    assert run.job is not None
    assert run.job.status == JobStatus.DONE and run.job.result["created"] == 1001
    assert run.job.result_url.endswith(f"/imports/{run.pk}/")
    assert run.status == RunStatus.DONE and Registration.objects.filter(plan=plan).count() == 1001
    with pytest.raises(ApplicationError, match="已经导入过"):
        import_start(run=run, acting_user=world.admin_a)  # a second click does nothing


def test_small_file_runs_in_the_request(world, plan):
    run = import_upload(plan=plan, uploaded_file=io.BytesIO(write_xlsx(sample_rows(3))), file_name="s.xlsx",
                        acting_user=world.admin_a)
    run = import_start(run=run, acting_user=world.admin_a)
    assert run.job is None and run.created_count == 3


def _uploaded(world, plan, n):
    run = import_upload(plan=plan, uploaded_file=io.BytesIO(write_xlsx(sample_rows(n))), file_name="s.xlsx",
                        acting_user=world.admin_a)
    return ImportRun.objects.get(pk=run.pk)  # as the page's second request sees it: no parsed rows kept


@pytest.mark.parametrize("rows", [3, 1001])  # in the request, and as a background job
def test_a_stored_file_that_is_gone_marks_the_run_rejected_never_stuck_running(world, plan, rows):
    run = _uploaded(world, plan, rows)
    run.stored_file.storage.delete(run.stored_file.name)
    if rows <= 1000:
        with pytest.raises(ApplicationError):
            import_start(run=run, acting_user=world.admin_a)
    else:
        import_start(run=run, acting_user=world.admin_a)
    run.refresh_from_db()
    assert run.status in (RunStatus.REJECTED, RunStatus.FAILED) and run.message
    assert not Registration.objects.exists()
    with pytest.raises(ApplicationError, match="已经导入过"):
        import_start(run=run, acting_user=world.admin_a)


def test_an_unexpected_error_marks_the_run_failed_and_says_so(world, plan, monkeypatch):
    from candidates.importing import services

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_write", broken)
    run = _uploaded(world, plan, 3)
    with pytest.raises(ApplicationError, match="导入出错，未写入任何考生") as exc:
        import_start(run=run, acting_user=world.admin_a)
    assert exc.value.code == "import_failed"
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and not Registration.objects.exists()


def test_the_page_shows_a_failed_import_instead_of_an_error_page(client, world, plan, monkeypatch):
    from django.urls import reverse

    monkeypatch.setattr("candidates.importing.services._write", lambda **kw: 1 / 0)
    run = _uploaded(world, plan, 3)
    client.force_login(world.admin_a)
    response = client.post(reverse("candidates:import_start", args=[run.pk]), follow=True)
    assert response.status_code == 200 and "导入出错，未写入任何考生" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_racing_imports_never_duplicate_and_stay_gapless(world, tmp_path):
    """Two imports of overlapping files into one plan at the same time (PostgreSQL: real row
    locks; SQLite serializes whole transactions)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    plan = ExamPlanFactory(region=world.region_a, batch_no="1126009")
    path_a, path_b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_xlsx(sample_rows(300), path_a)
    write_xlsx(sample_rows(300, start=150), path_b)  # 150 people in both files
    barrier = threading.Barrier(2)
    errors = []

    def go(path):
        from django.db import connections

        try:
            barrier.wait()
            import_file(plan=ExamPlan.objects.get(pk=plan.pk), path=path, acting_user=world.admin_a)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go, args=(p,)) for p in (path_a, path_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    got = numbers(plan)
    assert len(got) == 450 == Registration.objects.filter(plan=plan).values("person").distinct().count()
    assert got == [f"1126009{i:05d}" for i in range(1, 451)]
    runs = list(ImportRun.objects.filter(plan=plan))
    assert sorted(r.created_count for r in runs) == [150, 300] or sum(r.created_count for r in runs) == 450
    assert sum(r.existing_count for r in runs) == 150


def test_a_failed_row_carries_no_warning(world, plan, tmp_path):
    """A row that fails is not imported: "警告（已导入）" beside it would contradict the failure."""
    row = sample_row(1)
    row["credit_code"] = "91110108551385082A"  # a warning on its own
    row["phone"] = "12"  # and an error
    run = run_file(plan, [row, sample_row(2)], world.admin_a, tmp_path)
    assert run.failed_count == 1 and run.warning_count == 0 and run.warnings == [], (run.warnings, run.errors)


def test_one_function_changes_a_run_status_and_never_overwrites_a_finished_run(world, plan, tmp_path):
    from core.spreadsheets.runs import ACTIVE_STATUSES, run_guarded, run_set_status

    run = run_file(plan, sample_rows(1), world.admin_a, tmp_path)
    assert run.status == RunStatus.DONE and run.finished_at is not None
    stale = ImportRun.objects.get(pk=run.pk)
    # a late refusal of a run that already finished changes nothing
    assert not run_set_status(stale, RunStatus.REJECTED, message="迟到的拒绝", only_from=ACTIVE_STATUSES)
    stale.refresh_from_db()
    assert (stale.status, stale.message) == (RunStatus.DONE, run.message)

    ImportRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, finished_at=None)
    with pytest.raises(ApplicationError, match="计划已删除"):
        run_guarded(stale, lambda: (_ for _ in ()).throw(ApplicationError("计划已删除")), failed_message="出错")
    stale.refresh_from_db()
    assert (stale.status, stale.message) == (RunStatus.REJECTED, "计划已删除") and stale.finished_at is not None
    with pytest.raises(ApplicationError, match="出错") as info:
        run_guarded(stale, lambda: 1 / 0, failed_message="出错")
    stale.refresh_from_db()
    assert info.value.code == "import_failed" and stale.status == RunStatus.FAILED
