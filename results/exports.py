"""The 成绩单 as .xlsx (docs/decisions.md#score-sheet) with the shared streaming writer (core.spreadsheets.writer:
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
    from core.replica import replica_reads
    from jobs.services import job_finish, job_progress

    from .filters import SheetFilterForm
    from .selectors import score_plan_get, score_sheet
    from .services import sheet_export_record

    user = User.objects.get(pk=user_id)
    plan = score_plan_get(plan_id=plan_id, fetched_by=user)
    form = SheetFilterForm(QueryDict(query), user=user)
    filters = form.filters()
    with replica_reads():  # the rows may come from a streaming replica (core.replica); progress is a write
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


PDF_PART_SIZE = EXPORT_PART_SIZE  # a printed part: 5,000 rows, about 130 landscape A4 pages
PDF_WIDTHS = [26, 14, 32, 60, 14, 12, 14, 18]


def sheet_pdf(plan, values_qs, counts: dict, *, part: int, parts: int, progress=None) -> tuple[bytes, int]:
    """(the PDF, rows) of one part of a 成绩单 (core.pdf: landscape A4, the heading row on every
    page, page numbers, the CJK font embedded)."""
    from core.pdf import PdfDocument

    from .selectors import SHEET_HEADERS

    start = (part - 1) * PDF_PART_SIZE
    title = f"{plan.region.name} {plan.get_exam_type_display()}考核成绩单（批次 {plan.batch_no}）"
    subtitle = (f"考试日期 {plan.exam_date:%Y-%m-%d} {plan.start_time:%H:%M}–{plan.end_time:%H:%M}　"
                f"考生 {counts['total']} 人，合格 {counts['passed']} 人，缺考 {counts['absent']} 人，"
                f"违规作废 {counts['voided']} 人" + (f"　第 {part} / {parts} 批" if parts > 1 else ""))
    doc = PdfDocument(title, subtitle=subtitle, landscape=True, font_size=9)
    written = 0

    def rows():
        nonlocal written
        for row in values_qs[start:start + PDF_PART_SIZE].iterator(chunk_size=2000):
            written += 1
            if progress is not None and written % 200 == 0:
                progress(written)
            yield sheet_cells(row)

    doc.table(SHEET_HEADERS, rows(), widths=PDF_WIDTHS)
    return doc.output(), written


def run_pdf(*, job, user_id: int, plan_id: int, query: str, part: int) -> None:
    """The jobs entry point of 打印成绩单: the page's selector and filters, the file attached to
    the job, the print recorded once the file exists."""
    import math

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.http import QueryDict

    from accounts.models import User
    from jobs.services import job_finish, job_progress

    from .filters import SheetFilterForm
    from .selectors import score_plan_get, score_sheet, sheet_counts
    from .services import sheet_export_record

    user = User.objects.get(pk=user_id)
    plan = score_plan_get(plan_id=plan_id, fetched_by=user)
    filters = SheetFilterForm(QueryDict(query), user=user).filters()
    qs = score_sheet(plan=plan, filters=filters, fetched_by=user)
    counts = sheet_counts(qs)
    parts = max(1, math.ceil(counts["total"] / PDF_PART_SIZE))
    job_progress(job, done=0, message="正在排版（嵌入中文字体需要数秒）")
    content, rows = sheet_pdf(plan, score_sheet_values(qs), counts, part=part, parts=parts,
                              progress=lambda n: job_progress(job, done=n, message="正在排版"))
    name = default_storage.save(f"jobs/exports/{job.pk}.pdf", ContentFile(content))
    sheet_export_record(plan=plan, filters=filters, count=rows, part=part if parts > 1 else None, kind="pdf",
                        acting_user=user)
    suffix = f"_第{part}批" if parts > 1 else ""
    job_finish(job, file_path=name, filename=f"成绩单_{plan.batch_no}{suffix}.pdf", result={"rows": rows},
               message=f"共 {rows} 条")
