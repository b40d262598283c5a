"""The ONE validator of a candidate row (issue 6 §5; SPEC.md §3; STYLE.md "Import").

The Excel import, the CLI import and the single-candidate form all call `validate_row`, so
every rule is written once. Public API::

    from candidates.importing.validation import ValidationContext, validate_row

    ctx = ValidationContext.for_plan(plan, raw_rows=rows)   # bulk look-ups for the whole file
    for row_number, raw in numbered_rows:
        result = validate_row(raw, ctx=ctx, row_number=row_number)
        result.ok              # no errors (warnings allowed)
        result.cleaned         # dict of normalised values, or None when there are errors
        result.errors          # list[RowError(column, value, message)]: the row is refused
        result.warnings        # list[RowError]: the row is imported, the user should check
        result.key             # (id_type_id, id_number) once both are valid, else None
        result.already_registered  # the person already has a registration in ctx.plan

`raw` maps column keys (candidates.importing.columns.COLUMNS: name, id_type, id_number, phone,
company_name, credit_code, personnel_type, cert_number, cert_expiry) to what the cell or the
form field holds: str, int, float, datetime.date/datetime or None. For one form submission use
`ValidationContext.for_plan(plan, raw_rows=[raw])` (the form decides what `already_registered`
means when it edits an existing registration).

Rules (each error names its column in Chinese and says why, in Chinese):
* 姓名, 证件类型, 证件号码, 手机号码, 企业名称, 统一社会信用代码, 人员类型 are required; 证书编号 and
  证书到期日期 too for 继续教育(线上) plans (SPEC.md §3);
* 证件类型 is a code of an active people.IdType (the guide: "二代身份证" is 1);
* 证件号码 is checked by its type (people.validation: GB 11643 with MOD 11-2 for types 1, 5, 6);
  a numeric cell whose digits Excel dropped gets NUMERIC_ID_MESSAGE (the guide's 常见问题 3);
* 手机号码: an 11-digit mainland mobile;
* 统一社会信用代码: 18 characters; a failed GB 32100 check is a warning, not an error;
* 人员类型: A, B or C;
* 证书到期日期: yyyy-mm-dd text or a real date cell, a plausible year; an expiry before the exam
  date is a warning;
* the same 证件类型 + 证件号码 twice in one file: the later row is refused;
* a person under a running blacklist penalty is refused (SPEC.md §7).
"""

import datetime
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils import timezone
from stdnum.cn import ric

from people.models import IdCheck, IdType
from people.validation import (
    check_credit_code,
    gb2260_place_known,
    id_number_warning,
    normalize_id_number,
    validate_id_number,
    validate_mobile,
)
from plans.choices import ExamType

from .columns import COLUMN_BY_KEY

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
_CODE_RE = re.compile(r"^(\d+)(?:\D.*)?$")
_SPACES_RE = re.compile(r"\s+")
_RESIDENT_RE = re.compile(r"^\d{17}[\dX]$")

Key = tuple[int, str]


@dataclass(frozen=True)
class RowError:
    """One problem of one cell: the column's Chinese header, the value as written, the reason."""

    column: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {"column": self.column, "value": self.value, "message": self.message}


