"""docs/decisions.md#one-person-several-regions in the browser: genuine 身份证 numbers of many provinces and decades are imported (an
unknown county code only warned); a deleted candidate is reported apart on re-import and re-added
only on confirmation; a blacklisted person's registration is marked 停考 on the roster and page."""

import datetime

import pytest
from django.utils import timezone
from stdnum.cn import ric

from blacklist.tests.factories import make_entry
from candidates.importing.samples import sample_row, write_xlsx
from candidates.models import Registration
from plans.tests.factories import ExamPlanFactory

from .conftest import login_session, shot
from .test_import import _upload_and_import

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def rid(area: str, birth: str, seq: int) -> str:
    body = f"{area}{birth.replace('-', '')}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


PEOPLE = [  # (name, area, birth): each refused by the old birth-year check but the last ones
    ("刘德明", "500103", "1962-03-14"),  # 重庆渝中区
    ("陈建华", "310115", "1970-05-21"),  # 上海浦东新区
    ("黄志强", "440106", "1975-12-01"),  # 广州天河区
    ("周海燕", "320506", "1979-09-09"),  # 苏州吴中区
    ("买买提·艾力", "659001", "1977-03-03"),  # 石河子市
    ("次仁多吉", "540102", "1972-06-18"),  # 拉萨城关区
    ("王秀英", "110199", "1990-01-01"),  # 北京, a county code in no GB/T 2260 edition: a warning
]


def test_genuine_ids_deleted_candidate_confirmation_and_suspension(page, world, tmp_path):
    plan = ExamPlanFactory(region=world.region_a, batch_no="1126001", days_ahead=20)
    rows = []
    for i, (name, area, birth) in enumerate(PEOPLE):
        row = sample_row(i)
        row.update(name=name, id_number=rid(area, birth, i + 1))
        rows.append(row)
    path = tmp_path / "考生名单.xlsx"
    write_xlsx(rows, path)
    login_session(page, world.admin_a)

    # 1. every genuine number imported; the unknown county code is a warning in the report
    page.goto(page.base + f"/candidates/plans/{plan.pk}/import/")
    _upload_and_import(page, path)
    page.get_by_test_id("import-button").click()
    page.get_by_test_id("import-counts").wait_for()
    assert page.get_by_test_id("count-created").inner_text() == str(len(PEOPLE))
    assert page.get_by_test_id("count-failed").inner_text() == "0"
    warnings = page.get_by_test_id("warning-table").inner_text()
    assert "110199" in warnings and "GB/T 2260" in warnings
    shot(page, "people_regions_01_genuine_ids_imported")

    # 2. the 管局 deletes 陈建华 on purpose, then re-imports the whole file
    gone = Registration.objects.get(plan=plan, person__name="陈建华")
    page.goto(page.base + f"/candidates/{gone.pk}/delete/")
    page.get_by_test_id("confirm-delete").click()
    page.wait_for_load_state()
    assert not Registration.objects.filter(pk=gone.pk).exists()
    page.goto(page.base + f"/candidates/plans/{plan.pk}/import/")
    _upload_and_import(page, path)
    page.get_by_test_id("import-button").click()
    page.get_by_test_id("import-counts").wait_for()
    assert page.get_by_test_id("count-created").inner_text() == "0"
    deleted = page.get_by_test_id("deleted-table").inner_text()
    assert gone.candidate_number in deleted and world.admin_a.full_name in deleted
    assert not Registration.objects.filter(plan=plan, person__name="陈建华").exists()
    shot(page, "people_regions_02_deleted_reported_apart")
    page.get_by_test_id("readd-button").click()
    page.get_by_test_id("readd-of").wait_for()
    assert page.get_by_test_id("count-created").inner_text() == "1"
    back = Registration.objects.get(plan=plan, person__name="陈建华")
    assert back.candidate_number == "112600100008"  # a new number, the old one retired
    shot(page, "people_regions_03_readded_on_confirmation")

    # 3. central blacklists 黄志强: his registration shows 停考 on the roster and his page
    reg = Registration.objects.get(plan=plan, person__name="黄志强")
    today = timezone.localdate()
    entry = make_entry(central=world.central, region=world.region_b, person=reg.person, start=today,
                       end=today + datetime.timedelta(days=365))
    page.goto(page.base + "/candidates/")
    badge = page.locator("tr", has_text=reg.candidate_number).get_by_test_id("suspended")
    assert badge.inner_text() == "停考"
    assert page.get_by_test_id("suspended").count() == 1
    shot(page, "people_regions_04_roster_suspended")
    page.goto(page.base + f"/candidates/{reg.pk}/")
    text = page.get_by_test_id("suspended").inner_text()
    assert "停考" in text and f"{entry.penalty_end:%Y-%m-%d}" in text and entry.category.name not in text
    shot(page, "people_regions_05_detail_suspended")
