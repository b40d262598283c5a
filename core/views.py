from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache


def home(request):
    """The landing page: the system's name and, once signed in, the role's menu."""
    return render(request, "core/home.html")


def _check(fn):
    try:
        detail = fn()
        return {"ok": True, "detail": detail}
    except Exception as exc:  # the health page reports failures, it never raises them
        return {"ok": False, "detail": type(exc).__name__}


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def _cache():
    cache.set("health:ping", "pong", 10)
    if cache.get("health:ping") != "pong":
        raise RuntimeError("cache round trip failed")
    return "redis" if settings.REDIS_URL else "local-memory"


def _broker():
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.CELERY_BROKER_URL:
        return "eager (no broker configured)"
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "redis"


@never_cache
def health(request):
    """Database, cache and broker status, for load balancers and operators. No secrets."""
    checks = {"database": _check(_database), "cache": _check(_cache), "broker": _check(_broker)}
    for name, label in (("database", "数据库"), ("cache", "缓存"), ("broker", "后台任务队列")):
        checks[name]["label"] = label
    ok = all(c["ok"] for c in checks.values())
    if request.headers.get("Accept", "").startswith("text/html"):
        # no request context: its processors would load the session and the user from the database
        return HttpResponse(render_to_string("core/health.html", {"checks": checks, "ok": ok}),
                            status=200 if ok else 503)
    return JsonResponse({"ok": ok, "checks": checks}, status=200 if ok else 503)
