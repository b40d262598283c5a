"""导入考生信息 in the browser (docs/decisions.md#candidate-import): download the template, fill it with openpyxl (some
rows wrong, one ID typed as a number the way Excel mangles it), upload with the progress bar,
import, read the failures, fix the rows in the downloaded report, upload it again and see only
the fixed rows added."""

import openpyxl
import pytest

from candidates.importing.samples import sample_rows
from candidates.importing.validation import NUMERIC_ID_MESSAGE
from candidates.models import Registration
from plans.tests.factories import ExamPlanFactory

from .conftest import login_session, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _upload_and_import(page, path):
    # the guide's 浏览 button opens the file chooser; the chosen name shows beside it
    with page.expect_file_chooser() as chooser:
        page.get_by_test_id("browse-button").click()
    chooser.value.set_files(str(path))
    assert page.get_by_test_id("import-file-name").inner_text() == path.name
    page.get_by_test_id("upload-button").click()
    page.get_by_test_id("upload-ok").wait_for()
    progress = page.get_by_test_id("upload-progress")
    assert progress.is_visible() and progress.get_attribute("value") == "100"
    assert "上传完成" in page.get_by_test_id("upload-progress-text").inner_text()


def test_template_fill_upload_fix_reupload(page, world, tmp_path):
    plan = ExamPlanFactory(region=world.region_a, batch_no="1126001")
    login_session(page, world.admin_a)
    page.goto(page.base + f"/candidates/plans/{plan.pk}/import/")
    assert "1126001" in page.get_by_test_id("import-plan").inner_text()
    shot(page, "import_01_page")

    # 1. 下载模板, then fill it as a user would (openpyxl keeps the template's formats)
    with page.expect_download() as info:
        page.get_by_test_id("download-template").click()
    template = tmp_path / "template.xlsx"
    info.value.save_as(template)
    wb = openpyxl.load_workbook(template)
    ws = wb["考生信息"]
    rows = sample_rows(5)
    keys = list(rows[0])
    for r, row in enumerate(rows, start=2):
        for c, key in enumerate(keys, start=1):
            ws.cell(row=r, column=c, value=row[key] or None)
    ws.cell(row=3, column=4, value="1381234")  # 手机号码 too short
    good_id = rows[3]["id_number"]
    ws.cell(row=5, column=3, value=float(good_id))  # an ID Excel turned into a number
    filled = tmp_path / "考生名单.xlsx"
    wb.save(filled)

    # 2. 浏览 → 上传 (progress bar) → 导入
    _upload_and_import(page, filled)
    assert "共 5 行" in page.get_by_test_id("upload-ok").inner_text()
    shot(page, "import_02_uploaded")
    page.get_by_test_id("import-button").click()
    page.get_by_test_id("import-counts").wait_for()
    assert page.get_by_test_id("count-created").inner_text() == "3"
    assert page.get_by_test_id("count-failed").inner_text() == "2"
    errors = page.get_by_test_id("error-table").inner_text()
    assert "手机号码" in errors and NUMERIC_ID_MESSAGE in errors and "1.10105E+17" in errors
    assert rows[0]["id_number"] not in page.content()  # personal data masked on screen
    shot(page, "import_03_result_with_failures")
    assert Registration.objects.filter(plan=plan).count() == 3

    # 3. download the rows with 错误原因, fix them in that file, upload the whole file again
    with page.expect_download() as info:
        page.get_by_test_id("download-report").click()
    report = tmp_path / "report.xlsx"
    info.value.save_as(report)
    wb = openpyxl.load_workbook(report)
    ws = wb["考生信息"]
    assert ws.cell(row=1, column=10).value == "错误原因"
    assert "手机号码" in ws.cell(row=3, column=10).value
    assert NUMERIC_ID_MESSAGE in ws.cell(row=5, column=10).value
    ws.cell(row=3, column=4, value="13812345678")
    ws.cell(row=5, column=3, value=good_id)  # typed again as text
    fixed = tmp_path / "考生名单_已改正.xlsx"
    wb.save(fixed)

    page.get_by_test_id("back-to-import").click()
    _upload_and_import(page, fixed)
    page.get_by_test_id("import-button").click()
    page.get_by_test_id("import-counts").wait_for()
    assert page.get_by_test_id("count-created").inner_text() == "2"
    assert page.get_by_test_id("count-existing").inner_text() == "3"
    assert page.get_by_test_id("count-failed").inner_text() == "0"
    shot(page, "import_04_reimport_only_fixed_added")
    numbers = sorted(Registration.objects.filter(plan=plan).values_list("candidate_number", flat=True))
    assert numbers == [f"1126001{i:05d}" for i in range(1, 6)]

    # 4. every run is kept and can be reopened
    page.goto(page.base + "/candidates/imports/")
    table = page.get_by_test_id("import-run-table").inner_text()
    assert "考生名单.xlsx" in table and "考生名单_已改正.xlsx" in table
    shot(page, "import_05_runs")


def test_bad_file_is_refused_in_the_browser(page, world, tmp_path):
    plan = ExamPlanFactory(region=world.region_a)
    login_session(page, world.admin_a)
    page.goto(page.base + f"/candidates/plans/{plan.pk}/import/")
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "身份证号"])
    wb.active.append(["张三", "110105198506010012"])
    bad = tmp_path / "随便的表.xlsx"
    wb.save(bad)
    page.get_by_test_id("import-file").set_input_files(str(bad))
    page.allowed_console = [r"status of 400 \(Bad Request\)"]  # the upload is refused with a 400
    page.get_by_test_id("upload-button").click()
    error = page.get_by_test_id("upload-error")
    error.wait_for()
    assert "表头与模板不一致" in error.inner_text() and "缺少列" in error.inner_text()
    shot(page, "import_06_bad_header")
    assert not Registration.objects.exists()
