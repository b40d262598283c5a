"""答题卡考试 pages (新取证(线下)): the plan's rooms and versions, printing, the scanner's result
import, the close of the scanning. Thin views: parse, fetch through a scoped selector (another
region's plan is a 404), call one service, render."""

from pathlib import Path
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.errors import ApplicationError, PermissionDenied
from core.pagination import paginate
from core.pdf import pdf_response
from core.permissions import admin_required, central_required
from core.roles import Role
from core.spreadsheets.reader import FileRejected
from core.spreadsheets.runs import ACTIVE_STATUSES
from plans.rules import roster_cutoff
from results.selectors import publication_for

from . import printing, selectors
from .choices import ERRORS_SHOWN
from .forms import RoomsForm
from .importing.columns import SHEET
from .importing.services import card_import_upload, card_report_bytes, template_bytes
from .services import assert_import_open, rooms_generate, scanning_close, scanning_reopen

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


@admin_required
def plan_list(request):
    context = paginate(request, selectors.offline_plans(fetched_by=request.user))
    return render(request, "answercards/plans.html", context)


def _import_closed_reason(plan, card_plan) -> str:
    try:
        assert_import_open(plan, card_plan)
    except ApplicationError as exc:
        return exc.message
    return ""


@admin_required
def plan_detail(request, pk: int):
    plan = selectors.plan_get(pk=pk, fetched_by=request.user)
    overview = selectors.plan_overview(plan)
    card_plan = overview.card_plan
    now = timezone.now()
    publication = publication_for(plan)
    form = RoomsForm(initial={"room_size": card_plan.room_size, "version_count": card_plan.version_count,
                              "site": card_plan.site})
    return render(request, "answercards/plan.html", {
        "plan": plan, "overview": overview, "card_plan": card_plan, "form": form,
        "rooms": selectors.rooms_of(plan=plan, fetched_by=request.user),
        "versions": selectors.versions_of(plan=plan, fetched_by=request.user),
        "runs": selectors.import_runs_of(plan=plan, fetched_by=request.user)[:10],
        "is_central": request.user.role == Role.CENTRAL, "cutoff": roster_cutoff(plan),
        "pending": overview.registrations - overview.cards,
        "may_seat": plan.audit_status == "approved" and roster_cutoff(plan) <= now < plan.starts_at
        and not overview.cards and not card_plan.scanning_closed_at,
        "import_closed": _import_closed_reason(plan, card_plan),
        "may_close": request.user.role == Role.CENTRAL and card_plan.seated_at and not card_plan.scanning_closed_at
        and now >= plan.ends_at,
        "may_reopen": request.user.role == Role.CENTRAL and card_plan.scanning_closed_at and publication is None,
        "publication": publication,
    })


@admin_required
@require_POST
def rooms_generate_view(request, pk: int):
    plan = selectors.plan_get(pk=pk, fetched_by=request.user)
    form = RoomsForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("answercards:plan", plan.pk)
    try:
        card_plan = rooms_generate(plan=plan, acting_user=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"考场已生成：{selectors.plan_overview(plan).rooms} 个考场，"
                                  f"每类人员 {card_plan.version_count} 个试卷版本")
    return redirect("answercards:plan", plan.pk)


@admin_required
@require_POST
def print_start(request, pk: int, what: str):
    plan = selectors.plan_get(pk=pk, fetched_by=request.user)
    try:
        job = printing.print_enqueue(plan=plan, what=what, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("answercards:plan", plan.pk)
    return redirect("jobs:detail", job.pk)


@admin_required
def room_detail(request, pk: int):
    room = selectors.room_get(pk=pk, fetched_by=request.user)
    return render(request, "answercards/room.html", {"room": room, "plan": room.plan,
                                                     "rows": selectors.room_seat_rows(room)})


@admin_required
@never_cache
def room_roster(request, pk: int):
    room = selectors.room_get(pk=pk, fetched_by=request.user)
    content = printing.room_roster_bytes(room=room, acting_user=request.user)
    return pdf_response(content, f"{room.plan.batch_no}_第{room.number:02d}考场_签到表.pdf")


@admin_required
@never_cache
def booklet(request, pk: int):
    version = selectors.version_get(pk=pk, fetched_by=request.user)
    try:
        content = printing.booklet_bytes(version=version, acting_user=request.user)
    except ApplicationError as exc:
        raise Http404(exc.message) from exc
    return pdf_response(content, f"{version.plan.batch_no}_{version.personnel_type}类_{version.letter}卷_题本.pdf")


@central_required
@never_cache
def answer_key(request, pk: int):
    version = selectors.version_get(pk=pk, fetched_by=request.user)
    try:
        content = printing.key_bytes(version=version, acting_user=request.user)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    return pdf_response(content, f"{version.plan.batch_no}_{version.personnel_type}类_{version.letter}卷_答案.pdf")


@admin_required
def import_page(request, pk: int):
    plan = selectors.plan_get(pk=pk, fetched_by=request.user)
    card_plan = selectors.plan_overview(plan).card_plan
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ApplicationError("请先选择扫描仪导出的结果文件（.csv 或 .xlsx）", field="file")
            run = card_import_upload(plan=plan, source=upload, file_name=upload.name, acting_user=request.user)
        except ApplicationError as exc:
            error = exc.message
        else:
            return redirect("answercards:import_run", run.pk)
    return render(request, "answercards/import.html", {
        "plan": plan, "card_plan": card_plan, "error": error, "sheet": SHEET,
        "closed_reason": _import_closed_reason(plan, card_plan),
        "runs": selectors.import_runs_of(plan=plan, fetched_by=request.user)[:20],
    }, status=400 if error else 200)


@admin_required
def import_template(request):
    return _xlsx(template_bytes(), SHEET.template_filename)


@admin_required
def import_run(request, pk: int):
    run = selectors.run_get(pk=pk, fetched_by=request.user)
    return render(request, "answercards/import_run.html", {
        "run": run, "plan": run.plan, "errors": run.errors[:ERRORS_SHOWN], "errors_shown": ERRORS_SHOWN,
        "in_progress": run.status in ACTIVE_STATUSES,
        "has_report": bool(run.stored_file) and run.status == "done"
        and bool(run.failed_count or run.existing_count or run.warning_count),
    })


@admin_required
@never_cache
def import_report(request, pk: int):
    run = selectors.run_get(pk=pk, fetched_by=request.user)
    if not run.stored_file or run.status != "done":
        raise Http404("该导入没有可下载的结果")
    try:
        content = card_report_bytes(run=run, acting_user=request.user)
    except (FileRejected, OSError) as exc:
        raise Http404("上传的文件已不存在") from exc
    return _xlsx(content, f"{Path(run.file_name).stem}_导入结果.xlsx")


@central_required
@require_POST
def scanning_close_view(request, pk: int):
    plan = selectors.plan_get(pk=pk, fetched_by=request.user)
    try:
        absent = scanning_close(plan=plan, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"扫描已结束：{absent} 名没有答题卡的考生记为缺考")
    return redirect("answercards:plan", plan.pk)


@central_required
@require_POST
def scanning_reopen_view(request, pk: int):
    plan = selectors.plan_get(pk=pk, fetched_by=request.user)
    try:
        restored = scanning_reopen(plan=plan, reason=request.POST.get("reason", ""), acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"扫描已重新开放：撤销缺考 {restored} 人，可以继续导入答题卡；"
                                  "结束扫描后请在违规核查中重新计算标记")
    return redirect("answercards:plan", plan.pk)
