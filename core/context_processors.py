from django.conf import settings

from .menu import menu_for

SYSTEM_NAME = "通信施工企业安全生产“三类人员”线上考核系统"


def shell(request):
    return {
        "SYSTEM_NAME": SYSTEM_NAME,
        "menu": menu_for(request.user, request.path) if hasattr(request, "user") else [],
        "SMS_OUTBOX_PAGE_ENABLED": settings.SMS_OUTBOX_PAGE_ENABLED,
    }
