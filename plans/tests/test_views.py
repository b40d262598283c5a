import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

import plans.selectors as selectors
from audit.actions import Action
from audit.models import AuditLog
from plans.choices import AuditStatus, ExamType
from plans.models import ExamPlan, ExamTypeSetting
from plans.rules import APPROVED_LOCKED_MESSAGE
from plans.tests.factories import ExamPlanFactory, plan_via_services

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
GUIDE_COLUMNS = ["批次编号", "考试类型", "考试日期", "考试开始时间", "考试结束时间", "考试时长", "审核状态", "审核人",
                 "审核说明", "申请人", "申请时间"]


def _headers(html: str) -> list[str]:
    thead = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    # a long header may break on two lines (<br>) to fit a 1366 px screen: its text is the same
    return [h.replace("<br>", "") for h in re.findall(r"<th>(.*?)</th>", thead)]


def _in(days: int) -> str:
    return f"{timezone.localdate() + datetime.timedelta(days=days):%Y-%m-%d}"


# --------------------------------------------------------------------------- list

def test_regional_list_has_the_guides_columns_and_phase(client, world):
    plan_via_services(world.admin_a, status=AuditStatus.APPROVED, reviewer=world.central)
    plan_via_services(world.admin_a)
    client.force_login(world.admin_a)
    html = client.get(reverse("plans:list")).content.decode()
    assert _headers(html) == GUIDE_COLUMNS[:7] + ["阶段"] + GUIDE_COLUMNS[7:] + ["操作"]
    assert "可导入" in html and "未审核" in html and "地区" not in _headers(html)


def test_central_list_adds_the_region_column_and_filter(client, world):
    a = plan_via_services(world.admin_a)
    b = plan_via_services(world.admin_b)
    client.force_login(world.central)
    response = client.get(reverse("plans:list"))
    html = response.content.decode()
    assert "地区" in _headers(html)
    assert f"plan-row-{a.batch_no}" in html and f"plan-row-{b.batch_no}" in html
    html = client.get(reverse("plans:list"), {"region": world.region_b.pk}).content.decode()
    assert f"plan-row-{a.batch_no}" not in html and f"plan-row-{b.batch_no}" in html


def test_search_by_batch_number_type_and_date_range(client, world):
    early = plan_via_services(world.admin_a, days_ahead=5, exam_type=ExamType.CONTINUING_ONLINE)
    late = plan_via_services(world.admin_a, days_ahead=30)
    client.force_login(world.admin_a)

    def rows(**params):
        html = client.get(reverse("plans:list"), params).content.decode()
        return set(re.findall(r'data-testid="plan-row-(\d+)"', html))

    assert rows() == {early.batch_no, late.batch_no}
    assert rows(batch_no=late.batch_no) == {late.batch_no}
    assert rows(exam_type=ExamType.CONTINUING_ONLINE) == {early.batch_no}
    assert rows(date_from=_in(10)) == {late.batch_no}
    assert rows(date_to=_in(10)) == {early.batch_no}
    assert rows(date_from=_in(1), date_to=_in(6)) == {early.batch_no}
    assert rows(audit_status=AuditStatus.APPROVED) == set()


def test_bad_date_range_is_reported_beside_the_field(client, world):
    client.force_login(world.admin_a)
    html = client.get(reverse("plans:list"), {"date_from": _in(10), "date_to": _in(1)}).content.decode()
    assert "结束日期不能早于开始日期" in html
    html = client.get(reverse("plans:list"), {"date_from": "2026/13/01"}).content.decode()
    assert "日期格式应为 yyyy-mm-dd" in html


def test_twenty_rows_a_page_with_a_size_selector(client, world):
    for i in range(25):
        ExamPlanFactory(batch_no=f"11269{i:02d}", days_ahead=10 + i)
    client.force_login(world.admin_a)
    html = client.get(reverse("plans:list")).content.decode()
    assert html.count('data-testid="plan-row-') == 20 and "共 25 条记录" in html
    html = client.get(reverse("plans:list"), {"page": 2}).content.decode()
    assert html.count('data-testid="plan-row-') == 5
    html = client.get(reverse("plans:list"), {"page_size": 50}).content.decode()
    assert html.count('data-testid="plan-row-') == 25


