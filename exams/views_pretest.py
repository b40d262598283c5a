"""考前测试 pages (docs/decisions.md#pretest): the candidate's own three parts, and per plan for its 管局 and
central (who passed, failed, has not taken it; the notice to those who have not). Thin: parse,
fetch through scoped selectors, call one service, render."""


from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from candidates.models import Registration
from core.errors import ApplicationError
from core.http import json_body
from core.pagination import paginate
from core.permissions import role_required
from core.roles import Role
from core.scoping import get_visible_or_404

from . import pretest_selectors as selectors
from . import pretest_services as services
from .choices import (
    CAMERA_MIN_FRAMES,
    INFO_FIELDS,
    MAX_CLOCK_OFFSET_MS,
    MAX_RTT_MS,
    PING_COUNT,
    SUPPORTED_BROWSERS,
    InfoStatus,
)

MAX_BODY = 16 * 1024


def _own_registration(request, registration_id: int) -> Registration:
    registration = get_visible_or_404(Registration.objects.select_related("plan", "person", "person__id_type",
                                                                          "region"), request.user, pk=registration_id)
    if not services.pretest_applies(registration.plan):
        raise Http404("本场考核无需考前测试")
    return registration


def _client_ip(request):
    from core.middleware import current_request_meta

    return (current_request_meta() or {}).get("ip") or request.META.get("REMOTE_ADDR")


def _info_values(registration) -> list[tuple[str, str, str]]:
    """(field, label, value) of the details the candidate checks: their own, shown in full to
    them alone (they must see every digit to confirm it)."""
    person = registration.person
    values = {
        "name": person.name, "id_type": person.id_type.name, "id_number": person.id_number,
        "personnel_type": registration.get_personnel_type_display(), "company_name": registration.company_name,
        "credit_code": registration.credit_code or "（未填写）", "phone": registration.phone,
        "cert_number": registration.cert_number or "（未填写）",
        "cert_expiry": f"{registration.cert_expiry:%Y-%m-%d}" if registration.cert_expiry else "（未填写）",
    }
    return [(name, label, values[name]) for name, label in INFO_FIELDS]


def _context(registration, now):
    pretest = selectors.pretest_of(registration)
    return {"registration": registration, "plan": registration.plan, "pretest": pretest, "now": now,
            "closes_at": services.pretest_closes_at(registration.plan),
            "open": services.pretest_is_open(registration.plan, now),
            "step": selectors.pretest_step(registration, pretest, now=now),
            "camera_required": services.camera_required(registration.plan)}


@never_cache
@role_required(Role.CANDIDATE)
@require_GET
def pretest(request, registration_id: int):
    """The candidate's 考前测试 of one exam: the three parts, each with its state."""
    registration = _own_registration(request, registration_id)
    context = _context(registration, timezone.now())
    context.update(device=selectors.latest_device_check(context["pretest"]),
                   practice=selectors.latest_practice(context["pretest"]), statuses=InfoStatus,
                   practice_available=services.practice_available())
    return render(request, "exams/pretest.html", context)


@never_cache
@role_required(Role.CANDIDATE)
def pretest_info(request, registration_id: int):
    """信息准确性测试: confirm the imported details, or tick the wrong ones and say what is right."""
    registration = _own_registration(request, registration_id)
    error, chosen, note = "", [], ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "confirm":
                services.pretest_info_confirm(registration=registration, acting_user=request.user)
                messages.success(request, "已确认报名信息无误")
            else:
                chosen, note = request.POST.getlist("fields"), request.POST.get("note", "")
                services.pretest_info_report(registration=registration, fields=chosen, note=note,
                                             acting_user=request.user)
                messages.success(request, "已将有误的信息报告给所在地管局，管局更正后请再次确认")
            return redirect("exams:pretest", registration_id=registration.pk)
        except ApplicationError as exc:
            error = exc.message
    context = _context(registration, timezone.now())
    context.update(values=_info_values(registration), error=error, chosen=chosen, note=note, statuses=InfoStatus)
    return render(request, "exams/pretest_info.html", context)


