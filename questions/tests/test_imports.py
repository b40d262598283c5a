"""题库导入 / 导出 over core.spreadsheets (docs/decisions.md#bank-import)."""

import io
import json

import openpyxl
import pytest
from django.core.management import call_command

from audit.actions import Action
from audit.models import AuditLog
from core.errors import PermissionDenied
from core.spreadsheets.reader import FileRejected
from questions.importing.columns import SHEET
from questions.importing.services import bank_export, bank_import, bank_report_bytes, template_bytes
from questions.models import Question, QuestionVersion
from questions.selectors import question_list
from questions.services import area_create

pytestmark = pytest.mark.django_db

GOOD = [
    ["TX-1001", "单选题", "进入有限空间作业前，应当（ ）。", "先通风、再检测、后作业", "直接进入", "", "", "", "", "", "",
     "A", "《工贸企业有限空间作业安全规定》。", "有限空间作业", "ABC", "新取证(线上)、继续教育(线上)", "2"],
    ["TX-1002", "多选题", "高处作业应当佩戴的防护用品有（ ）。", "安全帽", "安全带", "防滑鞋", "拖鞋", "", "", "", "",
     "ABC", "", "高处作业", "BC", "新取证(线上)", "3"],
    ["TX-1003", "判断题", "动火作业前应清除周围易燃物。", "", "", "", "", "", "", "", "", "正确", "", "动火作业与消防",
     "C", "新取证(线下)", "1"],
]
BAD = [
    ["TX-1004", "单选题", "临时用电应采用的系统是（ ）。", "TN-S", "TT", "", "", "", "", "", "", "E", "", "用电安全",
     "ABC", "新取证(线上)", "3"],
    ["TX-1005", "单选题", "人孔内作业应设专人（ ）。", "监护", "拍照", "", "", "", "", "", "", "A", "", "管道作业",
     "ABC", "新取证(线上)", "3"],
]


@pytest.fixture
def areas(world):
    for i, name in enumerate(["有限空间作业", "高处作业", "动火作业与消防", "用电安全"]):
        area_create(name=name, sort_order=i, acting_user=world.central)


def _xlsx(rows, path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET.name
    ws.append(SHEET.headers)
    for row in rows:
        ws.append([v or None for v in row])
    wb.save(path)
    return path


def test_template_comes_from_the_column_definitions(areas):
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    assert wb.sheetnames[:2] == ["试题", "填写说明"]
    ws = wb["试题"]
    assert [c.value for c in ws[1]][:len(SHEET.headers)] == SHEET.headers
    sources = " ".join(str(dv.formula1) for dv in ws.data_validations.dataValidation)
    assert "单选题" in sources and "有限空间作业" in sources
    assert "填写说明" in wb.sheetnames and any("题目编号" in str(c.value) for row in wb["填写说明"].iter_rows()
                                              for c in row)


def test_import_reports_rows_and_is_idempotent(world, areas, tmp_path):
    path = _xlsx(GOOD + BAD, tmp_path / "题库.xlsx")
    run = bank_import(source=path, file_name="题库.xlsx", acting_user=world.central)
    assert (run.created_count, run.failed_count, run.existing_count) == (3, 2, 0)
    errors = {(e["row"], e["column"]) for e in run.errors}
    assert errors == {(5, "答案"), (6, "知识领域")}
    assert any("不存在的选项 E" in e["message"] for e in run.errors)
    assert any("知识领域“管道作业”不存在" in e["message"] for e in run.errors)
    q = Question.objects.get(code="TX-1002")
    assert (q.qtype, q.current_version.answer, q.personnel_types, q.exam_types) == ("multiple", "ABC", "BC",
                                                                                   "new_online")
    assert Question.objects.get(code="TX-1003").current_version.answer == "A"
    assert AuditLog.objects.filter(action=Action.QUESTION_IMPORT).count() == 1

    again = bank_import(source=path, file_name="题库.xlsx", acting_user=world.central)
    assert (again.created_count, again.existing_count, again.failed_count) == (0, 3, 2)
    assert again.existing_rows == [2, 3, 4]
    assert QuestionVersion.objects.count() == 3


def test_fix_the_bad_rows_in_the_report_and_upload_again(world, areas, tmp_path):
    path = _xlsx(GOOD + BAD, tmp_path / "题库.xlsx")
    run = bank_import(source=path, file_name="题库.xlsx", acting_user=world.central)
    report = tmp_path / "结果.xlsx"
    report.write_bytes(bank_report_bytes(run=run, acting_user=world.central))
    wb = openpyxl.load_workbook(report)
    ws = wb["试题"]
    headers = [c.value for c in ws[1]]
    assert headers[-1] == "错误原因"
    reasons = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=len(headers)).value for r in range(2, 7)}
    assert "答案" in reasons["TX-1004"] and "知识领域" in reasons["TX-1005"] and not reasons["TX-1001"]
    ws.cell(row=5, column=headers.index("答案") + 1, value="A")
    ws.cell(row=6, column=headers.index("知识领域") + 1, value="有限空间作业")
    wb.save(report)
    fixed = bank_import(source=report, file_name="结果.xlsx", acting_user=world.central)
    assert (fixed.created_count, fixed.existing_count, fixed.failed_count) == (2, 3, 0)


