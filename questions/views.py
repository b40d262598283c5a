"""题库管理 pages (central only; regions and candidates get 403 from the role check and an
empty queryset from the scope). Thin: parse, fetch through selectors, call one service."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.forms import add_application_error
from core.pagination import paginate
from core.permissions import central_required
from core.scoping import get_visible_or_404
from plans.choices import ExamType

from .choices import DEMO_LABEL
from .filters import QuestionFilterForm
from .forms import AreaForm, QuestionForm, ReasonForm
from .models import KnowledgeArea
from .selectors import area_list, bank_has_demo, question_get, question_versions
from .services import (
    area_create,
    area_update,
    question_create,
    question_delete,
    question_set_enabled,
    question_update,
)


@central_required
def question_list_view(request):
    form = QuestionFilterForm(request.GET, user=request.user)
    context = paginate(request, form.rows())
    context.update(form=form, has_demo=bank_has_demo(fetched_by=request.user), demo_label=DEMO_LABEL,
                   export_query=request.GET.urlencode())
    return render(request, "questions/list.html", context)


@central_required
def question_add(request):
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            question = question_create(data=form.cleaned_data["input"], acting_user=request.user)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, f"试题 {question.code} 已添加")
            return redirect("questions:detail", question.pk)
    return render(request, "questions/form.html", {"form": form, "title": "添加试题"})


@central_required
def question_detail(request, pk: int):
    question = question_get(pk=pk, fetched_by=request.user)
    versions = list(question_versions(question=question, fetched_by=request.user))
    return render(request, "questions/detail.html", {
        "question": question, "version": question.current_version, "versions": versions,
        "used": any(v.used_at for v in versions), "demo_label": DEMO_LABEL, "reason_form": ReasonForm(),
        "exam_type_labels": [ExamType(t).label for t in question.exam_type_list],
    })


@central_required
def question_edit(request, pk: int):
    question = question_get(pk=pk, fetched_by=request.user)
    form = QuestionForm(request.POST or None, initial=QuestionForm.initial_for(question), editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = question_update(question=question, data=form.cleaned_data["input"], acting_user=request.user)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, f"试题 {question.code}：{outcome.message}")
            return redirect("questions:detail", question.pk)
    return render(request, "questions/form.html", {"form": form, "title": f"修改试题 {question.code}",
                                                   "question": question})


@central_required
@require_POST
def question_enable(request, pk: int):
    question = question_get(pk=pk, fetched_by=request.user)
    enabled = request.POST.get("enabled") == "1"
    form = ReasonForm(request.POST)
    form.is_valid()
    question_set_enabled(question=question, enabled=enabled, acting_user=request.user,
                         reason=form.cleaned_data.get("reason", ""))
    messages.success(request, f"试题 {question.code} 已{'启用' if enabled else '停用'}")
    return redirect("questions:detail", question.pk)


@central_required
@require_POST
def question_delete_view(request, pk: int):
    question = question_get(pk=pk, fetched_by=request.user)
    try:
        question_delete(question=question, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("questions:detail", question.pk)
    messages.success(request, f"试题 {question.code} 已删除")
    return redirect("questions:list")


@central_required
def area_list_view(request):
    form = AreaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            area = area_create(name=form.cleaned_data["name"], sort_order=form.cleaned_data["sort_order"] or 0,
                               acting_user=request.user)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, f"知识领域“{area.name}”已添加")
            return redirect("questions:areas")
    areas = area_list(fetched_by=request.user, with_counts=True)
    return render(request, "questions/areas.html", {"areas": areas, "form": form})


@central_required
def area_edit(request, pk: int):
    area = get_visible_or_404(KnowledgeArea, request.user, pk=pk)
    form = AreaForm(request.POST or None, initial={"name": area.name, "sort_order": area.sort_order,
                                                   "is_active": area.is_active})
    if request.method == "POST" and form.is_valid():
        try:
            area_update(area=area, name=form.cleaned_data["name"], sort_order=form.cleaned_data["sort_order"] or 0,
                        is_active=form.cleaned_data["is_active"], acting_user=request.user)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, "知识领域已保存")
            return redirect("questions:areas")
    return render(request, "questions/area_form.html", {"form": form, "area": area})