@never_cache
@role_required(Role.CANDIDATE)
def pretest_device(request, registration_id: int):
    """终端可用性测试: the page (GET) and a new run (POST, JSON): browser, camera, clock, network, save."""
    registration = _own_registration(request, registration_id)
    if request.method == "POST":
        try:
            check = services.device_check_start(registration=registration, acting_user=request.user,
                                                user_agent=request.META.get("HTTP_USER_AGENT", ""),
                                                ip=_client_ip(request))
        except ApplicationError as exc:
            return JsonResponse({"error": exc.code, "message": exc.message}, status=400)
        return JsonResponse({"check": check.pk, "browser": check.browser, "browser_version": check.browser_version,
                             "camera_required": check.camera_required,
                             "ping_url": reverse("exams:device_ping", args=[check.pk]),
                             "save_url": reverse("exams:device_save", args=[check.pk]),
                             "finish_url": reverse("exams:device_finish", args=[check.pk])})
    context = _context(registration, timezone.now())
    pretest_row = context["pretest"]
    context.update(device=selectors.latest_device_check(pretest_row), config={
        "start_url": reverse("exams:pretest_device", args=[registration.pk]), "pings": PING_COUNT,
        "camera_required": context["camera_required"], "camera_min_frames": CAMERA_MIN_FRAMES},
        browsers="、".join(f"{label} {minimum} 及以上" for label, minimum in SUPPORTED_BROWSERS.values()),
        max_offset_s=MAX_CLOCK_OFFSET_MS // 1000, max_rtt=MAX_RTT_MS)
    return render(request, "exams/pretest_device.html", context)


@never_cache
@role_required(Role.CANDIDATE)
@require_GET
def device_ping(request, pk: int):
    """The server's clock for the page's offset and round-trip measurement."""
    selectors.device_check_get(pk=pk, fetched_by=request.user)
    return JsonResponse({"now_ms": int(timezone.now().timestamp() * 1000)})




@never_cache
@role_required(Role.CANDIDATE)
@require_POST
def device_save(request, pk: int):
    """The test save: reaching here is what is measured (the server records the time)."""
    check = selectors.device_check_get(pk=pk, fetched_by=request.user)
    try:
        json_body(request, max_bytes=MAX_BODY)
        check = services.device_check_save(check=check, acting_user=request.user)
    except ApplicationError as exc:
        return JsonResponse({"error": exc.code, "message": exc.message}, status=400)
    return JsonResponse({"saved": True, "received_ms": int(check.save_received_at.timestamp() * 1000)})


@never_cache
@role_required(Role.CANDIDATE)
@require_POST
def device_finish(request, pk: int):
    """The page's measurements; the server's verdict comes back with its reasons."""
    check = selectors.device_check_get(pk=pk, fetched_by=request.user)
    try:
        check = services.device_check_finish(check=check, acting_user=request.user, measured=json_body(request, max_bytes=MAX_BODY))
    except ApplicationError as exc:
        return JsonResponse({"error": exc.code, "message": exc.message}, status=400)
    return JsonResponse({"passed": check.passed, "reasons": check.reasons, "browser": check.browser,
                         "browser_version": check.browser_version, "clock_offset_ms": check.clock_offset_ms,
                         "rtt_ms": check.rtt_ms, "save_received": check.save_received_at is not None,
                         "camera_ok": check.camera_ok, "camera_frames": check.camera_frames,
                         "next": reverse("exams:pretest", args=[check.pretest.registration_id])})


@never_cache
@role_required(Role.CANDIDATE)
def pretest_practice(request, registration_id: int):
    """练习卷: the paper being practised (GET), a new one (POST)."""
    registration = _own_registration(request, registration_id)
    if request.method == "POST":
        try:
            services.practice_start(registration=registration, acting_user=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("exams:pretest", registration_id=registration.pk)
        return redirect("exams:pretest_practice", registration_id=registration.pk)
    from papers.selectors import candidate_payload

    context = _context(registration, timezone.now())
    practice = selectors.latest_practice(context["pretest"])
    if practice is None:
        return redirect("exams:pretest", registration_id=registration.pk)
    payload = candidate_payload(services.practice_as_paper(practice))
    for question in payload["questions"]:
        key = str(question["position"])
        question["given"] = practice.answers.get(key, "")
        question["right"] = practice.marks.get(key) if practice.submitted_at else None
    context.update(practice=practice, payload=payload)
    return render(request, "exams/pretest_practice.html", context)


@never_cache
@role_required(Role.CANDIDATE)
@require_POST
def practice_submit(request, pk: int):
    practice = selectors.practice_get(pk=pk, fetched_by=request.user)
    answers = {str(i): "".join(request.POST.getlist(f"q{i}")) for i in range(1, len(practice.items) + 1)}
    try:
        practice = services.practice_submit(practice=practice, answers=answers, acting_user=request.user)
        messages.success(request, f"练习卷已交卷：{practice.score} / {practice.total_points} 分（练习成绩，不计入考核）")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("exams:pretest_practice", registration_id=practice.pretest.registration_id)


# ---------------------------------------------------------------- 管局 and central


@never_cache
@role_required(Role.CENTRAL, Role.REGIONAL)
@require_GET
def pretest_plans(request):
    """Online plans not yet ended, with how many passed, failed or have not taken 考前测试."""
    page = paginate(request, selectors.pretest_plans(fetched_by=request.user))
    page["plans"] = selectors.pretest_plan_counts(page["page_obj"].object_list)
    return render(request, "exams/pretest_plans.html", {**page, "now": timezone.now()})


@never_cache
@role_required(Role.CENTRAL, Role.REGIONAL)
@require_GET
def pretest_plan(request, pk: int):
    """One plan: counts, the candidates filtered by status (20 a page), and the notice to those
    who have not passed, with the job's progress."""
    from jobs.models import Job

    plan = selectors.pretest_plan_get(pk=pk, fetched_by=request.user)
    status = request.GET.get("status", "")
    status = status if status in selectors.FILTERS else ""
    rows = selectors.pretest_plan_rows(plan=plan, fetched_by=request.user, status=status)
    context = {"plan": plan, "counts": selectors.pretest_counts(plan=plan, fetched_by=request.user),
               "filters": [(key, label) for key, (label, _q) in selectors.FILTERS.items()], "status": status,
               "closes_at": services.pretest_closes_at(plan), "open": services.pretest_is_open(plan),
               "applies": services.pretest_applies(plan), **paginate(request, rows)}
    job = None
    if request.GET.get("job"):
        try:
            job = get_visible_or_404(Job, request.user, pk=request.GET["job"], kind="candidates.notice")
        except (Http404, ValueError):
            job = None
    context["job"] = job
    return render(request, "exams/pretest_plan.html", context)


@role_required(Role.CENTRAL, Role.REGIONAL)
@require_POST
def pretest_notice(request, pk: int):
    """发送考前测试通知 to the plan's candidates who have not passed (candidates' notice job)."""
    from candidates.services import plan_notice_start

    plan = selectors.pretest_plan_get(pk=pk, fetched_by=request.user)
    try:
        job = plan_notice_start(plan=plan, acting_user=request.user, audience="pretest_pending")
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("exams:pretest_plan", pk=plan.pk)
    return redirect(reverse("exams:pretest_plan", args=[plan.pk]) + f"?job={job.pk}")


@role_required(Role.CENTRAL, Role.REGIONAL)
@require_POST
def pretest_resolve(request, registration_id: int):
    """The 管局 (or central) marks a candidate's report of wrong details handled."""
    registration = get_visible_or_404(Registration.objects.select_related("plan"), request.user, pk=registration_id)
    try:
        services.pretest_info_resolve(registration=registration, resolution=request.POST.get("resolution", ""),
                                      note=request.POST.get("note", ""), acting_user=request.user)
        messages.success(request, "已处理考生的信息有误报告，考生将收到重新确认的提示")
    except ApplicationError as exc:
        messages.error(request, f"处理信息有误报告：{exc.message}")
    return redirect("candidates:detail", pk=registration.pk)