def test_changed_row_becomes_a_new_version_and_says_so(world, areas, tmp_path):
    bank_import(source=_xlsx(GOOD, tmp_path / "a.xlsx"), file_name="a.xlsx", acting_user=world.central)
    changed = [list(r) for r in GOOD]
    changed[0][2] = "进入有限空间作业前，必须（ ）。"
    changed[1][16] = "5"  # difficulty only
    run = bank_import(source=_xlsx(changed, tmp_path / "b.xlsx"), file_name="b.xlsx", acting_user=world.central)
    assert (run.versioned_count, run.updated_count, run.existing_count) == (1, 1, 1)
    notes = {w["value"]: w["message"] for w in run.warnings}
    assert notes["TX-1001"] == "内容有变化，已生成新版本 v2"
    assert "已更新" in notes["TX-1002"]
    assert Question.objects.get(code="TX-1001").current_version.number == 2


def test_duplicate_code_in_the_file(world, areas, tmp_path):
    run = bank_import(source=_xlsx([GOOD[0], GOOD[0]], tmp_path / "d.xlsx"), file_name="d.xlsx",
                      acting_user=world.central)
    assert run.created_count == 1 and run.errors[0]["message"] == "与第 2 行的题目编号重复"


def test_refusals_change_nothing(world, areas, tmp_path):
    path = _xlsx(GOOD, tmp_path / "a.xlsx")
    for user in (world.admin_a, world.candidate):
        with pytest.raises(PermissionDenied):
            bank_import(source=path, file_name="a.xlsx", acting_user=user)
    text = tmp_path / "a.txt"
    text.write_text("题目编号,题型")
    with pytest.raises(FileRejected, match="只能上传 Excel 文件"):
        bank_import(source=text, file_name="a.txt", acting_user=world.central)
    assert not Question.objects.exists()


def test_export_follows_the_filters_and_imports_back(world, areas, tmp_path):
    bank_import(source=_xlsx(GOOD, tmp_path / "a.xlsx"), file_name="a.xlsx", acting_user=world.central)
    out = tmp_path / "export.xlsx"
    with out.open("wb") as fh:
        count = bank_export(out=fh, qs=question_list(filters={"qtype": "single"}, fetched_by=world.central),
                            acting_user=world.central, filters={"qtype": "single"})
    assert count == 1
    with out.open("wb") as fh:
        count = bank_export(out=fh, qs=question_list(filters={"personnel_type": "B"}, fetched_by=world.central),
                            acting_user=world.central, filters={"personnel_type": "B"})
    ws = openpyxl.load_workbook(out).active
    codes = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
    assert count == 2 and codes == ["TX-1001", "TX-1002"]
    assert [c.value for c in ws[1]] == SHEET.headers
    back = bank_import(source=out, file_name="export.xlsx", acting_user=world.central)
    assert (back.existing_count, back.failed_count) == (2, 0)
    assert AuditLog.objects.filter(action=Action.QUESTION_EXPORT).exists()


def test_cli_uses_the_same_service(world, areas, tmp_path, capsys):
    path = _xlsx(GOOD + BAD, tmp_path / "cli.xlsx")
    call_command("import_questions", str(path), "--json")
    data = json.loads(capsys.readouterr().out)
    assert (data["created"], data["failed"]) == (3, 2)
    call_command("import_questions", str(path), "--dry-run")
    assert "已存在(内容未变化) 3" in capsys.readouterr().out
