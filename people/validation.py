"""Format checks for identity documents, enterprise codes and phone numbers, written once and
shared by the Excel import, the CLI, the single-candidate form and the blacklist (SPEC.md §3).
Each function returns the normalised value or raises ValueError with a Chinese message."""

import re

from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

from .models import IdCheck

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_HK_MACAU_RE = re.compile(r"^[HM]\d{8}(\d{2})?$")
_TAIWAN_RE = re.compile(r"^\d{8}(\d{2})?$")
_PASSPORT_RE = re.compile(r"^[A-Z0-9]{5,17}$")
_FREE_RE = re.compile(r"^[A-Z0-9\-]{1,32}$")
_OLD_FOREIGN_RE = re.compile(r"^[A-Z]{3}\d{12}$")


def normalize_id_number(value) -> str:
    return re.sub(r"\s+", "", str(value or "")).upper()


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
    if check_place:
        try:
            ric.get_birth_place(number)
        except (InvalidComponent, ValidationError, KeyError):  # stdnum raises KeyError for some codes
            raise ValueError(f"{what}中的地址码不正确") from None
    return number


def validate_id_number(check: str, value) -> str:
    """Check a 证件号码 by its 证件类型's check kind; return it normalised (upper case, no spaces)."""
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
