"""Pages of 学员考核信息管理 (the guide 三; SPEC.md §4). Thin: parse the input, fetch through a
scoped selector (another region's candidate is a 404, exactly like a missing one), call one
service, render. The import pages live in views_import / urls_import (docs/decisions.md#candidate-import)."""

import math
from html import escape as _escape

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import services as account_services
from core.errors import ApplicationError
from core.filters import InvalidFilter
from core.forms import add_application_error, error_summary
from core.masking import mask_id_number, mask_phone
from core.pagination import paginate
from core.permissions import admin_required, role_required
from core.roles import Role
from core.scoping import get_visible_or_404
from jobs.models import Job
from plans.choices import AuditStatus
from plans.rules import Phase, phase, roster_cutoff, roster_open

from . import services
from .exports import PAGE_COLUMNS
from .forms import CandidateFilterForm, CandidateForm, ExportForm, ReasonForm
from .models import NoticeLog, Registration
from .notices import plan_notified_today, registration_phone
from .selectors import (
    DEFAULT_SORT,
    EXACT_COUNT_LIMIT,
    own_registrations,
    plan_for_roster,
    registration_count,
    registration_get,
    registration_history,
    registration_page_rows,
    registration_suspension,
)

COLUMNS = [(c.header, c.sort) for c in PAGE_COLUMNS]  # (header, sort key or None), one table with the export


def _frozen_reason(plan) -> str:
    if plan.audit_status != AuditStatus.APPROVED:
        return "该考核计划尚未审核通过"
    if roster_open(plan):
        return ""
    cutoff = timezone.localtime(roster_cutoff(plan))
    return f"已过考核开始前 48 小时（{cutoff:%Y-%m-%d %H:%M}），考生名单已锁定"


def _row(reg: Registration, suspended: dict | None = None) -> dict:
    person = reg.person
    frozen = _frozen_reason(reg.plan)
    if suspended is None:
        if hasattr(reg, "suspended_until"):  # annotated by selectors.registration_rows
            suspended = {reg.pk: reg.suspended_until} if reg.suspended_until else {}
        else:
            suspended = registration_suspension([reg])
    until = suspended.get(reg.pk)
    return {
        "pk": reg.pk,
        "batch_no": reg.plan.batch_no,
        "candidate_number": reg.candidate_number,
        "name": person.name,
        "id_type": person.id_type.name,
        "id_number": mask_id_number(person.id_number),
        "company_name": reg.company_name,
        "credit_code": reg.credit_code,
        "exam_type": reg.get_exam_type_display(),
        "personnel_type": reg.personnel_type,
        "phone": mask_phone(reg.phone),
        "suspended_until": until,
        "frozen": frozen,
    }


# Long headers on two lines, so that the list fits a 1366 px screen (docs/decisions.md#lists-1366).
HEADER_LINES = {"人员类型/报考类型": ("人员类型/", "报考类型"), "统一社会信用代码": ("统一社会", "信用代码")}
HEADER_HTML = {label: mark_safe("<br>".join(escape(line) for line in HEADER_LINES.get(label, (label,))))
               for label, _ in COLUMNS}


_ROW_HTML = (
    '<tr data-testid="candidate-row"><td class="num">{n}</td><td>{batch_no}</td>'
    '<td><a href="{detail_url}">{candidate_number}</a></td><td>{name}{badge}</td><td>{id_type}</td>'
    '<td class="mono">{id_number}</td><td class="company">{company_name}</td><td class="mono">{credit_code}</td>'
    '<td>{exam_type}</td><td>{personnel_type}</td><td class="mono">{phone}</td><td class="actions">{actions}</td></tr>'
)
_BADGE_HTML = ' <span class="badge danger" data-testid="suspended" title="黑名单处罚期至 {until}">停考</span>'
_ACTIONS_HTML = ('<a href="{edit_url}" data-testid="edit-{candidate_number}">修改</a> '
                 '<a href="{delete_url}" class="danger" data-testid="delete-{candidate_number}">删除</a>')
