"""Writes of the exam-plan module (考核计划管理, the guide section 二; SPEC.md §2).

批次编号 (batch number) scheme
-------------------------------
    RR YY NNN     e.g. 北京 (11), an exam in 2026, its first plan that year: "1126001"

* RR  – the region's GB/T 2260 two-digit code (新疆生产建设兵团: 66, see regions.Region);
* YY  – the last two digits of the exam date's year *when the plan is added*;
* NNN – a sequence per region and year, taken from ``BatchCounter`` under ``select_for_update``
  (the counter row is created with ``get_or_create`` inside the same transaction; two first
  plans of a region-year racing to create it are resolved by the unique constraint: the loser's
  insert fails inside a savepoint and it then locks the winner's row). Zero-padded to 3 digits;
  a region's 1000th plan of one year simply gets 4 digits ("11261000"), still unique because
  the prefix has a fixed width.

Unique nationwide (region prefix + the database's unique constraint), short (7 characters),
stable forever: it is never recomputed, not even when a modification moves the exam to another
year, and the counter only grows, so a deleted plan's number is never handed out again.
考生编号 = 批次编号 + a 5-digit sequence from ``ExamPlan.last_candidate_seq`` (candidates app).

Rules enforced here (the guide 二(一) unless noted)
--------------------------------------------------
* a region adds plans for its own region; new plans are 未审核;
* the date cannot be in the past nor more than a year ahead (a typo), and the start must be at least 48 hours away (otherwise no
  candidate could be imported: the guide 二(二)); the exam ends on its own day;
* 结束时间 = start + the type's duration that central set (ExamTypeSetting);
* the region modifies or deletes only while 未审核 / 审核不通过; modifying a rejected plan puts it
  back to 未审核; once 审核通过 it refuses with ``APPROVED_LOCKED_MESSAGE``;
* central approves or rejects (a note is required to reject), recording 审核人 and time;
* every approve/reject/modify/delete names the version its author saw; the row is locked and a
  different version is refused, so central never approves a version it did not see;
* central may modify any plan (approved ones included) with a required reason, recorded with
  before/after; central is not held to the 48-hour rule (it corrects plans whose roster is
  already locked) but cannot modify an exam that has started, change the type of a plan that
  has registrations, or move such a plan to another year (registrations copy type and year);
* delete is a soft delete (deleted_at): the row, its number and a full before-snapshot in the
  audit log stay; a plan with registrations can never be deleted.

Services take an optional ``now`` (tests and demo data place plans in time with it; views never
pass it)."""

import datetime

from django.db import transaction
from django.utils import timezone

from audit.actions import Action
from audit.services import audit_record, model_snapshot
from core.errors import ApplicationError, PermissionDenied
from core.roles import Role
from core.scoping import assert_visible, require_role

from .choices import DEFAULT_DURATIONS, AuditStatus, ExamType
from .models import BatchCounter, ExamPlan, ExamTypeSetting
from .rules import APPROVED_LOCKED_MESSAGE, check_schedule, plan_moments
from .selectors import duration_for

STALE_VERSION_MESSAGE = "该计划在您打开之后已被修改（修改、审核或删除），请关闭后重新打开再操作"
GONE_MESSAGE = "该计划已被删除"
MIN_DURATION, MAX_DURATION = 10, 600


# --------------------------------------------------------------------------- helpers

def _check_exam_type(exam_type: str) -> None:
    if exam_type not in ExamType.values:
        raise ApplicationError("请选择考核类型", field="exam_type")


def _locked(plan: ExamPlan) -> ExamPlan:
    """The plan's current row, locked for this transaction; a deleted plan is an error."""
    current = ExamPlan.all_objects.select_for_update().filter(pk=plan.pk).first()
    if current is None or current.deleted_at is not None:
        raise ApplicationError(GONE_MESSAGE)
    return current


def _check_version(plan: ExamPlan, seen_version: int | None) -> None:
    if seen_version is None or plan.version != seen_version:
        raise ApplicationError(STALE_VERSION_MESSAGE, code="stale")


