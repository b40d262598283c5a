"""Writes of the blacklist (黑名单管理, SPEC.md §7 and the guide 五). Only central decides; every
change is one transaction with its audit row (before/after); nothing is ever deleted: an entry
is revoked (撤销) with a reason, a category is deactivated."""

import datetime
import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from audit.actions import Action
from audit.services import audit_record, model_snapshot
from core.errors import ApplicationError
from core.locks import transaction_lock
from core.roles import Role
from core.scoping import require_role
from people.selectors import person_by_document
from people.validation import validate_id_number

from .choices import EVIDENCE_EXTENSIONS, EVIDENCE_MAX_BYTES, MAX_PENALTY_MONTHS
from .models import BlacklistEntry, EntryStatus, ViolationCategory
from .rules import check_penalty_period, check_penalty_start, penalty_default_end

ENTRY_AUDIT_FIELDS = [
    "id_type", "id_number", "name", "company_name", "person", "region", "registration", "category",
    "penalty_start", "penalty_end", "evidence_note", "evidence_file_name", "status",
    "revoked_reason", "revoked_by", "revoked_at",
]
CATEGORY_AUDIT_FIELDS = ["name", "description", "default_penalty_months", "voids_score", "is_active"]


BLACKLIST_CENTRAL_ONLY = "只有部中心可以管理黑名单"


def _snapshot(entry: BlacklistEntry) -> dict:
    return model_snapshot(entry, ENTRY_AUDIT_FIELDS)


def _check_text(value: str, *, field: str, label: str, max_length: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(f"请填写{label}", field=field)
    if max_length and len(value) > max_length:
        raise ApplicationError(f"{label}不能超过 {max_length} 个字", field=field)
    return value


def _check_no_overlap(*, id_type_id: int, id_number: str, start, end, exclude_pk=None) -> None:
    """One person never has two active entries with overlapping periods: the second decision
    must change the first (修改) instead, so the history stays readable. The document is locked
    for the rest of the transaction, so two decisions racing cannot both pass this check."""
    transaction_lock(f"blacklist:{id_type_id}:{id_number}")
    clash = BlacklistEntry.objects.filter(
        status=EntryStatus.ACTIVE, id_type_id=id_type_id, id_number=id_number,
        penalty_start__lte=end, penalty_end__gte=start,
    ).exclude(pk=exclude_pk).order_by("penalty_start").first()
    if clash:
        raise ApplicationError(
            f"该证件已有处罚期重叠的黑名单记录（{clash.category}，{clash.penalty_start:%Y-%m-%d} 至 "
            f"{clash.penalty_end:%Y-%m-%d}），请修改原记录而不是重复添加",
            field="penalty_start",
        )


def _check_evidence_file(upload: UploadedFile) -> str:
    """Evidence attachments: at most 10 MB, PDF/JPG/PNG/DOCX/XLSX/ZIP whose first bytes match the
    extension (a renamed executable is refused). Returns the lower-case extension."""
    name = PurePath(upload.name or "").name
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in EVIDENCE_EXTENSIONS:
        allowed = "、".join(sorted({e.upper() for e in EVIDENCE_EXTENSIONS if e != "jpeg"}))
        raise ApplicationError(f"证据附件只能是 {allowed} 文件", field="evidence_file")
    if upload.size is not None and upload.size > EVIDENCE_MAX_BYTES:
        raise ApplicationError(
            f"证据附件不能超过 {EVIDENCE_MAX_BYTES // (1024 * 1024)} MB（当前 {upload.size / 1024 / 1024:.1f} MB）",
            field="evidence_file",
        )
    if not upload.size:
        raise ApplicationError("证据附件是空文件", field="evidence_file")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in EVIDENCE_EXTENSIONS[ext][1]):
        raise ApplicationError(f"证据附件的内容与扩展名 .{ext} 不符", field="evidence_file")
    return ext


@contextmanager
def _evidence_stored(entry: BlacklistEntry, upload: UploadedFile | None, ext: str | None):
    """Store the upload under a random name (never the uploaded one: no path tricks, nothing
    guessable) for the block that saves the entry; if that block fails, the file is removed
    again so a refused change leaves nothing behind on disk."""
    if not upload:
        yield
        return
    entry.evidence_file.save(f"{uuid.uuid4().hex}.{ext}", upload, save=False)
    entry.evidence_file_name = PurePath(upload.name).name[:200]
    stored = entry.evidence_file.name
    try:
        yield
    except BaseException:
        entry.evidence_file.storage.delete(stored)
        raise