_FROZEN_HTML = '<span class="muted" title="{frozen}">已锁定</span>'
_ROW_TEXT = ("batch_no", "candidate_number", "name", "id_type", "id_number", "company_name", "credit_code",
             "exam_type", "personnel_type", "phone", "detail_url", "edit_url", "delete_url", "frozen")


def _rows_html(rows: list[dict], *, first_number: int) -> str:
    """The table's rows (from _row) as one safe string, every value escaped (html.escape, as
    the template's autoescape does). Written here rather than in the template: 20 rows × 18
    values through the template engine were a fifth of the page's time (bench_candidates.py)."""
    out = []
    for n, row in enumerate(rows, start=first_number):
        text = {k: _escape(str(row[k])) for k in _ROW_TEXT}
        until = row["suspended_until"]
        text["badge"] = _BADGE_HTML.format(until=until.isoformat()) if until else ""
        text["actions"] = (_ACTIONS_HTML if row["may_change"] else _FROZEN_HTML).format(**text)
        out.append(_ROW_HTML.format(n=n, **text))
    return mark_safe("".join(out))


def _sort_headers(request, current: str) -> list[dict]:
    headers = []
    for label, key in COLUMNS:
        item = {"label": label, "label_html": HEADER_HTML[label], "url": None, "mark": ""}
        if key:
            params = request.GET.copy()
            params.pop("page", None)
            params["sort"] = f"-{key}" if current == key else key
            item["url"] = "?" + params.urlencode()
            if current.lstrip("-") == key and label != "考试批次":
                item["mark"] = "▼" if current.startswith("-") else "▲"
        headers.append(item)
    return headers


def _query_without(request, *names) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def _may_change(user, plan) -> bool:
    """Whether the buttons are live: the region until the cutoff, central always (with a reason)."""
    return user.role == Role.CENTRAL or not _frozen_reason(plan)


def _list_page(request, qs) -> dict:
    """The page of the filtered list (core.pagination.paginate, with `estimated`). The total is
    exact up to selectors.EXACT_COUNT_LIMIT rows and the planner's estimate above it (labelled
    约 … on the page); paging past an overestimate lands on the real last page."""
    total, estimated = registration_count(qs)
    rows = registration_page_rows(qs, fetched_by=request.user, total=total, estimated=estimated)
    return paginate(request, rows, total=total, estimated=estimated)


@admin_required
def candidate_list(request):
    form = CandidateFilterForm(request.GET, user=request.user)
    filters = form.shown_filters()
    page = _list_page(request, form.rows())
    count = page["paginator"].count
    plan = filters.get("plan")
    page_regs = list(page["page_obj"])
    # the page's 停考 marks come with its rows (selectors.registration_rows)
    suspended = {r.pk: r.suspended_until for r in page_regs if r.suspended_until}
    rows = [_row(r, suspended) for r in page_regs]
    # one reverse() per kind of link, not three per row (the page is on the 50 ms budget)
    urls = {k: reverse(f"candidates:{k}", args=[987654321]) for k in ("detail", "edit", "delete")}
    for row in rows:
        row["may_change"] = request.user.role == Role.CENTRAL or not row["frozen"]
        for kind, url in urls.items():
            row[f"{kind}_url"] = url.replace("987654321", str(row["pk"]))
    rows_html = _rows_html(rows, first_number=page["page_obj"].start_index())
    context = {
        "form": form,
        "filter_fields": form.rendered_fields(),
        "sort_value": filters.get("sort", ""),
        "rows": rows,
        "rows_html": rows_html,
        "headers": _sort_headers(request, filters.get("sort") or DEFAULT_SORT),
        "export_parts": range(1, math.ceil(count / services.EXPORT_PART_SIZE) + 1),
        "export_query": _query_without(request, "page", "page_size"),
        "export_sync_limit": services.EXPORT_SYNC_LIMIT,
        "exact_count_limit": EXACT_COUNT_LIMIT,
        "plan": plan,
        "plan_frozen": _frozen_reason(plan) if plan else "",
        "plan_may_add": bool(plan) and not _frozen_reason(plan),
        **page,
    }
    return render(request, "candidates/list.html", context)


