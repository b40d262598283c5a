"""题库导入 / 导出 pages (central only): the template, the upload that imports at once (a bank
file is small: the 20,000-row limit of the shared reader), the run's report with its error
file, the filtered export."""

import tempfile
from urllib.parse import quote

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from core.errors import ApplicationError
from core.filters import InvalidFilter
from core.permissions import central_required
from core.scoping import get_visible_or_404

from .filters import QuestionFilterForm
from .importing.columns import SHEET
from .importing.services import bank_export, bank_import, bank_report_bytes, template_bytes
from .models import QuestionImportRun

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@central_required
def import_page(request):
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = "请选择要上传的 Excel 文件"
        else:
            try:
                run = bank_import(source=upload, file_name=upload.name, acting_user=request.user)
            except ApplicationError as exc:
                error = exc.message
            else:
                messages.success(request, f"导入完成：{run.message}")
                return redirect("questions:import_run", run.pk)
    runs = QuestionImportRun.objects.visible_to(request.user).select_related("created_by")[:20]
    return render(request, "questions/import.html", {"runs": runs, "error": error, "sheet": SHEET},
                  status=400 if error else 200)


@central_required
def import_template(request):
    return _xlsx(template_bytes(), SHEET.template_filename)


@central_required
def import_run(request, pk: int):
    run = get_visible_or_404(QuestionImportRun.objects.select_related("created_by"), request.user, pk=pk)
    return render(request, "questions/import_run.html", {"run": run})


@central_required
def import_report(request, pk: int):
    run = get_visible_or_404(QuestionImportRun, request.user, pk=pk)
    stem = run.file_name.rsplit(".", 1)[0]
    return _xlsx(bank_report_bytes(run=run, acting_user=request.user), f"{stem}_导入结果.xlsx")


@central_required
def export_view(request):
    """导出 the bank as the list's filters select it (the list's one filter definition,
    questions.filters); an invalid filter exports nothing and goes back to the list."""
    form = QuestionFilterForm(request.GET, user=request.user)
    try:
        filters = form.filters()
    except InvalidFilter as exc:  # the list page shows the same filters with their errors and no rows
        messages.error(request, f"{exc.message}。未导出任何数据")
        return redirect(reverse("questions:list") + ("?" + request.GET.urlencode() if request.GET else ""))
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    bank_export(out=handle, qs=form.rows(), acting_user=request.user, filters=filters)
    handle.seek(0)
    name = f"题库导出_{timezone.localtime():%Y%m%d_%H%M}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)