def _check_category(category: ViolationCategory, *, current: ViolationCategory | None = None) -> None:
    if not category.is_active and (current is None or current.pk != category.pk):
        raise ApplicationError(f"违规类型“{category.name}”已停用，请选择其他类型", field="category")


@transaction.atomic
def entry_create(
    *,
    id_type,
    id_number: str,
    name: str,
    company_name: str = "",
    region,
    category: ViolationCategory,
    penalty_start: datetime.date | None = None,
    penalty_end: datetime.date | None = None,
    evidence_note: str,
    evidence_file: UploadedFile | None = None,
    registration=None,
    acting_user,
) -> BlacklistEntry:
    """Central moves a person to the blacklist (the guide 五; SPEC.md §7).

    Rules: only central; the 证件号码 must pass its 证件类型's check (people.validation); if the
    system already knows the person, the name must match theirs (a mismatch means a wrong
    number); the category must be active; the start defaults to today and the end to start +
    the category's months − 1 day; end ≥ start; evidence note required, file optional (10 MB,
    checked type); no second active entry with an overlapping period for the same document."""
    require_role(acting_user, Role.CENTRAL, message=BLACKLIST_CENTRAL_ONLY)
    try:
        id_number = validate_id_number(id_type.check_kind, id_number)
    except ValueError as exc:
        raise ApplicationError(str(exc), field="id_number") from None
    name = _check_text(name, field="name", label="姓名", max_length=50)
    company_name = (company_name or "").strip()[:100]
    evidence_note = _check_text(evidence_note, field="evidence_note", label="证据说明", max_length=5000)
    if region is None:
        raise ApplicationError("请选择违规所在地区", field="region")
    _check_category(category)
    penalty_start = penalty_start or timezone.localdate()
    check_penalty_start(penalty_start)  # before the default end is computed from it
    penalty_end = penalty_end or penalty_default_end(penalty_start, category.default_penalty_months)
    check_penalty_period(penalty_start, penalty_end)
    ext = _check_evidence_file(evidence_file) if evidence_file else None

    person = person_by_document(id_type=id_type, id_number=id_number)
    if person is not None and person.name != name:
        raise ApplicationError(
            f"该证件号码在系统中对应的考生姓名为“{person.name}”，与填写的“{name}”不一致，请核对证件号码",
            field="name",
        )
    if registration is not None and registration.person_id != getattr(person, "pk", None):
        raise ApplicationError("所选报名记录与证件号码不属于同一考生", field="id_number")
    _check_no_overlap(id_type_id=id_type.pk, id_number=id_number, start=penalty_start, end=penalty_end)

    entry = BlacklistEntry(
        id_type=id_type, id_number=id_number, name=name, company_name=company_name, person=person,
        region=region, registration=registration, category=category, penalty_start=penalty_start,
        penalty_end=penalty_end, evidence_note=evidence_note, created_by=acting_user,
        registration_label=registration_label(registration) if registration is not None else "",
    )
    entry.full_clean(exclude=["evidence_file", "evidence_file_name"])
    with _evidence_stored(entry, evidence_file, ext):
        entry.save()
        audit_record(actor=acting_user, action=Action.BLACKLIST_CREATE, obj=entry, after=_snapshot(entry),
                     message=f"列入黑名单：{category.name}，{penalty_start:%Y-%m-%d} 至 {penalty_end:%Y-%m-%d}")
    return entry


def registration_label(registration) -> str:
    """What the entry keeps about the registration where the violation happened."""
    plan = registration.plan
    return f"考生编号 {registration.candidate_number}，批次 {plan.batch_no}（{plan.exam_date:%Y-%m-%d}）"


def entry_create_from_registration(
    *,
    registration,
    category: ViolationCategory,
    penalty_start: datetime.date | None = None,
    penalty_end: datetime.date | None = None,
    evidence_note: str,
    evidence_file: UploadedFile | None = None,
    acting_user,
) -> BlacklistEntry:
    """The same decision taken from a registration (报名): name, company, document and region
    come from the registration's person and plan, so the entry concerns the region where the
    violation happened."""
    person = registration.person
    return entry_create(
        id_type=person.id_type, id_number=person.id_number, name=person.name,
        company_name=registration.company_name, region=registration.region, category=category,
        penalty_start=penalty_start, penalty_end=penalty_end, evidence_note=evidence_note,
        evidence_file=evidence_file, registration=registration, acting_user=acting_user,
    )


