"""导入考生信息 pages (the guide 二(二)): 下载模板 → 浏览 → 上传 (with progress) → 导入 → result.
Thin views: parse input, fetch through a scoped query, call one service, render."""

from pathlib import Path

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.pagination import paginate
from core.permissions import admin_required
from core.scoping import get_visible_or_404
from plans.models import ExamPlan
from plans.rules import assert_roster_writable, roster_cutoff

from .filters import ImportRunFilterForm
from .importing import services
from .importing.choices import BACKGROUND_THRESHOLD, ERRORS_SHOWN, RunStatus
from .importing.columns import COLUMNS
from .importing.reader import MAX_DATA_ROWS, FileRejected
from .importing.selectors import import_run_list, masked_items
from .importing.template import TEMPLATE_FILENAME, build_template
from .models import ImportRun

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _is_xhr(request) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _attachment(content: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@admin_required
def import_page(request, plan_pk):
    plan = get_visible_or_404(ExamPlan, request.user, pk=plan_pk)
    try:
        assert_roster_writable(plan)
        closed_reason = ""
    except ApplicationError as exc:
        closed_reason = exc.message
    uploaded = None
    if request.GET.get("run", "").isdigit():
        uploaded = import_run_list(fetched_by=request.user, plan=plan).filter(
            pk=request.GET["run"], status=RunStatus.UPLOADED).first()
    return render(request, "candidates/import_page.html", {
        "plan": plan, "closed_reason": closed_reason, "cutoff": roster_cutoff(plan), "uploaded": uploaded,
        "runs": import_run_list(fetched_by=request.user, plan=plan)[:10], "columns": COLUMNS,
        "threshold": BACKGROUND_THRESHOLD, "max_rows": MAX_DATA_ROWS,
    })


@admin_required
@require_POST
def import_upload(request, plan_pk):
    plan = get_visible_or_404(ExamPlan, request.user, pk=plan_pk)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ApplicationError("请先点击“浏览”选择填好的模板文件", field="file")
        run = services.import_upload(plan=plan, uploaded_file=upload, file_name=upload.name,
                                     acting_user=request.user)
    except ApplicationError as exc:
        if _is_xhr(request):
            return render(request, "candidates/import_upload_result.html", {"error": exc.message}, status=400)
        messages.error(request, exc.message)
        return redirect("candidates:import", plan.pk)
    if _is_xhr(request):
        return render(request, "candidates/import_upload_result.html", {"run": run, "threshold": BACKGROUND_THRESHOLD})
    return redirect(reverse("candidates:import", args=[plan.pk]) + f"?run={run.pk}")


@admin_required
@require_POST
def import_start(request, pk):
    run = get_visible_or_404(ImportRun.objects.select_related("plan"), request.user, pk=pk)
    try:
        run = services.import_start(run=run, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("candidates:import_run", run.pk)


@admin_required
@require_POST
def import_readd(request, pk):
    """确认重新添加: re-run only the rows whose candidate had been deleted (docs/decisions.md#deletion-trace)."""
    run = get_visible_or_404(ImportRun.objects.select_related("plan"), request.user, pk=pk)
    try:
        confirm = services.import_readd_confirm(run=run, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("candidates:import_run", run.pk)
    return redirect("candidates:import_run", confirm.pk)


@admin_required
def import_runs(request):
    form = ImportRunFilterForm(request.GET, user=request.user)
    return render(request, "candidates/import_runs.html", {**paginate(request, form.rows()), "form": form})


@admin_required
def import_run(request, pk):
    run = get_visible_or_404(ImportRun.objects.select_related("plan", "created_by", "job"), request.user, pk=pk)
    return render(request, "candidates/import_run.html", {
        "run": run, "errors": masked_items(run.errors, ERRORS_SHOWN), "warnings": masked_items(run.warnings, ERRORS_SHOWN),
        "errors_shown": ERRORS_SHOWN, "in_progress": run.status in (RunStatus.QUEUED, RunStatus.RUNNING),
        "readd_done": ImportRun.objects.filter(readd_of=run).order_by("pk").first() if run.deleted_rows else None,
        # the rows with 错误原因: offered when some row has a reason (failed, already present, warned)
        "has_report": bool(run.stored_file) and run.status in (RunStatus.DONE,)
        and bool(run.failed_count or run.existing_count or run.warning_count or run.deleted_rows),
    })


@admin_required
@never_cache
def import_report(request, pk):
    """The uploaded rows with 错误原因 appended (docs/decisions.md#import-error-report)."""
    run = get_visible_or_404(ImportRun, request.user, pk=pk)
    if not run.stored_file or run.status != RunStatus.DONE:
        raise Http404("该导入没有可下载的结果")
    try:
        content = services.import_report_build(run=run, acting_user=request.user)
    except (FileRejected, OSError) as exc:
        raise Http404("上传的文件已不存在") from exc
    return _attachment(content, f"{Path(run.file_name).stem}_错误原因.xlsx")


@admin_required
def import_template(request):
    return _attachment(build_template(), TEMPLATE_FILENAME)
