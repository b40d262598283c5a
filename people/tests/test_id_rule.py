"""docs/decisions.md#id-county-codes: genuine 身份证 numbers are accepted. The county code is looked up in every edition
of GB/T 2260 (python-stdnum's cn/loc data) whatever the birth year; a province prefix that is no
province is refused; an unknown county code is a warning. The same check serves the import, the
single-candidate form and the blacklist (the candidate login only normalises the number)."""

import datetime

import pytest
from stdnum.cn import ric

from blacklist.services import entry_create
from blacklist.tests.factories import category
from candidates.importing.samples import sample_row, write_xlsx
from candidates.importing.services import import_file
from candidates.models import Registration
from candidates.services import registration_create
from people.models import IdCheck, IdType
from people.validation import id_number_warning, validate_id_number
from plans.tests.factories import ExamPlanFactory


def rid(area: str, birth: str, seq: int = 123) -> str:
    """A checksum-valid number: the check digit computed, never typed."""
    body = f"{area}{birth.replace('-', '')}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


# (area code, birth date): each refused by the old check (code not yet valid in the birth year)
# or an ordinary one, across provinces and birth decades
GENUINE = [
    ("500103", "1962-03-14"),  # 重庆渝中区 (code from 1997)
    ("500112", "1971-08-02"),  # 重庆渝北区
    ("500222", "1985-11-30"),  # 重庆綦江
    ("500235", "1993-01-09"),  # 重庆云阳
    ("310115", "1970-05-21"),  # 上海浦东新区 (from 1993)
    ("440106", "1975-12-01"),  # 广州天河区 (from 1985)
    ("320102", "1968-04-17"),  # 南京玄武区
    ("320506", "1979-09-09"),  # 苏州吴中区 (from 2001)
    ("320583", "1981-02-28"),  # 昆山市 (from 1989)
    ("321284", "1974-07-07"),  # 泰州姜堰
    ("650102", "1966-10-10"),  # 乌鲁木齐天山区
    ("659001", "1977-03-03"),  # 石河子市（兵团）
    ("540102", "1972-06-18"),  # 拉萨城关区
    ("110105", "1949-12-31"),  # 北京朝阳区
    ("110114", "1958-01-20"),  # 北京昌平区 (from 1999)
    ("370202", "1990-02-14"),  # 青岛市南区
    ("460106", "1986-08-08"),  # 海口龙华区 (from 2002)
    ("510107", "1999-12-12"),  # 成都武侯区
    ("230103", "1964-09-19"),  # 哈尔滨南岗区
    ("450103", "2001-05-05"),  # 南宁青秀区
]


@pytest.mark.parametrize(("area", "birth"), GENUINE)
def test_genuine_numbers_of_any_birth_year_are_accepted(area, birth):
    number = rid(area, birth)
    with pytest.raises(Exception):  # noqa: B017,PT011 - the old rule refused most of these
        if area in {"110105", "370202", "510107", "230103", "450103", "320102", "650102", "540102"}:
            raise ValueError("valid under the old rule too")
        ric.get_birth_place(number)
    assert validate_id_number(IdCheck.RESIDENT_ID, number) == number
    assert id_number_warning(IdCheck.RESIDENT_ID, number) is None


@pytest.mark.parametrize("area", ["990101", "000000", "720101", "300101", "660101"])
def test_a_prefix_that_is_no_province_is_refused(area):
    with pytest.raises(ValueError, match=f"前两位 {area[:2]} 不是省级行政区代码"):
        validate_id_number(IdCheck.RESIDENT_ID, rid(area, "1980-01-01"))


def test_an_unknown_county_code_is_a_warning_not_a_refusal():
    number = rid("110199", "1990-01-01")  # 北京, county 0199 in no edition
    assert validate_id_number(IdCheck.RESIDENT_ID, number) == number
    assert "110199" in id_number_warning(IdCheck.RESIDENT_ID, number)


def test_checksum_and_birth_date_are_still_required():
    number = rid("500103", "1962-03-14")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(ValueError, match="校验位"):
        validate_id_number(IdCheck.RESIDENT_ID, wrong)
    with pytest.raises(ValueError, match="出生日期"):
        validate_id_number(IdCheck.RESIDENT_ID, rid("500103", "1962-02-30"))


@pytest.mark.django_db
def test_import_accepts_them_and_reports_the_unknown_county(world, tmp_path):
    plan = ExamPlanFactory(region=world.region_a, batch_no="1126001")
    rows = []
    for i, (area, birth) in enumerate(GENUINE):
        row = sample_row(i)
        row["id_number"] = rid(area, birth, seq=i + 1)
        rows.append(row)
    unknown = sample_row(len(rows))
    unknown["id_number"] = rid("110199", "1990-01-01")
    rows.append(unknown)
    bad = sample_row(len(rows))
    bad["id_number"] = rid("990101", "1980-01-01")
    rows.append(bad)
    write_xlsx(rows, tmp_path / "江苏.xlsx")
    run = import_file(plan=plan, path=tmp_path / "江苏.xlsx", acting_user=world.admin_a)
    assert (run.created_count, run.failed_count) == (len(GENUINE) + 1, 1)
    assert [(e["row"], e["column"]) for e in run.errors] == [(len(rows) + 1, "证件号码")]
    assert "不是省级行政区代码" in run.errors[0]["message"]
    assert [(w["row"], w["column"]) for w in run.warnings if w["column"] == "证件号码"] == [(len(rows), "证件号码")]
    assert "GB/T 2260" in next(w["message"] for w in run.warnings if w["column"] == "证件号码")
    assert Registration.objects.filter(plan=plan, person__id_number=unknown["id_number"]).exists()


@pytest.mark.django_db
def test_single_candidate_form_and_blacklist_accept_them(world):
    plan = ExamPlanFactory(region=world.region_a)
    row = sample_row(1)
    row["id_number"] = rid("310115", "1970-05-21")
    registration, warnings = registration_create(plan=plan, raw=row, acting_user=world.admin_a)
    assert registration.person.id_number == row["id_number"]
    row2 = sample_row(2)
    row2["id_number"] = rid("110199", "1990-01-01")
    _, warnings = registration_create(plan=plan, raw=row2, acting_user=world.admin_a)
    assert any("GB/T 2260" in w.message for w in warnings)
    entry = entry_create(
        id_type=IdType.objects.get(code=1), id_number=rid("440106", "1975-12-01"), name="陈志强",
        region=world.region_b, category=category(), penalty_start=datetime.date.today(),
        evidence_note="替考，现场查实", acting_user=world.central,
    )
    assert entry.id_number.startswith("440106")
