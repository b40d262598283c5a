"""学员考核信息管理 in the browser (docs/decisions.md#candidate-list): a regional administrator searches with three
filters, pages, edits a candidate, exports the filtered list and the file (opened with openpyxl)
holds exactly the rows of the screen, page after page, in the same order."""

import openpyxl
import pytest

from candidates.models import Registration
from candidates.tests.factories import RegistrationFactory
from core.masking import mask_id_number, mask_phone
from plans.choices import ExamType
from plans.tests.factories import ExamPlanFactory

from .conftest import login_session, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _screen_rows(page) -> list[list[str]]:
    rows = []
    for tr in page.get_by_test_id("candidate-row").all():
        cells = [c.inner_text().strip() for c in tr.locator("td").all()]
        rows.append(cells[1:11])  # without the running number and the actions
    return rows


def test_search_page_edit_export(page, world, tmp_path):
    plan = ExamPlanFactory(region=world.region_a, exam_type=ExamType.NEW_ONLINE)
    other_plan = ExamPlanFactory(region=world.region_a, exam_type=ExamType.NEW_ONLINE)
    for i in range(26):
        RegistrationFactory(plan=plan, person__name=f"张{'伟芳娜敏静丽强磊军洋'[i % 10]}{i:02d}",
                            company_name=f"华信通信工程有限公司{i % 2}", personnel_type="B")
    RegistrationFactory(plan=plan, person__name="张不匹配", personnel_type="A")  # other 人员类型
    RegistrationFactory(plan=plan, person__name="李四", personnel_type="B")  # other 姓名
    RegistrationFactory(plan=other_plan, person__name="张他批", personnel_type="B")  # other 批次
    RegistrationFactory(plan=ExamPlanFactory(region=world.region_b), person__name="张广东", personnel_type="B")

    login_session(page, world.admin_a)
    page.goto(page.base + "/")
    page.get_by_role("link", name="学员考核信息管理").click()
    page.get_by_test_id("filter-name").fill("张")
    page.get_by_test_id("filter-personnel_type").select_option("B")
    page.get_by_test_id("filter-plan").select_option(str(plan.pk))
    page.get_by_test_id("search").click()
    page.wait_for_selector("text=共 26 条记录")
    assert "name=%E5%BC%A0" in page.url and "personnel_type=B" in page.url  # bookmarkable
    first = _screen_rows(page)
    assert len(first) == 20 and all(r[2].startswith("张") and r[8] == "B" for r in first)
    reg = Registration.objects.get(candidate_number=first[0][1])
    assert first[0][4] == mask_id_number(reg.person.id_number) and first[0][9] == mask_phone(reg.phone)
    assert reg.person.id_number not in page.content()
    shot(page, "candidates_01_search_three_filters")

    page.get_by_role("link", name="下一页").click()
    page.wait_for_selector("text=第 2 页")
    second = _screen_rows(page)
    assert len(second) == 6
    shot(page, "candidates_02_page_two")

    # edit the first candidate of page 2: a wrong phone is refused beside the field, then fixed
    target = second[0][1]
    page.get_by_test_id(f"edit-{target}").click()
    page.get_by_test_id("field-phone").fill("12345")
    page.get_by_test_id("save").click()
    assert "手机号码应为" in page.get_by_test_id("error-phone").inner_text()
    shot(page, "candidates_03_edit_error")
    page.get_by_test_id("field-phone").fill("13712345678")
    page.get_by_test_id("field-company_name").fill("华信通信工程有限公司（已更正）")
    page.get_by_test_id("save").click()
    page.wait_for_selector(f"text=已保存考生 {target} 的信息")
    assert "137****5678" in page.get_by_test_id("candidate-detail").inner_text()
    shot(page, "candidates_04_saved_detail")
    page.get_by_test_id("reveal").click()
    page.wait_for_selector("[data-testid=revealed]")
    assert page.get_by_test_id("full-phone").inner_text() == "13712345678"
    shot(page, "candidates_05_revealed")

    # back to the search (the browser's history keeps the URL), screen = pages 1 + 2
    page.go_back()
    page.go_back()
    page.go_back()
    page.wait_for_selector("text=共 26 条记录")
    page.get_by_role("link", name="首页").click()
    screen = _screen_rows(page)
    page.get_by_role("link", name="下一页").click()
    page.wait_for_selector("text=第 2 页")
    screen += _screen_rows(page)
    assert len(screen) == 26 and any("已更正" in r[5] for r in screen)
    with page.expect_download() as info:
        page.get_by_test_id("export-all-btn").click()
    path = tmp_path / "export.xlsx"
    info.value.save_as(path)
    shot(page, "candidates_06_after_export")
    sheet = openpyxl.load_workbook(path).active
    rows = [[("" if v is None else str(v)) for v in r] for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["考试批次", "考生编号", "姓名", "证件种类", "证件号码", "公司名称", "统一社会信用代码", "考试类型",
                       "人员类型/报考类型", "联系电话", "考试状态"]
    assert [r[:10] for r in rows[1:]] == screen and all(not r[10] for r in rows[1:])  # no one 停考


def test_a_locked_candidate_is_unlocked_by_the_region(page, world, browser):
    """Five wrong passwords lock the candidate; the 管局 sees the lock on the candidate page and
    lifts it; the candidate then signs in."""
    from accounts.services import candidate_account_activate

    reg = RegistrationFactory(plan=ExamPlanFactory(region=world.region_a), person__name="王锁定")
    candidate_account_activate(person=reg.person, new_password="Kaosheng#2026")

    def candidate_login(password):
        page.goto(page.base + "/accounts/candidate/login/")
        page.get_by_label("证件号码").fill(reg.person.id_number)
        page.locator("#id_password").fill(password)
        page.get_by_label("动态码").fill("PASSED")
        page.get_by_role("button", name="登录", exact=True).click()
        page.wait_for_load_state()

    for _ in range(5):
        candidate_login("Wrong#Pass2026")
    candidate_login("Kaosheng#2026")
    assert "联系报名所在管局或部中心解锁" in page.get_by_role("alert").first.inner_text()
    shot(page, "candidates_07_candidate_locked")

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    admin = context.new_page()
    admin.base = page.base
    login_session(admin, world.admin_a)
    admin.goto(admin.base + f"/candidates/{reg.pk}/")
    assert "考生登录已锁定" in admin.get_by_test_id("login-lock").inner_text()
    shot(admin, "candidates_08_lock_on_detail")
    admin.get_by_role("button", name="解除登录锁定").click()
    admin.get_by_text("已解除 王锁定 的登录锁定").wait_for()
    shot(admin, "candidates_09_unlocked")
    context.close()

    candidate_login("Kaosheng#2026")
    # 我的考核, where a candidate lands: their own exam, details masked
    page.wait_for_url("**/candidates/mine/")
    assert "王锁定" in page.get_by_test_id("current-user").inner_text()
    row = page.get_by_test_id("my-registration")
    row.first.wait_for()
    assert row.count() == 1 and reg.candidate_number in row.inner_text() and "待考试" in row.inner_text()
    assert reg.person.id_number not in page.content()
    shot(page, "candidates_12_my_registrations")


def test_the_estimated_total_pager(page, world, monkeypatch):
    """Over selectors.EXACT_COUNT_LIMIT rows the list shows the planner's estimate (约 N 条) and pages
    by the rows really found. The limit is lowered so a few dozen rows reach it; on PostgreSQL the
    estimate is the planner's own, on SQLite (no planner estimate) a fixed overestimate."""
    from django.db import connection

    from candidates import selectors

    plan = ExamPlanFactory(region=world.region_a)
    for i in range(27):
        RegistrationFactory(plan=plan, person__name=f"估算{i:02d}")
    monkeypatch.setattr(selectors, "EXACT_COUNT_LIMIT", 5)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE candidates_registration")
    else:
        monkeypatch.setattr(selectors, "registration_count_estimate", lambda qs, **kw: 40)

    login_session(page, world.admin_a)
    page.goto(page.base + "/candidates/?page_size=20")
    total = page.get_by_test_id("estimated-total")
    assert "约" in total.inner_text() and "总数为估算值" in total.inner_text()
    assert page.get_by_test_id("candidate-row").count() == 20
    shot(page, "candidates_10_estimated_pager")
    page.get_by_test_id("next-page").click()
    page.wait_for_url("**page=2**")
    assert page.get_by_test_id("candidate-row").count() == 7  # the rows that exist, whatever the estimate
    assert page.get_by_test_id("next-page").count() == 0
    assert "显示 21 到 27" in page.get_by_test_id("estimated-total").inner_text()
    shot(page, "candidates_11_estimated_last_page")


def test_the_notice_page_counts_agree_after_sending(page, world):
    """docs/decisions.md#pretest-notice: one SMS per phone number; 今日已通知 agrees with what the job reports."""
    plan = ExamPlanFactory(region=world.region_a)
    for name in ["王建国", "李秀英", "张志强"]:  # one company's contact phone for all three
        RegistrationFactory(plan=plan, person__name=name, phone="13912345678")
    RegistrationFactory(plan=plan, person__name="刘海燕", phone="13612345678")
    login_session(page, world.admin_a)
    page.goto(page.base + f"/candidates/plans/{plan.pk}/notice/")
    assert page.get_by_test_id("notice-today").inner_text() == "0 名"
    page.get_by_test_id("notice-send").click()
    page.wait_for_selector("[data-status=done]")
    page.get_by_text("已通知 4 名考生，发送短信 2 条").wait_for()
    page.wait_for_function("() => document.querySelector('[data-testid=notice-today]').textContent.trim() === '4 名'")
    shot(page, "candidates_notice_sent")
