"""The candidate file (SPEC.md §3), declared once over core.spreadsheets: its columns, each with
its `clean`, and its row rules. The template, the instruction sheet, the reader's header check,
the row validator and the error report are all generated from SHEET, so renaming or adding a
column is a change here. The rules themselves are listed in validation.py's docstring."""

import datetime
import re

from stdnum.cn import ric

from core.spreadsheets.columns import (
    ERROR_COLUMN,
    MAX_DATA_ROWS,
    Column,
    Dropdown,
    HelpTable,
    Sheet,
    cell_text,
)
from core.spreadsheets.columns import is_number as _is_number
from people.models import IdCheck, IdType
from people.validation import MOBILE_RE as _MOBILE_RE
from people.validation import (
    gb2260_place_known,
    id_number_warning,
    normalize_id_number,
    validate_id_number,
    validate_mobile,
)

NUMERIC_ID_MESSAGE = "证件号码被 Excel 转成了数字，请将单元格设为文本后重新填写"
NUMERIC_CREDIT_MESSAGE = "统一社会信用代码被 Excel 转成了数字，请将单元格设为文本后重新填写"
BLACKLIST_MESSAGE = "该考生在黑名单处罚期内（至 {end:%Y-%m-%d}）"
DATE_FORMAT_MESSAGE = "证书到期日期应为 yyyy-mm-dd 格式，例如 2020-01-01"
PERSONNEL_MESSAGE = "人员类型应为 A、B 或 C（A 企业主要负责人、B 项目负责人、C 专职安全生产管理人员）"

MAX_NAME = 50
MAX_COMPANY = 100
MAX_CERT_NUMBER = 50
EARLIEST_EXPIRY = datetime.date(1990, 1, 1)

_SCI_RE = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_SPACES_RE = re.compile(r"\s+")
_RESIDENT_RE = re.compile(r"^\d{17}[\dX]$")
PERSONNEL_TYPES = (("A", "企业主要负责人"), ("B", "项目负责人"), ("C", "专职安全生产管理人员"))


def _number_lost_digits(value, text: str) -> bool:
    """Whether Excel turned the number into a float that lost digits (`text`: cell_text(value))."""
    if _is_number(value):
        return abs(value) >= 1e15 or not float(value).is_integer()
    return bool(_SCI_RE.match(text))


# --------------------------------------------------------------------------- clean per column

def clean_name(value, row) -> str:
    name = _SPACES_RE.sub(" ", cell_text(value))
    if not name:
        row.error("姓名不能为空")
    elif len(name) > MAX_NAME:
        row.error(f"姓名不能超过 {MAX_NAME} 个字")
    return name


def clean_id_type(value, row) -> IdType | None:
    if not cell_text(value):
        row.error("证件类型不能为空，请填写数字代码（" + row.ctx.id_type_hint() + "）")
        return None
    id_type = row.ctx.id_type_of(value)
    if id_type is None:
        row.error("证件类型代码无效，应为：" + row.ctx.id_type_hint())
    return id_type


def clean_id_number(value, row) -> str:
    text = cell_text(value)
    if not text:
        row.error("证件号码不能为空")
        return ""
    if _number_lost_digits(value, text):
        row.error(NUMERIC_ID_MESSAGE)
        return ""
    id_type = row.cleaned["id_type"]
    if id_type is None:
        return ""
    number = normalize_id_number(text)
    if not (id_type.check_kind == IdCheck.RESIDENT_ID and _resident_id_accepted(number)):
        try:
            number = validate_id_number(id_type.check_kind, number)
        except ValueError as exc:
            row.error(str(exc))
            return ""
        except (KeyError, IndexError):  # python-stdnum fails this way on some place codes
            row.error("证件号码中的地址码不正确")
            return ""
    # an unknown county code is a warning, never a refusal (decisions.md: genuine ID numbers)
    warning = id_number_warning(id_type.check_kind, number)
    if warning:
        row.warn(warning)
    return number


def clean_phone(value, row) -> str:
    text = cell_text(value)
    if not text:
        row.error("手机号码不能为空")
        return ""
    if len(text) == 11 and _MOBILE_RE.match(text):  # the common case: nothing to strip
        return text
    try:
        return validate_mobile(text)
    except ValueError as exc:
        row.error(str(exc))
        return ""


