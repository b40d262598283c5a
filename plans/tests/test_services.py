import datetime

import pytest
from django.utils import timezone

from audit.actions import Action
from audit.models import AuditLog
from candidates.tests.factories import RegistrationFactory
from core.errors import ApplicationError, PermissionDenied
from plans.choices import AuditStatus, ExamType
from plans.models import BatchCounter, ExamPlan, ExamTypeSetting
from plans.rules import APPROVED_LOCKED_MESSAGE
from plans.services import (
    STALE_VERSION_MESSAGE,
    exam_type_durations_set,
    plan_approve,
    plan_create,
    plan_delete,
    plan_reject,
    plan_update,
    plan_update_by_central,
)
from plans.tests.factories import plan_via_services

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()
NOW = datetime.datetime(2026, 1, 5, 10, 0, tzinfo=TZ)  # a fixed "now" for the number scheme


def _create(world, admin=None, *, date=datetime.date(2026, 3, 10), start=datetime.time(9, 0),
            exam_type=ExamType.NEW_ONLINE, now=NOW):
    return plan_create(exam_type=exam_type, exam_date=date, start_time=start, acting_user=admin or world.admin_a, now=now)


# --------------------------------------------------------------------------- 批次编号

def test_batch_number_is_region_year_and_sequence(world):
    first = _create(world)
    second = _create(world)
    guangdong = _create(world, world.admin_b)
    next_year = _create(world, date=datetime.date(2027, 1, 5))
    assert [first.batch_no, second.batch_no, guangdong.batch_no, next_year.batch_no] == [
        "1126001", "1126002", "4426001", "1127001"]
    assert BatchCounter.objects.get(region=world.region_a, year=2026).last_seq == 2


def test_batch_number_continues_an_existing_counter_and_widens_past_999(world):
    BatchCounter.objects.create(region=world.region_a, year=2026, last_seq=998)
    assert _create(world).batch_no == "1126999"
    assert _create(world).batch_no == "11261000"


def test_batch_number_is_stable_across_a_move_to_another_year_and_never_reused(world):
    plan = _create(world)
    moved = plan_update(plan=plan, exam_type=ExamType.NEW_ONLINE, exam_date=datetime.date(2027, 1, 4),
                        start_time=datetime.time(9, 0), seen_version=plan.version, acting_user=world.admin_a, now=NOW)
    assert moved.batch_no == "1126001"
    plan_delete(plan=moved, seen_version=moved.version, acting_user=world.admin_a, now=NOW)
    assert _create(world).batch_no == "1126002"  # the deleted plan's number stays taken


# --------------------------------------------------------------------------- adding

def test_new_plan_is_pending_with_end_time_from_the_type_duration(world):
    plan = _create(world, exam_type=ExamType.CONTINUING_ONLINE, start=datetime.time(15, 0))
    assert plan.audit_status == AuditStatus.PENDING and plan.applicant == world.admin_a
    assert plan.region == world.region_a
    assert (plan.duration_minutes, plan.end_time) == (90, datetime.time(16, 30))
    assert plan.starts_at == datetime.datetime(2026, 3, 10, 15, 0, tzinfo=TZ)
    assert plan.ends_at == datetime.datetime(2026, 3, 10, 16, 30, tzinfo=TZ)
    entry = AuditLog.objects.get(action=Action.PLAN_CREATE, object_id=str(plan.pk))
    assert entry.after["batch_no"] == "1126001" and entry.region_id == world.region_a.pk


def test_central_duration_applies_to_new_plans_only(world):
    old = _create(world)
    exam_type_durations_set(durations={ExamType.NEW_ONLINE: 150}, acting_user=world.central)
    new = _create(world)
    old.refresh_from_db()
    assert (old.duration_minutes, old.end_time) == (120, datetime.time(11, 0))
    assert (new.duration_minutes, new.end_time) == (150, datetime.time(11, 30))


@pytest.mark.parametrize("minutes_ahead, ok", [(48 * 60 - 1, False), (48 * 60, True), (72 * 60, True)])
def test_start_must_be_at_least_48_hours_away(world, minutes_ahead, ok):
    starts = timezone.localtime(NOW + datetime.timedelta(minutes=minutes_ahead))
    call = lambda: _create(world, date=starts.date(), start=starts.time())  # noqa: E731
    if ok:
        assert call().starts_at == starts
    else:
        with pytest.raises(ApplicationError, match="48 小时之后") as exc:
            call()
        assert exc.value.field == "exam_date"
        assert not ExamPlan.all_objects.exists() and not BatchCounter.objects.filter(last_seq__gt=0).exists()


