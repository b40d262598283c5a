"""The ONE row validator (candidates.importing.validation): each rule, with a row that breaks it."""

import datetime

import pytest

from blacklist.models import BlacklistEntry, EntryStatus, ViolationCategory
from candidates.importing.validation import (
    BLACKLIST_MESSAGE,
    NUMERIC_ID_MESSAGE,
    ValidationContext,
    validate_row,
)
from candidates.tests.factories import RegistrationFactory
from people.tests.factories import PersonFactory, make_resident_id
from plans.choices import ExamType
from plans.tests.factories import ExamPlanFactory

pytestmark = pytest.mark.django_db

ID_OK = make_resident_id(7)


def good_row(**over):
    row = {
        "name": "张三", "id_type": "1", "id_number": ID_OK, "phone": "13800138000",
        "company_name": "北京某通信工程有限公司", "credit_code": "91110108551385082Q",
        "personnel_type": "A", "cert_number": "", "cert_expiry": None,
    }
    row.update(over)
    return row


def check(row, plan=None, **ctx_kw):
    plan = plan or ExamPlanFactory()
    ctx = ValidationContext.for_plan(plan, raw_rows=[row], **ctx_kw)
    return validate_row(row, ctx=ctx, row_number=2)


def messages(result):
    return [(e.column, e.message) for e in result.errors]


def test_a_good_row_is_cleaned():
    result = check(good_row(name=" 张三 ", phone=13800138000.0, id_type=1.0, personnel_type="b"))
    assert result.ok, messages(result)
    assert result.cleaned["name"] == "张三"
    assert result.cleaned["phone"] == "13800138000"
    assert result.cleaned["id_type"].code == 1
    assert result.cleaned["personnel_type"] == "B"
    assert result.key == (result.cleaned["id_type"].pk, ID_OK)
    assert result.warnings == []


@pytest.mark.parametrize("key,header", [
    ("name", "姓名"), ("id_type", "证件类型"), ("id_number", "证件号码"), ("phone", "手机号码"),
    ("company_name", "企业名称"), ("credit_code", "统一社会信用代码"), ("personnel_type", "人员类型"),
])
def test_required_columns(key, header):
    result = check(good_row(**{key: "  "}))
    assert not result.ok and result.cleaned is None
    assert header in [e.column for e in result.errors]
    assert any("不能为空" in e.message for e in result.errors)


def test_excel_number_that_lost_digits_gets_the_exact_message():
    result = check(good_row(id_number=1.10105198506010e17))
    assert messages(result) == [("证件号码", NUMERIC_ID_MESSAGE)]
    assert result.errors[0].value == "1.10105E+17"
    # the same when the scientific notation was typed or pasted as text
    assert messages(check(good_row(id_number="1.10105E+17"))) == [("证件号码", NUMERIC_ID_MESSAGE)]


def test_id_number_checked_by_its_type():
    wrong_check_digit = ID_OK[:-1] + ("0" if ID_OK[-1] != "0" else "1")
    result = check(good_row(id_number=wrong_check_digit))
    assert result.errors[0].column == "证件号码" and "校验位" in result.errors[0].message
    # the same digits are a fine passport number? no: passports are 5–17 characters
    assert "护照" in check(good_row(id_type="2", id_number=ID_OK)).errors[0].message
    assert check(good_row(id_type="3", id_number="H12345678")).ok
    assert not check(good_row(id_type="3", id_number="X12345678")).ok


def test_id_type_must_be_a_known_code():
    result = check(good_row(id_type="9"))
    assert result.errors[0].column == "证件类型"
    assert "1 二代身份证" in result.errors[0].message
    assert check(good_row(id_type="1 二代身份证")).ok
    assert check(good_row(id_type="二代身份证")).ok


def test_mobile_and_personnel_type():
    assert messages(check(good_row(phone="12345")))[0][0] == "手机号码"
    assert messages(check(good_row(personnel_type="D")))[0][0] == "人员类型"
    assert check(good_row(personnel_type="C 专职安全生产管理人员")).ok


def test_credit_code_checksum_is_a_warning_length_is_an_error():
    bad_checksum = "91110108551385082A"
    result = check(good_row(credit_code=bad_checksum))
    assert result.ok
    assert [w.column for w in result.warnings] == ["统一社会信用代码"]
    result = check(good_row(credit_code="9111010855"))
    assert not result.ok and "18 位" in result.errors[0].message


def test_certificate_required_for_continuing_education_only():
    continuing = ExamPlanFactory(exam_type=ExamType.CONTINUING_ONLINE)
    result = check(good_row(), plan=continuing)
    assert {e.column for e in result.errors} == {"证书编号", "证书到期日期"}
    result = check(good_row(cert_number="京A(2023)001", cert_expiry="2027-01-01"), plan=continuing)
    assert result.ok and result.cleaned["cert_expiry"] == datetime.date(2027, 1, 1)
    # a real date cell is accepted as well
    result = check(good_row(cert_number="X1", cert_expiry=datetime.date(2027, 5, 6)), plan=continuing)
    assert result.ok and result.cleaned["cert_expiry"] == datetime.date(2027, 5, 6)
    assert check(good_row()).ok  # 新取证: not required


