"""The candidate's exam pages and the exam page's JSON endpoints (docs/decisions.md#exam-engine). Thin: parse,
fetch through the scoped selectors, call one service, render. The key and the score never
reach the browser: the page renders papers.selectors.candidate_payload only."""


from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from candidates.models import Registration
from core.errors import ApplicationError
from core.http import json_body
from core.permissions import role_required
from core.roles import Role
from core.scoping import get_visible_or_404
from proctoring import selectors as proctoring_selectors
from proctoring import services as proctoring_services

from . import selectors, services
from .choices import CLOCK_SYNC_SECONDS, SAVE_DEBOUNCE_MS, AttemptState

MAX_BODY = 256 * 1024


def _own_registration(request, registration_id: int) -> Registration:
    return get_visible_or_404(Registration.objects.select_related("plan", "person", "region"), request.user,
                              pk=registration_id)


def _clock(attempt, now) -> dict:
    return {"state": attempt.state, "state_label": attempt.get_state_display(), "now_ms": int(now.timestamp() * 1000),
            "deadline_ms": int(attempt.deadline.timestamp() * 1000),
            "remaining_seconds": selectors.remaining_seconds(attempt, now)}


def _client_ip(request) -> str | None:
    from core.middleware import current_request_meta

    return (current_request_meta() or {}).get("ip") or request.META.get("REMOTE_ADDR")


@never_cache
@role_required(Role.CANDIDATE)
@require_GET
def sit(request, registration_id: int):
    """One exam for its candidate: before entry the times and the 进入考试 button; while 进行中
    the exam page (opening it takes the exam over from any older page); after, what follows."""
    registration = _own_registration(request, registration_id)
    now = timezone.now()
    attempt = selectors.attempt_for_candidate(registration=registration, now=now)
    plan = registration.plan
    context = {"registration": registration, "plan": plan, "attempt": attempt, "now": now,
               "entry_closes_at": services.entry_closes_at(plan), "states": AttemptState}
    if attempt.state == AttemptState.IN_PROGRESS:
        # a centralized exam reopens only inside the site's network, as it is entered
        context["network_refusal"] = services.entry_network_refusal(plan, _client_ip(request))
    if attempt.state != AttemptState.IN_PROGRESS or context.get("network_refusal"):
        context["entry_open"] = (attempt.state == AttemptState.NOT_STARTED
                                 and plan.starts_at <= now <= context["entry_closes_at"])
        if attempt.state == AttemptState.NOT_STARTED and proctoring_selectors.is_remote_plan(plan):
            context["consent"] = proctoring_selectors.consent_context(registration)
        return render(request, "exams/entry.html", context)
    token = services.attempt_open_session(attempt=attempt, now=now)
    context["proctoring"] = proctoring_services.exam_page_opened(attempt=attempt, ip=_client_ip(request), now=now)
    payload, saved = selectors.exam_page_data(attempt)
    for question in payload["questions"]:
        question["saved"] = saved.get(question["position"], {}).get("answer", "")
    context.update(payload=payload, config={
        "attempt": attempt.pk, "token": token, "session": attempt.sessions_opened, "last_seq": attempt.last_seq,
        "saved": saved,
        "clock": _clock(attempt, now), "sync_seconds": CLOCK_SYNC_SECONDS, "debounce_ms": SAVE_DEBOUNCE_MS,
        "question_count": payload["question_count"]})
    return render(request, "exams/sit.html", context)