@transaction.atomic
def entry_update(
    *,
    entry: BlacklistEntry,
    name: str,
    company_name: str,
    region,
    category: ViolationCategory,
    penalty_start: datetime.date,
    penalty_end: datetime.date,
    evidence_note: str,
    evidence_file: UploadedFile | None = None,
    reason: str,
    acting_user,
) -> BlacklistEntry:
    """修改 an entry (central only, with a required reason, audited before/after). The document
    (证件类型 + 证件号码) is not editable: a wrong person is revoked and entered again. A revoked
    entry is history and cannot be changed. A replaced evidence file is kept on disk."""
    require_role(acting_user, Role.CENTRAL, message=BLACKLIST_CENTRAL_ONLY)
    entry = BlacklistEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status == EntryStatus.REVOKED:
        raise ApplicationError("已撤销的黑名单记录不能修改")
    reason = _check_text(reason, field="reason", label="修改原因", max_length=500)
    name = _check_text(name, field="name", label="姓名", max_length=50)
    evidence_note = _check_text(evidence_note, field="evidence_note", label="证据说明", max_length=5000)
    if region is None:
        raise ApplicationError("请选择违规所在地区", field="region")
    _check_category(category, current=entry.category)
    check_penalty_period(penalty_start, penalty_end)
    ext = _check_evidence_file(evidence_file) if evidence_file else None
    _check_no_overlap(id_type_id=entry.id_type_id, id_number=entry.id_number, start=penalty_start,
                      end=penalty_end, exclude_pk=entry.pk)

    before = _snapshot(entry)
    entry.name = name
    entry.company_name = (company_name or "").strip()[:100]
    entry.region = region
    entry.category = category
    entry.penalty_start = penalty_start
    entry.penalty_end = penalty_end
    entry.evidence_note = evidence_note
    with _evidence_stored(entry, evidence_file, ext):
        after = _snapshot(entry)
        if before == after and not evidence_file:
            raise ApplicationError("没有修改任何内容")
        entry.full_clean(exclude=["evidence_file"])
        entry.save()
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        audit_record(actor=acting_user, action=Action.BLACKLIST_UPDATE, obj=entry,
                     before={k: before[k] for k in changed}, after=changed, reason=reason,
                     message="修改黑名单记录：" + "、".join(
                         str(BlacklistEntry._meta.get_field(k).verbose_name) for k in changed))
    return entry


@transaction.atomic
def entry_revoke(*, entry: BlacklistEntry, reason: str, acting_user) -> BlacklistEntry:
    """撤销 an entry (central only, required reason). The row stays as history; from that moment
    it no longer blocks an import (SPEC.md §7: nothing is deleted)."""
    require_role(acting_user, Role.CENTRAL, message=BLACKLIST_CENTRAL_ONLY)
    entry = BlacklistEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status == EntryStatus.REVOKED:
        raise ApplicationError("该黑名单记录已经撤销")
    reason = _check_text(reason, field="reason", label="撤销原因", max_length=500)
    before = _snapshot(entry)
    entry.status = EntryStatus.REVOKED
    entry.revoked_reason = reason
    entry.revoked_by = acting_user
    entry.revoked_at = timezone.now()
    entry.save(update_fields=["status", "revoked_reason", "revoked_by", "revoked_at", "updated_at"])
    audit_record(actor=acting_user, action=Action.BLACKLIST_REVOKE, obj=entry, before=before,
                 after=_snapshot(entry), reason=reason, message="撤销黑名单记录")
    return entry


# --------------------------------------------------------------------------- logged reads

@dataclass
class EntriesExport:
    handle: IO
    filename: str


def entries_export(*, query: str, acting_user) -> EntriesExport:
    """导出 the blacklist exactly as the list shows it (SPEC.md §7: search and export): the page's
    query string is parsed by the list's one filter definition (blacklist.filters) under the
    exporter's scope, and an invalid filter is refused (core.filters.InvalidFilter) before a row
    is read. A region's file has masked 证件号码, central's the full ones; logged."""
    from django.http import QueryDict

    from .exports import write_entries
    from .filters import EntryFilterForm

    form = EntryFilterForm(QueryDict(query), user=acting_user)
    filters = form.filters()
    masked = acting_user.role != Role.CENTRAL
    path, rows = write_entries(form.rows().iterator(chunk_size=2000), masked=masked, on_date=timezone.localdate())
    entry_export_record(row_count=rows, filters=filters, masked=masked, acting_user=acting_user)
    handle = open(path, "rb")  # noqa: SIM115 - the FileResponse closes it
    os.unlink(path)  # the open handle keeps the data until the response is sent
    return EntriesExport(handle=handle, filename=f"黑名单_{timezone.localtime():%Y%m%d_%H%M}.xlsx")