def test_past_date_is_refused(world):
    with pytest.raises(ApplicationError, match="考核日期不能早于今天") as exc:
        _create(world, date=datetime.date(2026, 1, 4))
    assert exc.value.field == "exam_date"
    assert not ExamPlan.all_objects.exists()


def test_a_date_more_than_a_year_ahead_is_refused_as_a_typo(world):
    """2126 typed for 2026 would also take the number 1126001 from 2026's own first plan."""
    with pytest.raises(ApplicationError, match="考核日期不能晚于 2027-01-06（最多提前一年安排）") as exc:
        _create(world, date=datetime.date(2126, 3, 10))
    assert exc.value.field == "exam_date"
    with pytest.raises(ApplicationError, match="不能晚于"):
        _create(world, date=datetime.date(9999, 12, 31), start=datetime.time(23, 0))  # no overflow
    assert not ExamPlan.all_objects.exists()
    assert _create(world, date=datetime.date(2027, 1, 6)).batch_no == "1127001"
    assert _create(world).batch_no == "1126001"


def test_central_cannot_move_a_plan_more_than_a_year_ahead(world):
    plan = plan_approve(plan=_create(world), seen_version=1, acting_user=world.central, now=NOW)
    with pytest.raises(ApplicationError, match="不能晚于") as exc:
        plan_update_by_central(plan=plan, exam_type=plan.exam_type, exam_date=datetime.date(2126, 3, 10),
                               start_time=datetime.time(9, 0), seen_version=plan.version, acting_user=world.central,
                               reason="x", now=NOW)
    assert exc.value.field == "exam_date"


def test_exam_must_end_on_its_day(world):
    with pytest.raises(ApplicationError, match="不能晚于 21:59") as exc:
        _create(world, start=datetime.time(22, 0))
    assert exc.value.field == "start_time"
    assert _create(world, start=datetime.time(21, 59)).end_time == datetime.time(23, 59)


def test_only_a_regional_administrator_adds(world):
    with pytest.raises(PermissionDenied):
        _create(world, world.central)
    with pytest.raises(PermissionDenied):
        _create(world, world.candidate)


def test_unknown_exam_type_is_refused(world):
    with pytest.raises(ApplicationError, match="请选择考核类型"):
        _create(world, exam_type="bogus")


# --------------------------------------------------------------------------- region modify / delete

def test_region_modifies_a_pending_plan(world):
    plan = _create(world)
    updated = plan_update(plan=plan, exam_type=ExamType.CONTINUING_ONLINE, exam_date=datetime.date(2026, 3, 12),
                          start_time=datetime.time(14, 0), seen_version=1, acting_user=world.admin_a, now=NOW)
    assert (updated.exam_type, updated.end_time, updated.version) == (ExamType.CONTINUING_ONLINE, datetime.time(15, 30), 2)
    entry = AuditLog.objects.get(action=Action.PLAN_UPDATE)
    assert entry.before["exam_date"] == "2026-03-10" and entry.after["exam_date"] == "2026-03-12"


def test_modifying_a_rejected_plan_puts_it_back_to_pending(world):
    plan = _create(world)
    plan = plan_reject(plan=plan, seen_version=plan.version, note="时间冲突", acting_user=world.central, now=NOW)
    plan = plan_update(plan=plan, exam_type=plan.exam_type, exam_date=datetime.date(2026, 3, 11),
                       start_time=datetime.time(9, 0), seen_version=plan.version, acting_user=world.admin_a, now=NOW)
    plan.refresh_from_db()
    assert plan.audit_status == AuditStatus.PENDING
    assert (plan.reviewer, plan.reviewed_at, plan.review_note) == (None, None, "")
    # the rejection itself stays in the trail
    assert AuditLog.objects.get(action=Action.PLAN_REJECT).reason == "时间冲突"


def test_region_can_neither_modify_nor_delete_an_approved_plan(world):
    plan = _create(world)
    plan = plan_approve(plan=plan, seen_version=plan.version, acting_user=world.central, now=NOW)
    before = ExamPlan.objects.values().get(pk=plan.pk)
    with pytest.raises(ApplicationError) as exc:
        plan_update(plan=plan, exam_type=plan.exam_type, exam_date=datetime.date(2026, 3, 11),
                    start_time=datetime.time(9, 0), seen_version=plan.version, acting_user=world.admin_a, now=NOW)
    assert exc.value.message == APPROVED_LOCKED_MESSAGE == "已审核通过的计划不能修改，如需变更请联系部中心"
    with pytest.raises(ApplicationError) as exc:
        plan_delete(plan=plan, seen_version=plan.version, acting_user=world.admin_a, now=NOW)
    assert exc.value.message == APPROVED_LOCKED_MESSAGE
    assert ExamPlan.objects.values().get(pk=plan.pk) == before
    assert not AuditLog.objects.filter(action__in=[Action.PLAN_UPDATE, Action.PLAN_DELETE]).exists()