def test_approved_plan_shows_disabled_buttons_for_the_region(client, world):
    approved = plan_via_services(world.admin_a, status=AuditStatus.APPROVED, reviewer=world.central)
    pending = plan_via_services(world.admin_a)
    client.force_login(world.admin_a)
    html = client.get(reverse("plans:list")).content.decode()
    locked = re.search(rf'<button[^>]*disabled[^>]*data-testid="edit-{approved.batch_no}"', html)
    assert locked and APPROVED_LOCKED_MESSAGE in locked.group(0)
    assert re.search(rf'<button[^>]*disabled[^>]*data-testid="delete-{approved.batch_no}"', html)
    assert re.search(rf'<a [^>]*href="{reverse("plans:edit", args=[pending.pk])}"', html)


def test_import_link_only_for_an_approved_plan_with_an_open_roster(client, world):
    plan = plan_via_services(world.admin_a, status=AuditStatus.APPROVED, reviewer=world.central)
    locked = ExamPlanFactory(batch_no="1126900", days_ahead=1)  # approved, roster locked
    pending = plan_via_services(world.admin_a)
    client.force_login(world.admin_a)
    html = client.get(reverse("plans:list")).content.decode()
    import_page = reverse("candidates:import", args=[plan.pk])
    assert selectors.import_url(plan) == import_page
    assert f'href="{import_page}"' in html and "导入考生信息" in html
    # no link for the others: a disabled button saying why
    for other in (locked, pending):
        assert selectors.import_url(other) is None
        button = html.split(f'data-testid="import-{other.batch_no}"')[0].rsplit("<", 1)[1]
        assert button.startswith("button") and "disabled" in button


# --------------------------------------------------------------------------- add

def test_add_form_carries_each_types_duration(client, world):
    ExamTypeSetting.objects.filter(exam_type=ExamType.CONTINUING_ONLINE).update(duration_minutes=75)
    client.force_login(world.admin_a)
    html = client.get(reverse("plans:add"), **HTMX).content.decode()
    assert 'class="modal-backdrop"' in html and "<html" not in html
    assert re.search(r'value="continuing_online"[^>]*data-duration="75"', html)
    assert re.search(r'value="new_online"[^>]*data-duration="120"', html)
    assert "data-end-time" in html and "<script" not in html and "style=" not in html


def test_add_through_the_modal(client, world):
    client.force_login(world.admin_a)
    response = client.post(reverse("plans:add"), {"exam_type": ExamType.NEW_ONLINE, "exam_date": _in(7),
                                                  "start_time": "09:30", "end_time": "23:00"}, **HTMX)
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
    plan = ExamPlan.objects.get()
    assert plan.end_time == datetime.time(11, 30)  # computed on the server, the posted end time ignored
    assert plan.batch_no.startswith("11") and plan.audit_status == AuditStatus.PENDING


def test_add_without_javascript_redirects_to_the_list(client, world):
    client.force_login(world.admin_a)
    response = client.post(reverse("plans:add"), {"exam_type": ExamType.NEW_OFFLINE, "exam_date": _in(7),
                                                  "start_time": "09:30"})
    assert response.status_code == 302 and response["Location"] == reverse("plans:list")
    assert ExamPlan.objects.count() == 1


def test_a_year_typo_is_refused_beside_the_date_and_later_plans_still_work(client, world):
    client.force_login(world.admin_a)
    typo = f"{timezone.localdate().year + 100}-03-10"
    response = client.post(reverse("plans:add"), {"exam_type": ExamType.NEW_ONLINE, "exam_date": typo,
                                                  "start_time": "09:30"}, **HTMX)
    assert response.status_code == 200 and "最多提前一年安排" in response.content.decode()
    assert not ExamPlan.all_objects.exists()
    response = client.post(reverse("plans:add"), {"exam_type": ExamType.NEW_ONLINE, "exam_date": _in(7),
                                                  "start_time": "09:30"}, **HTMX)
    assert response.status_code == 200 and ExamPlan.objects.count() == 1