@admin_required
def candidate_detail(request, pk: int):
    registration = registration_get(pk=pk, fetched_by=request.user)
    context = {
        "reg": registration,
        "row": _row(registration),
        "may_change": _may_change(request.user, registration.plan),
        "history": registration_history(registration=registration, fetched_by=request.user)[:50],
        # the notices that reached this candidate's phone (one SMS per number and day)
        "notices": NoticeLog.objects.filter(phone=registration_phone(registration)).order_by("-date")[:10],
        "login_lock": account_services.candidate_lock_status(person=registration.person),
        "account_phone": mask_phone(registration.person.user.phone) if registration.person.user_id else "",
    }
    return render(request, "candidates/detail.html", context)


@admin_required
@require_POST
def candidate_unlock(request, pk: int):
    """解除登录锁定: the candidate failed to sign in 5 times and asks their 管局 for help."""
    registration = registration_get(pk=pk, fetched_by=request.user)
    try:
        was_locked = account_services.candidate_unlock(person=registration.person, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已解除 {registration.person.name} 的登录锁定" if was_locked
                         else f"{registration.person.name} 未处于锁定状态")
    return redirect("candidates:detail", pk=registration.pk)


@role_required(Role.CENTRAL)
@require_POST
def candidate_phone(request, pk: int):
    """部中心 更正登录手机号码 of the candidate's account (audited, with a reason)."""
    registration = registration_get(pk=pk, fetched_by=request.user)
    try:
        account_services.candidate_verified_phone_set(
            person=registration.person, phone=request.POST.get("phone", "")[:20],
            reason=request.POST.get("reason", "")[:500], acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已更正 {registration.person.name} 的登录手机号码")
    return redirect("candidates:detail", pk=registration.pk)


@admin_required
@require_POST
@never_cache
def candidate_reveal(request, pk: int):
    registration = registration_get(pk=pk, fetched_by=request.user)
    revealed = services.registration_reveal(registration=registration, acting_user=request.user)
    template = "candidates/_revealed.html" if request.htmx else "candidates/revealed.html"
    return render(request, template, {"reg": registration, "revealed": revealed})


def _form_errors_from(form, exc: ApplicationError) -> None:
    """Put the validator's errors beside their fields (the column header → the form field)."""
    from .importing.columns import COLUMN_BY_HEADER

    errors = getattr(exc, "errors", None)
    if errors:
        for error in errors:
            column = COLUMN_BY_HEADER.get(error.column)
            field = column.key if column and column.key in form.fields else None
            form.add_error(field, error.message)
    else:
        add_application_error(form, exc)


def _show_warnings(request, warnings) -> None:
    for w in warnings:
        messages.warning(request, f"{w.column}：{w.message}")


@admin_required
def candidate_add(request, plan_id: int):
    plan = plan_for_roster(plan_id=plan_id, fetched_by=request.user)
    frozen = _frozen_reason(plan)
    form = CandidateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registration, warnings = services.registration_create(plan=plan, raw=form.raw_row(),
                                                                 acting_user=request.user)
        except ApplicationError as exc:
            _form_errors_from(form, exc)
        else:
            _show_warnings(request, warnings)
            messages.success(request, f"已添加考生 {registration.person.name}，考生编号 {registration.candidate_number}")
            return redirect(reverse("candidates:list") + f"?plan={plan.pk}")
    return render(request, "candidates/form.html", {"form": form, "plan": plan, "frozen": frozen, "mode": "add"})


@admin_required
def candidate_edit(request, pk: int):
    registration = registration_get(pk=pk, fetched_by=request.user)
    plan = registration.plan
    reason_required = services.roster_change_reason_required(plan=plan, acting_user=request.user)
    frozen = _frozen_reason(plan)
    person = registration.person
    # The form shows 证件号码 and 手机号码 masked, like every page but the logged 查看完整信息: a
    # value sent back unchanged (still masked) keeps the stored one; a correction is typed whole.
    masked = {"id_number": (mask_id_number(person.id_number), person.id_number),
              "phone": (mask_phone(registration.phone), registration.phone)}
    initial = {
        "name": person.name, "id_type": person.id_type, "id_number": masked["id_number"][0],
        "phone": masked["phone"][0], "company_name": registration.company_name,
        "credit_code": registration.credit_code,
        "personnel_type": registration.personnel_type, "cert_number": registration.cert_number,
        "cert_expiry": f"{registration.cert_expiry:%Y-%m-%d}" if registration.cert_expiry else "",
    }
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        for field, (shown, stored) in masked.items():
            if data.get(field, "").strip() == shown:
                data[field] = stored
    form = CandidateForm(data, initial=initial, reason_required=reason_required,
                         show_reason=request.user.role == Role.CENTRAL)
    for field in masked:
        form.fields[field].help_text = "已隐去部分数字；不修改则保持原值，如需更正请完整填写"
    if request.method == "POST" and form.is_valid():
        try:
            registration, warnings = services.registration_update(
                registration=registration, raw=form.raw_row(), acting_user=request.user,
                reason=form.cleaned_data.get("reason", ""))
        except ApplicationError as exc:
            _form_errors_from(form, exc)
        else:
            _show_warnings(request, warnings)
            messages.success(request, f"已保存考生 {registration.candidate_number} 的信息")
            return redirect("candidates:detail", registration.pk)
    if data is not None:  # shown again with errors: still masked where it was not changed
        for field, (shown, stored) in masked.items():
            if data.get(field, "").strip() == stored:
                data[field] = shown
    context = {"form": form, "plan": plan, "reg": registration, "frozen": frozen, "mode": "edit",
               "may_change": _may_change(request.user, plan), "reason_required": reason_required}
    return render(request, "candidates/form.html", context)


@admin_required
def candidate_delete(request, pk: int):
    registration = registration_get(pk=pk, fetched_by=request.user)
    plan = registration.plan
    reason_required = services.roster_change_reason_required(plan=plan, acting_user=request.user)
    form = ReasonForm(request.POST or None, reason_required=reason_required)
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_delete(registration=registration, acting_user=request.user,
                                         reason=form.cleaned_data.get("reason", ""))
        except ApplicationError as exc:
            form.add_error("reason" if exc.field == "reason" else None, exc.message)
        else:
            messages.success(request, f"已删除考生 {registration.candidate_number}（该考生编号不再使用）")
            return redirect(reverse("candidates:list") + f"?plan={plan.pk}")
    context = {"form": form, "reg": registration, "row": _row(registration), "frozen": _frozen_reason(plan),
               "may_change": _may_change(request.user, plan), "reason_required": reason_required}
    return render(request, "candidates/delete.html", context)


@admin_required
@never_cache
def candidate_export(request):
    """POST with the list's filters in the query string: ?part=N (5,000 rows) or the whole list
    (services.registration_export; a large list becomes a background job)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    back = reverse("candidates:list") + ("?" + request.GET.urlencode() if request.GET else "")
    options = ExportForm(request.POST)
    if not options.is_valid():
        messages.error(request, error_summary(options))
        return redirect(back)
    try:
        export = services.registration_export(query=request.GET.urlencode(), part=options.cleaned_data.get("part"),
                                              full=options.cleaned_data.get("full") or False,
                                              acting_user=request.user)
    except InvalidFilter as exc:  # the list page shows the same filters with their errors and no rows
        messages.error(request, f"{exc.message}。未导出任何数据")
        return redirect(back)
    except ApplicationError as exc:  # a part past the end
        messages.error(request, exc.message)
        return redirect(back)
    if export.job is not None:
        return redirect("jobs:detail", export.job.pk)
    return FileResponse(export.handle, as_attachment=True, filename=export.filename,
                        content_type=services.XLSX_CONTENT_TYPE)


@admin_required
def plan_notice(request, plan_id: int):
    """发送考前测试通知 to every candidate of a plan (the guide 三), in the background."""
    plan = plan_for_roster(plan_id=plan_id, fetched_by=request.user)
    error = ""
    if request.method == "POST":
        try:
            job = services.plan_notice_start(plan=plan, acting_user=request.user)
        except ApplicationError as exc:
            error = exc.message
        else:
            return redirect(reverse("candidates:notice", args=[plan.pk]) + f"?job={job.pk}")
    job = None
    if request.GET.get("job"):
        try:
            job = get_visible_or_404(Job, request.user, pk=request.GET["job"], kind="candidates.notice")
        except Http404:
            job = None
    today = timezone.localdate()
    total = Registration.objects.filter(plan=plan).count()
    notified = plan_notified_today(plan=plan, today=today)
    if request.htmx and request.GET.get("part") == "counts":
        # polled while the job runs, so the counts beside its progress agree when it is done
        return render(request, "candidates/_notice_counts.html",
                      {"plan": plan, "total": total, "notified": notified, "job": job})
    if not error:
        try:
            services.plan_notice_assert_allowed(plan=plan)
        except ApplicationError as exc:
            error = exc.message if request.method == "GET" else error
    context = {"plan": plan, "total": total, "notified": notified, "job": job, "error": error, "today": today}
    return render(request, "candidates/notice.html", context)


# what a candidate is told about each of their exams, by the plan's phase (plans.rules.phase)
_CANDIDATE_STATE = {
    Phase.IMPORTABLE: "待考试",
    Phase.LOCKED: "待考试（名单已锁定）",
    Phase.IN_PROGRESS: "考试进行中",
    Phase.AWAITING_CHECK: "考试已结束，成绩待发布",
    Phase.PUBLISHED: "成绩已发布",
}


@role_required(Role.CANDIDATE)
def my_registrations(request):
    """我的考核: the candidate's own exams and the details their 管局 imported, masked, with the
    moment until which the 管局 can still correct them."""
    from exams.selectors import next_steps
    from review.selectors import results_for_candidate

    now = timezone.now()
    regs = list(own_registrations(fetched_by=request.user))
    suspended = registration_suspension(regs)
    steps = next_steps(regs, now=now)
    results = results_for_candidate(regs, now=now)  # published plans only (docs/decisions.md#publication)
    rows = []
    for reg in regs:
        result = results.get(reg.pk)
        if result is not None:  # the plans.rules hook: a published plan's phase is 成绩已发布
            reg.plan.scores_published_at = result["publication"].published_at
        cutoff = roster_cutoff(reg.plan)
        # 停考 stops an exam still to come; an exam already sat shows its result instead
        until = suspended.get(reg.pk) if now < reg.plan.ends_at else None
        state = f"停考（黑名单处罚期至 {until:%Y-%m-%d}）" if until else _CANDIDATE_STATE[phase(reg.plan, now)]
        exam = steps[reg.pk]
        if until:  # 停考: no entry (exams.services.attempt_start refuses it too)
            exam = {**exam, "step": "停考，不能进入考试", "url": None, "open": False, "pretest": None, "then": "",
                    "remote": None}
        rows.append({"reg": reg, "state": state, "suspended": bool(until), "cutoff": cutoff,
                     "correctable": now < cutoff, "masked_phone": mask_phone(reg.phone), "exam": exam,
                     "result": result})
    person = regs[0].person if regs else None
    context = {"rows": rows, "person": person,
               "masked_id": mask_id_number(person.id_number) if person else "",
               "masked_phone": request.user.masked_phone}
    return render(request, "candidates/mine.html", context)
