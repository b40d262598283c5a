"""Pages of 违规核查 (central only) and the candidate's 申诉 page. Thin: parse, fetch through the
scoped selectors, call one service, render; a service's refusal is shown beside its field or as
a message (the page is shown again with it, status 200 as every form page here), and nothing
changes."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.pagination import paginate
from core.permissions import central_required, role_required
from core.roles import Role
from proctoring import selectors as proctoring_selectors

from . import selectors, services
from .choices import DecisionStatus, ObjectionStatus, ReviewStatus
from .forms import DecisionForm, ObjectionDecideForm, ObjectionForm, PublishForm, ReviewNoteForm


@central_required
def plan_list(request):
    status = request.GET.get("status", "")
    rows = selectors.review_plans(fetched_by=request.user, status=status)
    states = ["待核查", "等待交卷", "等待扫描结束", "计算中", "核查中", "计算失败", "已发布"]
    return render(request, "review/plans.html", {"rows": rows, "status": status, "states": states,
                                                 "pending_objections": selectors.pending_objections_count()})


@central_required
def plan_detail(request, plan_id: int):
    plan, review = selectors.review_plan_get(plan_id=plan_id, fetched_by=request.user)
    flag, decision = request.GET.get("flag", ""), request.GET.get("decision", "")
    context = {"plan": plan, "review": review, "state": selectors.review_state_label(plan, review),
               "flag": flag, "decision": decision, "flag_filters": [(k, v[0]) for k, v in selectors.FLAG_FILTERS.items()],
               "decision_filters": list(selectors.DECISION_FILTERS.items()), "statuses": ReviewStatus}
    if review is not None and review.status in (ReviewStatus.READY, ReviewStatus.PUBLISHED):
        page = paginate(request, selectors.review_candidates(review=review, flag=flag, decision=decision), default=50)
        context.update(page, rows=selectors.candidate_rows(page["page_obj"]),
                       blockers=selectors.publication_blockers(review),
                       publish_form=PublishForm(initial={"objection_days": services.objection_days_default()}),
                       groups=_groups(review))
    return render(request, "review/plan.html", context)


def _groups(review) -> list[list]:
    from exams.models import Attempt

    groups = review.summary.get("groups") or []
    ids = {int(x) for g in groups for x in g}
    attempts = {a.pk: a for a in Attempt.objects.filter(pk__in=ids).select_related("registration__person")}
    return [[attempts[int(x)] for x in g if int(x) in attempts] for g in groups]


@central_required
@require_POST
def plan_start(request, plan_id: int):
    plan, _review = selectors.review_plan_get(plan_id=plan_id, fetched_by=request.user)
    try:
        services.review_start(plan=plan, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已开始核查计算，可离开本页，稍后回来查看结果")
    return redirect("review:plan", plan_id=plan.pk)


@central_required
@require_POST
def plan_publish(request, plan_id: int):
    plan, _review = selectors.review_plan_get(plan_id=plan_id, fetched_by=request.user)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("review:plan", plan_id=plan.pk)
    try:
        services.review_publish(plan=plan, objection_days=form.cleaned_data["objection_days"], acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"批次 {plan.batch_no} 核查完成，成绩已发布")
    return redirect("review:plan", plan_id=plan.pk)


def _decision_form(request, review, attempt, current, data=None):
    options = selectors.evidence_options(review=review, attempt=attempt)
    initial = {"seen_revision": current.revision if current else 0}
    return DecisionForm(data, evidence_options=options, user=request.user, initial=initial)


def _evidence_context(request, attempt, review, candidate, *, form=None, note_form=None):
    current = selectors.current_decision(attempt)
    context = {
        "attempt": attempt, "plan": attempt.plan, "review": review, "candidate": candidate,
        "evidence": selectors.evidence_for(review=review, attempt=attempt),
        "history": selectors.decision_history(attempt), "current": current,
        "form": form or _decision_form(request, review, attempt, current),
        "note_form": note_form or ReviewNoteForm(initial={"seen_revision": current.revision if current else 0}),
        "may_decide": review.status == ReviewStatus.READY,
        "awaiting": current is not None and current.status == DecisionStatus.AWAITING,
        "own_proposal": current is not None and current.decided_by_id == request.user.pk,
        # events timeline, snapshots and their automatic notes (central only, like this page)
        "proctoring": proctoring_selectors.evidence_for_attempt(attempt, fetched_by=request.user),
    }
    return context


@central_required
def candidate_evidence(request, attempt_id: int):
    attempt, review, candidate = selectors.review_candidate_get(attempt_id=attempt_id, fetched_by=request.user)
    return render(request, "review/candidate.html", _evidence_context(request, attempt, review, candidate))


@central_required
@require_POST
def candidate_decide(request, attempt_id: int):
    attempt, review, candidate = selectors.review_candidate_get(attempt_id=attempt_id, fetched_by=request.user)
    current = selectors.current_decision(attempt)
    form = _decision_form(request, review, attempt, current, data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.decision_record(
                attempt=attempt, choice=data["choice"], category=data["category"], evidence_keys=data["evidence"],
                note=data["note"], reason=data["reason"], seen_revision=data["seen_revision"],
                acting_user=request.user)
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已记录核查结论：{decision.label}")
            return redirect("review:candidate", attempt_id=attempt.pk)
    return render(request, "review/candidate.html",
                  _evidence_context(request, attempt, review, candidate, form=form))


def _second_review(request, attempt_id: int, service, done: str):
    attempt, review, candidate = selectors.review_candidate_get(attempt_id=attempt_id, fetched_by=request.user)
    form = ReviewNoteForm(request.POST)
    if form.is_valid():
        try:
            service(attempt=attempt, note=form.cleaned_data["note"], seen_revision=form.cleaned_data["seen_revision"],
                    acting_user=request.user)
        except ApplicationError as exc:
            form.add_error("note" if exc.field == "note" else None, exc.message)
        else:
            messages.success(request, done)
            return redirect("review:candidate", attempt_id=attempt.pk)
    return render(request, "review/candidate.html",
                  _evidence_context(request, attempt, review, candidate, note_form=form))


@central_required
@require_POST
def candidate_confirm(request, attempt_id: int):
    return _second_review(request, attempt_id, services.decision_confirm, "复核确认，违规结论已生效")


@central_required
@require_POST
def candidate_return(request, attempt_id: int):
    return _second_review(request, attempt_id, services.decision_return, "复核不同意，该考生需要重新作出核查结论")


# ---------------------------------------------------------------- objections (central)


@central_required
def objection_list(request):
    status = request.GET.get("status", "")
    if status not in ObjectionStatus.values:
        status = ""
    page = paginate(request, selectors.objection_list(fetched_by=request.user, status=status))
    return render(request, "review/objections.html", {"status": status, "statuses": ObjectionStatus.choices, **page})


@central_required
def objection_detail(request, pk: int):
    objection = selectors.objection_get(pk=pk, fetched_by=request.user)
    form = ObjectionDecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.objection_decide(objection=objection, upheld=form.cleaned_data["outcome"] == "upheld",
                                      answer=form.cleaned_data["answer"], acting_user=request.user)
        except ApplicationError as exc:
            form.add_error("answer" if exc.field == "answer" else None, exc.message)
        else:
            messages.success(request, "申诉已处理")
            return redirect("review:objection", pk=objection.pk)
    return render(request, "review/objection.html", {
        "objection": objection, "form": form, "attempt": objection.attempt,
        "history": selectors.decision_history(objection.attempt)})


# ---------------------------------------------------------------- 申诉 (the candidate)


@role_required(Role.CANDIDATE)
def candidate_object(request, registration_id: int):
    """The candidate objects to the violation found in their own exam (another candidate's
    registration is a 404, like a missing one)."""
    registration, attempt = selectors.candidate_attempt_for_objection(registration_id=registration_id,
                                                                      fetched_by=request.user)
    result = selectors.results_for_candidate([registration]).get(registration.pk)
    if result is None:
        raise Http404("未找到该记录")
    form = ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.objection_submit(attempt=attempt, text=form.cleaned_data["text"], acting_user=request.user)
        except ApplicationError as exc:
            form.add_error("text" if exc.field == "text" else None, exc.message)
        else:
            messages.success(request, "申诉已提交，部中心处理后会在“我的考核”显示处理结果")
            return redirect(reverse("candidates:my_registrations"))
    return render(request, "review/object.html", {"registration": registration, "result": result, "form": form})
