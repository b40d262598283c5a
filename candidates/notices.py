"""Background work of the candidate list (run by jobs.services.job_enqueue: Celery, a thread or
inline): the 考前测试 notice to a whole plan and the export of a large filtered list. Each is a
thin loop over services / selectors, reporting progress through jobs.services.job_progress."""

from django.core.files import File
from django.core.files.storage import default_storage
from django.http import QueryDict
from django.utils import timezone

from accounts.models import User
from jobs.services import job_finish, job_progress
from plans.models import ExamPlan

from .services import (
    export_region,
    plan_notice_finish_record,
    registration_export_record,
    registration_notice_send,
)

PROGRESS_EVERY = 50


def run_plan_notice(*, job, plan_id: int, user_id: int) -> None:
    """Text every candidate of the plan once today (see services.registration_notice_send)."""
    from .selectors import plan_notice_recipients, registration_suspension

    user = User.objects.get(pk=user_id)
    plan = ExamPlan.objects.get(pk=plan_id)
    today = timezone.localdate()
    counts = {"sent": 0, "skipped": 0, "failed": 0, "suspended": 0}
    recipients = plan_notice_recipients(plan=plan)
    total = recipients.count()
    job_progress(job, done=0, total=total, message="正在发送")
    chunk: list = []

    def send(chunk):
        # 停考 registrations (a running blacklist penalty) get no notice (issue 11 §4)
        suspended = registration_suspension(chunk, on_date=today)
        for registration in chunk:
            if registration.pk in suspended:
                counts["suspended"] += 1
                continue
            outcome = registration_notice_send(registration=registration, acting_user=user, today=today, job=job)
            counts[outcome] += 1

    for done, registration in enumerate(recipients.iterator(chunk_size=500), start=1):
        chunk.append(registration)
        if len(chunk) >= PROGRESS_EVERY:
            send(chunk)
            chunk = []
        if done % PROGRESS_EVERY == 0:
            job_progress(job, done=done, message=f"已发送 {counts['sent']}，跳过 {counts['skipped']}")
    send(chunk)
    plan_notice_finish_record(plan=plan, acting_user=user, counts=counts)
    message = f"已发送 {counts['sent']} 条，今日已通知而跳过 {counts['skipped']} 条"
    if counts["suspended"]:
        message += f"，停考（黑名单处罚期内）未通知 {counts['suspended']} 条"
    if counts["failed"]:
        message += f"，手机号码无法使用而失败 {counts['failed']} 条"
    job_finish(job, result=counts, message=message)


def run_export(*, job, user_id: int, query: str, full: bool) -> None:
    """Write the whole filtered list (the same selector and filters as the page) to a file and
    attach it to the job for download."""
    from .exports import export_filename, registrations_tempfile
    from .forms import CandidateFilterForm
    from .selectors import registration_export_values, registration_list

    user = User.objects.get(pk=user_id)
    form = CandidateFilterForm(QueryDict(query), user=user)
    qs = registration_list(filters=form.filters(), fetched_by=user)
    total = qs.count()
    job_progress(job, done=0, total=total, message="正在生成文件")
    handle, count = registrations_tempfile(
        registration_export_values(qs), full=full,
        progress=lambda n: job_progress(job, done=n, message="正在生成文件"),
    )
    try:
        stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
        name = default_storage.save(f"jobs/exports/{job.pk}.xlsx", File(handle, name=f"{job.pk}.xlsx"))
    finally:
        handle.close()
    job_progress(job, done=count, total=count)
    # recorded now that the rows really left the database (a failed job exports nothing)
    registration_export_record(acting_user=user, filters=form.filters(), count=count, full=full, part=None,
                               region=export_region(form.filters()))
    job_finish(job, file_path=name, filename=export_filename(form.filters(), full=full, stamp=stamp),
               result={"rows": count},
               message=f"共 {count} 条")