def _set_schedule(plan: ExamPlan, *, exam_type: str, exam_date, start_time, duration: int) -> None:
    plan.exam_type = exam_type
    plan.exam_date = exam_date
    plan.start_time = start_time
    plan.duration_minutes = duration
    plan.starts_at, plan.ends_at, plan.end_time = plan_moments(exam_date, start_time, duration)


def _next_batch_no(*, region, year: int) -> str:
    """See the module docstring: RR YY NNN from BatchCounter, locked for this transaction."""
    BatchCounter.objects.get_or_create(region=region, year=year)
    counter = BatchCounter.objects.select_for_update().get(region=region, year=year)
    counter.last_seq += 1
    counter.save(update_fields=["last_seq"])
    return f"{region.code}{year % 100:02d}{counter.last_seq:03d}"


# --------------------------------------------------------------------------- region

def plan_create(*, exam_type: str, exam_date: datetime.date, start_time: datetime.time, acting_user,
                now: datetime.datetime | None = None) -> ExamPlan:
    """A regional administrator adds a plan for its own region ("添加", the guide 二(一)).
    It starts 未审核; 批次编号 is assigned here; 结束时间 is start + the type's duration; the date
    is not in the past and the start at least 48 hours away (二(二): import closes then)."""
    require_role(acting_user, Role.REGIONAL)
    if not acting_user.region_id:
        raise PermissionDenied()
    now = now or timezone.now()
    _check_exam_type(exam_type)
    duration = duration_for(exam_type)
    check_schedule(exam_date=exam_date, start_time=start_time, duration=duration, now=now, enforce_cutoff=True)
    with transaction.atomic():
        plan = ExamPlan(region=acting_user.region, applicant=acting_user, audit_status=AuditStatus.PENDING)
        _set_schedule(plan, exam_type=exam_type, exam_date=exam_date, start_time=start_time, duration=duration)
        plan.batch_no = _next_batch_no(region=acting_user.region, year=exam_date.year)
        plan.full_clean(exclude=["applicant", "region"])
        plan.save()
        audit_record(actor=acting_user, action=Action.PLAN_CREATE, obj=plan, after=model_snapshot(plan),
                     message=f"添加考核计划 {plan.batch_no}")
    return plan


def plan_update(*, plan: ExamPlan, exam_type: str, exam_date: datetime.date, start_time: datetime.time,
                seen_version: int | None, acting_user, now: datetime.datetime | None = None) -> ExamPlan:
    """A region modifies its own plan while it is 未审核 or 审核不通过 (the guide 二(一)); a
    rejected plan goes back to 未审核 (the previous review stays in the audit log). Once
    审核通过 it is refused with APPROVED_LOCKED_MESSAGE. The same date rules as adding apply."""
    require_role(acting_user, Role.REGIONAL)
    now = now or timezone.now()
    with transaction.atomic():
        current = _locked(plan)
        assert_visible(current, acting_user)
        if current.audit_status == AuditStatus.APPROVED:
            raise ApplicationError(APPROVED_LOCKED_MESSAGE, code="approved_locked")
        _check_version(current, seen_version)
        _check_exam_type(exam_type)
        duration = duration_for(exam_type)
        check_schedule(exam_date=exam_date, start_time=start_time, duration=duration, now=now, enforce_cutoff=True)
        before = model_snapshot(current)
        was_rejected = current.audit_status == AuditStatus.REJECTED
        _set_schedule(current, exam_type=exam_type, exam_date=exam_date, start_time=start_time, duration=duration)
        if was_rejected:
            current.audit_status = AuditStatus.PENDING
            current.reviewer = None
            current.review_note = ""
            current.reviewed_at = None
        current.version += 1
        current.full_clean(exclude=["applicant", "region", "reviewer", "batch_no"])
        current.save()
        audit_record(actor=acting_user, action=Action.PLAN_UPDATE, obj=current, before=before, after=model_snapshot(current),
                     message="修改考核计划" + ("（审核不通过后重新提交，状态改为未审核）" if was_rejected else ""))
    return current


