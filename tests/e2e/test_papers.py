"""题库与组卷 in the browser (docs/decisions.md#bank-and-papers): central opens the bank, creates a rule, sees a cell
short of questions on the rule page, fixes the rule, previews a paper with and without the key,
and opens a candidate's generated paper from the plan page's 试卷 panel."""

import datetime

import pytest
from django.utils import timezone

from candidates.tests.factories import RegistrationFactory
from papers.models import PaperRule
from plans.tests.factories import ExamPlanFactory
from questions.models import KnowledgeArea
from questions.tests.factories import make_bank

from .conftest import login_session, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _watch_console(page) -> list:
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_rule_short_cell_fix_and_preview(page, world):
    make_bank(world.central, areas=("有限空间作业", "高处作业", "用电安全"), per_cell=6)
    errors = _watch_console(page)
    login_session(page, world.central)
    page.goto(page.base + "/questions/")
    assert page.get_by_test_id("question-row-Q0S000").is_visible()
    shot(page, "papers_01_bank")

    # a 新取证(线上) rule for C asking 8 单选题 of 有限空间作业 (the bank has 6 enabled)
    page.goto(page.base + "/papers/rules/add/")
    page.fill("#id_name", "新取证（线上）C 类")
    page.select_option("#id_exam_type", "new_online")
    page.check("input[name=personnel_types][value=C]")
    page.fill("#id_pass_mark", "12")
    areas = {a.name: a.pk for a in KnowledgeArea.objects.all()}
    page.fill(f"input[name=cell_{areas['有限空间作业']}_single]", "8")
    page.fill(f"input[name=cell_{areas['高处作业']}_single]", "2")
    page.fill(f"input[name=cell_{areas['用电安全']}_multiple]", "4")
    page.fill(f"input[name=cell_{areas['用电安全']}_judge]", "2")
    shot(page, "papers_02_rule_form")
    page.get_by_role("button", name="保存").click()
    short = page.get_by_test_id("rule-short")
    assert "有限空间作业单选题需要 8 题，启用的试题仅 6 题" in short.inner_text()
    row = page.get_by_test_id(f"cell-{areas['有限空间作业']}-single")
    assert "题量不足" in row.inner_text() and "缺 2 题" in row.inner_text()
    assert "题量偏少" in page.get_by_test_id(f"cell-{areas['用电安全']}-multiple").inner_text()
    shot(page, "papers_03_rule_short")

    page.get_by_test_id("rule-preview").click()
    assert "题库题量不足，无法按此规则抽题" in page.get_by_test_id("paper").inner_text()

    # fix the rule: 3 单选题 from 有限空间作业
    rule = PaperRule.objects.get()
    page.goto(page.base + f"/papers/rules/{rule.pk}/edit/")
    page.fill(f"input[name=cell_{areas['有限空间作业']}_single]", "3")
    page.get_by_role("button", name="保存").click()
    assert page.get_by_test_id("rule-short").count() == 0
    page.get_by_test_id("rule-preview").click()
    paper = page.get_by_test_id("paper")
    assert "共 11 题" in paper.inner_text() and "总分 15" in paper.inner_text()
    assert page.get_by_test_id("paper-key-1").is_visible()
    shot(page, "papers_04_preview_with_key")
    page.select_option("select[name=answers]", "0")
    page.get_by_role("button", name="按此种子预览").click()
    assert page.get_by_test_id("paper-q-11").is_visible() and page.locator("[data-testid^=paper-key-]").count() == 0
    shot(page, "papers_05_preview_candidate_view")
    assert errors == []


def test_plan_page_generates_and_opens_a_candidates_paper(page, world):
    make_bank(world.central, areas=("有限空间作业", "高处作业"), per_cell=6)
    from papers.tests.factories import make_rule

    make_rule(world.central, personnel_types="ABC")
    start = timezone.localtime() + datetime.timedelta(hours=30)
    plan = ExamPlanFactory(region=world.region_a, exam_date=start.date(), start_time=datetime.time(start.hour))
    regs = [RegistrationFactory(plan=plan, personnel_type=t) for t in "ABC"]
    errors = _watch_console(page)
    login_session(page, world.central)
    page.goto(page.base + f"/plans/{plan.pk}/")
    assert "试卷已生成 0 / 3" in page.get_by_test_id("paper-progress").inner_text()
    page.get_by_test_id("paper-generate").click()
    assert "试卷已生成 3 / 3" in page.get_by_test_id("paper-progress").inner_text()
    shot(page, "papers_06_plan_panel")
    page.goto(page.base + f"/papers/registrations/{regs[1].pk}/")
    assert page.get_by_test_id("paper-key-12").is_visible()
    shot(page, "papers_07_registration_paper")
    assert errors == []


