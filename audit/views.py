from django.shortcuts import render

from core.pagination import paginate
from core.permissions import central_required
from core.scoping import get_visible_or_404

from .forms import AuditFilterForm
from .models import AuditLog
from .selectors import audit_log_list


@central_required
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = audit_log_list(filters=filters, fetched_by=request.user)
    if form.is_bound and not form.is_valid():
        qs = qs.none()  # an invalid filter shows its error and no rows, never the whole log
    context = {"form": form, **paginate(request, qs)}
    return render(request, "audit/list.html", context)


@central_required
def audit_detail(request, pk: int):
    entry = get_visible_or_404(AuditLog, request.user, pk=pk)
    return render(request, "audit/detail.html", {"entry": entry})