def test_region_cannot_touch_another_regions_plan(world):
    plan = _create(world)
    with pytest.raises(PermissionDenied):
        plan_update(plan=plan, exam_type=plan.exam_type, exam_date=plan.exam_date, start_time=plan.start_time,
                    seen_version=plan.version, acting_user=world.admin_b, now=NOW)
    with pytest.raises(PermissionDenied):
        plan_delete(plan=plan, seen_version=plan.version, acting_user=world.admin_b, now=NOW)
    assert ExamPlan.objects.get(pk=plan.pk).version == 1


def test_modify_keeps_the_48_hour_rule(world):
    plan = _create(world)
    with pytest.raises(ApplicationError, match="48 小时之后"):
        plan_update(plan=plan, exam_type=plan.exam_type, exam_date=datetime.date(2026, 1, 6),
                    start_time=datetime.time(9, 0), seen_version=1, acting_user=world.admin_a, now=NOW)
    assert ExamPlan.objects.get(pk=plan.pk).exam_date == datetime.date(2026, 3, 10)


def test_delete_is_soft_and_leaves_a_full_trace(world):
    plan = _create(world)
    plan_delete(plan=plan, seen_version=plan.version, acting_user=world.admin_a, now=NOW)
    assert not ExamPlan.objects.filter(pk=plan.pk).exists()
    assert not ExamPlan.objects.visible_to(world.central).filter(pk=plan.pk).exists()
    kept = ExamPlan.all_objects.get(pk=plan.pk)
    assert kept.deleted_at == NOW and kept.deleted_by == world.admin_a
    entry = AuditLog.objects.get(action=Action.PLAN_DELETE)
    assert entry.before["batch_no"] == plan.batch_no and entry.before["exam_date"] == "2026-03-10"
    with pytest.raises(ApplicationError, match="已被删除"):
        plan_delete(plan=plan, seen_version=kept.version, acting_user=world.admin_a, now=NOW)


def test_a_plan_with_registrations_can_never_be_deleted(world):
    plan = plan_via_services(world.admin_a, status=AuditStatus.APPROVED, reviewer=world.central)
    RegistrationFactory(plan=plan)
    plan.refresh_from_db()
    with pytest.raises(ApplicationError, match="已有考生报名"):
        plan_delete(plan=plan, seen_version=plan.version, reason="取消", acting_user=world.central)
    assert ExamPlan.objects.filter(pk=plan.pk).exists()


def test_central_deletes_with_a_reason(world):
    plan = plan_via_services(world.admin_a, status=AuditStatus.APPROVED, reviewer=world.central)
    with pytest.raises(ApplicationError, match="请填写删除原因"):
        plan_delete(plan=plan, seen_version=plan.version, reason="  ", acting_user=world.central)
    plan_delete(plan=plan, seen_version=plan.version, reason="管局申请取消", acting_user=world.central)
    assert AuditLog.objects.get(action=Action.PLAN_DELETE).reason == "管局申请取消"


# --------------------------------------------------------------------------- review

def test_approve_records_reviewer_and_time(world):
    plan = _create(world)
    plan = plan_approve(plan=plan, seen_version=1, note="同意", acting_user=world.central, now=NOW)
    plan.refresh_from_db()
    assert (plan.audit_status, plan.reviewer, plan.reviewed_at, plan.review_note, plan.version) == (
        AuditStatus.APPROVED, world.central, NOW, "同意", 2)
    entry = AuditLog.objects.get(action=Action.PLAN_APPROVE)
    assert entry.before["audit_status"] == "pending" and entry.after["audit_status"] == "approved"


def test_reject_requires_a_note(world):
    plan = _create(world)
    with pytest.raises(ApplicationError, match="必须填写审核说明") as exc:
        plan_reject(plan=plan, seen_version=1, note=" ", acting_user=world.central, now=NOW)
    assert exc.value.field == "note"
    assert ExamPlan.objects.get(pk=plan.pk).audit_status == AuditStatus.PENDING
    plan_reject(plan=plan, seen_version=1, note="日期与节假日冲突", acting_user=world.central, now=NOW)
    plan.refresh_from_db()
    assert (plan.audit_status, plan.review_note, plan.reviewer) == (AuditStatus.REJECTED, "日期与节假日冲突", world.central)