@transaction.atomic
def entry_export_record(*, row_count: int, filters: dict, masked: bool, acting_user) -> None:
    """An export of the blacklist is a logged action (personal data leaves the system)."""
    described = {k: (str(v) if not isinstance(v, int | str) else v) for k, v in filters.items() if v not in ("", None)}
    audit_record(actor=acting_user, action=Action.BLACKLIST_EXPORT, region=getattr(acting_user, "region_id", None),
                 object_type=BlacklistEntry._meta.label,
                 message=f"导出黑名单 {row_count} 条（证件号码{'已脱敏' if masked else '完整'}）",
                 after={"filters": described, "rows": row_count, "masked": masked})


@transaction.atomic
def entry_reveal_id_number(*, entry: BlacklistEntry, acting_user) -> str:
    """Showing a full 证件号码 is a logged action (GB/T 35273); central only."""
    require_role(acting_user, Role.CENTRAL, message=BLACKLIST_CENTRAL_ONLY)
    audit_record(actor=acting_user, action=Action.BLACKLIST_REVEAL_ID_NUMBER, obj=entry, message="查看完整证件号码")
    return entry.id_number


@transaction.atomic
def entry_evidence_download_record(*, entry: BlacklistEntry, acting_user) -> None:
    """Evidence files are central's decision material: only central downloads them, logged."""
    require_role(acting_user, Role.CENTRAL, message=BLACKLIST_CENTRAL_ONLY)
    if not entry.evidence_file:
        raise ApplicationError("该记录没有证据附件")
    audit_record(actor=acting_user, action=Action.BLACKLIST_EVIDENCE_DOWNLOAD, obj=entry,
                 message=f"下载证据附件 {entry.evidence_file_name}")


# --------------------------------------------------------------------------- categories

def _check_category_fields(*, name: str, default_penalty_months: int, exclude_pk=None) -> str:
    name = _check_text(name, field="name", label="名称", max_length=50)
    if default_penalty_months is None or not 1 <= int(default_penalty_months) <= MAX_PENALTY_MONTHS:
        raise ApplicationError(f"默认处罚期限应为 1 到 {MAX_PENALTY_MONTHS} 个月", field="default_penalty_months")
    if ViolationCategory.objects.filter(name=name).exclude(pk=exclude_pk).exists():
        raise ApplicationError(f"违规类型“{name}”已存在", field="name")
    return name


@transaction.atomic
def category_create(
    *, name: str, description: str = "", default_penalty_months: int, voids_score: bool, acting_user
) -> ViolationCategory:
    """Central adds a 违规类型 (the 处理办法 is not public, so categories are data; SPEC.md §7)."""
    require_role(acting_user, Role.CENTRAL, message=BLACKLIST_CENTRAL_ONLY)
    name = _check_category_fields(name=name, default_penalty_months=default_penalty_months)
    category = ViolationCategory(name=name, description=(description or "").strip(),
                                 default_penalty_months=default_penalty_months, voids_score=voids_score)
    category.full_clean()
    category.save()
    audit_record(actor=acting_user, action=Action.BLACKLIST_CATEGORY_CREATE, obj=category,
                 after=model_snapshot(category, CATEGORY_AUDIT_FIELDS), message=f"添加违规类型 {name}")
    return category


@transaction.atomic
def category_update(
    *,
    category: ViolationCategory,
    name: str,
    description: str = "",
    default_penalty_months: int,
    voids_score: bool,
    is_active: bool,
    reason: str = "",
    acting_user,
) -> ViolationCategory:
    """Central edits or deactivates (停用) a 违规类型; it is never deleted because entries refer to
    it. A changed default applies to new entries only: existing periods are decisions already taken."""
    require_role(acting_user, Role.CENTRAL, message=BLACKLIST_CENTRAL_ONLY)
    category = ViolationCategory.objects.select_for_update().get(pk=category.pk)
    name = _check_category_fields(name=name, default_penalty_months=default_penalty_months, exclude_pk=category.pk)
    before = model_snapshot(category, CATEGORY_AUDIT_FIELDS)
    category.name = name
    category.description = (description or "").strip()
    category.default_penalty_months = default_penalty_months
    category.voids_score = voids_score
    category.is_active = is_active
    after = model_snapshot(category, CATEGORY_AUDIT_FIELDS)
    if before == after:
        raise ApplicationError("没有修改任何内容")
    category.full_clean()
    category.save()
    changed = {k: v for k, v in after.items() if before[k] != v}
    audit_record(actor=acting_user, action=Action.BLACKLIST_CATEGORY_UPDATE, obj=category,
                 before={k: before[k] for k in changed}, after=changed, reason=(reason or "").strip(),
                 message=f"修改违规类型 {name}")
    return category
