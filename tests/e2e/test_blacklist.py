"""黑名单管理 in the browser: central blacklists a registered person from their registration (the
default end date proposes itself from the category), the region then finds the entry in its
list with the 证件号码 masked, searches it and exports it; the region where the person has a
registration sees it too, a third region does not; central sees the conflict; and an import of
the person into a new plan (the import engineer's page and template) reports the refusal."""

import openpyxl
import pytest
from django.utils import timezone

from accounts.models import User
from audit.actions import Action
from audit.models import AuditLog
from blacklist.models import BlacklistEntry
from blacklist.rules import penalty_default_end
from candidates.tests.factories import RegistrationFactory
from core.masking import mask_id_number
from core.roles import Role
from people.tests.factories import PersonFactory, make_resident_id
from plans.tests.factories import ExamPlanFactory
from regions.models import Region

from .conftest import login_session, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _as(page, user):
    page.context.clear_cookies()
    login_session(page, user)


def test_central_blacklists_a_person_the_region_sees_it_and_an_import_refuses_them(page, world, tmp_path):
    person = PersonFactory(name="周建国")
    registration = RegistrationFactory(person=person, plan=ExamPlanFactory(region=world.region_a, days_ahead=-30),
                                       company_name="北京某通信建设有限公司")
    # registered earlier in a 广东 plan that has not started yet: a conflict once blacklisted
    later = RegistrationFactory(person=person, plan=ExamPlanFactory(region=world.region_b, days_ahead=20))
    today = timezone.localdate()

    # 1. central finds the registration by 考生编号 and decides
    _as(page, world.central)
    page.goto(page.base + "/blacklist/")
    page.get_by_role("link", name="从报名记录添加").click()
    page.get_by_label("考生编号或证件号码").fill(registration.candidate_number)
    page.get_by_role("button", name="查找").click()
    results = page.get_by_test_id("registration-results")
    assert "周建国" in results.inner_text() and person.id_number not in results.inner_text()
    shot(page, "blacklist_01_find_registration")
    results.get_by_role("link", name="选择").click()
    assert "北京市" in page.get_by_test_id("registration-summary").inner_text()
    form = page.get_by_test_id("entry-form")
    assert form.get_by_label("处罚开始日期").input_value() == f"{today:%Y-%m-%d}"
    form.get_by_label("违规类型").select_option(label="替考（默认 36 个月，成绩作废）")
    expected_end = penalty_default_end(today, 36)
    assert form.get_by_label("处罚截止日期").input_value() == f"{expected_end:%Y-%m-%d}"
    form.get_by_label("证据说明").fill("远程监考抓拍显示考试期间由他人代答。")
    shot(page, "blacklist_02_decide")
    form.get_by_role("button", name="列入黑名单").click()
    page.wait_for_selector("text=已将 周建国 列入黑名单")
    entry = BlacklistEntry.objects.get()
    assert (entry.registration_id, entry.region_id, entry.penalty_end) == (
        registration.pk, world.region_a.pk, expected_end)
    detail = page.get_by_test_id("entry-detail").inner_text()
    assert "处罚中" in page.inner_text("h1") and mask_id_number(person.id_number) in detail
    assert person.id_number not in detail
    shot(page, "blacklist_03_central_detail")
    # 显示完整号码: the number replaces the button (one click, one audit entry)
    page.get_by_role("button", name="显示完整号码（将记录查看操作）").click()
    assert page.get_by_test_id("full-id-number").inner_text() == person.id_number
    assert page.get_by_role("button", name="显示完整号码（将记录查看操作）").count() == 0
    shot(page, "blacklist_03b_central_revealed")
    assert AuditLog.objects.filter(action=Action.BLACKLIST_REVEAL_ID_NUMBER).count() == 1

    # 2. the region sees it, masked, at any time; searching by the full number finds it
    _as(page, world.admin_a)
    page.goto(page.base + "/")
    page.get_by_role("link", name="黑名单管理").click()
    table = page.get_by_test_id("blacklist-table")
    text = table.inner_text()
    assert "周建国" in text and mask_id_number(person.id_number) in text and person.id_number not in text
    assert "替考" in text and "处罚中" in text
    assert f"{today:%Y-%m-%d} – {expected_end:%Y-%m-%d}" in text
    page.get_by_test_id("blacklist-filters").get_by_label("证件号码").fill(person.id_number)
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url("**id_number=**")
    assert page.get_by_test_id("blacklist-table").locator("tbody tr").count() == 1
    shot(page, "blacklist_04_region_list")
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    # 广东, where the person is registered in a plan, does not see 北京's entry (docs/decisions.md#blacklist-own-region),
    # only that its own registration is 停考 and until when; 上海 sees nothing
    _as(page, world.admin_b)
    page.goto(page.base + "/blacklist/")
    assert "周建国" not in page.get_by_test_id("blacklist-table").inner_text()
    assert page.goto(page.base + f"/blacklist/{entry.pk}/").status == 404
    page.goto(page.base + f"/candidates/{later.pk}/")
    suspended = page.get_by_test_id("suspended").inner_text()
    assert "停考" in suspended and f"{expected_end:%Y-%m-%d}" in suspended and "替考" not in suspended
    shot(page, "blacklist_05_other_region_sees_only_suspension")
    admin_sh = User.objects.create_user("t_admin_sh", role=Role.REGIONAL, region=Region.objects.get(code="31"))
    _as(page, admin_sh)
    page.goto(page.base + "/blacklist/")
    assert "周建国" not in page.get_by_test_id("blacklist-table").inner_text()
    page.allowed_console = [r"status of 404 \(Not Found\)"]  # the refusal this step expects
    assert page.goto(page.base + f"/blacklist/{entry.pk}/").status == 404

    # central sees the 广东 registration as a conflict
    _as(page, world.central)
    page.goto(page.base + "/blacklist/")
    page.get_by_role("link", name="冲突名单").click()
    conflicts = page.get_by_test_id("conflict-table").inner_text()
    assert later.candidate_number in conflicts and "处罚期内" in conflicts and "广东省" in conflicts
    shot(page, "blacklist_05_conflicts")

    # 3. 北京 imports a file with that person into a new plan: the row is refused with the
    #    penalty's end date, the other row is imported
    new_plan = ExamPlanFactory(region=world.region_a, days_ahead=10)
    _as(page, world.admin_a)
    page.goto(page.base + f"/candidates/plans/{new_plan.pk}/import/")
    with page.expect_download() as download:
        page.get_by_test_id("download-template").click()
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    workbook = openpyxl.load_workbook(template)
    sheet = workbook["考生信息"]
    headers = [cell.value for cell in sheet[1]]
    rows = [
        {"姓名": person.name, "证件类型": "1", "证件号码": person.id_number, "手机号码": registration.phone,
         "企业名称": registration.company_name, "统一社会信用代码": "91110108551385082Q", "人员类型": "A"},
        {"姓名": "孙丽", "证件类型": "1", "证件号码": make_resident_id(801), "手机号码": "13912345678",
         "企业名称": "北京某通信建设有限公司", "统一社会信用代码": "91110108551385082Q", "人员类型": "B"},
    ]
    for r, row in enumerate(rows, start=2):
        for header, value in row.items():
            sheet.cell(row=r, column=headers.index(header) + 1, value=value)
    filled = tmp_path / "考生信息.xlsx"
    workbook.save(filled)
    page.get_by_test_id("import-file").set_input_files(str(filled))
    page.get_by_test_id("upload-button").click()
    page.get_by_test_id("upload-ok").wait_for()
    page.get_by_test_id("import-button").click()
    page.get_by_test_id("import-counts").wait_for()
    assert page.get_by_test_id("count-created").inner_text() == "1"
    assert page.get_by_test_id("count-failed").inner_text() == "1"
    errors = page.get_by_test_id("error-table").inner_text()
    assert f"黑名单处罚期内（至 {expected_end:%Y-%m-%d}）" in errors
    assert person.id_number not in errors
    shot(page, "blacklist_06_import_refused")
    assert not new_plan.registrations.filter(person=person).exists()
    assert new_plan.registrations.filter(person__name="孙丽").exists()

    # the categories page central maintains
    _as(page, world.central)
    page.goto(page.base + "/blacklist/categories/")
    assert "36 个月" in page.get_by_test_id("category-table").inner_text()
    shot(page, "blacklist_07_categories")
