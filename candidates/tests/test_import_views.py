"""The import pages: the template file, upload (XHR and plain), 导入, the result, the report."""

import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.actions import Action
from candidates.importing.columns import ERROR_COLUMN, HEADERS
from candidates.importing.samples import sample_rows, write_xlsx
from candidates.models import ImportRun, Registration
from plans.choices import ExamType
from plans.tests.factories import ExamPlanFactory

pytestmark = pytest.mark.django_db
XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def upload(client, plan, content: bytes, name="名单.xlsx", **extra):
    f = io.BytesIO(content)
    f.name = name
    return client.post(reverse("candidates:import_upload", args=[plan.pk]), {"file": f}, **extra)


def test_template_is_a_real_text_formatted_workbook(client, world):
    client.force_login(world.admin_a)
    response = client.get(reverse("candidates:import_template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["考生信息", "填写说明"]
    ws = wb["考生信息"]
    assert [c.value for c in ws[1]] == HEADERS
    assert all(ws.cell(row=1, column=i).comment for i in range(1, len(HEADERS) + 1))  # a note on each column
    assert ws.column_dimensions["C"].number_format == "@"  # 证件号码 column is text
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists["B2:B20002"] == '"1,2,3,4,5,6"' and lists["G2:G20002"] == '"A,B,C"'
    help_text = " ".join(str(c.value) for row in wb["填写说明"].iter_rows() for c in row if c.value)
    assert "二代身份证" in help_text and "2020-01-01" in help_text


def test_upload_then_import_then_result(client, world):
    plan = ExamPlanFactory(region=world.region_a)
    client.force_login(world.admin_a)
    page = client.get(reverse("candidates:import", args=[plan.pk])).content.decode()
    assert "下载模板" in page and 'id="import-upload-form"' in page and "<progress" in page
    rows = sample_rows(3)
    rows[1]["phone"] = "12"
    response = upload(client, plan, write_xlsx(rows), **XHR)
    assert response.status_code == 200
    body = response.content.decode()
    assert "共 3 行" in body and "导入" in body
    run = ImportRun.objects.get()
    assert not Registration.objects.exists()  # 上传 alone imports nothing
    response = client.post(reverse("candidates:import_start", args=[run.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("candidates:import_run", args=[run.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="count-created">2<' in page and 'data-testid="count-failed">1<' in page
    assert "手机号码" in page and "手机号码应为 11 位" in page
    assert f'data-testid="error-name">{rows[1]["name"]}<' in page  # whose row failed (docs/decisions.md#clear-messages)
    # the report: the uploaded rows with 错误原因 appended
    report = client.get(reverse("candidates:import_report", args=[run.pk]))
    ws = openpyxl.load_workbook(io.BytesIO(report.content))["考生信息"]
    assert [c.value for c in ws[1]] == [*HEADERS, ERROR_COLUMN]
    reasons = [ws.cell(row=r, column=len(HEADERS) + 1).value for r in range(2, 5)]
    assert reasons[0] in (None, "") and "手机号码" in reasons[1] and reasons[2] in (None, "")
    assert ws.cell(row=2, column=3).value == rows[0]["id_number"]  # digits kept as text
    # it holds full documents and phones: every download is in the audit log, masked there
    from audit.models import AuditLog

    entry = AuditLog.objects.get(action=Action.IMPORT_REPORT_DOWNLOAD)
    assert entry.actor == world.admin_a and entry.object_id == str(run.pk) and "3 行" in entry.message
    assert rows[0]["id_number"] not in str(entry.__dict__)


def test_a_clean_import_offers_no_error_report(client, world):
    plan = ExamPlanFactory(region=world.region_a)
    client.force_login(world.admin_a)
    upload(client, plan, write_xlsx(sample_rows(2)), **XHR)
    run = ImportRun.objects.get()
    page = client.post(reverse("candidates:import_start", args=[run.pk]), follow=True).content.decode()
    assert 'data-testid="count-created">2<' in page and 'data-testid="download-report"' not in page


def test_the_error_report_can_be_fixed_and_uploaded_again(client, world):
    plan = ExamPlanFactory(region=world.region_a)
    client.force_login(world.admin_a)
    rows = sample_rows(2)
    rows[0]["personnel_type"] = "Z"
    upload(client, plan, write_xlsx(rows))
    run = ImportRun.objects.get()
    client.post(reverse("candidates:import_start", args=[run.pk]))
    report = client.get(reverse("candidates:import_report", args=[run.pk])).content
    wb = openpyxl.load_workbook(io.BytesIO(report))
    wb["考生信息"]["G2"] = "A"  # fix the failed row in the downloaded file itself
    buffer = io.BytesIO()
    wb.save(buffer)
    upload(client, plan, buffer.getvalue(), name="名单_错误原因.xlsx")
    second = ImportRun.objects.latest("pk")
    client.post(reverse("candidates:import_start", args=[second.pk]))
    second.refresh_from_db()
    assert (second.created_count, second.existing_count, second.failed_count) == (1, 1, 0)


def test_the_error_report_neutralises_formulas_in_echoed_cells(client, world):
    # docs/decisions.md#error-report-formulas: a cell the user typed as =… / +… / -… / @… is echoed as text that no spreadsheet
    # evaluates (like every export), and the fixed report imports what was first uploaded
    plan = ExamPlanFactory(region=world.region_a)
    client.force_login(world.admin_a)
    rows = sample_rows(2)
    rows[0].update(personnel_type="Z", phone="+86" + rows[0]["phone"],
                   company_name='=HYPERLINK("http://evil.example","中通服建设有限公司")')
    upload(client, plan, write_xlsx(rows))
    run = ImportRun.objects.get()
    client.post(reverse("candidates:import_start", args=[run.pk]))
    report = client.get(reverse("candidates:import_report", args=[run.pk])).content
    wb = openpyxl.load_workbook(io.BytesIO(report))
    sheet = wb["考生信息"]
    assert sheet["D2"].value == "'" + rows[0]["phone"] and sheet["E2"].value == "'" + rows[0]["company_name"]
    assert sheet["D3"].value == rows[1]["phone"]  # nothing else changes
    sheet["G2"] = "A"
    sheet["E2"] = "'北京电信工程局有限公司"  # the apostrophe is only taken off before = + - @
    buffer = io.BytesIO()
    wb.save(buffer)
    upload(client, plan, buffer.getvalue(), name="名单_错误原因.xlsx")
    second = ImportRun.objects.latest("pk")
    client.post(reverse("candidates:import_start", args=[second.pk]))
    second.refresh_from_db()
    assert (second.created_count, second.existing_count, second.failed_count) == (1, 1, 0)
    registration = Registration.objects.get(import_run=second)  # contact details are the registration's
    assert registration.phone == rows[0]["phone"][3:] and registration.company_name == "'北京电信工程局有限公司"


def test_bad_file_is_refused_with_the_reason(client, world):
    plan = ExamPlanFactory(region=world.region_a)
    client.force_login(world.admin_a)
    response = upload(client, plan, b"not excel", name="a.txt", **XHR)
    assert response.status_code == 400 and "只能上传 Excel 文件" in response.content.decode()
    response = upload(client, plan, b"not excel", name="a.xlsx")  # without JavaScript: a message
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "文件已损坏" in page
    assert not Registration.objects.exists()
    runs = client.get(reverse("candidates:import_runs")).content.decode()
    assert "已拒绝" in runs


def test_closed_plan_page_says_why(client, world):
    plan = ExamPlanFactory(region=world.region_a, days_ahead=1)
    client.force_login(world.admin_a)
    page = client.get(reverse("candidates:import", args=[plan.pk])).content.decode()
    assert "已超过导入截止时间" in page and 'id="import-upload-form"' not in page
    response = upload(client, plan, write_xlsx(sample_rows(1)), **XHR)
    assert response.status_code == 400 and "已超过导入截止时间" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_failures_table_masks_personal_data(client, world):
    plan = ExamPlanFactory(region=world.region_a, exam_type=ExamType.CONTINUING_ONLINE)
    client.force_login(world.admin_a)
    rows = sample_rows(1)  # no certificate: 继续教育 requires it
    rows[0]["phone"] = "13912345678x"
    upload(client, plan, write_xlsx(rows))
    run = ImportRun.objects.get()
    client.post(reverse("candidates:import_start", args=[run.pk]))
    page = client.get(reverse("candidates:import_run", args=[run.pk])).content.decode()
    assert "继续教育考核须填写证书编号" in page
    assert "13912345678x" not in page


def test_cli_json_prints_one_object(world, tmp_path, capsys):
    ExamPlanFactory(region=world.region_a, batch_no="1126002")
    rows = sample_rows(3)
    rows[2]["id_number"] = "110105198506010013"
    path = tmp_path / "a.xlsx"
    write_xlsx(rows, path)
    call_command("import_candidates", "1126002", str(path), "--json", "--user", world.admin_a.username)
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"created", "existing", "failed", "warnings", "errors", "deleted"}
    assert (out["created"], out["existing"], out["failed"]) == (2, 0, 1)
    assert out["errors"][0]["row"] == 4 and out["errors"][0]["column"] == "证件号码"
    assert out["errors"][0]["value"] == "110105********0013"  # masked: the output may land in a log
    assert ImportRun.objects.get().source == "cli" and ImportRun.objects.get().created_by == world.admin_a
    call_command("import_candidates", "1126002", str(path), "--json", "--dry-run")
    out = json.loads(capsys.readouterr().out)
    assert (out["created"], out["existing"]) == (0, 2)
    assert Registration.objects.count() == 2
    call_command("import_candidates", "1126002", str(path), "--dry-run")
    text = capsys.readouterr().out
    assert "110105********0013" in text and "110105198506010013" not in text


def test_cli_refuses_other_region_and_bad_files(world, tmp_path, capsys):
    from django.core.management.base import CommandError

    ExamPlanFactory(region=world.region_a, batch_no="1126003")
    path = tmp_path / "a.xlsx"
    write_xlsx(sample_rows(1), path)
    with pytest.raises(CommandError, match="只能向本地区"):
        call_command("import_candidates", "1126003", str(path), "--user", world.admin_b.username)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"junk")
    with pytest.raises(CommandError):
        call_command("import_candidates", "1126003", str(bad), "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["created"] == 0 and out["errors"][0]["row"] is None and "损坏" in out["errors"][0]["message"]
    assert not Registration.objects.exists()