def clean_company(value, row) -> str:
    company = _SPACES_RE.sub(" ", cell_text(value))
    if not company:
        row.error("企业名称不能为空")
    elif len(company) > MAX_COMPANY:
        row.error(f"企业名称不能超过 {MAX_COMPANY} 个字")
    return company


def clean_credit_code(value, row) -> str:
    """Only a wrong length or stray characters are errors; a failed checksum is a warning because
    some real registered codes fail it (SPEC.md §3)."""
    text = cell_text(value)
    if not text:
        row.error("统一社会信用代码不能为空")
        return ""
    if _number_lost_digits(value, text):
        row.error(NUMERIC_CREDIT_MESSAGE)
        return ""
    credit = _SPACES_RE.sub("", text).upper()
    if len(credit) != 18:
        row.error(f"统一社会信用代码应为 18 位，当前为 {len(credit)} 位")
        return ""
    if not credit.isascii() or not credit.isalnum():
        row.error("统一社会信用代码只能包含数字和大写字母")
        return ""
    credit, warning = row.ctx.credit_code(credit)
    if warning:
        row.warn(warning)
    return credit


def clean_personnel_type(value, row) -> str:
    text = cell_text(value).upper()
    if not text:
        row.error("人员类型不能为空，" + PERSONNEL_MESSAGE)
    elif text[0] in "ABC" and (len(text) == 1 or not text[1].isalnum()):
        return text[0]
    else:
        row.error(PERSONNEL_MESSAGE)
    return ""


def clean_cert_number(value, row) -> str:
    cert_number = cell_text(value)
    if not cert_number and row.ctx.certificate_required:
        row.error("继续教育考核须填写证书编号")
    elif len(cert_number) > MAX_CERT_NUMBER:
        row.error(f"证书编号不能超过 {MAX_CERT_NUMBER} 个字")
    return cert_number


def clean_cert_expiry(value, row) -> datetime.date | None:
    if value is None or (isinstance(value, str) and not cell_text(value)):
        if row.ctx.certificate_required:
            row.error("继续教育考核须填写证书到期日期（yyyy-mm-dd）")
        return None
    expiry = _parse_date(value)
    if expiry is None:
        row.error(DATE_FORMAT_MESSAGE)
        return None
    latest = datetime.date(row.ctx.today.year + 10, 12, 31)
    if not EARLIEST_EXPIRY <= expiry <= latest:
        row.error(f"证书到期日期不合理，应在 {EARLIEST_EXPIRY:%Y-%m-%d} 至 {latest:%Y-%m-%d} 之间")
        return None
    exam_date = getattr(row.ctx.plan, "exam_date", None)
    if exam_date and expiry < exam_date:
        row.warn(f"证书到期日期早于考试日期（{exam_date:%Y-%m-%d}），请核对")
    return expiry


# --------------------------------------------------------------------------- row rules

def same_person_and_blacklist(row) -> None:
    """The same 证件类型 + 证件号码 twice in one file: the later row is refused; a person under a
    running blacklist penalty is refused (SPEC.md §7)."""
    id_type, number = row.cleaned["id_type"], row.cleaned["id_number"]
    if id_type is None or not number:
        return
    row.key = (id_type.pk, number)
    row.ctx.ensure(row.key)
    first = row.ctx.first_row(row.key, row.number)
    if first is not None:
        row.error(f"与第 {first} 行为同一人（证件类型和证件号码重复），本行未导入", key="id_number")
    end = row.ctx.penalties.get(row.key)
    if end is not None:
        row.error(BLACKLIST_MESSAGE.format(end=end), key="id_number")


# --------------------------------------------------------------------------- helpers

def _resident_id_accepted(number: str) -> bool:
    """A fast path for the commonest case, 二代身份证, with exactly the checks of
    people.validation (18 characters, MOD 11-2 check digit, birth date, a GB/T 2260 province
    prefix; the county code looked up once per code, in any edition, whatever the birth year).
    False means "ask people.validation", which then gives the precise message; the equivalence
    is tested (test_import_validation.py)."""
    if not _RESIDENT_RE.match(number) or ric.calc_check_digit(number) != number[17]:
        return False
    try:
        datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return gb2260_place_known(number[:6])[0]


