import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from people.models import IdCheck
from people.tests.factories import make_resident_id
from people.validation import check_credit_code, validate_id_number, validate_mobile


def test_resident_id_accepts_a_valid_number_and_normalises_x():
    assert validate_id_number(IdCheck.RESIDENT_ID, " 11010519491231002x ") == "11010519491231002X"


@pytest.mark.parametrize("value, message", [
    ("11010519491231002", "应为 18 位"),
    ("110105194912310021", "校验位不正确"),
    ("1101051949123100AX", "格式不正确"),
    ("110105199913310024", "出生日期不正确"),
])
def test_resident_id_errors_say_what_is_wrong(value, message):
    if message == "出生日期不正确":
        value = value[:17] + ric.calc_check_digit(value)
    with pytest.raises(ValueError, match=message):
        validate_id_number(IdCheck.RESIDENT_ID, value)


def test_hk_macau_and_taiwan_permits():
    assert validate_id_number(IdCheck.HK_MACAU_PERMIT, "h12345678") == "H12345678"
    assert validate_id_number(IdCheck.HK_MACAU_PERMIT, "M1234567801") == "M1234567801"
    with pytest.raises(ValueError):
        validate_id_number(IdCheck.HK_MACAU_PERMIT, "A12345678")
    assert validate_id_number(IdCheck.TAIWAN_PERMIT, "12345678") == "12345678"
    with pytest.raises(ValueError):
        validate_id_number(IdCheck.TAIWAN_PERMIT, "1234567")


def test_residence_permit_needs_its_prefix_and_checksum():
    body = "81000019900101001"
    good = body + ric.calc_check_digit(body + "0")
    assert validate_id_number(IdCheck.HMT_RESIDENCE, good) == good
    with pytest.raises(ValueError, match="810000"):
        validate_id_number(IdCheck.HMT_RESIDENCE, make_resident_id(1))


def test_foreign_permanent_new_and_old_forms():
    body = "93000019900101001"
    assert validate_id_number(IdCheck.FOREIGN_PERMANENT, body + ric.calc_check_digit(body + "0"))
    assert validate_id_number(IdCheck.FOREIGN_PERMANENT, "USA110090010123") == "USA110090010123"


def test_empty_id_is_refused():
    with pytest.raises(ValueError, match="不能为空"):
        validate_id_number(IdCheck.PASSPORT, "  ")


@given(st.integers(min_value=0, max_value=10**6))
def test_every_generated_resident_id_is_valid(seq):
    number = make_resident_id(seq % 300000)
    assert validate_id_number(IdCheck.RESIDENT_ID, number) == number


@pytest.mark.parametrize("value", ["13812345678", "138 1234 5678", "+8613812345678"])
def test_mobile_accepts_mainland_numbers(value):
    assert validate_mobile(value) == "13812345678"


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "023-12345678", ""])
def test_mobile_refuses_others(value):
    with pytest.raises(ValueError, match="11 位中国大陆手机号"):
        validate_mobile(value)


def test_credit_code_failure_is_a_warning_not_an_error():
    assert check_credit_code("91110108551385082Q") == ("91110108551385082Q", None)
    code, warning = check_credit_code("91110108551385082A")
    assert code == "91110108551385082A" and "校验位" in warning
    assert check_credit_code("") == ("", None)


def test_unknown_place_code_is_accepted_not_a_crash():
    body = "11019919900101001"  # stdnum raises KeyError for this place code
    number = body + ric.calc_check_digit(body + "0")
    assert validate_id_number(IdCheck.RESIDENT_ID, number) == number
