"""题库与组卷 in the browser (issue 13 §8): central opens the bank, creates a rule, sees a cell
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