def test_only_central_reviews(world):
    plan = _create(world)
    with pytest.raises(PermissionDenied):
        plan_approve(plan=plan, seen_version=1, acting_user=world.admin_a, now=NOW)
    with pytest.raises(PermissionDenied):
        plan_reject(plan=plan, seen_version=1, note="x", acting_user=world.admin_a, now=NOW)
    assert ExamPlan.objects.get(pk=plan.pk).audit_status == AuditStatus.PENDING


def test_only_pending_plans_are_reviewed(world):
    plan = _create(world)
    plan = plan_reject(plan=plan, seen_version=1, note="不行", acting_user=world.central, now=NOW)
    with pytest.raises(ApplicationError, match="只有未审核的计划可以审核"):
        plan_approve(plan=plan, seen_version=plan.version, acting_user=world.central, now=NOW)


def test_approve_racing_a_region_edit_never_approves_an_unseen_version(world):
    """Central opens the review (sees version 1); the region modifies before central clicks."""
    plan = _create(world)
    seen = ExamPlan.objects.get(pk=plan.pk).version  # what the review form carries
    plan_update(plan=plan, exam_type=ExamType.NEW_OFFLINE, exam_date=datetime.date(2026, 3, 20),
                start_time=datetime.time(9, 0), seen_version=seen, acting_user=world.admin_a, now=NOW)
    with pytest.raises(ApplicationError) as exc:
        plan_approve(plan=plan, seen_version=seen, acting_user=world.central, now=NOW)
    assert exc.value.message == STALE_VERSION_MESSAGE
    with pytest.raises(ApplicationError, match="已被修改"):
        plan_reject(plan=plan, seen_version=seen, note="x", acting_user=world.central, now=NOW)
    current = ExamPlan.objects.get(pk=plan.pk)
    assert current.audit_status == AuditStatus.PENDING and current.reviewer is None
    assert current.exam_type == ExamType.NEW_OFFLINE
    # reopened: central now sees version 2 and may approve it
    plan_approve(plan=plan, seen_version=current.version, acting_user=world.central, now=NOW)
    assert ExamPlan.objects.get(pk=plan.pk).audit_status == AuditStatus.APPROVED


def test_region_edit_after_approval_is_refused_even_with_the_form_it_opened_before(world):
    plan = _create(world)
    plan_approve(plan=plan, seen_version=1, acting_user=world.central, now=NOW)
    with pytest.raises(ApplicationError, match=APPROVED_LOCKED_MESSAGE):
        plan_update(plan=plan, exam_type=plan.exam_type, exam_date=datetime.date(2026, 3, 11),
                    start_time=datetime.time(9, 0), seen_version=1, acting_user=world.admin_a, now=NOW)


def test_edit_with_a_stale_version_is_refused(world):
    plan = _create(world)
    plan_update(plan=plan, exam_type=plan.exam_type, exam_date=datetime.date(2026, 3, 11),
                start_time=datetime.time(9, 0), seen_version=1, acting_user=world.admin_a, now=NOW)
    with pytest.raises(ApplicationError, match="已被修改"):
        plan_update(plan=plan, exam_type=plan.exam_type, exam_date=datetime.date(2026, 3, 12),
                    start_time=datetime.time(9, 0), seen_version=1, acting_user=world.admin_a, now=NOW)
    assert ExamPlan.objects.get(pk=plan.pk).exam_date == datetime.date(2026, 3, 11)


# --------------------------------------------------------------------------- central modify

def test_central_modifies_an_approved_plan_with_a_reason(world):
    plan = _create(world)
    plan = plan_approve(plan=plan, seen_version=1, acting_user=world.central, now=NOW)
    kwargs = dict(plan=plan, exam_type=plan.exam_type, exam_date=datetime.date(2026, 3, 11),
                  start_time=datetime.time(13, 30), seen_version=plan.version, acting_user=world.central, now=NOW)
    with pytest.raises(ApplicationError, match="必须填写修改原因") as exc:
        plan_update_by_central(reason="", **kwargs)
    assert exc.value.field == "reason"
    plan_update_by_central(reason="管局来函申请改期", **kwargs)
    plan.refresh_from_db()
    assert plan.audit_status == AuditStatus.APPROVED and plan.reviewer == world.central
    assert (plan.exam_date, plan.start_time, plan.end_time) == (datetime.date(2026, 3, 11), datetime.time(13, 30), datetime.time(15, 30))
    entry = AuditLog.objects.get(action=Action.PLAN_CENTRAL_UPDATE)
    assert entry.reason == "管局来函申请改期" and entry.actor == world.central
    assert entry.before["start_time"] == "09:00:00" and entry.after["start_time"] == "13:30:00"