@dataclass
class RowResult:
    cleaned: dict | None
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    key: Key | None = None
    already_registered: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ValidationContext:
    """What validating a row needs besides the row: the plan, the 证件类型 table, and per-file
    state (keys seen so far, for in-file duplicates; blacklist penalties and existing
    registrations looked up in bulk for the whole file by `for_plan`)."""

    plan: object
    id_types: dict[int, IdType]
    today: datetime.date
    penalties: dict[Key, datetime.date] = field(default_factory=dict)
    registered: set[Key] = field(default_factory=set)
    # keys whose penalty/registration were looked up in bulk; any other key is looked up singly
    prefetched: set[Key] = field(default_factory=set)
    seen: dict[Key, int] = field(default_factory=dict)
    _credit_cache: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    _rows_validated: int = 0
    _plan_loaded: bool = False

    @classmethod
    def for_plan(cls, plan, *, raw_rows: Iterable[Mapping] = (), today: datetime.date | None = None
                 ) -> "ValidationContext":
        id_types = {t.code: t for t in IdType.objects.filter(is_active=True)}
        ctx = cls(plan=plan, id_types=id_types, today=today or timezone.localdate())
        keys = set()
        for raw in raw_rows:
            id_type = ctx._id_type_of(raw.get("id_type"))
            number = raw.get("id_number")
            if id_type is not None and isinstance(number, str):
                keys.add((id_type.pk, normalize_id_number(_text(number))))
        ctx.prefetch(keys)
        return ctx

    def prefetch(self, keys: Iterable[Key]) -> None:
        """Look up blacklist penalties and this plan's registrations for many keys at once."""
        from blacklist.selectors import penalty_ends_for_many
        from candidates.models import Registration

        keys = set(keys) - self.prefetched
        if not keys:
            return
        self.penalties.update(penalty_ends_for_many(keys, on_date=self.today))
        if getattr(self.plan, "pk", None) and not self._plan_loaded:
            # all of the plan's registrations at once: a plan holds thousands, not millions, and one
            # query without parameters beats thousands of IN parameters
            self.registered.update(
                Registration.objects.filter(plan_id=self.plan.pk).values_list("person__id_type_id", "person__id_number")
            )
            self._plan_loaded = True
        self.prefetched |= keys

    # -- helpers -------------------------------------------------------------------------

    def _id_type_of(self, value) -> IdType | None:
        code = _code_of(value)
        if code is not None:
            return self.id_types.get(code)
        if isinstance(value, str):
            text = _text(value)
            for id_type in self.id_types.values():
                if id_type.name == text:
                    return id_type
        return None

    def id_type_hint(self) -> str:
        return "、".join(f"{code} {t.name}" for code, t in sorted(self.id_types.items()))

    def credit_code(self, value: str) -> tuple[str, str | None]:
        if value not in self._credit_cache:  # enterprises repeat: check each code once
            self._credit_cache[value] = check_credit_code(value)
        return self._credit_cache[value]

    @property
    def certificate_required(self) -> bool:
        return getattr(self.plan, "exam_type", None) == ExamType.CONTINUING_ONLINE


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value) -> str:
    """A cell as text: NFKC (full-width digits and letters become ASCII), trimmed, no
    zero-width characters; integral numbers without a trailing .0; dates as yyyy-mm-dd."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.6G}"
    text = str(value)
    if text.isascii():  # NFKC leaves ASCII as it is; most cells are ASCII
        return text.strip()
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u200b", "").replace("\ufeff", "")
    return text.strip()


def display_value(value) -> str:
    """How a value is shown back to the user in the report (Excel's way for long numbers)."""
    return _text(value)


def _code_of(value) -> int | None:
    if _is_number(value):
        return int(value) if float(value).is_integer() else None
    match = _CODE_RE.match(_text(value))
    return int(match.group(1)) if match else None


def _number_lost_digits(value) -> bool:
    if _is_number(value):
        return abs(value) >= 1e15 or not float(value).is_integer()
    return bool(_SCI_RE.match(_text(value)))


def validate_row(raw: Mapping[str, object], *, ctx: ValidationContext, row_number: int | None = None) -> RowResult:
    """Validate one candidate row against the rules in this module's docstring. Never raises
    for bad data: every problem becomes a RowError. `row_number` (the Excel row) names the first
    occurrence when the same person appears again later in the file."""
    ctx._rows_validated += 1
    row_number = row_number if row_number is not None else ctx._rows_validated
    errors: list[RowError] = []
    warnings: list[RowError] = []
    cleaned: dict = {}

    def err(key: str, value, message: str) -> None:
        errors.append(RowError(COLUMN_BY_KEY[key].header, display_value(value), message))

    def warn(key: str, value, message: str) -> None:
        warnings.append(RowError(COLUMN_BY_KEY[key].header, display_value(value), message))

    # 姓名
    value = raw.get("name")
    name = _SPACES_RE.sub(" ", _text(value))
    if not name:
        err("name", value, "姓名不能为空")
    elif len(name) > MAX_NAME:
        err("name", value, f"姓名不能超过 {MAX_NAME} 个字")
    cleaned["name"] = name

    # 证件类型
    value = raw.get("id_type")
    id_type = None
    if not _text(value):
        err("id_type", value, "证件类型不能为空，请填写数字代码（" + ctx.id_type_hint() + "）")
    else:
        id_type = ctx._id_type_of(value)
        if id_type is None:
            err("id_type", value, "证件类型代码无效，应为：" + ctx.id_type_hint())
    cleaned["id_type"] = id_type

    # 证件号码
    value = raw.get("id_number")
    number = ""
    if not _text(value):
        err("id_number", value, "证件号码不能为空")
    elif _number_lost_digits(value):
        err("id_number", value, NUMERIC_ID_MESSAGE)
    elif id_type is not None:
        number = normalize_id_number(_text(value))
        if not (id_type.check_kind == IdCheck.RESIDENT_ID and _resident_id_accepted(number)):
            try:
                number = validate_id_number(id_type.check_kind, number)
            except ValueError as exc:
                number = ""
                err("id_number", value, str(exc))
            except (KeyError, IndexError):  # python-stdnum fails this way on some place codes
                number = ""
                err("id_number", value, "证件号码中的地址码不正确")
        if number:
            warning = id_number_warning(id_type.check_kind, number)
            if warning:
                warn("id_number", value, warning)
    cleaned["id_number"] = number

    # 手机号码
    value = raw.get("phone")
    phone = ""
    if not _text(value):
        err("phone", value, "手机号码不能为空")
    else:
        try:
            phone = validate_mobile(_text(value))
        except ValueError as exc:
            err("phone", value, str(exc))
    cleaned["phone"] = phone

    # 企业名称
    value = raw.get("company_name")
    company = _SPACES_RE.sub(" ", _text(value))
    if not company:
        err("company_name", value, "企业名称不能为空")
    elif len(company) > MAX_COMPANY:
        err("company_name", value, f"企业名称不能超过 {MAX_COMPANY} 个字")
    cleaned["company_name"] = company

    # 统一社会信用代码: only a wrong length or stray characters are errors; a failed checksum
    # is a warning because some real registered codes fail it (SPEC.md §3).
    value = raw.get("credit_code")
    credit = ""
    if not _text(value):
        err("credit_code", value, "统一社会信用代码不能为空")
    elif _number_lost_digits(value):
        err("credit_code", value, NUMERIC_CREDIT_MESSAGE)
    else:
        credit = _SPACES_RE.sub("", _text(value)).upper()
        if len(credit) != 18:
            err("credit_code", value, f"统一社会信用代码应为 18 位，当前为 {len(credit)} 位")
        elif not credit.isascii() or not credit.isalnum():
            err("credit_code", value, "统一社会信用代码只能包含数字和大写字母")
        else:
            credit, warning = ctx.credit_code(credit)
            if warning:
                warn("credit_code", value, warning)
    cleaned["credit_code"] = credit

    # 人员类型
    value = raw.get("personnel_type")
    text = _text(value).upper()
    personnel = ""
    if not text:
        err("personnel_type", value, "人员类型不能为空，" + PERSONNEL_MESSAGE)
    elif text[0] in "ABC" and (len(text) == 1 or not text[1].isalnum()):
        personnel = text[0]
    else:
        err("personnel_type", value, PERSONNEL_MESSAGE)
    cleaned["personnel_type"] = personnel

    # 证书编号 / 证书到期日期: required for 继续教育 (SPEC.md §3)
    value = raw.get("cert_number")
    cert_number = _text(value)
    if not cert_number and ctx.certificate_required:
        err("cert_number", value, "继续教育考核须填写证书编号")
    elif len(cert_number) > MAX_CERT_NUMBER:
        err("cert_number", value, f"证书编号不能超过 {MAX_CERT_NUMBER} 个字")
    cleaned["cert_number"] = cert_number

    value = raw.get("cert_expiry")
    expiry = None
    if value is None or (isinstance(value, str) and not _text(value)):
        if ctx.certificate_required:
            err("cert_expiry", value, "继续教育考核须填写证书到期日期（yyyy-mm-dd）")
    else:
        expiry = _parse_date(value)
        if expiry is None:
            err("cert_expiry", value, DATE_FORMAT_MESSAGE)
        else:
            latest = datetime.date(ctx.today.year + 10, 12, 31)
            if not EARLIEST_EXPIRY <= expiry <= latest:
                err("cert_expiry", value,
                    f"证书到期日期不合理，应在 {EARLIEST_EXPIRY:%Y-%m-%d} 至 {latest:%Y-%m-%d} 之间")
                expiry = None
            else:
                exam_date = getattr(ctx.plan, "exam_date", None)
                if exam_date and expiry < exam_date:
                    warn("cert_expiry", value, f"证书到期日期早于考试日期（{exam_date:%Y-%m-%d}），请核对")
    cleaned["cert_expiry"] = expiry

    # Rules across rows and tables: the same person twice in the file; the blacklist.
    key = None
    if id_type is not None and number:
        key = (id_type.pk, number)
        if key not in ctx.prefetched:
            ctx.prefetch([key])
        first = ctx.seen.get(key)
        if first is not None:
            err("id_number", raw.get("id_number"),
                f"与第 {first} 行为同一人（证件类型和证件号码重复），本行未导入")
        else:
            ctx.seen[key] = row_number
        end = ctx.penalties.get(key)
        if end is not None:
            err("id_number", raw.get("id_number"), BLACKLIST_MESSAGE.format(end=end))

    return RowResult(
        cleaned=None if errors else cleaned,
        errors=errors,
        warnings=warnings,
        key=key,
        already_registered=key is not None and key in ctx.registered,
    )


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
    match = _ISO_DATE_RE.match(_text(value))
    if not match:
        return None
    try:
        return datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
