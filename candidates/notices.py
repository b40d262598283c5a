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
    notice_summary,
    phone_notice_send,
    plan_notice_finish_record,
    registration_export_record,
)

PROGRESS_EVERY = 50

# The one place that knows where a registration's phone lives (the registration's own, as its
# region imported it): the notice job groups by it and the notice page counts by it.
REGISTRATION_PHONE_LOOKUP = "phone"


def registration_phone(registration) -> str:
    """The phone number a registration's notice goes to."""
    return registration.phone


def registrations_by_phone(registrations) -> dict[str, list]:
    """The registrations grouped by phone number, each group and the groups in the given order."""
    groups: dict[str, list] = {}
    for registration in registrations:
        groups.setdefault(registration_phone(registration), []).append(registration)
    return groups


def plan_notified_today(*, plan, today) -> int:
    """How many of the plan's candidates had their phone texted the notice today (by any plan)."""
    from .models import NoticeLog, Registration

    texted = NoticeLog.objects.filter(date=today).values("phone")
    return Registration.objects.filter(plan=plan, **{f"{REGISTRATION_PHONE_LOOKUP}__in": texted}).count()


def plan_notice_recipients_count(*, plan, audience: str = "all") -> int:
    from .selectors import plan_notice_recipients

    return plan_notice_recipients(plan=plan, audience=audience).count()


def run_plan_notice(*, job, plan_id: int, user_id: int, audience: str = "all") -> None:
    """Text every phone number of the plan's candidates (or, audience "pretest_pending", of
    those who have not passed the 考前测试 when the job runs) once today
    (services.phone_notice_send): candidates sharing a number get one SMS together; 停考
    registrations (a running blacklist penalty) get none. Counts are of candidates, `sms` of SMS."""
    from .selectors import plan_notice_recipients, registration_suspension

    user = User.objects.get(pk=user_id)
    plan = ExamPlan.objects.get(pk=plan_id)
    today = timezone.localdate()
    counts = {"sent": 0, "skipped": 0, "failed": 0, "suspended": 0, "sms": 0}
    recipients = plan_notice_recipients(plan=plan, audience=audience)
    groups = registrations_by_phone(recipients.iterator(chunk_size=500))
    total = sum(len(group) for group in groups.values())
    job_progress(job, done=0, total=total, message="正在发送")
    done = 0
    for number, (phone, group) in enumerate(groups.items(), start=1):
        # 停考 registrations (a running blacklist penalty) get no notice (decisions.md: 停考)
        suspended = registration_suspension(group, on_date=today)
        counts["suspended"] += sum(1 for r in group if r.pk in suspended)
        group = [r for r in group if r.pk not in suspended]
        if group:
            outcome = phone_notice_send(phone=phone, registrations=group, acting_user=user, today=today, job=job)
            counts[outcome] += len(group)
            counts["sms"] += outcome == "sent"
        done += len(group) + len(suspended)
        if number % PROGRESS_EVERY == 0:
            job_progress(job, done=done, message=f"已通知 {counts['sent']} 名，跳过 {counts['skipped']} 名")
    plan_notice_finish_record(plan=plan, acting_user=user, counts=counts)
    job_finish(job, result=counts, message=notice_summary(counts))


def run_export(*, job, user_id: int, query: str, full: bool) -> None:
    """Write the whole filtered list to a file and attach it to the job for download: the query
    string of the page, parsed by the list's one filter definition (candidates.filters) under the
    job's user, read through the same selector as the page (services.registration_export)."""
    from core.replica import replica_reads

    from .exports import export_filename, registrations_tempfile
    from .forms import CandidateFilterForm
    from .selectors import registration_export_values

    user = User.objects.get(pk=user_id)
    form = CandidateFilterForm(QueryDict(query), user=user)
    filters = form.filters()  # InvalidFilter fails the job with its message (a plan deleted meanwhile)
    with replica_reads():  # the rows may come from a streaming replica (core.replica); progress is a write
        qs = form.rows()
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
    registration_export_record(acting_user=user, filters=filters, count=count, full=full, part=None,
                               region=export_region(filters))
    job_finish(job, file_path=name, filename=export_filename(filters, full=full, stamp=stamp),
               result={"rows": count},
               message=f"共 {count} 条")