def test_central_is_not_held_to_48_hours_but_not_to_the_past_or_a_started_exam(world):
    plan = plan_via_services(world.admin_a, days_ahead=5, status=AuditStatus.APPROVED, reviewer=world.central)
    now = timezone.now()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    plan = plan_update_by_central(plan=plan, exam_type=plan.exam_type, exam_date=tomorrow, start_time=datetime.time(9, 0),
                                  reason="提前", seen_version=plan.version, acting_user=world.central)
    assert plan.exam_date == tomorrow
    with pytest.raises(ApplicationError, match="考核日期不能早于今天"):
        plan_update_by_central(plan=plan, exam_type=plan.exam_type, exam_date=tomorrow - datetime.timedelta(days=2),
                               start_time=datetime.time(9, 0), reason="x", seen_version=plan.version,
                               acting_user=world.central)
    started = now + datetime.timedelta(days=2)
    with pytest.raises(ApplicationError, match="考试已开始"):
        plan_update_by_central(plan=plan, exam_type=plan.exam_type, exam_date=plan.exam_date + datetime.timedelta(days=3),
                               start_time=datetime.time(9, 0), reason="x", seen_version=plan.version,
                               acting_user=world.central, now=started)


def test_central_cannot_change_type_or_year_of_a_plan_with_registrations(world):
    plan = plan_via_services(world.admin_a, status=AuditStatus.APPROVED, reviewer=world.central)
    RegistrationFactory(plan=plan)
    plan.refresh_from_db()
    base = dict(plan=plan, start_time=plan.start_time, reason="r", seen_version=plan.version, acting_user=world.central)
    with pytest.raises(ApplicationError, match="不能修改考核类型"):
        plan_update_by_central(exam_type=ExamType.NEW_OFFLINE, exam_date=plan.exam_date, **base)
    today = timezone.localdate()
    other_year = next(today + datetime.timedelta(days=k) for k in range(3, 366)
                      if (today + datetime.timedelta(days=k)).year != plan.exam_date.year)
    with pytest.raises(ApplicationError, match="不能改到其他年份"):
        plan_update_by_central(exam_type=plan.exam_type, exam_date=other_year, **base)
    assert ExamPlan.objects.get(pk=plan.pk).version == plan.version


def test_central_keeps_the_plans_duration_unless_the_type_changes(world):
    plan = plan_via_services(world.admin_a, status=AuditStatus.APPROVED, reviewer=world.central)
    exam_type_durations_set(durations={ExamType.NEW_ONLINE: 100}, acting_user=world.central)
    plan = plan_update_by_central(plan=plan, exam_type=plan.exam_type, exam_date=plan.exam_date,
                                  start_time=datetime.time(10, 0), reason="r", seen_version=plan.version,
                                  acting_user=world.central)
    assert plan.duration_minutes == 120 and plan.end_time == datetime.time(12, 0)


# --------------------------------------------------------------------------- durations

def test_duration_settings_are_bounded_and_audited(world):
    with pytest.raises(PermissionDenied):
        exam_type_durations_set(durations={ExamType.NEW_ONLINE: 100}, acting_user=world.admin_a)
    with pytest.raises(ApplicationError, match="10–600") as exc:
        exam_type_durations_set(durations={ExamType.NEW_ONLINE: 100, ExamType.NEW_OFFLINE: 5}, acting_user=world.central)
    assert exc.value.field == ExamType.NEW_OFFLINE
    assert ExamTypeSetting.objects.get(exam_type=ExamType.NEW_ONLINE).duration_minutes == 120  # all or nothing
    changed = exam_type_durations_set(durations={ExamType.NEW_ONLINE: 100, ExamType.NEW_OFFLINE: 120},
                                      acting_user=world.central)
    assert [s.exam_type for s in changed] == [ExamType.NEW_ONLINE]
    entry = AuditLog.objects.get(action=Action.PLAN_SETTING_UPDATE)
    assert (entry.before["duration_minutes"], entry.after["duration_minutes"]) == (120, 100)


def test_default_durations_are_loaded():
    assert dict(ExamTypeSetting.objects.values_list("exam_type", "duration_minutes")) == {
        "continuing_online": 90, "new_online": 120, "new_offline": 120}