def test_bank_import_fix_a_bad_row_and_upload_again(page, world, tmp_path):
    """导入试题: download the template, fill it (one answer naming a missing option), upload, read
    the failure, fix it in the downloaded 导入结果, upload that file again."""
    import openpyxl

    from questions.importing.columns import SHEET
    from questions.models import Question
    from questions.services import area_create

    for i, name in enumerate(["有限空间作业", "高处作业"]):
        area_create(name=name, sort_order=i, acting_user=world.central)
    errors = _watch_console(page)
    login_session(page, world.central)
    page.goto(page.base + "/questions/import/")
    with page.expect_download() as info:
        page.get_by_test_id("bank-template").click()
    template = tmp_path / "template.xlsx"
    info.value.save_as(template)
    wb = openpyxl.load_workbook(template)
    ws = wb["试题"]
    assert [c.value for c in ws[1]][:len(SHEET.headers)] == SHEET.headers
    col = {h: i + 1 for i, h in enumerate(SHEET.headers)}
    rows = [
        {"题目编号": "YX-0001", "题型": "单选题", "题干": "进入有限空间作业前，应当（ ）。", "选项A": "先通风、再检测、后作业",
         "选项B": "直接进入", "答案": "A", "知识领域": "有限空间作业", "适用人员类型": "ABC",
         "适用考核类型": "新取证(线上)", "难度": "2"},
        {"题目编号": "YX-0002", "题型": "多选题", "题干": "高处作业应当佩戴的防护用品有（ ）。", "选项A": "安全帽",
         "选项B": "安全带", "选项C": "拖鞋", "答案": "ABD", "知识领域": "高处作业", "适用人员类型": "BC",
         "适用考核类型": "新取证(线上)", "难度": "3"},
        {"题目编号": "YX-0003", "题型": "判断题", "题干": "高处作业可以不系安全带。", "答案": "错误", "知识领域": "高处作业",
         "适用人员类型": "C", "适用考核类型": "继续教育(线上)", "难度": "1"},
    ]
    for r, row in enumerate(rows, start=2):
        for header, value in row.items():
            ws.cell(row=r, column=col[header], value=value)
    filled = tmp_path / "题库.xlsx"
    wb.save(filled)
    page.get_by_test_id("bank-file").set_input_files(str(filled))
    page.get_by_test_id("bank-upload").click()
    summary = page.get_by_test_id("bank-run-summary").inner_text()
    assert "新增 2" in summary and "失败 1" in summary
    assert "不存在的选项 D" in page.get_by_test_id("bank-errors").inner_text()
    shot(page, "papers_08_bank_import_failed_row")

    with page.expect_download() as info:
        page.get_by_test_id("bank-report").click()
    report = tmp_path / "题库_导入结果.xlsx"
    info.value.save_as(report)
    wb = openpyxl.load_workbook(report)
    ws = wb["试题"]
    ws.cell(row=3, column=col["答案"], value="AB")
    wb.save(report)
    page.goto(page.base + "/questions/import/")
    page.get_by_test_id("bank-file").set_input_files(str(report))
    page.get_by_test_id("bank-upload").click()
    summary = page.get_by_test_id("bank-run-summary").inner_text()
    assert "新增 1" in summary and "已存在(内容未变化) 2" in summary and "失败 0" in summary
    shot(page, "papers_09_bank_import_fixed")
    assert Question.objects.get(code="YX-0002").current_version.answer == "AB"
    page.goto(page.base + "/questions/")
    assert page.get_by_test_id("question-row-YX-0002").is_visible()
    assert errors == []
