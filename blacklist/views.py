"""黑名单管理 pages (the guide 五, SPEC.md §7). Thin: parse input, fetch through a scoped
selector (BlacklistEntry.objects.visible_to), call one service, render. Central decides;
a region reads the entries that concern it, searches and exports them."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.filters import InvalidFilter
from core.forms import add_application_error
from core.masking import mask_id_number
from core.pagination import paginate
from core.permissions import admin_required, central_required
from core.roles import Role

from .choices import EVIDENCE_EXTENSIONS
from .filters import EntryFilterForm
from .forms import (
    CategoryForm,
    EntryEditForm,
    EntryForm,
    FromRegistrationForm,
    RegistrationLookupForm,
    RevokeForm,
)
from .registrations import conflict_list, registration_get, registration_search
from .selectors import (
    category_get,
    category_list,
    entries_by_pk,
    entry_get,
    entry_history,
)
from .services import (
    category_create,
    category_update,
    entries_export,
    entry_create,
    entry_create_from_registration,
    entry_evidence_download_record,
    entry_reveal_id_number,
    entry_revoke,
    entry_update,
)


def _is_central(user) -> bool:
    return user.role == Role.CENTRAL


# --------------------------------------------------------------------------- reading

@admin_required
def entry_list_view(request):
    """黑名单 list: central sees all; a region sees the entries that concern it (visible_to)."""
    form = EntryFilterForm(request.GET, user=request.user)
    context = paginate(request, form.rows())
    today = timezone.localdate()
    context.update(
        form=form, is_central=_is_central(request.user), today=today,
        rows=[{"entry": e, "masked_id": mask_id_number(e.id_number), "state": e.state(today),
               "state_label": e.state_label(today)} for e in context["page_obj"]],
        export_query=request.GET.urlencode(),
    )
    return render(request, "blacklist/list.html", context)


@admin_required
@never_cache
def entry_export(request):
    """导出 the filtered list as .xlsx (services.entry_export: regions get masked 证件号码; logged)."""
    try:
        export = entries_export(query=request.GET.urlencode(), acting_user=request.user)
    except InvalidFilter as exc:  # the list page shows the same filters with their errors and no rows
        messages.error(request, f"{exc.message}。未导出任何数据")
        return redirect(reverse("blacklist:list") + ("?" + request.GET.urlencode() if request.GET else ""))
    return FileResponse(export.handle, as_attachment=True, filename=export.filename,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@admin_required
def entry_detail(request, pk: int):
    entry = entry_get(pk=pk, fetched_by=request.user)
    return render(request, "blacklist/detail.html", _detail_context(request, entry))


def _detail_context(request, entry) -> dict:
    is_central = _is_central(request.user)
    today = timezone.localdate()
    context = {
        "entry": entry, "is_central": is_central, "masked_id": mask_id_number(entry.id_number),
        "state": entry.state(today), "state_label": entry.state_label(today),
        "history": list(entry_history(entry=entry, fetched_by=request.user)[:50]) if is_central else [],
        # another region sees the entry through the person's own registration with it; the case
        # itself (the registration's numbers, the evidence note) belongs to the violation's region
        "own_case": is_central or entry.region_id == request.user.region_id,
    }
    return context


@central_required
@require_POST
@never_cache
def entry_reveal(request, pk: int):
    """显示完整证件号码 (central; logged). Answers an htmx request with the number alone."""
    entry = entry_get(pk=pk, fetched_by=request.user)
    number = entry_reveal_id_number(entry=entry, acting_user=request.user)
    if request.htmx:
        # replaces the whole cell, the button with it: one click, one audit entry
        return HttpResponse(format_html(
            '<span id="id-number" class="mono"><span data-testid="full-id-number">{}</span></span>（已记录查看操作）', number))
    # without JavaScript: the page itself, answering this POST (never stored in the session as a
    # flash message, never a cacheable GET)
    return render(request, "blacklist/detail.html", {**_detail_context(request, entry), "revealed_id": number})


@central_required
@never_cache
def entry_evidence(request, pk: int):
    """Download the evidence file: central only (decision: evidence is central's decision
    material and may show other people; regions see the entry and its note, not the file)."""
    entry = entry_get(pk=pk, fetched_by=request.user)
    if not entry.evidence_file:
        raise Http404("该记录没有证据附件")
    try:
        handle = entry.evidence_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("证据附件文件不存在") from exc
    entry_evidence_download_record(entry=entry, acting_user=request.user)
    ext = entry.evidence_file.name.rsplit(".", 1)[-1].lower()
    content_type = EVIDENCE_EXTENSIONS.get(ext, ("application/octet-stream",))[0]
    return FileResponse(handle, as_attachment=True, filename=entry.evidence_file_name or f"evidence.{ext}",
                        content_type=content_type)


@central_required
def conflicts(request):
    """冲突名单: registrations in plans not yet started whose person is under a penalty (today or
    on the exam date); central resolves them with the region."""
    qs = conflict_list(fetched_by=request.user)
    context = paginate(request, qs)
    page = list(context["page_obj"])
    entries = entries_by_pk(r.blocking_entry_id for r in page)
    rows = []
    for reg in page:
        entry = entries.get(reg.blocking_entry_id)
        rows.append({
            "registration": reg, "entry": entry, "masked_id": mask_id_number(reg.person.id_number),
            "on_exam_day": bool(entry and entry.penalty_start <= reg.plan.exam_date <= entry.penalty_end),
        })
    context["rows"] = rows
    return render(request, "blacklist/conflicts.html", context)


# --------------------------------------------------------------------------- deciding (central)

def _penalty_args(data: dict) -> dict:
    return {"category": data["category"], "penalty_start": data.get("penalty_start"),
            "penalty_end": data.get("penalty_end"), "evidence_note": data["evidence_note"],
            "evidence_file": data.get("evidence_file") or None}


@central_required
def entry_add(request):
    """添加 by 证件类型 + 证件号码."""
    form = EntryForm(request.POST or None, request.FILES or None, user=request.user,
                     initial={"penalty_start": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = entry_create(id_type=data["id_type"], id_number=data["id_number"], name=data["name"],
                                 company_name=data["company_name"], region=data["region"],
                                 acting_user=request.user, **_penalty_args(data))
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, f"已将 {entry.name} 列入黑名单（{entry.penalty_start:%Y-%m-%d} 至 "
                                      f"{entry.penalty_end:%Y-%m-%d}）")
            return redirect("blacklist:detail", pk=entry.pk)
    return render(request, "blacklist/entry_form.html", {"form": form, "title": "添加黑名单", "entry": None})


@central_required
def entry_add_from_registration(request):
    """从报名添加: central finds the registration by 考生编号 or 证件号码, then decides."""
    registration = None
    if request.POST.get("registration") or request.GET.get("registration"):
        registration = registration_get(pk=request.POST.get("registration") or request.GET.get("registration"),
                                        fetched_by=request.user)
    if registration is None:
        lookup = RegistrationLookupForm(request.GET or None)
        results = registration_search(query=lookup.cleaned_data["q"], fetched_by=request.user) \
            if lookup.is_valid() else []
        return render(request, "blacklist/from_registration.html",
                      {"lookup": lookup, "searched": lookup.is_bound,
                       "results": [{"r": r, "masked_id": mask_id_number(r.person.id_number)} for r in results]})
    form = FromRegistrationForm(request.POST or None, request.FILES or None, user=request.user,
                                initial={"penalty_start": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            entry = entry_create_from_registration(registration=registration, acting_user=request.user,
                                                   **_penalty_args(form.cleaned_data))
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, f"已将 {entry.name} 列入黑名单（{entry.penalty_start:%Y-%m-%d} 至 "
                                      f"{entry.penalty_end:%Y-%m-%d}）")
            return redirect("blacklist:detail", pk=entry.pk)
    return render(request, "blacklist/from_registration.html",
                  {"form": form, "registration": registration,
                   "masked_id": mask_id_number(registration.person.id_number)})


@central_required
def entry_edit(request, pk: int):
    """修改 (central, required reason; revoked entries are history and cannot be changed)."""
    entry = entry_get(pk=pk, fetched_by=request.user)
    if entry.is_revoked:
        messages.error(request, "已撤销的黑名单记录不能修改")
        return redirect("blacklist:detail", pk=entry.pk)
    initial = {"name": entry.name, "company_name": entry.company_name, "region": entry.region,
               "category": entry.category, "penalty_start": entry.penalty_start,
               "penalty_end": entry.penalty_end, "evidence_note": entry.evidence_note}
    form = EntryEditForm(request.POST or None, request.FILES or None, initial=initial, user=request.user,
                         current_category=entry.category)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry_update(entry=entry, name=data["name"], company_name=data["company_name"],
                         region=data["region"], reason=data["reason"], acting_user=request.user,
                         **_penalty_args(data))
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, "黑名单记录已修改")
            return redirect("blacklist:detail", pk=entry.pk)
    return render(request, "blacklist/entry_form.html",
                  {"form": form, "title": f"修改黑名单记录：{entry.name}", "entry": entry,
                   "masked_id": mask_id_number(entry.id_number)})


@central_required
def entry_revoke_view(request, pk: int):
    """撤销 (central, required reason); the entry stays as history and stops blocking."""
    entry = entry_get(pk=pk, fetched_by=request.user)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry_revoke(entry=entry, reason=form.cleaned_data["reason"], acting_user=request.user)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, f"已撤销 {entry.name} 的黑名单记录")
            return redirect("blacklist:detail", pk=entry.pk)
    return render(request, "blacklist/revoke.html",
                  {"form": form, "entry": entry, "masked_id": mask_id_number(entry.id_number)})


# --------------------------------------------------------------------------- categories (central)

@central_required
def categories(request):
    return render(request, "blacklist/categories.html", {"categories": category_list(fetched_by=request.user)})


@central_required
def category_add(request):
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            category = category_create(name=data["name"], description=data["description"],
                                       default_penalty_months=data["default_penalty_months"],
                                       voids_score=data["voids_score"], acting_user=request.user)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, f"已添加违规类型“{category.name}”")
            return redirect("blacklist:categories")
    return render(request, "blacklist/category_form.html", {"form": form, "title": "添加违规类型"})


@central_required
def category_edit(request, pk: int):
    category = category_get(pk=pk, fetched_by=request.user)
    initial = {"name": category.name, "description": category.description,
               "default_penalty_months": category.default_penalty_months,
               "voids_score": category.voids_score, "is_active": category.is_active}
    form = CategoryForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            category_update(category=category, name=data["name"], description=data["description"],
                            default_penalty_months=data["default_penalty_months"],
                            voids_score=data["voids_score"], is_active=data["is_active"],
                            reason=data["reason"], acting_user=request.user)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, f"违规类型“{data['name']}”已保存")
            return redirect("blacklist:categories")
    return render(request, "blacklist/category_form.html",
                  {"form": form, "title": f"修改违规类型：{category.name}", "category": category,
                   "back": reverse("blacklist:categories")})