def _parse_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if _is_number(value):
        return None  # a date Excel stored as a serial number inside a text column: ambiguous
    match = _ISO_DATE_RE.match(cell_text(value))
    if not match:
        return None
    try:
        return datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _id_types() -> list[IdType]:
    return list(IdType.objects.filter(is_active=True).order_by("code"))


# --------------------------------------------------------------------------- the declaration

_CONTINUING = "继续教育必填"

COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", "必填。考生姓名，最多 50 个字。", clean=clean_name, width=12, example="张三"),
    Column("id_type", "证件类型", "必填。填写数字代码：1 二代身份证、2 护照、3 港澳居民来往内地通行证、"
           "4 台湾居民来往大陆通行证、5 外国人永久居留身份证、6 港澳台居民居住证（见“填写说明”）。",
           clean=clean_id_type, width=10, example="1",
           dropdown=Dropdown(lambda: [(str(t.code), t.name) for t in _id_types()], "证件类型代码",
                             "请从下拉列表选择证件类型的数字代码（见“填写说明”）")),
    Column("id_number", "证件号码", "必填。按证件类型校验；身份证为 18 位（末位可为 X）。单元格须为文本格式，"
           "否则 Excel 会把号码变成 1.10105E+17 而丢失数字。", clean=clean_id_number, width=22,
           example="110105198506010011"),
    Column("phone", "手机号码", "必填。11 位中国大陆手机号，用于接收登录验证码。", clean=clean_phone, width=14,
           example="13800138000"),
    Column("company_name", "企业名称", "必填。考生所在施工企业全称，最多 100 个字。", clean=clean_company, width=30,
           example="北京某某通信工程有限公司"),
    Column("credit_code", "统一社会信用代码", "必填。18 位企业统一社会信用代码（GB 32100）；校验位不符时仍导入，"
           "但会给出警告请核对。", clean=clean_credit_code, width=22, example="91110108551385082Q"),
    Column("personnel_type", "人员类型", "必填。A 企业主要负责人、B 项目负责人、C 专职安全生产管理人员。",
           clean=clean_personnel_type, width=10, example="A",
           dropdown=Dropdown(lambda: list(PERSONNEL_TYPES), "人员类型", "请选择 A、B 或 C")),
    Column("cert_number", "证书编号", "继续教育考核必填；新取证可不填。最多 50 个字。", clean=clean_cert_number,
           required=False, requirement=_CONTINUING, width=20, example="京通信安A(2023)0000123"),
    Column("cert_expiry", "证书到期日期", "继续教育考核必填；格式 yyyy-mm-dd，例如 2020-01-01。",
           clean=clean_cert_expiry, required=False, requirement=_CONTINUING, width=14, example="2026-12-31"),
)

SHEET = Sheet(
    name="考生信息",
    item="考生",
    columns=COLUMNS,
    row_rules=(same_person_and_blacklist,),
    template_filename="考生信息导入模板.xlsx",
    help_tables=(
        HelpTable("证件类型代码", lambda: [(str(t.code), t.name, t.get_check_kind_display()) for t in _id_types()],
                  header=("代码", "证件类型", "号码要求")),
        HelpTable("人员类型代码", lambda: list(PERSONNEL_TYPES)),
    ),
    notes=(
        "1. 只在“考生信息”工作表中填写，每位考生一行；不要修改、删除或调换表头。",
        "2. 本模板所有单元格已设为“文本”格式。从其他表格粘贴时请使用“选择性粘贴 → 值”或“匹配目标格式”，"
        "否则“证件号码”“证书到期日期”会被 Excel 改写（如 1.10105E+17）而无法导入。",
        "3. “证件类型”填数字代码，如二代身份证填 1；“人员类型”填 A、B 或 C。",
        "4. “证书到期日期”按 2020-01-01 的格式填写；继续教育考核须填写证书编号和证书到期日期。",
        "5. 导入失败的记录会逐一提示行号、列名和原因；改正后可将整个文件再次导入，已导入的考生不会重复导入。",
        f"6. 单个文件不超过 10 MB、不超过 {MAX_DATA_ROWS:,} 行；不要使用公式。",
    ),
)

COLUMN_BY_KEY = SHEET.by_key
COLUMN_BY_HEADER = SHEET.by_header
HEADERS = SHEET.headers

__all__ = ["COLUMNS", "COLUMN_BY_HEADER", "COLUMN_BY_KEY", "ERROR_COLUMN", "HEADERS", "SHEET"]
