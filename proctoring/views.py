"""Remote proctoring's pages and the exam page's endpoints (docs/decisions.md#proctoring). Thin: parse, fetch
through the scoped selectors, call one service, answer. The candidate's endpoints answer a
closed attempt or a missing consent with HTTP 200 and an "error" code (the browser logs no
error for an answer it expects); malformed input is a 400 with a Chinese message."""


from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from candidates.models import Registration
from core.errors import ApplicationError
from core.http import json_body
from core.middleware import client_ip
from core.permissions import role_required
from core.roles import Role
from core.scoping import get_visible_or_404

from . import selectors, services
from .choices import ConsentPurpose

MAX_EVENTS_BODY = 128 * 1024
SOFT_ERRORS = ("closed", "no_consent", "too_many")


def _answer_error(exc: ApplicationError) -> JsonResponse:
    status = 200 if exc.code in SOFT_ERRORS else 413 if exc.code == "too_large" else 400
    return JsonResponse({"error": exc.code, "message": exc.message}, status=status)


def _attempt(request, pk: int):
    from exams.selectors import attempt_get

    return attempt_get(pk=pk, fetched_by=request.user)


@role_required(Role.CANDIDATE)
@require_POST
def consent(request, registration_id: int):
    """The entry page's form: 同意 / 不同意 for each purpose, nothing pre-selected."""
    registration = get_visible_or_404(Registration.objects.select_related("plan", "person", "region"), request.user,
                                      pk=registration_id)
    answers = {}
    for purpose in ConsentPurpose.values:
        value = request.POST.get(purpose, "")
        answers[purpose] = True if value == "yes" else False if value == "no" else None
    try:
        result = services.consent_record(registration=registration, acting_user=request.user, answers=answers,
                                         version=request.POST.get("version", ""), ip=client_ip(request),
                                         user_agent=request.META.get("HTTP_USER_AGENT", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if all(result.values()):
            messages.success(request, "已记录您的同意，可以进入考试")
        else:
            messages.warning(request, selectors.consent_refusal(registration) or "已记录您的选择")
    return redirect("exams:sit", registration_id=registration.pk)


@never_cache
@role_required(Role.CANDIDATE)
@require_POST
def events(request, pk: int):
    """Events from a remote exam page: {"events": [{id, kind, at, duration_ms, detail}]}. Answers
    {"stored": [client ids]} (new or already stored: the page forgets them)."""
    attempt = _attempt(request, pk)
    try:
        data = json_body(request, max_bytes=MAX_EVENTS_BODY)
        stored = services.events_record(attempt=attempt, raw_events=data.get("events"), acting_user=request.user,
                                        ip=client_ip(request))
    except ApplicationError as exc:
        return _answer_error(exc)
    return JsonResponse({"stored": stored})


@never_cache
@role_required(Role.CANDIDATE)
@require_POST
def snapshot_upload(request, pk: int):
    """One camera snapshot: the body is the JPEG itself (Content-Type image/jpeg), its client id,
    time and trigger in the query string. The declared length is checked before the body is read."""
    from django.conf import settings

    attempt = _attempt(request, pk)
    limit = settings.PROCTORING_SNAPSHOT_MAX_BYTES
    try:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            raise ApplicationError(f"抓拍照片不能超过 {limit // 1024} KB（收到 {declared // 1024} KB）", code="too_large")
        if request.body and request.content_type != "image/jpeg":
            raise ApplicationError("抓拍照片必须以 image/jpeg 上传")
        snapshot, created = services.snapshot_store(
            attempt=attempt, data=request.body, client_id=request.GET.get("id", ""),
            taken_at_ms=request.GET.get("at") or None, trigger=request.GET.get("trigger", "periodic")[:24],
            event_client_id=request.GET.get("event", "")[:64], acting_user=request.user, ip=client_ip(request))
    except ApplicationError as exc:
        return _answer_error(exc)
    return JsonResponse({"stored": snapshot.client_id, "created": created})


@never_cache
@role_required(Role.CENTRAL)
@require_GET
def attempt_record(request, pk: int):
    """监考记录 of one attempt (central): consent, the events timeline, the snapshots and notes;
    the same include the violation check's evidence page shows."""
    attempt = _attempt(request, pk)
    evidence = selectors.evidence_for_attempt(attempt, fetched_by=request.user)
    return render(request, "proctoring/attempt.html", {"attempt": attempt, "evidence": evidence})


@never_cache
@role_required(Role.CENTRAL)
@require_GET
def snapshot_image(request, pk: int):
    """One picture, central only, never cached by the browser or a proxy; the look is audited."""
    snapshot = selectors.snapshot_get(pk=pk, fetched_by=request.user)
    try:
        data = services.snapshot_read(snapshot=snapshot, acting_user=request.user)
    except ApplicationError as exc:
        return HttpResponse(exc.message, status=410, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store, max-age=0"
    response["Content-Disposition"] = f'inline; filename="snapshot-{snapshot.pk}.jpg"'
    return response
