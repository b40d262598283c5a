"""Reads of scores (成绩管理, the guide 四; SPEC.md §6). Scores scope to central only
(Score.scope_region_field is None), so nothing here hands a region a score by accident: the
region's 成绩单 goes through `score_plan_get`, which refuses (404, as for a missing plan) any
plan of another region and any plan whose scores are not published."""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.http import Http404

from core.roles import Role
from core.scoping import get_visible_or_404

from .models import Score, ScorePublication


def scores_for_attempts(attempt_ids) -> dict[int, Score]:
    """{attempt_id: Score} (central's violation check and the candidate's own published result;
    the callers decide who may see them)."""
    return {s.attempt_id: s for s in Score.objects.filter(attempt_id__in=list(attempt_ids))}


def publication_for(plan) -> ScorePublication | None:
    return ScorePublication.objects.filter(plan=plan).select_related("published_by").first()


def score_plans(*, fetched_by, filters: dict | None = None) -> QuerySet:
    """成绩管理's plans: a region sees its own published plans only; central every approved online
    plan that has ended (published or not, each marked). Filters: 考试计划类型, 年份, 考试批次,
    地区 (central), the candidate list's names (candidates.forms.CandidateFilterForm)."""
    from django.utils import timezone

    from exams.services import ONLINE_TYPES
    from plans.choices import AuditStatus
    from plans.models import ExamPlan

    filters = filters or {}
    qs = (ExamPlan.objects.visible_to(fetched_by)
          .filter(audit_status=AuditStatus.APPROVED, exam_type__in=ONLINE_TYPES)
          .annotate(published_at=F("score_publication__published_at"))
          .select_related("region").order_by("-exam_date", "-start_time", "-pk"))
    if getattr(fetched_by, "role", None) != Role.CENTRAL:
        qs = qs.filter(score_publication__isnull=False)
    else:
        qs = qs.filter(ends_at__lte=timezone.now())
    if filters.get("exam_type"):
        qs = qs.filter(exam_type=filters["exam_type"])
    if filters.get("exam_year"):
        qs = qs.filter(exam_date__year=filters["exam_year"])
    if filters.get("plan"):
        qs = qs.filter(pk=filters["plan"].pk)
    if filters.get("region"):
        qs = qs.filter(region=filters["region"])
    return qs


def score_plan_get(*, plan_id: int, fetched_by):
    """A plan whose 成绩单 the user may read: central any plan it sees; a region only its own
    region's plan and only once its scores are published. Anything else is a 404, the same as
    a missing plan (the scores of an unpublished plan are not a thing a region can probe for)."""
    from plans.models import ExamPlan

    plan = get_visible_or_404(ExamPlan.objects.select_related("region"), fetched_by, pk=plan_id)
    publication = publication_for(plan)
    if getattr(fetched_by, "role", None) != Role.CENTRAL and publication is None:
        raise Http404("未找到该记录")
    plan.publication = publication
    return plan


# 成绩单's columns (docs/decisions.md#score-sheet): the values the page and the files read, in this order.
SHEET_FIELDS = ("candidate_number", "person__name", "person__id_number", "company_name", "personnel_type",
                "attempt__score__total", "attempt__score__passed", "attempt__score__voided", "attempt__state")
SHEET_HEADERS = ["考生编号", "姓名", "证件号码", "企业名称", "人员类型", "成绩", "是否合格", "状态"]
SHEET_WIDTHS = [16, 10, 22, 32, 10, 8, 10, 12]


def score_sheet(*, plan, filters: dict, fetched_by) -> QuerySet:
    """The 成绩单 of one plan with the candidate list's filters that apply inside a plan (姓名,
    证件号码, 人员类型/报考类型, 企业名称): candidates.selectors.registration_list itself, so the
    scoping and the filters are the candidate list's. The caller got `plan` from score_plan_get."""
    from candidates.selectors import registration_list

    keep = {k: v for k, v in filters.items() if k in ("name", "id_number", "personnel_type", "company_name")}
    return registration_list(filters={**keep, "plan": plan, "sort": "candidate_number"}, fetched_by=fetched_by)


def score_sheet_values(qs: QuerySet) -> QuerySet:
    return qs.values_list(*SHEET_FIELDS)


def sheet_cells(row: tuple) -> list[str]:
    """One 成绩单 row as the text of its cells: 证件号码 masked; 成绩 empty where there is no score
    that counts (是否合格 then 不合格), both empty before grading; 状态 正常 / 缺考 / 违规作废 / 作废
    (docs/decisions.md#score-sheet)."""
    from core.masking import mask_id_number
    from exams.choices import AttemptState

    number, name, id_number, company, ptype, total, passed, voided, state = row
    if voided:
        status, score, result = "违规作废", "", "不合格"
    elif state == AttemptState.ABSENT or state is None:
        status, score, result = "缺考", "", "不合格"
    elif state == AttemptState.VOID:
        status, score, result = "作废", "", "不合格"
    elif total is None:
        status, score, result = AttemptState(state).label, "", ""
    else:
        status, score, result = "正常", f"{total}", "合格" if passed else "不合格"
    return [number, name, mask_id_number(id_number), company, ptype, score, result, status]


def sheet_counts(qs: QuerySet) -> dict:
    """Totals for the sheet's header line: candidates, passed, absent, voided."""
    from django.db.models import Count, Q

    from exams.choices import AttemptState

    return qs.order_by().aggregate(
        total=Count("pk"), passed=Count("pk", filter=Q(attempt__score__passed=True, attempt__score__voided=False)),
        absent=Count("pk", filter=Q(attempt__state=AttemptState.ABSENT)),
        voided=Count("pk", filter=Q(attempt__score__voided=True)))
