from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from core.pagination import paginate
from core.roles import Role

from .filters import OutboxFilterForm


def outbox_is_public() -> bool:
    """The demo (`make run`: DEBUG and SMS_OUTBOX_PAGE_ENABLED) lets anyone read the outbox, so
    a newcomer can read the login code without an account. Anywhere else: central only."""
    return bool(settings.DEBUG and getattr(settings, "SMS_OUTBOX_PAGE_ENABLED", False))


def outbox(request):
    """短信发件箱: what the development backend "sent". Exists only when
    settings.SMS_OUTBOX_PAGE_ENABLED (404 otherwise, as if there were no such page)."""
    if not getattr(settings, "SMS_OUTBOX_PAGE_ENABLED", False):
        raise Http404("未找到该页面")
    public = outbox_is_public()
    if not public:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.role != Role.CENTRAL:
            raise PermissionDenied("您的账号无权访问此页面")
    form = OutboxFilterForm(request.GET, user=request.user)
    context = paginate(request, form.rows(public=public))
    context.update({"form": form, "public": public, "backend": settings.SMS_BACKEND})
    response = render(request, "sms/outbox.html", context)
    response["Cache-Control"] = "no-store"
    return response
