"""组卷规则 and 试卷 pages. Rules and previews are central's; the plan page's papers panel is
shown to central and the plan's region (counts and warnings only, never questions)."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from candidates.models import Registration
from core.errors import ApplicationError
from core.forms import add_application_error
from core.pagination import paginate
from core.permissions import admin_required, central_required
from core.roles import Role
from core.scoping import get_visible_or_404
from plans.models import ExamPlan
from questions.choices import DEMO_LABEL
from questions.selectors import area_list, bank_has_demo

from . import drawing
from .forms import PreviewForm, RuleForm
from .selectors import (
    paper_for_registration,
    paper_progress,
    paper_view,
    plan_paper_rows,
    plan_rule_warnings,
    rule_get,
    rule_list,
    rule_preview_paper,
    rule_report,
)
from .services import papers_enqueue, plan_is_due, rule_create, rule_set_active, rule_update


@central_required
def rule_list_view(request):
    rows = [rule_report(rule) for rule in rule_list(fetched_by=request.user)]
    return render(request, "papers/rules.html", {"reports": rows, "demo_label": DEMO_LABEL,
                                                 "has_demo": bank_has_demo(fetched_by=request.user)})


def _rule_form_page(request, *, rule=None):
    areas = area_list(fetched_by=request.user, active_only=rule is None)
    if rule is not None:  # an inactive area a rule still uses stays editable
        used = {c.area_id for c in rule.cells.all()}
        areas = [a for a in area_list(fetched_by=request.user) if a.is_active or a.pk in used]
    initial = RuleForm.initial_for(rule) if rule else {}
    form = RuleForm(request.POST or None, initial=initial, areas=areas)
    if request.method == "POST" and form.is_valid():
        try:
            if rule is None:
                saved = rule_create(data=form.rule_input(), acting_user=request.user)
            else:
                saved = rule_update(rule=rule, data=form.rule_input(), seen_revision=form.cleaned_data["revision"],
                                    acting_user=request.user)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, f"组卷规则“{saved.name}”已保存")
            return redirect("papers:rule_detail", saved.pk)
    return render(request, "papers/rule_form.html", {"form": form, "rule": rule,
                                                     "title": "修改组卷规则" if rule else "新建组卷规则"})


@central_required
def rule_add(request):
    return _rule_form_page(request)


@central_required
def rule_edit(request, pk: int):
    return _rule_form_page(request, rule=rule_get(pk=pk, fetched_by=request.user))


@central_required
def rule_detail(request, pk: int):
    rule = rule_get(pk=pk, fetched_by=request.user)
    from .choices import PARTIAL_MULTIPLE_RULE

    return render(request, "papers/rule_detail.html", {"rule": rule, "report": rule_report(rule),
                                                       "demo_label": DEMO_LABEL, "partial_rule": PARTIAL_MULTIPLE_RULE})


@central_required
@require_POST
def rule_active(request, pk: int):
    rule = rule_get(pk=pk, fetched_by=request.user)
    active = request.POST.get("active") == "1"
    try:
        rule_set_active(rule=rule, active=active, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"组卷规则“{rule.name}”已{'启用' if active else '停用'}")
    return redirect("papers:rule_detail", rule.pk)


def _answers_shown(request) -> bool:
    return request.GET.get("answers", "1") != "0"


@central_required
def rule_preview(request, pk: int):
    """A paper drawn by the rule as a candidate would see it, with the answers (central only)."""
    rule = rule_get(pk=pk, fetched_by=request.user)
    form = PreviewForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    personnel_type = data.get("personnel_type") or rule.personnel_types[0]
    if personnel_type not in rule.personnel_types:
        personnel_type = rule.personnel_types[0]
    seed = data.get("seed") if data.get("seed") is not None else drawing.new_seed()
    context = {"rule": rule, "form": form, "personnel_type": personnel_type, "seed": seed,
               "show_answers": _answers_shown(request), "demo_label": DEMO_LABEL}
    try:
        context["payload"] = paper_view(rule_preview_paper(rule, personnel_type=personnel_type, seed=seed))
    except drawing.DrawShort as exc:
        context["short"] = str(exc)
    return render(request, "papers/preview.html", context)


@central_required
def registration_paper(request, registration_id: int):
    """The paper of one registration as its candidate will see it; central's view shows the key."""
    registration = get_visible_or_404(Registration.objects.select_related("person", "plan"), request.user,
                                      pk=registration_id)
    paper = paper_for_registration(registration)
    context = {"registration": registration, "paper": paper, "show_answers": _answers_shown(request),
               "demo_label": DEMO_LABEL}
    if paper is not None:
        context["payload"] = paper_view(paper)
        context["rule_name"] = paper.draw.blueprint["rule_name"]
    return render(request, "papers/registration_paper.html", context)


def _status_context(request, plan: ExamPlan) -> dict:
    done, total = paper_progress(plan)
    is_central = request.user.role == Role.CENTRAL
    now = timezone.now()
    due = plan_is_due(plan, now)
    return {"plan": plan, "done": done, "total": total, "due": due, "is_central": is_central,
            "warnings": plan_rule_warnings(plan) if plan.audit_status == "approved" else [],
            "polling": due and done < total}


@admin_required
def plan_status(request, plan_id: int):
    """试卷已生成 N / M on the plan page (htmx partial). Without a Celery broker there is no
    beat: a due plan with missing papers starts the generation job from here (the jobs
    fallback; idempotent, one job at a time per plan)."""
    plan = get_visible_or_404(ExamPlan, request.user, pk=plan_id)
    context = _status_context(request, plan)
    if context["polling"] and settings.CELERY_TASK_ALWAYS_EAGER and settings.JOBS_EAGER_MODE != "inline":
        papers_enqueue(plan=plan)
    return render(request, "papers/_plan_status.html", context)


@central_required
def plan_papers(request, plan_id: int):
    """试卷列表 of a plan: each registration and whether its paper exists (central)."""
    plan = get_visible_or_404(ExamPlan, request.user, pk=plan_id)
    context = paginate(request, plan_paper_rows(plan=plan, fetched_by=request.user))
    context.update(plan=plan, progress=paper_progress(plan))
    return render(request, "papers/plan_papers.html", context)


@central_required
@require_POST
def plan_generate(request, plan_id: int):
    """生成缺少的试卷: central starts the generation of a plan's missing papers now."""
    plan = get_visible_or_404(ExamPlan, request.user, pk=plan_id)
    if plan.audit_status != "approved":
        messages.error(request, "该考核计划尚未审核通过，不能生成试卷")
    elif papers_enqueue(plan=plan, acting_user=request.user) is None:
        messages.info(request, "该计划的试卷正在生成中")
    else:
        messages.success(request, "已开始生成试卷")
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return redirect("plans:detail", plan.pk)
