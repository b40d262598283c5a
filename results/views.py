"""成绩管理 (the guide 四; docs/decisions.md#score-sheet): the plans whose 成绩单 the user may read, one plan's
成绩单 with its filters, its export (xlsx, in parts of 5,000 or whole) and its printable PDF.
A region reaches only its own region's published plans (results.selectors.score_plan_get)."""

import math

from django.contrib import messages
from django.http import FileResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from core.pagination import paginate
from core.permissions import admin_required
from core.roles import Role
from jobs.services import job_create, job_enqueue

from . import selectors, services
from .exports import EXPORT_PART_SIZE, sheet_filename, sheet_tempfile
from .filters import PlanFilterForm, SheetFilterForm

EXPORT_SYNC_LIMIT = 20000


@admin_required
def score_list(request):
    form = PlanFilterForm(request.GET, user=request.user)
    page = paginate(request, form.rows())
    return render(request, "results/list.html", {
        "form": form, "filter_fields": form.rendered_fields(), "is_central": request.user.role == Role.CENTRAL,
        **page})


def _sheet_context(request, plan):
    form = SheetFilterForm(request.GET, user=request.user)
    return form, form.shown_filters(), form.rows(plan=plan)


@admin_required
def score_sheet(request, plan_id: int):
    plan = selectors.score_plan_get(plan_id=plan_id, fetched_by=request.user)
    form, filters, qs = _sheet_context(request, plan)
    page = paginate(request, selectors.score_sheet_values(qs))
    rows = [selectors.sheet_cells(row) for row in page["page_obj"]]
    count = page["paginator"].count
    params = request.GET.copy()
    for name in ("page", "page_size"):
        params.pop(name, None)
    return render(request, "results/sheet.html", {
        "plan": plan, "publication": plan.publication, "form": form, "filter_fields": form.rendered_fields(),
        "rows": rows, "headers": selectors.SHEET_HEADERS, "counts": selectors.sheet_counts(qs),
        "export_parts": range(1, math.ceil(count / EXPORT_PART_SIZE) + 1), "export_query": params.urlencode(),
        "export_sync_limit": EXPORT_SYNC_LIMIT, "is_central": request.user.role == Role.CENTRAL, **page})


@admin_required
@never_cache
def score_export(request, plan_id: int):
    """POST with the sheet's filters in the query string: part=N (5,000 rows) or the whole sheet
    (above EXPORT_SYNC_LIMIT rows, a background job writes it)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    plan = selectors.score_plan_get(plan_id=plan_id, fetched_by=request.user)
    form, filters, qs = _sheet_context(request, plan)
    back = reverse("results:sheet", args=[plan.pk]) + ("?" + request.GET.urlencode() if request.GET else "")
    if form.invalid:  # one behaviour for an invalid filter: nothing is written
        messages.error(request, f"{form.invalid_filter_text()}。未导出任何数据")
        return redirect(back)
    try:
        part = int(request.POST["part"]) if request.POST.get("part") else None
    except ValueError:
        part = 0
    if part is not None and part < 1:
        messages.error(request, "请选择要导出的批次")
        return redirect(back)
    total = qs.count()
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
    values = selectors.score_sheet_values(qs)
    if part:
        start = (part - 1) * EXPORT_PART_SIZE
        if start >= max(total, 1):
            messages.error(request, f"没有第 {part} 批：当前条件共 {total} 条，每批 {EXPORT_PART_SIZE} 条")
            return redirect(back)
        values = values[start:start + EXPORT_PART_SIZE]
    elif total > EXPORT_SYNC_LIMIT:
        job = job_create(kind="results.export", title=f"导出成绩单（批次 {plan.batch_no}，{total} 条）",
                         acting_user=request.user, region=plan.region, total=total)
        job_enqueue(job, "results.exports:run_export", user_id=request.user.pk, plan_id=plan.pk,
                    query=request.GET.urlencode())
        return redirect("jobs:detail", job.pk)
    handle, written = sheet_tempfile(values)
    services.sheet_export_record(plan=plan, filters=filters, count=written, part=part, kind="xlsx",
                                 acting_user=request.user)
    return FileResponse(handle, as_attachment=True, filename=sheet_filename(plan, stamp=stamp, part=part),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@admin_required
def score_pdf(request, plan_id: int):
    """打印成绩单: POST with the sheet's filters in the query string (?part=N, 5,000 rows a part
    like the export) starts a background job that lays out the A4 PDF with the Chinese font
    embedded (results.exports.run_pdf; embedding and subsetting the CJK font alone takes
    seconds) and offers it for download on the job's page."""
    from .exports import PDF_PART_SIZE

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    plan = selectors.score_plan_get(plan_id=plan_id, fetched_by=request.user)
    form, filters, qs = _sheet_context(request, plan)
    back = reverse("results:sheet", args=[plan.pk]) + ("?" + request.GET.urlencode() if request.GET else "")
    if form.invalid:
        messages.error(request, f"{form.invalid_filter_text()}。未打印任何记录")
        return redirect(back)
    try:
        part = max(1, int(request.POST.get("part") or 1))
    except ValueError:
        part = 1
    total = qs.count()
    parts = max(1, math.ceil(total / PDF_PART_SIZE))
    if part > parts:
        messages.error(request, f"没有第 {part} 批：当前条件共 {total} 条，每批 {PDF_PART_SIZE} 条")
        return redirect(back)
    rows = min(PDF_PART_SIZE, total - (part - 1) * PDF_PART_SIZE)
    job = job_create(kind="results.pdf", title=f"打印成绩单（批次 {plan.batch_no}" + (f"，第 {part} 批" if parts > 1 else "")
                     + f"，{rows} 条）", acting_user=request.user, region=plan.region, total=max(rows, 1))
    job_enqueue(job, "results.exports:run_pdf", user_id=request.user.pk, plan_id=plan.pk,
                query=request.GET.urlencode(), part=part)
    return redirect("jobs:detail", job.pk)