@role_required(Role.CANDIDATE)
@require_POST
def start(request, registration_id: int):
    registration = _own_registration(request, registration_id)
    try:
        services.attempt_start(registration=registration, acting_user=request.user,
                               entry_code=request.POST.get("entry_code", "")[:20], ip=_client_ip(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("exams:sit", registration_id=registration.pk)




def _error(exc: ApplicationError, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": exc.code, "message": exc.message}, status=status)


@never_cache
@role_required(Role.CANDIDATE)
@require_POST
def save(request, pk: int):
    """Answers from the exam page: {"token", "answers": [{position, answer, seq, client_at}]}.
    The outcome of each seq comes back with the server's clock; a page that was taken over is
    told so ("error": "taken_over") and stops."""
    now = timezone.now()
    attempt = selectors.attempt_get(pk=pk, fetched_by=request.user, now=now)
    try:
        data = json_body(request, max_bytes=MAX_BODY)
        report = services.answers_save(attempt=attempt, token=str(data.get("token", "")),
                                       raw_items=data.get("answers"), acting_user=request.user,
                                       ip=_client_ip(request), now=now)
    except ApplicationError as exc:
        return _error(exc)
    attempt.refresh_from_db()
    body = {"outcomes": {str(k): v for k, v in report.outcomes.items()}, "last_seq": report.last_seq,
            "kept": {str(k): v for k, v in report.kept.items()}, "message": report.message, **_clock(attempt, now)}
    if any(v == "taken_over" for v in report.outcomes.values()):
        body["error"] = "taken_over"
    # a takeover is an answer (200), not a failure: the browser logs no error for it
    return JsonResponse(body)


@never_cache
@role_required(Role.CANDIDATE)
@require_GET
def clock(request, pk: int):
    """The server's remaining time (the page re-syncs at least every 30 s); also the last contact."""
    now = timezone.now()
    attempt = selectors.attempt_get(pk=pk, fetched_by=request.user, now=now)
    body = _clock(attempt, now)
    if attempt.state == AttemptState.IN_PROGRESS and not services.attempt_touch(
            attempt=attempt, token=request.GET.get("token", ""), now=now):
        body.update(error="taken_over", message=services.TAKEN_OVER_MESSAGE)
    return JsonResponse(body)


@never_cache
@role_required(Role.CANDIDATE)
@require_POST
def submit(request, pk: int):
    """交卷 (the page asked for confirmation first, listing unanswered questions)."""
    now = timezone.now()
    attempt = selectors.attempt_get(pk=pk, fetched_by=request.user, now=now)
    try:
        data = json_body(request, max_bytes=MAX_BODY)
        attempt = services.attempt_submit(attempt=attempt, token=str(data.get("token", "")), acting_user=request.user,
                                          now=now)
    except ApplicationError as exc:
        if exc.code in ("taken_over", "closed"):
            return JsonResponse({"error": exc.code, "message": exc.message})
        return _error(exc)
    return JsonResponse({"state": attempt.state, "state_label": attempt.get_state_display(),
                         "next": reverse("exams:sit", args=[attempt.registration_id])})


# ---------------------------------------------------------------- 考试监控 (管局 and central)


@never_cache
@role_required(Role.CENTRAL, Role.REGIONAL)
@require_GET
def monitor(request):
    plans = list(selectors.monitor_plans(fetched_by=request.user))
    return render(request, "exams/monitor.html", {"plans": plans, "now": timezone.now()})


@never_cache
@role_required(Role.CENTRAL, Role.REGIONAL)
@require_GET
def monitor_plan(request, pk: int):
    """One plan's live counts and list (the list refreshes itself every 15 s through htmx), with
    the 入场码 of a centralized plan, unlocks, and central's extensions."""
    plan = selectors.monitor_plan_get(pk=pk, fetched_by=request.user)
    now = timezone.now()
    summary, rows = selectors.monitor_rows(plan=plan, fetched_by=request.user, now=now)
    context = {"plan": plan, "summary": summary, "rows": rows, "now": now, "states": AttemptState,
               "is_central": request.user.role == Role.CENTRAL, "centralized": plan.exam_type == "new_online",
               "entry_closes_at": services.entry_closes_at(plan)}
    if request.htmx:
        return render(request, "exams/_monitor_rows.html", context)
    if context["centralized"]:
        context["entry_code"] = services.entry_code_for(plan=plan, acting_user=request.user).code
        context["networks"] = services.entry_networks(plan)
    return render(request, "exams/monitor_plan.html", context)


@role_required(Role.CENTRAL, Role.REGIONAL)
@require_POST
def unlock(request, registration_id: int):
    registration = get_visible_or_404(Registration.objects.select_related("plan"), request.user, pk=registration_id)
    try:
        services.attempt_unlock(registration=registration, acting_user=request.user)
        messages.success(request, f"已解锁考生 {registration.candidate_number}：无需入场码即可进入考试")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("exams:monitor_plan", pk=registration.plan_id)


@role_required(Role.CENTRAL)
@require_POST
def extend(request, pk: int):
    """Central extends one candidate's time (the form on the plan's monitor page)."""
    plan = selectors.monitor_plan_get(pk=pk, fetched_by=request.user)
    try:
        registration = get_visible_or_404(Registration.objects.select_related("plan"), request.user, plan=plan,
                                          pk=int(request.POST.get("registration", "")))
        minutes = int(request.POST.get("minutes", ""))
    except ValueError:
        messages.error(request, "延长时间：请选择考生并填写 1 到 240 之间的整数分钟")
        return redirect("exams:monitor_plan", pk=plan.pk)
    try:
        services.attempt_extend(attempt=services.attempt_for(registration), minutes=minutes,
                                reason=request.POST.get("reason", ""), acting_user=request.user)
        messages.success(request, f"已为考生 {registration.candidate_number} 延长 {minutes} 分钟")
    except ApplicationError as exc:
        messages.error(request, f"延长时间：{exc.message}")
    return redirect("exams:monitor_plan", pk=plan.pk)


@never_cache
@role_required(Role.CENTRAL, Role.REGIONAL)
def entry_networks(request, pk: int):
    """考点网络 of a centralized plan: the site's IP ranges, set by its 管局 or central."""
    plan = selectors.monitor_plan_get(pk=pk, fetched_by=request.user)
    text, error = None, ""
    if request.method == "POST":
        text = request.POST.get("networks", "")[:5000]
        try:
            row = services.entry_networks_set(plan=plan, text=text, acting_user=request.user)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, "考点网络已保存：" + ("、".join(row.networks) if row.networks else "不限制入场地址"))
            return redirect("exams:entry_networks", pk=plan.pk)
    networks = services.entry_networks(plan)
    return render(request, "exams/entry_networks.html", {
        "plan": plan, "networks": networks, "text": text if text is not None else "\n".join(networks),
        "error": error, "centralized": plan.exam_type == "new_online", "client_ip": _client_ip(request)})


@role_required(Role.CENTRAL)
def entry_rules(request):
    """Central sets each online type's late-entry limit and save grace."""
    from plans.choices import ExamType

    if request.method == "POST":
        exam_type = request.POST.get("exam_type", "")
        try:
            late, grace = int(request.POST.get("late_entry_minutes", "")), int(request.POST.get("grace_seconds", ""))
        except ValueError:
            messages.error(request, "请填写整数：开考后允许进入（分钟）与交卷宽限（秒）")
        else:
            try:
                services.entry_rule_set(exam_type=exam_type, late_entry_minutes=late, grace_seconds=grace,
                                        acting_user=request.user)
                messages.success(request, "入场规则已保存")
            except ApplicationError as exc:
                messages.error(request, exc.message)
        return redirect("exams:entry_rules")
    rows = [{"exam_type": t, "label": ExamType(t).label, "rule": services.entry_rule(t)} for t in services.ONLINE_TYPES]
    return render(request, "exams/entry_rules.html", {"rows": rows})
