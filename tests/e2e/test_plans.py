"""考核计划管理 in the browser: the region adds a plan in the modal (结束时间 fills itself), central
rejects it with a note, the region modifies it, central approves it, and the region then finds
modify and delete refused (buttons disabled, and the server says so when asked directly)."""

import datetime

import pytest
from django.utils import timezone

from plans.choices import AuditStatus
from plans.models import ExamPlan
from plans.rules import APPROVED_LOCKED_MESSAGE

from .conftest import login_session, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _as(page, user):
    page.context.clear_cookies()
    login_session(page, user)


def test_plan_add_reject_modify_approve_then_locked(page, world):
    exam_date = timezone.localdate() + datetime.timedelta(days=10)

    # 1. the region adds a plan; 结束时间 fills itself as the start time is typed
    _as(page, world.admin_a)
    page.goto(page.base + "/plans/")
    page.get_by_test_id("plan-add").click()
    page.get_by_test_id("modal").wait_for()
    page.keyboard.press("Escape")  # a modal closes with Esc (and its backdrop, ×, 取消)
    page.get_by_test_id("modal").wait_for(state="detached")
    page.get_by_test_id("plan-add").click()
    modal = page.get_by_test_id("modal")
    modal.get_by_label("考核类型").select_option(label="新取证(线上)")
    modal.get_by_label("考核日期").fill(f"{exam_date:%Y-%m-%d}")
    modal.get_by_label("开始时间").fill("09:30")
    end = modal.get_by_label("结束时间")
    assert end.input_value() == "11:30"
    modal.get_by_label("考核类型").select_option(label="继续教育(线上)")
    assert end.input_value() == "11:00"
    assert "90 分钟" in modal.inner_text()
    # too late in the day: the whole message shows under the box (docs/decisions.md#clear-messages), then goes
    modal.get_by_label("开始时间").fill("23:00")
    error = modal.get_by_test_id("end-time-error")
    assert error.inner_text() == "考试将超过当天 24:00 结束，请提前开始时间（时长 90 分钟）"
    assert error.evaluate("el => el.scrollWidth <= el.clientWidth && el.getBoundingClientRect().width > 0")
    assert end.input_value() == ""
    shot(page, "plans_01a_end_time_error")
    modal.get_by_label("开始时间").fill("09:30")
    assert end.input_value() == "11:00" and not error.is_visible()
    shot(page, "plans_01_add_modal")
    modal.get_by_role("button", name="确认").click()
    page.wait_for_selector("text=等待部中心审核")
    plan = ExamPlan.objects.get()
    assert plan.audit_status == AuditStatus.PENDING and plan.end_time == datetime.time(11, 0)
    row = page.get_by_test_id(f"plan-row-{plan.batch_no}")
    assert "未审核" in row.inner_text() and "可导入" not in row.inner_text()  # no phase until approved
    shot(page, "plans_02_region_list_pending")

    # 2. central rejects it from the review queue; the note is required
    _as(page, world.central)
    page.goto(page.base + "/plans/review/")
    page.get_by_test_id(f"review-{plan.batch_no}").click()
    modal = page.get_by_test_id("modal")
    modal.get_by_role("button", name="审核不通过").click()
    assert "审核不通过时必须填写审核说明" in page.get_by_test_id("error-note").inner_text()
    page.get_by_test_id("modal").get_by_label("审核说明").fill("考试时间与当地其他考试冲突，请改到下午")
    shot(page, "plans_03_central_reject_with_note")
    page.get_by_test_id("modal").get_by_role("button", name="审核不通过").click()
    page.wait_for_selector(f"text=考核计划 {plan.batch_no}：审核不通过")
    plan.refresh_from_db()
    assert plan.audit_status == AuditStatus.REJECTED and plan.reviewer == world.central

    # 3. the region sees the note and modifies the plan: back to 未审核
    _as(page, world.admin_a)
    page.goto(page.base + "/plans/")
    row = page.get_by_test_id(f"plan-row-{plan.batch_no}")
    assert "审核不通过" in row.inner_text() and "请改到下午" in row.inner_text()
    shot(page, "plans_04_region_sees_rejection")
    page.get_by_test_id(f"edit-{plan.batch_no}").click()
    modal = page.get_by_test_id("modal")
    assert "审核不通过：考试时间与当地其他考试冲突" in modal.inner_text()
    modal.get_by_label("开始时间").fill("14:00")
    assert modal.get_by_label("结束时间").input_value() == "15:30"
    shot(page, "plans_05_region_modifies")
    modal.get_by_role("button", name="确认").click()
    page.wait_for_selector(f"text=考核计划 {plan.batch_no} 已修改")
    plan.refresh_from_db()
    assert plan.audit_status == AuditStatus.PENDING and plan.start_time == datetime.time(14, 0)

    # 4. central approves the modified version
    _as(page, world.central)
    page.goto(page.base + "/plans/")
    page.get_by_test_id(f"plan-row-{plan.batch_no}").get_by_role("link", name="审核").click()
    modal = page.get_by_test_id("modal")
    assert "14:00 – 15:30" in modal.inner_text()
    modal.get_by_label("审核说明").fill("同意")
    shot(page, "plans_06_central_approves")
    modal.get_by_role("button", name="审核通过").click()
    page.wait_for_selector(f"text=考核计划 {plan.batch_no}：审核通过")
    shot(page, "plans_07_central_list_approved")
    plan.refresh_from_db()
    assert plan.audit_status == AuditStatus.APPROVED

    # 5. the region can neither modify nor delete: disabled buttons, and the server refuses
    _as(page, world.admin_a)
    page.goto(page.base + "/plans/")
    row = page.get_by_test_id(f"plan-row-{plan.batch_no}")
    assert "审核通过" in row.inner_text() and "可导入" in row.inner_text()
    assert page.get_by_test_id(f"edit-{plan.batch_no}").is_disabled()
    assert page.get_by_test_id(f"delete-{plan.batch_no}").is_disabled()
    assert page.get_by_test_id(f"edit-{plan.batch_no}").get_attribute("title") == APPROVED_LOCKED_MESSAGE
    shot(page, "plans_08_region_locked_buttons")
    page.goto(page.base + f"/plans/{plan.pk}/edit/")
    assert page.get_by_test_id("refused").inner_text() == APPROVED_LOCKED_MESSAGE
    shot(page, "plans_09_region_modify_refused")
    status = page.evaluate(
        """async ([url, version]) => {
            const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken'];
            const body = new URLSearchParams({version: version});
            const r = await fetch(url, {method: 'POST', body, headers: {'X-CSRFToken': token}});
            return [r.status, await r.text()];
        }""",
        [f"/plans/{plan.pk}/delete/", str(plan.version)],
    )
    assert status[0] == 200 and APPROVED_LOCKED_MESSAGE in status[1]
    assert ExamPlan.objects.filter(pk=plan.pk, audit_status=AuditStatus.APPROVED).exists()
    page.goto(page.base + f"/plans/{plan.pk}/")
    assert page.get_by_test_id("plan-history").get_by_text("审核不通过").count() >= 1
    shot(page, "plans_10_detail_history")


