from django.shortcuts import render

from core.pagination import paginate
from core.permissions import central_required
from core.scoping import get_visible_or_404

from .filters import AuditFilterForm
from .models import AuditLog


@central_required
def audit_list(request):
    form = AuditFilterForm(request.GET, user=request.user)
    context = {"form": form, **paginate(request, form.rows())}
    return render(request, "audit/list.html", context)


@central_required
def audit_detail(request, pk: int):
    entry = get_visible_or_404(AuditLog, request.user, pk=pk)
    return render(request, "audit/detail.html", {"entry": entry})
