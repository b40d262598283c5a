"""The 成绩单 as .xlsx (issue 15 §7) with the shared streaming writer (core.spreadsheets.writer:
text cells, formulas neutralised, flat memory): in parts of 5,000 rows or whole, exactly the
rows of the filtered page in the same order (results.selectors.score_sheet)."""

from core.spreadsheets.writer import xlsx_tempfile

from .selectors import SHEET_HEADERS, SHEET_WIDTHS, score_sheet_values, sheet_cells

EXPORT_PART_SIZE = 5000  # the guide's 导出EXCEL(5000条), as the candidate list
SHEET_TITLE = "成绩单"


def sheet_tempfile(values_qs, *, progress=None):
    """(file, rows) of a score_sheet_values queryset, read with a server-side cursor."""
    return xlsx_tempfile(values_qs.iterator(chunk_size=5000), headers=SHEET_HEADERS, widths=SHEET_WIDTHS,
                         title=SHEET_TITLE, transform=sheet_cells, progress=progress)


def sheet_filename(plan, *, stamp: str, part: int | None = None) -> str:
    parts = ["成绩单", str(plan.batch_no)]
    if part:
        parts.append(f"第{part}批")
    parts.append(stamp)
    return "_".join(parts) + ".xlsx"


def run_export(*, job, user_id: int, plan_id: int, query: str) -> None:
    """The jobs entry point for a whole 成绩单 above the in-request limit: the same selector and
    filters as the page, the file attached to the job, the export recorded once it exists."""
    from django.core.files import File
    from django.core.files.storage import default_storage
    from django.http import QueryDict
    from django.utils import timezone

    from accounts.models import User
    from jobs.services import job_finish, job_progress

    from .forms import SheetFilterForm
    from .selectors import score_plan_get, score_sheet
    from .services import sheet_export_record

    user = User.objects.get(pk=user_id)
    plan = score_plan_get(plan_id=plan_id, fetched_by=user)
    form = SheetFilterForm(QueryDict(query), user=user)
    filters = form.filters()
    qs = score_sheet(plan=plan, filters=filters, fetched_by=user)
    total = qs.count()
    job_progress(job, done=0, total=total, message="正在生成文件")
    handle, count = sheet_tempfile(score_sheet_values(qs), progress=lambda n: job_progress(job, done=n))
    try:
        name = default_storage.save(f"jobs/exports/{job.pk}.xlsx", File(handle, name=f"{job.pk}.xlsx"))
    finally:
        handle.close()
    sheet_export_record(plan=plan, filters=filters, count=count, part=None, kind="xlsx", acting_user=user)
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
    job_finish(job, file_path=name, filename=sheet_filename(plan, stamp=stamp), result={"rows": count},
               message=f"共 {count} 条")