def plan_delete(*, plan: ExamPlan, seen_version: int | None, acting_user, reason: str = "",
                now: datetime.datetime | None = None) -> ExamPlan:
    """Delete a plan. A region deletes its own plan only while 未审核 or 审核不通过 (the guide
    二(一)); central deletes any plan with a required reason. A plan with registrations can never
    be deleted. Soft delete: the row stays (deleted_at), its 批次编号 is never reused, and the
    audit log holds the full before-snapshot ("nothing is hard-deleted without a trace")."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    require_role(acting_user, Role.REGIONAL, Role.CENTRAL)
    with transaction.atomic():
        current = _locked(plan)
        assert_visible(current, acting_user)
        if acting_user.role == Role.REGIONAL:
            if current.audit_status == AuditStatus.APPROVED:
                raise ApplicationError(APPROVED_LOCKED_MESSAGE, code="approved_locked")
        elif not reason:
            raise ApplicationError("请填写删除原因", field="reason")
        _check_version(current, seen_version)
        if current.registrations.exists():
            raise ApplicationError("该计划已有考生报名，不能删除")
        before = model_snapshot(current)
        current.deleted_at = now
        current.deleted_by = acting_user
        current.version += 1
        current.save(update_fields=["deleted_at", "deleted_by", "version", "updated_at"])
        audit_record(actor=acting_user, action=Action.PLAN_DELETE, obj=current, before=before,
                     after={"deleted_at": now, "deleted_by": acting_user.pk}, reason=reason,
                     message=f"删除考核计划 {current.batch_no}")
    return current


# --------------------------------------------------------------------------- central

def plan_approve(*, plan: ExamPlan, seen_version: int | None, note: str = "", acting_user,
                 now: datetime.datetime | None = None) -> ExamPlan:
    """Central approves (审核通过) a 未审核 plan, recording 审核人 and time (the guide 二(一)).
    The approval names the version central saw: if the region changed the plan in between, it
    is refused, so a version central did not see is never approved. A plan whose exam has
    started cannot be approved."""
    require_role(acting_user, Role.CENTRAL)
    now = now or timezone.now()
    note = (note or "").strip()
    with transaction.atomic():
        current = _locked(plan)
        if current.audit_status != AuditStatus.PENDING:
            raise ApplicationError(f"该计划当前为“{current.get_audit_status_display()}”，只有未审核的计划可以审核")
        _check_version(current, seen_version)
        if current.starts_at <= now:
            raise ApplicationError("考试开始时间已过，不能审核通过")
        return _review(current, status=AuditStatus.APPROVED, note=note, acting_user=acting_user, now=now)


def plan_reject(*, plan: ExamPlan, seen_version: int | None, note: str, acting_user,
                now: datetime.datetime | None = None) -> ExamPlan:
    """Central rejects (审核不通过) a 未审核 plan with a required note (审核说明), recording 审核人
    and time (the guide 二(一)); the region may then modify it (back to 未审核) or delete it.
    Like approval, it names the version central saw."""
    require_role(acting_user, Role.CENTRAL)
    now = now or timezone.now()
    note = (note or "").strip()
    if not note:
        raise ApplicationError("审核不通过时必须填写审核说明", field="note")
    with transaction.atomic():
        current = _locked(plan)
        if current.audit_status != AuditStatus.PENDING:
            raise ApplicationError(f"该计划当前为“{current.get_audit_status_display()}”，只有未审核的计划可以审核")
        _check_version(current, seen_version)
        return _review(current, status=AuditStatus.REJECTED, note=note, acting_user=acting_user, now=now)


def _review(plan: ExamPlan, *, status: str, note: str, acting_user, now) -> ExamPlan:
    if len(note) > 500:
        raise ApplicationError("审核说明不能超过 500 字", field="note")
    before = model_snapshot(plan)
    plan.audit_status = status
    plan.reviewer = acting_user
    plan.reviewed_at = now
    plan.review_note = note
    plan.version += 1
    plan.save(update_fields=["audit_status", "reviewer", "reviewed_at", "review_note", "version", "updated_at"])
    action = Action.PLAN_APPROVE if status == AuditStatus.APPROVED else Action.PLAN_REJECT
    audit_record(actor=acting_user, action=action, obj=plan, before=before, after=model_snapshot(plan),
                 reason=note, message=f"{plan.get_audit_status_display()}：{plan.batch_no}")
    return plan


def plan_update_by_central(*, plan: ExamPlan, exam_type: str, exam_date: datetime.date,
                           start_time: datetime.time, reason: str, seen_version: int | None, acting_user,
                           now: datetime.datetime | None = None) -> ExamPlan:
    """Central modifies a plan, approved ones included ("如需变更请联系部中心", the guide 二(一)),
    with a required reason recorded in the audit log with before and after (SPEC.md §2: who,
    when and why). The audit status does not change. Not allowed: a date in the past, an exam
    that has already started, and for a plan with registrations a new type or a new year (the
    registrations carry the plan's type and year). The 48-hour rule is not applied to central."""
    require_role(acting_user, Role.CENTRAL)
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("部中心修改计划时必须填写修改原因", field="reason")
    with transaction.atomic():
        current = _locked(plan)
        _check_version(current, seen_version)
        if current.starts_at <= now:
            raise ApplicationError("该考试已开始，不能再修改计划")
        _check_exam_type(exam_type)
        duration = duration_for(exam_type) if exam_type != current.exam_type else current.duration_minutes
        check_schedule(exam_date=exam_date, start_time=start_time, duration=duration, now=now, enforce_cutoff=False)
        if current.registrations.exists():
            if exam_type != current.exam_type:
                raise ApplicationError("该计划已有考生报名，不能修改考核类型", field="exam_type")
            if exam_date.year != current.exam_date.year:
                raise ApplicationError("该计划已有考生报名，考核日期不能改到其他年份", field="exam_date")
        before = model_snapshot(current)
        _set_schedule(current, exam_type=exam_type, exam_date=exam_date, start_time=start_time, duration=duration)
        current.version += 1
        current.full_clean(exclude=["applicant", "region", "reviewer", "batch_no"])
        current.save()
        audit_record(actor=acting_user, action=Action.PLAN_CENTRAL_UPDATE, obj=current, before=before,
                     after=model_snapshot(current), reason=reason, message=f"部中心修改考核计划 {current.batch_no}")
    return current


def exam_type_durations_set(*, durations: dict[str, int], acting_user) -> list[ExamTypeSetting]:
    """Central sets each 考核类型's duration in minutes (SPEC.md §2; defaults 新取证 120,
    继续教育 90). Plans keep the duration they were added or last modified with; the new value
    applies to plans added or modified afterwards. One audit row per changed type."""
    require_role(acting_user, Role.CENTRAL)
    changed = []
    with transaction.atomic():
        for exam_type, minutes in durations.items():
            _check_exam_type(exam_type)
            if not isinstance(minutes, int) or not MIN_DURATION <= minutes <= MAX_DURATION:
                raise ApplicationError(f"考试时长须为 {MIN_DURATION}–{MAX_DURATION} 分钟之间的整数", field=exam_type)
            setting, _ = ExamTypeSetting.objects.select_for_update().get_or_create(
                exam_type=exam_type, defaults={"duration_minutes": DEFAULT_DURATIONS[ExamType(exam_type)]}
            )
            if setting.duration_minutes == minutes:
                continue
            before = model_snapshot(setting, ["exam_type", "duration_minutes"])
            setting.duration_minutes = minutes
            setting.save(update_fields=["duration_minutes", "updated_at"])
            audit_record(actor=acting_user, action=Action.PLAN_SETTING_UPDATE, obj=setting, before=before,
                         after=model_snapshot(setting, ["exam_type", "duration_minutes"]),
                         message=f"{setting.get_exam_type_display()} 考试时长改为 {minutes} 分钟")
            changed.append(setting)
    return changed
