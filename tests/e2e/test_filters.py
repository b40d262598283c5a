"""An invalid filter in the browser (decisions.md "One filter definition per list"): the list says what is wrong and where, shows
no rows (and no export), and 重置 brings the rows back."""

import pytest
from django.urls import reverse

from candidates.tests.factories import RegistrationFactory
from plans.tests.factories import ExamPlanFactory

from .conftest import login_session, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_invalid_filter_shows_its_sentence_and_no_rows(page, world):
    plan = ExamPlanFactory(region=world.region_a)
    reg = RegistrationFactory(plan=plan, person__name="钱七")
    login_session(page, world.admin_a)
    page.goto(page.base + reverse("candidates:list") + "?plan=999999&name=钱")
    sentence = page.get_by_test_id("filter-invalid")
    assert "考试批次的选项无效" in sentence.inner_text() and "未显示任何记录" in sentence.inner_text()
    assert page.get_by_test_id("no-rows").is_visible() and page.get_by_test_id("candidate-row").count() == 0
    shot(page, "filters_01_candidates_invalid")
    assert page.get_by_test_id("export-all-btn").is_disabled()  # nothing to export (the server refuses it too)
    page.get_by_role("link", name="重置").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("filter-invalid").count() == 0
    assert page.get_by_test_id("candidate-row").count() == 1 and reg.candidate_number in page.content()

    page.goto(page.base + reverse("plans:list"))
    page.locator("input[name=date_from]").fill("2026-13-01")  # the pattern's shape, not a date
    page.locator("[data-testid=plan-filters] button[type=submit]").click()
    page.wait_for_load_state()
    assert "日期格式应为 yyyy-mm-dd" in page.get_by_test_id("filter-invalid").inner_text()
    assert page.locator(f"[data-testid=plan-row-{plan.batch_no}]").count() == 0
    shot(page, "filters_02_plans_invalid")
