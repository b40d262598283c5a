"""Reads of 考前测试: the candidate's own, and per plan for its 管局 and central (scoped: a
region sees its own plans' candidates only)."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from core.scoping import get_visible_or_404

from .choices import InfoStatus, PretestStatus
from .models import DeviceCheck, PracticePaper, Pretest
from .pretest_services import ONLINE_TYPES, pretest_applies, pretest_closes_at, pretest_is_open


def pretest_of(registration) -> Pretest | None:
    return Pretest.objects.filter(registration=registration).first()


def pretests_for(registrations) -> dict[int, Pretest]:
    """{registration id: Pretest} of the given registrations (one query); missing = 未参加."""
    ids = [getattr(r, "pk", r) for r in registrations]
    return {p.registration_id: p for p in Pretest.objects.filter(registration_id__in=ids)}


def pretest_step(registration, pretest: Pretest | None, *, now: datetime.datetime | None = None) -> dict | None:
    """What 我的考核 says about the registration's 考前测试: {"text", "open", "passed", "due"},
    or None where the plan has none."""
    plan = registration.plan
    if not pretest_applies(plan):
        return None
    now = now or timezone.now()
    due = pretest_closes_at(plan)
    status = pretest.status if pretest else PretestStatus.NOT_TAKEN
    if status == PretestStatus.PASSED:
        text = "考前测试已通过"
    elif now < due:
        text = f"考前测试（必做）：{timezone.localtime(due):%Y-%m-%d %H:%M} 前完成"
    else:
        text = f"考前测试{PretestStatus(status).label}（必做，已于 {timezone.localtime(due):%Y-%m-%d %H:%M} 截止）"
    return {"text": text, "open": now < due, "passed": status == PretestStatus.PASSED, "due": due,
            "status": PretestStatus(status).label}


def device_check_get(*, pk: int, fetched_by) -> DeviceCheck:
    return get_visible_or_404(DeviceCheck.objects.select_related("pretest__registration__plan",
                                                                 "pretest__registration__person"), fetched_by, pk=pk)


def practice_get(*, pk: int, fetched_by) -> PracticePaper:
    return get_visible_or_404(PracticePaper.objects.select_related("pretest__registration__plan",
                                                                   "pretest__registration__person"), fetched_by, pk=pk)


def latest_device_check(pretest: Pretest | None) -> DeviceCheck | None:
    if pretest is None:
        return None
    return pretest.device_checks.filter(finished_at__isnull=False).first()


def latest_practice(pretest: Pretest | None) -> PracticePaper | None:
    if pretest is None:
        return None
    return pretest.practice_papers.first()


# ---------------------------------------------------------------- administrators


def pretest_plans(*, fetched_by, now: datetime.datetime | None = None):
    """Approved online plans the user may see whose exam has not ended, soonest first (a
    queryset: the page paginates it, then pretest_plan_counts annotates the page's rows)."""
    from plans.choices import AuditStatus
    from plans.models import ExamPlan

    now = now or timezone.now()
    return (ExamPlan.objects.visible_to(fetched_by)
            .filter(audit_status=AuditStatus.APPROVED, exam_type__in=ONLINE_TYPES, ends_at__gt=now)
            .select_related("region").order_by("starts_at", "pk"))


def pretest_plan_counts(plans, *, now: datetime.datetime | None = None) -> list:
    """The plans, each with `n_total`, `n_passed`, `n_failed`, `n_not_taken` (total − passed −
    failed) and `n_reported` (open reports of wrong details): two grouped queries in all."""
    from candidates.models import Registration

    now = now or timezone.now()
    plans = list(plans)
    ids = [p.pk for p in plans]
    totals = dict(Registration.objects.filter(plan__in=ids).order_by().values("plan")
                  .annotate(n=Count("pk")).values_list("plan", "n"))
    counts = {row["plan"]: row for row in Pretest.objects.filter(plan__in=ids).order_by().values("plan").annotate(
        passed=Count("pk", filter=Q(status=PretestStatus.PASSED)),
        failed=Count("pk", filter=Q(status=PretestStatus.FAILED)),
        reported=Count("pk", filter=Q(info_status=InfoStatus.REPORTED)))}
    for plan in plans:
        row = counts.get(plan.pk, {})
        plan.n_total = totals.get(plan.pk, 0)
        plan.n_passed, plan.n_failed = row.get("passed", 0), row.get("failed", 0)
        plan.n_reported = row.get("reported", 0)
        plan.n_not_taken = plan.n_total - plan.n_passed - plan.n_failed
        plan.pretest_closes_at = pretest_closes_at(plan)
        plan.pretest_open = pretest_is_open(plan, now)
    return plans


def pretest_plan_get(*, pk: int, fetched_by):
    from plans.models import ExamPlan

    return get_visible_or_404(ExamPlan.objects.select_related("region"), fetched_by, pk=pk)


FILTERS = {
    "passed": ("已通过", Q(pretest__status=PretestStatus.PASSED)),
    "failed": ("未通过", Q(pretest__status=PretestStatus.FAILED)),
    "not_taken": ("未参加", Q(pretest__isnull=True) | Q(pretest__status=PretestStatus.NOT_TAKEN)),
    "pending": ("未通过或未参加", ~Q(pretest__status=PretestStatus.PASSED) | Q(pretest__isnull=True)),
    "reported": ("信息有误待处理", Q(pretest__info_status=InfoStatus.REPORTED)),
}


def pretest_counts(*, plan, fetched_by) -> dict:
    """Counts of one plan: total, 已通过, 未通过, 未参加, 信息有误待处理."""
    from candidates.models import Registration

    qs = Registration.objects.visible_to(fetched_by).filter(plan=plan)
    counts = qs.aggregate(total=Count("pk"), **{key: Count("pk", filter=q) for key, (_l, q) in FILTERS.items()})
    return counts


def pretest_plan_rows(*, plan, fetched_by, status: str = ""):
    """The plan's registrations with their 考前测试 (None: 未参加), in 考生编号 order, optionally
    only one status (FILTERS)."""
    from candidates.models import Registration

    qs = (Registration.objects.visible_to(fetched_by).filter(plan=plan).select_related("person", "pretest")
          .order_by("candidate_number"))
    if status in FILTERS:
        qs = qs.filter(FILTERS[status][1])
    return qs


def passed_registration_ids(plan):
    """The plan's registrations that passed 考前测试, as a subquery (the notice to the others)."""
    return Pretest.objects.filter(plan=plan, status=PretestStatus.PASSED).values("registration_id")


def pending_count(plan) -> int:
    from candidates.models import Registration

    return Registration.objects.filter(plan=plan).exclude(pk__in=passed_registration_ids(plan)).count()
