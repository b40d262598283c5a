"""考核计划管理 pages. Thin: parse input, fetch through a scoped selector, call one service,
render. Add/modify/delete/review open in a modal through htmx (the guide's 弹出框) and work as
plain pages without JavaScript."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from core.errors import ApplicationError
from core.forms import add_application_error
from core.pagination import paginate
from core.permissions import admin_required, central_required, role_required
from core.roles import Role
from core.scoping import get_visible_or_404

from .filters import PlanFilterForm, ReviewQueueFilterForm
from .forms import DeleteForm, DurationSettingsForm, PlanForm, ReviewForm
from .models import ExamPlan
from .rules import (
    APPROVED_LOCKED_MESSAGE,
    assert_roster_writable,
    phase,
    region_may_change,
    roster_cutoff,
    roster_open,
)
from .selectors import exam_type_durations, import_url, plan_history_rows
from .services import (
    exam_type_durations_set,
    plan_approve,
    plan_create,
    plan_delete,
    plan_reject,
    plan_update,
    plan_update_by_central,
)


def _base(request) -> str:
    return "plans/_modal.html" if request.htmx else "plans/_page.html"


def _back_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("plans:list")


def _done(request, message: str, *, leave: bool = False) -> HttpResponse:
    """After a successful write: reload the page under the modal (or go back to the list)."""
    messages.success(request, message)
    if request.htmx:
        return HttpResponseClientRedirect(reverse("plans:list")) if leave else HttpResponseClientRefresh()
    return redirect(reverse("plans:list") if leave else _back_url(request))


def _import_refusal(plan: ExamPlan, now) -> str:
    """Why 导入考生信息 is not offered (the disabled button's tooltip), or "" when it is."""
    try:
        assert_roster_writable(plan, now)
    except ApplicationError as exc:
        return exc.message
    return ""


def _row(plan: ExamPlan, user, now) -> dict:
    is_central = user.role == Role.CENTRAL
    return {
        "plan": plan,
        "phase": phase(plan, now),
        "past_cutoff": not roster_open(plan, now),
        "cutoff": roster_cutoff(plan),
        "import_url": import_url(plan),
        "import_refusal": _import_refusal(plan, now),
        "region_may_change": region_may_change(plan),
        "can_review": is_central and plan.audit_status == "pending",
    }


# --------------------------------------------------------------------------- lists

@admin_required
def plan_list_view(request):
    """考核计划管理: the guide's columns, 高级搜索, 20 rows a page; central sees every region."""
    is_central = request.user.role == Role.CENTRAL
    form = PlanFilterForm(request.GET, user=request.user)
    context = paginate(request, form.rows())
    now = timezone.now()
    context.update(form=form, rows=[_row(p, request.user, now) for p in context["page_obj"]],
                   is_central=is_central, approved_locked_message=APPROVED_LOCKED_MESSAGE)
    return render(request, "plans/list.html", context)


@central_required
def review_queue(request):
    """计划审核: 未审核 plans of every region, oldest application first."""
    form = ReviewQueueFilterForm(request.GET, user=request.user)
    context = paginate(request, form.rows())
    now = timezone.now()
    context.update(form=form, rows=[_row(p, request.user, now) for p in context["page_obj"]])
    return render(request, "plans/review_queue.html", context)


@admin_required
def plan_detail(request, pk: int):
    plan = get_visible_or_404(ExamPlan, request.user, pk=pk)
    context = {
        "row": _row(plan, request.user, timezone.now()),
        "plan": plan,
        "cutoff": roster_cutoff(plan),
        "history": plan_history_rows(plan=plan, fetched_by=request.user),
        "is_central": request.user.role == Role.CENTRAL,
        "approved_locked_message": APPROVED_LOCKED_MESSAGE,
    }
    return render(request, "plans/detail.html", context)


# --------------------------------------------------------------------------- writes

@role_required(Role.REGIONAL)
def plan_add(request):
    """添加 (the guide 二(一)): a modal with 考核类型, 考核日期, 开始时间 and the computed 结束时间."""
    durations = exam_type_durations(fetched_by=request.user)
    form = PlanForm(request.POST or None, durations=durations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = plan_create(exam_type=data["exam_type"], exam_date=data["exam_date"],
                               start_time=data["start_time"], acting_user=request.user)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            return _done(request, f"已添加考核计划 {plan.batch_no}，等待部中心审核")
    return render(request, "plans/plan_form.html",
                  {"base_template": _base(request), "form": form, "title": "添加考核计划", "plan": None})


@admin_required
def plan_edit(request, pk: int):
    """修改: the region while 未审核/审核不通过; central at any time with a reason."""
    plan = get_visible_or_404(ExamPlan, request.user, pk=pk)
    is_central = request.user.role == Role.CENTRAL
    context = {"base_template": _base(request), "plan": plan, "is_central": is_central,
               "title": f"修改考核计划 {plan.batch_no}"}
    if not is_central and not region_may_change(plan):
        # The button is disabled; a direct visit or a form opened before the approval gets the
        # answer plan_update gives (which enforces it again under the row lock).
        return render(request, "plans/refused.html", {**context, "message": APPROVED_LOCKED_MESSAGE})
    initial = {"exam_type": plan.exam_type, "exam_date": plan.exam_date, "start_time": plan.start_time,
               "end_time": f"{plan.end_time:%H:%M}", "version": plan.version}
    form = PlanForm(request.POST or None, initial=initial, durations=exam_type_durations(fetched_by=request.user), with_reason=is_central)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {"plan": plan, "exam_type": data["exam_type"], "exam_date": data["exam_date"],
                  "start_time": data["start_time"], "seen_version": data.get("version"), "acting_user": request.user}
        try:
            if is_central:
                plan_update_by_central(reason=data["reason"], **fields)
            else:
                plan_update(**fields)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            return _done(request, f"考核计划 {plan.batch_no} 已修改" + ("" if is_central else "，等待部中心审核"))
    return render(request, "plans/plan_form.html", {**context, "form": form})


@admin_required
def plan_delete_view(request, pk: int):
    """删除: the region while 未审核/审核不通过; central with a reason; never with registrations."""
    plan = get_visible_or_404(ExamPlan, request.user, pk=pk)
    is_central = request.user.role == Role.CENTRAL
    context = {"base_template": _base(request), "plan": plan, "is_central": is_central,
               "title": f"删除考核计划 {plan.batch_no}"}
    if not is_central and not region_may_change(plan):  # plan_delete enforces it again
        return render(request, "plans/refused.html", {**context, "message": APPROVED_LOCKED_MESSAGE})
    form = DeleteForm(request.POST or None, initial={"version": plan.version}, with_reason=is_central)
    if request.method == "POST" and form.is_valid():
        try:
            plan_delete(plan=plan, seen_version=form.cleaned_data["version"],
                        reason=form.cleaned_data.get("reason", ""), acting_user=request.user)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            return _done(request, f"考核计划 {plan.batch_no} 已删除", leave=True)
    return render(request, "plans/delete.html", {**context, "form": form})


@central_required
def plan_review(request, pk: int):
    """审核: 审核通过 or 审核不通过 (with 审核说明) of the version central is looking at."""
    plan = get_visible_or_404(ExamPlan, request.user, pk=pk)
    form = ReviewForm(request.POST or None, initial={"version": plan.version})
    if request.method == "POST" and form.is_valid():
        decision = request.POST.get("decision")
        data = form.cleaned_data
        try:
            if decision == "approve":
                plan_approve(plan=plan, seen_version=data["version"], note=data["note"], acting_user=request.user)
            elif decision == "reject":
                plan_reject(plan=plan, seen_version=data["version"], note=data["note"], acting_user=request.user)
            else:
                raise ApplicationError("请选择“审核通过”或“审核不通过”")
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            verdict = "审核通过" if decision == "approve" else "审核不通过"
            return _done(request, f"考核计划 {plan.batch_no}：{verdict}")
    context = {"base_template": _base(request), "plan": plan, "form": form, "title": f"审核考核计划 {plan.batch_no}",
               "row": _row(plan, request.user, timezone.now()), "cutoff": roster_cutoff(plan),
               "history": plan_history_rows(plan=plan, fetched_by=request.user)}
    return render(request, "plans/review.html", context)


@central_required
def duration_settings(request):
    """考试时长设置: central sets each 考核类型's duration (SPEC.md §2)."""
    durations = exam_type_durations(fetched_by=request.user)
    form = DurationSettingsForm(request.POST or None, durations=durations)
    if request.method == "POST" and form.is_valid():
        try:
            changed = exam_type_durations_set(durations=dict(form.cleaned_data), acting_user=request.user)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, f"已保存（{len(changed)} 项有变化）。已有计划保持原时长，新添加或修改的计划使用新时长。")
            return redirect("plans:settings")
    return render(request, "plans/settings.html", {"form": form})
