"""Reads of the question bank. Every query starts from `visible_to(user)`: central sees the
bank, everyone else an empty queryset (the views refuse them before that)."""

from collections import Counter

from django.db.models import Count, Q, QuerySet

from .models import KnowledgeArea, Question, QuestionVersion


def area_list(*, fetched_by, active_only: bool = False, with_counts: bool = False) -> QuerySet:
    qs = KnowledgeArea.objects.visible_to(fetched_by)
    if with_counts:
        qs = qs.annotate(n_questions=Count("questions"),
                         n_enabled=Count("questions", filter=Q(questions__is_enabled=True)))
    return qs.filter(is_active=True) if active_only else qs


def question_list(*, filters: dict, fetched_by) -> QuerySet:
    """The bank list and its export (as questions.filters.QuestionFilterForm cleans the query
    string): 题目编号/题干 text, type, area, personnel type, exam type, difficulty, enabled."""
    qs = Question.objects.visible_to(fetched_by).select_related("area", "current_version")
    text = (filters.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(code__icontains=text) | Q(current_version__stem__icontains=text))
    if filters.get("qtype"):
        qs = qs.filter(qtype=filters["qtype"])
    if filters.get("area"):
        qs = qs.filter(area=filters["area"])
    if filters.get("personnel_type"):
        qs = qs.filter(personnel_types__contains=filters["personnel_type"])
    if filters.get("exam_type"):
        qs = qs.filter(exam_types__contains=filters["exam_type"])
    if filters.get("difficulty"):
        qs = qs.filter(difficulty=filters["difficulty"])
    enabled = filters.get("enabled")
    if enabled in ("1", "0"):
        qs = qs.filter(is_enabled=enabled == "1")
    return qs.order_by("code")


def question_get(*, pk: int, fetched_by) -> Question:
    from core.scoping import get_visible_or_404

    return get_visible_or_404(Question.objects.select_related("area", "current_version"), fetched_by, pk=pk)


def question_versions(*, question: Question, fetched_by) -> QuerySet:
    return QuestionVersion.objects.visible_to(fetched_by).filter(question=question).order_by("-number")


def bank_has_demo(*, fetched_by) -> bool:
    return Question.objects.visible_to(fetched_by).filter(is_demo=True).exists()


def enabled_counts() -> Counter:
    """How many enabled questions each (area, type, personnel type, exam type) cell of the bank
    holds: one grouped query, for the satisfiability of every rule."""
    counts: Counter = Counter()
    rows = (Question.objects.filter(is_enabled=True, current_version__isnull=False)
            .values_list("area_id", "qtype", "personnel_types", "exam_types"))
    for area_id, qtype, ptypes, etypes in rows:
        for etype in etypes.split(","):
            for ptype in ptypes:
                counts[(area_id, qtype, ptype, etype)] += 1
    return counts


def demo_pool() -> dict:
    """The 演示题库's enabled questions per 题型 (current versions, in 题目编号 order): what the
    考前测试's practice paper draws from, never the real bank. {qtype: [[version id, option count], …]}."""
    pools: dict = {}
    rows = (Question.objects.filter(is_demo=True, is_enabled=True, current_version__isnull=False).order_by("code")
            .values_list("qtype", "current_version_id", "current_version__options"))
    for qtype, version_id, options in rows:
        pools.setdefault(qtype, []).append([version_id, len(options)])
    return pools


def draw_pool(*, exam_type: str, personnel_type: str) -> dict:
    """The versions a new paper may draw, per (area, type): the current versions of enabled
    questions that apply to the exam type and the personnel type, in 题目编号 order (the order
    is part of what a seed reproduces). Values: [[version id, option count], …]."""
    pools: dict = {}
    rows = (Question.objects.filter(is_enabled=True, current_version__isnull=False,
                                    personnel_types__contains=personnel_type, exam_types__contains=exam_type)
            .order_by("code").values_list("area_id", "qtype", "current_version_id", "current_version__options",
                                          "exam_types"))
    for area_id, qtype, version_id, options, etypes in rows:
        if exam_type not in etypes.split(","):  # "new_online" must not match inside another name
            continue
        pools.setdefault((area_id, qtype), []).append([version_id, len(options)])
    return pools
