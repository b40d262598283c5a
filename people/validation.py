"""Format checks for identity documents, enterprise codes and phone numbers, written once and
shared by the Excel import, the CLI, the single-candidate form and the blacklist (SPEC.md §3).
Each function returns the normalised value or raises ValueError with a Chinese message."""

import functools
import re

from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

from .models import IdCheck

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_HK_MACAU_RE = re.compile(r"^[HM]\d{8}(\d{2})?$")
_TAIWAN_RE = re.compile(r"^\d{8}(\d{2})?$")
_PASSPORT_RE = re.compile(r"^[A-Z0-9]{5,17}$")
_FREE_RE = re.compile(r"^[A-Z0-9\-]{1,32}$")
_OLD_FOREIGN_RE = re.compile(r"^[A-Z]{3}\d{12}$")


_SPACES_RE = re.compile(r"\s+")


def normalize_id_number(value) -> str:
    return _SPACES_RE.sub("", str(value or "")).upper()


UNKNOWN_COUNTY_WARNING = "身份证号码中的地址码（{code}）不在国家行政区划代码（GB/T 2260）各版本中，已接受，请核对"


@functools.lru_cache(maxsize=8192)
def gb2260_place_known(code: str) -> tuple[bool, bool]:
    """(province known, county known) for a 6-digit address code, in ANY edition of GB/T 2260
    (python-stdnum's cn/loc data, which lists every code with the years it was valid). The years
    are ignored on purpose: an ID carries the code in force where and when it was issued (from
    1984 on), not at birth, so python-stdnum's get_birth_place (code valid in the birth year)
    refuses genuine numbers (docs/decisions.md#id-county-codes: 渝 500xxx before 1997, 浦东 310115, most of 江苏)."""
    parts = numdb.get("cn/loc").info(code)
    province = any("province" in props for _, props in parts)
    county = province and any("county" in props for _, props in parts[1:])
    return province, county


def resident_id_place_warning(number: str) -> str | None:
    """The warning for an 18-digit number whose county code is in no edition of GB/T 2260 (the
    number is still accepted: a missing code in our data must never refuse a genuine candidate)."""
    province, county = gb2260_place_known(number[:6])
    if province and not county:
        return UNKNOWN_COUNTY_WARNING.format(code=number[:6])
    return None


def _gb11643(number: str, *, what: str, check_place: bool = True) -> str:
    if len(number) != 18:
        raise ValueError(f"{what}应为 18 位，当前为 {len(number)} 位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValueError(f"{what}格式不正确：前 17 位应为数字，最后一位为数字或 X")
    if number[17] != ric.calc_check_digit(number):
        raise ValueError(f"{what}校验位不正确，请核对号码")
    try:
        ric.get_birth_date(number)
    except (InvalidComponent, ValidationError, KeyError):
        raise ValueError(f"{what}中的出生日期不正确") from None
    if check_place and not gb2260_place_known(number[:6])[0]:
        raise ValueError(f"{what}中的地址码不正确：前两位 {number[:2]} 不是省级行政区代码")
    return number


def id_number_warning(check: str, number: str) -> str | None:
    """A warning (never a refusal) for a 证件号码 that validate_id_number accepted: a 身份证 county
    code found in no edition of GB/T 2260."""
    if check == IdCheck.RESIDENT_ID:
        return resident_id_place_warning(number)
    return None


def validate_id_number(check: str, value) -> str:
    """Check a 证件号码 by its 证件类型's check kind; return it normalised (upper case, no spaces).
    身份证: 18 characters, MOD 11-2 check digit, a real birth date and a province prefix are
    required; the county code is not checked against the birth year (see gb2260_place_known), and an unknown
    county code only gives id_number_warning."""
    number = normalize_id_number(value)
    if not number:
        raise ValueError("证件号码不能为空")
    if check == IdCheck.RESIDENT_ID:
        return _gb11643(number, what="身份证号码")
    if check == IdCheck.FOREIGN_PERMANENT:
        if _OLD_FOREIGN_RE.match(number):
            return number
        if not number.startswith("9"):
            raise ValueError("外国人永久居留身份证号码应为 9 开头的 18 位（新版）或 3 位字母加 12 位数字（旧版）")
        return _gb11643(number, what="外国人永久居留身份证号码", check_place=False)
    if check == IdCheck.HMT_RESIDENCE:
        if number[:6] not in {"810000", "820000", "830000"}:
            raise ValueError("港澳台居民居住证号码应以 810000、820000 或 830000 开头")
        return _gb11643(number, what="港澳台居民居住证号码", check_place=False)
    if check == IdCheck.HK_MACAU_PERMIT:
        if not _HK_MACAU_RE.match(number):
            raise ValueError("港澳居民来往内地通行证号码应为 H 或 M 加 8 位数字（可再加 2 位换证次数）")
        return number
    if check == IdCheck.TAIWAN_PERMIT:
        if not _TAIWAN_RE.match(number):
            raise ValueError("台湾居民来往大陆通行证号码应为 8 位数字（可再加 2 位换证次数）")
        return number
    if check == IdCheck.PASSPORT:
        if not _PASSPORT_RE.match(number):
            raise ValueError("护照号码应为 5 到 17 位字母或数字")
        return number
    if not _FREE_RE.match(number):
        raise ValueError("证件号码应为 1 到 32 位字母、数字或连字符")
    return number


def validate_mobile(value) -> str:
    """An 11-digit mainland mobile number (1[3-9]xxxxxxxxx)."""
    phone = re.sub(r"[\s\-]", "", str(value or ""))
    if phone.startswith("+86"):
        phone = phone[3:]
    if not MOBILE_RE.match(phone):
        raise ValueError("手机号码应为 11 位中国大陆手机号（1 开头，第二位为 3–9）")
    return phone


def check_credit_code(value) -> tuple[str, str | None]:
    """统一社会信用代码 (GB 32100). Some real registered codes fail the checksum, so a failure is a
    warning, not an error (SPEC.md §3): returns (normalised, warning or None). A value that is not
    18 characters of the code's alphabet is still only a warning; the caller decides."""
    code = re.sub(r"\s+", "", str(value or "")).upper()
    if not code:
        return "", None
    try:
        uscc.validate(code)
    except InvalidLength:
        return code, "统一社会信用代码应为 18 位"
    except InvalidFormat:
        return code, "统一社会信用代码含有不允许的字符"
    except InvalidChecksum:
        return code, "统一社会信用代码校验位不符（已导入，请核对）"
    except (InvalidComponent, ValidationError):
        return code, "统一社会信用代码格式不符（已导入，请核对）"
    return code, None