def test_add_within_48_hours_shows_the_reason_beside_the_date(client, world):
    client.force_login(world.admin_a)
    response = client.post(reverse("plans:add"), {"exam_type": ExamType.NEW_ONLINE, "exam_date": _in(1),
                                                  "start_time": "09:30"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "HX-Refresh" not in response
    assert re.search(r'data-testid="error-exam_date"><li>考核开始时间须在 48 小时之后', html)
    assert not ExamPlan.all_objects.exists()


def test_add_with_missing_fields_says_which(client, world):
    client.force_login(world.admin_a)
    html = client.post(reverse("plans:add"), {"exam_date": "2026-02-30"}, **HTMX).content.decode()
    assert "请选择考核类型" in html and "考核日期格式应为 yyyy-mm-dd" in html and "请填写开始时间" in html
    assert not ExamPlan.all_objects.exists()


# --------------------------------------------------------------------------- modify / delete

def test_region_modify_of_an_approved_plan_is_refused_on_page_and_post(client, world):
    plan = plan_via_services(world.admin_a, status=AuditStatus.APPROVED, reviewer=world.central)
    client.force_login(world.admin_a)
    html = client.get(reverse("plans:edit", args=[plan.pk]), **HTMX).content.decode()
    assert APPROVED_LOCKED_MESSAGE in html and "<form" not in html
    response = client.post(reverse("plans:edit", args=[plan.pk]), {
        "exam_type": plan.exam_type, "exam_date": _in(20), "start_time": "10:00", "version": plan.version}, **HTMX)
    assert APPROVED_LOCKED_MESSAGE in response.content.decode() and "HX-Refresh" not in response
    response = client.post(reverse("plans:edit", args=[plan.pk]), {"exam_date": "garbage"}, **HTMX)
    assert APPROVED_LOCKED_MESSAGE in response.content.decode()  # the rule, not a field error
    html = client.get(reverse("plans:delete", args=[plan.pk])).content.decode()
    assert APPROVED_LOCKED_MESSAGE in html
    response = client.post(reverse("plans:delete", args=[plan.pk]), {"version": plan.version})
    assert APPROVED_LOCKED_MESSAGE in response.content.decode()
    current = ExamPlan.objects.get(pk=plan.pk)
    assert current.exam_date == plan.exam_date and current.version == plan.version


def test_region_modifies_a_rejected_plan_back_to_pending(client, world):
    plan = plan_via_services(world.admin_a, status=AuditStatus.REJECTED, reviewer=world.central, note="请改到下午")
    client.force_login(world.admin_a)
    html = client.get(reverse("plans:edit", args=[plan.pk]), **HTMX).content.decode()
    assert "审核不通过：请改到下午" in html and f'value="{plan.version}"' in html
    response = client.post(reverse("plans:edit", args=[plan.pk]), {
        "exam_type": plan.exam_type, "exam_date": f"{plan.exam_date:%Y-%m-%d}", "start_time": "14:00",
        "version": plan.version}, **HTMX)
    assert response["HX-Refresh"] == "true"
    plan.refresh_from_db()
    assert plan.audit_status == AuditStatus.PENDING and plan.start_time == datetime.time(14, 0)


def test_central_modify_requires_a_reason_and_is_shown_in_the_history(client, world):
    plan = plan_via_services(world.admin_a, status=AuditStatus.APPROVED, reviewer=world.central)
    client.force_login(world.central)
    data = {"exam_type": plan.exam_type, "exam_date": f"{plan.exam_date:%Y-%m-%d}", "start_time": "13:00",
            "version": plan.version}
    html = client.post(reverse("plans:edit", args=[plan.pk]), data, **HTMX).content.decode()
    assert "部中心修改计划时必须填写修改原因" in html
    assert ExamPlan.objects.get(pk=plan.pk).start_time == datetime.time(9, 0)
    response = client.post(reverse("plans:edit", args=[plan.pk]), {**data, "reason": "考点临时调整"}, **HTMX)
    assert response["HX-Refresh"] == "true"
    client.force_login(world.admin_a)
    html = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "部中心修改" in html and "考点临时调整" in html and "考试开始时间：09:00 → 13:00" in html


def test_region_deletes_a_pending_plan(client, world):
    plan = plan_via_services(world.admin_a)
    client.force_login(world.admin_a)
    response = client.post(reverse("plans:delete", args=[plan.pk]), {"version": plan.version}, **HTMX)
    assert response["HX-Redirect"] == reverse("plans:list")
    assert not ExamPlan.objects.filter(pk=plan.pk).exists() and ExamPlan.all_objects.filter(pk=plan.pk).exists()
    html = client.get(reverse("plans:list")).content.decode()
    assert f"考核计划 {plan.batch_no} 已删除" in html and f"plan-row-{plan.batch_no}" not in html


# --------------------------------------------------------------------------- review

def test_review_queue_lists_pending_plans_of_every_region(client, world):
    a = plan_via_services(world.admin_a)
    b = plan_via_services(world.admin_b)
    done = plan_via_services(world.admin_a, status=AuditStatus.APPROVED, reviewer=world.central)
    client.force_login(world.central)
    html = client.get(reverse("plans:review_queue")).content.decode()
    assert f"review-row-{a.batch_no}" in html and f"review-row-{b.batch_no}" in html
    assert f"review-row-{done.batch_no}" not in html
    assert html.index(f"review-row-{a.batch_no}") < html.index(f"review-row-{b.batch_no}")  # oldest first


def test_reject_without_a_note_is_refused_beside_the_note(client, world):
    plan = plan_via_services(world.admin_a)
    client.force_login(world.central)
    html = client.post(reverse("plans:review", args=[plan.pk]), {"version": plan.version, "decision": "reject"},
                       **HTMX).content.decode()
    assert re.search(r'data-testid="error-note"><li>审核不通过时必须填写审核说明', html)
    assert ExamPlan.objects.get(pk=plan.pk).audit_status == AuditStatus.PENDING


def test_approve_and_reject_through_the_page(client, world):
    a = plan_via_services(world.admin_a)
    b = plan_via_services(world.admin_b)
    client.force_login(world.central)
    client.post(reverse("plans:review", args=[a.pk]), {"version": a.version, "decision": "approve"}, **HTMX)
    client.post(reverse("plans:review", args=[b.pk]), {"version": b.version, "decision": "reject", "note": "日期冲突"})
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.audit_status, a.reviewer) == (AuditStatus.APPROVED, world.central)
    assert (b.audit_status, b.review_note) == (AuditStatus.REJECTED, "日期冲突")
    html = client.get(reverse("plans:list")).content.decode()
    assert "日期冲突" in html and world.central.display_name in html


def test_review_form_opened_before_a_region_edit_cannot_approve(client, world):
    plan = plan_via_services(world.admin_a)
    client.force_login(world.central)
    html = client.get(reverse("plans:review", args=[plan.pk]), **HTMX).content.decode()
    seen = int(re.search(r'name="version" value="(\d+)"', html).group(1))
    client.force_login(world.admin_a)
    client.post(reverse("plans:edit", args=[plan.pk]), {"exam_type": plan.exam_type, "exam_date": _in(12),
                                                        "start_time": "10:00", "version": seen})
    client.force_login(world.central)
    html = client.post(reverse("plans:review", args=[plan.pk]), {"version": seen, "decision": "approve"},
                       **HTMX).content.decode()
    assert "已被修改" in html
    assert ExamPlan.objects.get(pk=plan.pk).audit_status == AuditStatus.PENDING
    assert not AuditLog.objects.filter(action=Action.PLAN_APPROVE).exists()


def test_unknown_decision_changes_nothing(client, world):
    plan = plan_via_services(world.admin_a)
    client.force_login(world.central)
    html = client.post(reverse("plans:review", args=[plan.pk]), {"version": plan.version, "decision": "maybe"},
                       **HTMX).content.decode()
    assert "请选择“审核通过”或“审核不通过”" in html
    assert ExamPlan.objects.get(pk=plan.pk).version == plan.version


# --------------------------------------------------------------------------- settings

def test_central_sets_durations(client, world):
    client.force_login(world.central)
    html = client.get(reverse("plans:settings")).content.decode()
    assert 'value="90"' in html and 'value="120"' in html
    html = client.post(reverse("plans:settings"), {"continuing_online": 5, "new_online": 120, "new_offline": 120}).content.decode()
    assert "考试时长不能少于 10 分钟" in html
    assert ExamTypeSetting.objects.get(exam_type="continuing_online").duration_minutes == 90
    response = client.post(reverse("plans:settings"), {"continuing_online": 100, "new_online": 120, "new_offline": 120})
    assert response.status_code == 302
    assert ExamTypeSetting.objects.get(exam_type="continuing_online").duration_minutes == 100
