"""The ONE validator of a candidate row (docs/decisions.md#import-validator; SPEC.md §3; STYLE.md "Import"): the loop of
core.spreadsheets.columns.validate_row over the columns and row rules declared in columns.py.

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

`raw` maps column keys (candidates.importing.columns.SHEET: name, id_type, id_number, phone,
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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils import timezone

from core.spreadsheets import columns as sheets
from core.spreadsheets.columns import RowError, display_value
from people.models import IdType
from people.validation import check_credit_code, normalize_id_number
from plans.choices import ExamType

from .columns import (  # re-exported: the rules' messages live beside the columns they check
    BLACKLIST_MESSAGE,
    DATE_FORMAT_MESSAGE,
    NUMERIC_CREDIT_MESSAGE,
    NUMERIC_ID_MESSAGE,
    PERSONNEL_MESSAGE,
    SHEET,
    _resident_id_accepted,
)

__all__ = [
    "BLACKLIST_MESSAGE", "DATE_FORMAT_MESSAGE", "NUMERIC_CREDIT_MESSAGE", "NUMERIC_ID_MESSAGE", "PERSONNEL_MESSAGE",
    "RowError", "RowResult", "ValidationContext", "_resident_id_accepted", "display_value", "validate_row",
]

_CODE_RE = re.compile(r"^(\d+)(?:\D.*)?$")

Key = tuple[int, str]


@dataclass
class RowResult(sheets.RowResult):
    already_registered: bool = False  # the person already has a registration in ctx.plan


@dataclass
class ValidationContext(sheets.ValidationContext):
    """What validating a row needs besides the row: the plan, the 证件类型 table, and per-file
    state (keys seen so far, for in-file duplicates; blacklist penalties and existing
    registrations looked up in bulk for the whole file by `for_plan`)."""

    plan: object = None
    id_types: dict[int, IdType] = field(default_factory=dict)
    penalties: dict[Key, datetime.date] = field(default_factory=dict)
    registered: set[Key] = field(default_factory=set)
    _credit_cache: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    _plan_loaded: bool = False

    @classmethod
    def for_plan(cls, plan, *, raw_rows: Iterable[Mapping] = (), today: datetime.date | None = None
                 ) -> "ValidationContext":
        id_types = {t.code: t for t in IdType.objects.filter(is_active=True)}
        ctx = cls(plan=plan, id_types=id_types, today=today or timezone.localdate())
        keys = set()
        for raw in raw_rows:
            id_type = ctx.id_type_of(raw.get("id_type"))
            number = raw.get("id_number")
            if id_type is not None and isinstance(number, str):
                keys.add((id_type.pk, normalize_id_number(sheets.cell_text(number))))
        ctx.prefetch(keys)
        return ctx

    def load(self, keys: set) -> None:
        """Blacklist penalties and this plan's registrations for many keys at once."""
        from blacklist.selectors import penalty_ends_for_many
        from candidates.models import Registration

        self.penalties.update(penalty_ends_for_many(keys, on_date=self.today))
        if getattr(self.plan, "pk", None) and not self._plan_loaded:
            # all of the plan's registrations at once: a plan holds thousands, not millions, and one
            # query without parameters beats thousands of IN parameters
            self.registered.update(
                Registration.objects.filter(plan_id=self.plan.pk).values_list("person__id_type_id", "person__id_number")
            )
            self._plan_loaded = True

    def id_type_of(self, value) -> IdType | None:
        code = _code_of(value)
        if code is not None:
            return self.id_types.get(code)
        if isinstance(value, str):
            text = sheets.cell_text(value)
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


def _code_of(value) -> int | None:
    if type(value) is str and value.isascii() and value.isdigit():  # "1": the template's way
        return int(value)
    if sheets.is_number(value):
        return int(value) if float(value).is_integer() else None
    match = _CODE_RE.match(sheets.cell_text(value))
    return int(match.group(1)) if match else None


def validate_row(raw: Mapping[str, object], *, ctx: ValidationContext, row_number: int | None = None) -> RowResult:
    """Validate one candidate row against the rules in this module's docstring. Never raises
    for bad data: every problem becomes a RowError. `row_number` (the Excel row) names the first
    occurrence when the same person appears again later in the file."""
    result = sheets.validate_row(raw, sheet=SHEET, ctx=ctx, row_number=row_number)
    return RowResult(
        cleaned=result.cleaned, errors=result.errors, warnings=result.warnings, key=result.key,
        row_number=result.row_number, already_registered=result.key is not None and result.key in ctx.registered,
    )