def test_central_durations_modify_with_reason_and_region_delete(page, world):
    from plans.tests.factories import plan_via_services

    approved = plan_via_services(world.admin_a, status=AuditStatus.APPROVED, reviewer=world.central)
    pending = plan_via_services(world.admin_b, days_ahead=15)

    # central sets a duration
    _as(page, world.central)
    page.goto(page.base + "/plans/settings/")
    page.get_by_label("继续教育(线上)（分钟）").fill("100")
    shot(page, "plans_11_central_durations")
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector("text=已保存")

    # central filters by region and modifies an approved plan: a reason is required
    page.goto(page.base + "/plans/")
    page.get_by_label("地区").select_option(label="北京市")
    page.get_by_role("button", name="搜索").click()
    assert page.get_by_test_id(f"plan-row-{pending.batch_no}").count() == 0
    page.get_by_test_id(f"plan-row-{approved.batch_no}").get_by_role("link", name="修改").click()
    modal = page.get_by_test_id("modal")
    modal.get_by_label("开始时间").fill("10:00")
    assert modal.get_by_label("结束时间").input_value() == "12:00"
    modal.get_by_role("button", name="确认").click()
    assert "部中心修改计划时必须填写修改原因" in page.get_by_test_id("error-reason").inner_text()
    page.get_by_test_id("modal").get_by_label("修改原因").fill("管局来函申请推迟一小时")
    shot(page, "plans_12_central_modify_with_reason")
    page.get_by_test_id("modal").get_by_role("button", name="确认").click()
    page.wait_for_selector(f"text=考核计划 {approved.batch_no} 已修改")
    approved.refresh_from_db()
    assert approved.start_time == datetime.time(10, 0) and approved.audit_status == AuditStatus.APPROVED

    # the other region deletes its pending plan
    _as(page, world.admin_b)
    page.goto(page.base + "/plans/")
    page.get_by_test_id(f"delete-{pending.batch_no}").click()
    shot(page, "plans_13_region_delete_confirm")
    page.get_by_test_id("modal").get_by_role("button", name="确认删除").click()
    page.wait_for_selector(f"text=考核计划 {pending.batch_no} 已删除")
    assert page.get_by_test_id(f"plan-row-{pending.batch_no}").count() == 0
    assert not ExamPlan.objects.filter(pk=pending.pk).exists() and ExamPlan.all_objects.filter(pk=pending.pk).exists()
    shot(page, "plans_14_region_after_delete")
