"""Reads of the exam-plan module. Every query starts from ExamPlan.objects.visible_to(user):
a region sees only its own plans, central sees all (SPEC.md "Who uses it"); deleted plans are
excluded by the default manager."""

from django.db.models import F
from django.urls import reverse

from audit.selectors import audit_log_list
from core.roles import Role

from .choices import DEFAULT_DURATIONS, AuditStatus, ExamType
from .models import ExamPlan, ExamTypeSetting
from .rules import roster_open


def plan_list(*, filters: dict, fetched_by):
    """The list of the guide (二(一)): search by 批次编号, 考试类型 and a date range; central also
    by region; both by 审核状态."""
    # scores_published_at: the plans.rules hook, so a published plan's phase reads 成绩已发布
    # (results.ScorePublication, docs/decisions.md#publication; reached by its reverse name, plans imports no results)
    qs = (ExamPlan.objects.visible_to(fetched_by).select_related("region", "reviewer", "applicant")
          .annotate(scores_published_at=F("score_publication__published_at")))
    if filters.get("batch_no"):
        qs = qs.filter(batch_no__icontains=filters["batch_no"].strip())
    if filters.get("exam_type"):
        qs = qs.filter(exam_type=filters["exam_type"])
    if filters.get("date_from"):
        qs = qs.filter(exam_date__gte=filters["date_from"])
    if filters.get("date_to"):
        qs = qs.filter(exam_date__lte=filters["date_to"])
    if filters.get("region"):
        qs = qs.filter(region=filters["region"])
    if filters.get("audit_status"):
        qs = qs.filter(audit_status=filters["audit_status"])
    return qs.order_by("-exam_date", "-start_time", "-id")


def plan_review_queue(*, filters: dict, fetched_by):
    """Central's queue: 未审核 plans of every region, the oldest application first."""
    qs = plan_list(filters={**filters, "audit_status": AuditStatus.PENDING}, fetched_by=fetched_by)
    return qs.order_by("applied_at", "id")


def plan_history(*, plan: ExamPlan, fetched_by):
    """The plan's audit trail (add, modify, review, central changes with their reasons)."""
    return audit_log_list(filters={"object_type": ExamPlan._meta.label, "object_id": str(plan.pk)},
                          fetched_by=fetched_by).order_by("created_at", "id")


_SHOWN_FIELDS = ["exam_type", "exam_date", "start_time", "end_time", "duration_minutes", "audit_status"]


def _shown(name: str, value) -> str:
    if value in (None, ""):
        return "—"
    if name == "exam_type":
        return ExamType(value).label if value in ExamType.values else str(value)
    if name == "audit_status":
        return AuditStatus(value).label if value in AuditStatus.values else str(value)
    if name in ("start_time", "end_time"):
        return str(value)[:5]
    return str(value)


def plan_history_rows(*, plan: ExamPlan, fetched_by) -> list[dict]:
    """The history for people: what happened, who, when, why, and which fields changed."""
    rows = []
    for entry in plan_history(plan=plan, fetched_by=fetched_by):
        before, after = entry.before or {}, entry.after or {}
        changes = []
        if before and after:
            for name in _SHOWN_FIELDS:
                if name in before and name in after and before[name] != after[name]:
                    label = ExamPlan._meta.get_field(name).verbose_name
                    changes.append((label, _shown(name, before[name]), _shown(name, after[name])))
        rows.append({"entry": entry, "label": entry.action_label, "changes": changes})
    return rows


def duration_for(exam_type: str) -> int:
    """The duration central set for the type (ExamTypeSetting), or the default: what a plan
    added or modified now lasts (plans.services)."""
    setting = ExamTypeSetting.objects.filter(exam_type=exam_type).first()
    return setting.duration_minutes if setting else DEFAULT_DURATIONS[ExamType(exam_type)]


def exam_type_durations(*, fetched_by) -> dict[str, int]:
    """Each 考核类型's current duration in minutes (the add form's 结束时间, central's settings):
    reference data every administrator reads (ExamTypeSetting.scope_shared); {} for anyone else."""
    if getattr(fetched_by, "role", None) not in (Role.CENTRAL, Role.REGIONAL):
        return {}
    stored = dict(ExamTypeSetting.objects.visible_to(fetched_by).values_list("exam_type", "duration_minutes"))
    return {t: stored.get(t) or DEFAULT_DURATIONS[ExamType(t)] for t in ExamType.values}


def import_url(plan: ExamPlan) -> str | None:
    """The candidates import page for an approved plan whose roster is open, else None."""
    if plan.audit_status != AuditStatus.APPROVED or not roster_open(plan):
        return None
    return reverse("candidates:import", args=[plan.pk])