@pytest.mark.parametrize("value", ["2020/01/01", "20200101", "2020-13-01", "2020-02-30", 43831.0, "1980-01-01"])
def test_bad_dates(value):
    result = check(good_row(cert_number="X", cert_expiry=value))
    assert [e.column for e in result.errors] == ["证书到期日期"]


def test_expiry_before_exam_is_a_warning():
    plan = ExamPlanFactory()
    result = check(good_row(cert_number="X", cert_expiry=plan.exam_date - datetime.timedelta(days=1)), plan=plan)
    assert result.ok and result.warnings[0].column == "证书到期日期"


def test_same_person_twice_in_a_file():
    plan = ExamPlanFactory()
    rows = [good_row(), good_row(name="李四"), good_row(id_number=make_resident_id(8))]
    ctx = ValidationContext.for_plan(plan, raw_rows=rows)
    results = [validate_row(r, ctx=ctx, row_number=n) for n, r in enumerate(rows, start=2)]
    assert results[0].ok and results[2].ok
    assert messages(results[1]) == [("证件号码", "与第 2 行为同一人（证件类型和证件号码重复），本行未导入")]


def test_blacklisted_person_is_refused_until_the_penalty_ends(world):
    category = ViolationCategory.objects.first()
    today = datetime.date(2026, 3, 1)
    from people.models import IdType

    BlacklistEntry.objects.create(
        id_type=IdType.objects.get(code=1), id_number=ID_OK, name="张三", region=world.region_a, category=category,
        penalty_start=datetime.date(2025, 1, 1), penalty_end=datetime.date(2026, 6, 30), evidence_note="替考",
        status=EntryStatus.ACTIVE, created_by=world.central,
    )
    result = check(good_row(), today=today)
    assert messages(result) == [("证件号码", BLACKLIST_MESSAGE.format(end=datetime.date(2026, 6, 30)))]
    assert messages(result)[0][1] == "该考生在黑名单处罚期内（至 2026-06-30）"
    assert check(good_row(), today=datetime.date(2026, 7, 1)).ok


def test_unknown_county_code_is_a_warning_not_a_crash_nor_a_refusal():
    body = "110199200001010001"[:17]  # python-stdnum raises KeyError on 110199
    result = check(good_row(id_number=body + ric_check(body)))
    assert result.ok and [w.column for w in result.warnings] == ["证件号码"]


def test_already_registered_is_reported_not_an_error():
    plan = ExamPlanFactory()
    person = PersonFactory(id_number=ID_OK)
    RegistrationFactory(plan=plan, person=person)
    result = check(good_row(), plan=plan)
    assert result.ok and result.already_registered
    assert not check(good_row()).already_registered  # another plan


# -- the fast path for 二代身份证 accepts exactly what people.validation accepts ------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from candidates.importing.validation import _resident_id_accepted  # noqa: E402
from people.models import IdCheck  # noqa: E402
from people.validation import validate_id_number  # noqa: E402


def _people_accepts(number: str) -> bool:
    try:
        validate_id_number(IdCheck.RESIDENT_ID, number)
        return True
    except (ValueError, KeyError):  # KeyError: python-stdnum on place codes like 110199
        return False


_areas = st.sampled_from(["110105", "110000", "440305", "999999", "310101", "652901", "000000", "110199"])
_dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2030, 12, 31))


@settings(max_examples=400, deadline=None)
@given(area=_areas, birth=_dates, seq=st.integers(0, 999), tamper=st.sampled_from(["", "check", "month", "day"]))
def test_fast_path_agrees_with_people_validation(area, birth, seq, tamper):
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    number = body + ric_check(body)
    if tamper == "check":
        number = body + ("0" if number[-1] != "0" else "1")
    elif tamper == "month":
        number = f"{area}{birth:%Y}13{birth:%d}{seq:03d}"
        number += ric_check(number)
    elif tamper == "day":
        number = f"{area}{birth:%Y%m}32{seq:03d}"
        number += ric_check(number)
    assert _resident_id_accepted(number) == _people_accepts(number)


def ric_check(body17: str) -> str:
    from stdnum.cn import ric

    return ric.calc_check_digit(body17 + "0")


def test_the_templates_example_row_passes_our_own_checks():
    """The 填写说明 sheet shows an example per column: a user who copies it must not be refused."""
    from candidates.importing.columns import COLUMNS

    row = {c.key: c.example for c in COLUMNS}
    result = check(row, plan=ExamPlanFactory(exam_type=ExamType.CONTINUING_ONLINE))
    assert messages(result) == [] and result.warnings == []
