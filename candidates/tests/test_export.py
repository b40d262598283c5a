"""Export of the filtered list (docs/decisions.md#list-export): exactly the rows of the screen across all pages in
the same order; parts of 5,000; 证件号码 as text; formulas neutralised; masked unless the exporter
chose full values (logged); a background job with a download for large lists."""

import io

import openpyxl
import pytest
from django.urls import reverse

from audit.actions import Action
from audit.models import AuditLog
from candidates import services
from candidates.exports import safe_cell, write_xlsx
from candidates.selectors import registration_list
from candidates.tests.factories import RegistrationFactory
from core.masking import mask_id_number
from jobs.models import Job, JobStatus
from plans.tests.factories import ExamPlanFactory

pytestmark = pytest.mark.django_db


def sheet_rows(content: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return list(sheet.iter_rows(values_only=True))


def download(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return b"".join(response.streaming_content)


@pytest.fixture
def plan(world):
    return ExamPlanFactory(region=world.region_a)


def test_whole_export_equals_the_screen_across_pages(client, world, plan):
    for i in range(45):
        RegistrationFactory(plan=plan, person__name=f"考生{(i * 7) % 45:02d}", personnel_type="AB"[i % 2])
    RegistrationFactory(plan=ExamPlanFactory(region=world.region_b))  # another region: never exported
    client.force_login(world.admin_a)
    params = {"personnel_type": "A", "sort": "-name"}
    screen = []
    for page in (1, 2):
        body = client.get(reverse("candidates:list"), {**params, "page": page}).content.decode()
        screen += [chunk.split('"')[0] for chunk in body.split('data-testid="edit-')[1:]]
    url = reverse("candidates:export") + "?personnel_type=A&sort=-name"
    rows = sheet_rows(download(client.post(url, {"scope": "all"})))
    assert rows[0][:3] == ("考试批次", "考生编号", "姓名")
    numbers = [r[1] for r in rows[1:]]
    expected = list(registration_list(filters={"personnel_type": "A", "sort": "-name"}, fetched_by=world.admin_a)
                    .values_list("candidate_number", flat=True))
    assert numbers == expected and len(numbers) == 23
    assert [r[2] for r in rows[1:]] == sorted([r[2] for r in rows[1:]], reverse=True)
    assert screen == numbers  # the file is the screen, page after page


def test_id_number_is_text_and_masked_by_default(client, world, plan):
    reg = RegistrationFactory(plan=plan, person__id_number="11010519491231002X")
    client.force_login(world.admin_a)
    rows = sheet_rows(download(client.post(reverse("candidates:export"), {"scope": "all"})))
    assert rows[1][4] == mask_id_number("11010519491231002X")
    assert rows[1][9] == "139****" + reg.phone[-4:]
    entry = AuditLog.objects.get(action=Action.REGISTRATION_EXPORT)
    assert entry.after["rows"] == 1 and entry.after["full_values"] is False


def test_full_values_are_18_characters_of_text_and_logged(client, world, plan):
    RegistrationFactory(plan=plan, person__id_number="110105194912310021")
    client.force_login(world.admin_a)
    content = download(client.post(reverse("candidates:export"), {"scope": "all", "full": "1"}))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cell = sheet.cell(row=2, column=5)
    assert cell.value == "110105194912310021" and cell.data_type == "s" and cell.number_format == "@"
    assert AuditLog.objects.filter(action=Action.REGISTRATION_EXPORT_FULL, actor=world.admin_a).count() == 1


def test_formula_cells_are_neutralised(client, world, plan):
    RegistrationFactory(plan=plan, person__name="=1+2", company_name="@SUM(A1)")
    client.force_login(world.admin_a)
    rows = sheet_rows(download(client.post(reverse("candidates:export"), {"scope": "all"})))
    assert rows[1][2] == "'=1+2" and rows[1][5] == "'@SUM(A1)"
    for value in ("=x", "+x", "-x", "@x", "\tx"):
        assert safe_cell(value).startswith("'")
    assert safe_cell("a<b&c") == "a&lt;b&amp;c" and safe_cell("a\x01b") == "ab"


def test_writer_escapes_only_the_rows_that_need_it():
    out = io.BytesIO()
    write_xlsx(out, [("a", "<b>"), ("-1", "x"), ("ok", "fine")], headers=["h1", "h2"])
    assert sheet_rows(out.getvalue()) == [("h1", "h2"), ("a", "<b>"), ("'-1", "x"), ("ok", "fine")]


def test_parts_of_5000(client, world, plan, monkeypatch):
    monkeypatch.setattr(services, "EXPORT_PART_SIZE", 4)
    for _ in range(10):
        RegistrationFactory(plan=plan)
    client.force_login(world.admin_a)
    expected = list(registration_list(filters={}, fetched_by=world.admin_a).values_list("candidate_number", flat=True))
    got = []
    for part in (1, 2, 3):
        rows = sheet_rows(download(client.post(reverse("candidates:export"), {"scope": "part", "part": part})))
        got += [r[1] for r in rows[1:]]
    assert got == expected
    response = client.post(reverse("candidates:export"), {"scope": "part", "part": 4})
    assert response.status_code == 302  # no 4th part: a message, no file
    assert AuditLog.objects.filter(action=Action.REGISTRATION_EXPORT).count() == 3


def test_part_selector_lists_the_parts(client, world, plan, monkeypatch):
    monkeypatch.setattr(services, "EXPORT_PART_SIZE", 4)
    for _ in range(9):
        RegistrationFactory(plan=plan)
    client.force_login(world.admin_a)
    body = client.get(reverse("candidates:list")).content.decode()
    assert "导出第3批" in body and "导出第4批" not in body and "导出EXCEL(5000条)" in body


def test_large_export_runs_as_a_job_with_a_download(client, world, plan, monkeypatch):
    monkeypatch.setattr(services, "EXPORT_SYNC_LIMIT", 5)
    for _ in range(8):
        RegistrationFactory(plan=plan)
    client.force_login(world.admin_a)
    response = client.post(reverse("candidates:export") + "?sort=-candidate_number", {"scope": "all"})
    job = Job.objects.get(kind="candidates.export")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == JobStatus.DONE and job.result == {"rows": 8} and job.region == world.region_a
    content = download(client.get(reverse("jobs:download", args=[job.pk])))
    numbers = [r[1] for r in sheet_rows(content)[1:]]
    assert numbers == sorted(numbers, reverse=True) and len(numbers) == 8
    # recorded once the file existed, and each download too
    assert AuditLog.objects.filter(action=Action.REGISTRATION_EXPORT, actor=world.admin_a).count() == 1
    assert AuditLog.objects.filter(action=Action.JOB_DOWNLOAD, object_id=str(job.pk)).count() == 1
    # the other region cannot fetch the file, nor a colleague who did not ask for it
    client.force_login(world.admin_b)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    client.force_login(world.central)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_a_failed_export_job_records_no_export(client, world, plan, monkeypatch):
    monkeypatch.setattr(services, "EXPORT_SYNC_LIMIT", 5)
    for _ in range(8):
        RegistrationFactory(plan=plan)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("candidates.exports.registrations_tempfile", broken)
    client.force_login(world.admin_a)
    client.post(reverse("candidates:export"), {"scope": "all", "full": "on"})
    assert Job.objects.get(kind="candidates.export").status == JobStatus.FAILED
    assert not AuditLog.objects.filter(action__startswith="registration.export").exists()


def test_a_broker_that_is_down_fails_the_job_instead_of_the_page(client, world, plan, monkeypatch, settings,
                                                                  django_capture_on_commit_callbacks):
    from jobs.services import QUEUE_DOWN_MESSAGE

    monkeypatch.setattr(services, "EXPORT_SYNC_LIMIT", 5)
    for _ in range(8):
        RegistrationFactory(plan=plan)
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr("jobs.tasks.run_job.apply_async", down)
    client.force_login(world.admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("candidates:export"), {"scope": "all"})
    job = Job.objects.get(kind="candidates.export")
    assert response.status_code == 302 and job.status == JobStatus.FAILED and job.message == QUEUE_DOWN_MESSAGE
    assert not AuditLog.objects.filter(action__startswith="registration.export").exists()


def test_central_exports_are_logged_under_the_region_they_concern(client, world, plan):
    RegistrationFactory(plan=plan)
    client.force_login(world.central)
    client.post(reverse("candidates:export") + f"?region={world.region_a.pk}", {"scope": "all"})
    assert AuditLog.objects.get(action=Action.REGISTRATION_EXPORT).region == world.region_a


def test_with_an_estimated_total_any_part_can_be_asked_for(client, world, plan, monkeypatch):
    """PostgreSQL's estimate may be low (stale statistics): the part list must not hide parts."""
    from candidates import selectors

    for _ in range(3):
        RegistrationFactory(plan=plan)
    monkeypatch.setattr(selectors, "EXACT_COUNT_LIMIT", 1)
    monkeypatch.setattr(services, "EXPORT_PART_SIZE", 1)
    monkeypatch.setattr(selectors, "registration_count_estimate", lambda qs, **kw: 1)  # far too low
    client.force_login(world.admin_a)
    body = client.get(reverse("candidates:list")).content.decode()
    assert 'type="number" name="part"' in body
    content = download(client.post(reverse("candidates:export"), {"scope": "part", "part": 3}))
    assert len(sheet_rows(content)) == 2  # the header and the third row, which the estimate hid


def test_a_file_with_full_values_says_so_in_its_name(client, world, plan):
    RegistrationFactory(plan=plan)
    client.force_login(world.admin_a)
    masked = client.post(reverse("candidates:export") + f"?plan={plan.pk}", {"scope": "all"})
    full = client.post(reverse("candidates:export") + f"?plan={plan.pk}", {"scope": "all", "full": "on"})
    assert plan.batch_no in masked["Content-Disposition"] and "含完整信息" not in masked["Content-Disposition"]
    from urllib.parse import unquote

    assert "含完整信息" in unquote(full["Content-Disposition"])


def test_the_list_and_its_export_have_one_column_table(client, world, plan):
    import re

    from candidates.exports import LIST_COLUMNS, PAGE_COLUMNS
    from candidates.selectors import SORT_KEYS

    RegistrationFactory(plan=plan)
    client.force_login(world.admin_a)
    page = client.get(reverse("candidates:list")).content.decode()
    table = page[page.index("<thead"):page.index("</thead>")]
    shown = [re.sub(r"<[^>]+>|[▲▼]", "", cell).strip() for cell in re.findall(r"<th\b.*?</th>", table, re.S)]
    exported = sheet_rows(download(client.post(reverse("candidates:export"), {"scope": "all"})))[0]
    headers = [c.header for c in LIST_COLUMNS]
    on_page = [c.header for c in PAGE_COLUMNS]
    assert list(exported) == headers and shown[1:len(on_page) + 1] == on_page  # after the row number (#)
    assert [h for h in headers if h not in on_page] == ["考试状态"]  # 停考: a badge on the page
    assert all(c.sort is None or c.sort in SORT_KEYS for c in LIST_COLUMNS)
