"""考前测试 (docs/decisions.md#pretest; SPEC.md §4–§5; the guide 三: 管局 notify candidates to log in early and
take the 考前测试). Rules:

* it belongs to a registration of an approved online plan (继续教育(线上), 新取证(线上)); the
  answer-card mode has none;
* it is open from the import until the roster freezes, 48 hours before the start
  (plans.rules.roster_cutoff): after that nothing in it changes;
* it is passed when all three parts are: 信息准确性测试 confirmed, the latest 终端可用性测试
  passed, and a practice paper submitted (the practice score is feedback, not a requirement);
* a report of wrong details reaches the candidate's 管局 (the candidate page), who corrects the
  details (the ordinary edit, audited) and marks the report handled before the cutoff (central
  at any time); the candidate then confirms again. A change to the details after a
  confirmation asks for a new confirmation;
* failing or not taking it does not bar entry to the exam (docs/decisions.md: 考前测试).
Every write is the candidate's own (or the region's handling) and is audited."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from audit.actions import Action
from audit.services import audit_record
from core.errors import ApplicationError
from core.roles import Role
from core.scoping import assert_visible, require_role
from plans.choices import AuditStatus, ExamType
from plans.rules import roster_cutoff

from .choices import (
    INFO_FIELD_LABELS,
    MAX_DEVICE_CHECKS,
    PING_COUNT,
    PRACTICE_SECTIONS,
    InfoResolution,
    InfoStatus,
    PretestStatus,
)
from .devicecheck import Measurements, evaluate, parse_browser
from .models import DeviceCheck, PracticePaper, Pretest

ONLINE_TYPES = (ExamType.CONTINUING_ONLINE, ExamType.NEW_ONLINE)
OWN_PRETEST_ONLY = "只能进行本人的考前测试"
RESOLVER_ONLY = "只有部中心或考生所在地区的管局可以处理"


def pretest_applies(plan) -> bool:
    return plan.audit_status == AuditStatus.APPROVED and plan.exam_type in ONLINE_TYPES


def pretest_closes_at(plan) -> datetime.datetime:
    """考前测试 closes when the roster freezes: 48 hours before the start."""
    return roster_cutoff(plan)


def pretest_is_open(plan, now: datetime.datetime | None = None) -> bool:
    return pretest_applies(plan) and (now or timezone.now()) < pretest_closes_at(plan)


def camera_required(plan) -> bool:
    """Remote proctoring (继续教育(线上)) needs a camera; the exam site's computers do not."""
    return plan.exam_type == ExamType.CONTINUING_ONLINE


def _assert_open(registration, now) -> None:
    plan = registration.plan
    if not pretest_applies(plan):
        raise ApplicationError("本场考核无需考前测试")
    if now >= pretest_closes_at(plan):
        closes = timezone.localtime(pretest_closes_at(plan))
        raise ApplicationError(f"考前测试已于 {closes:%Y-%m-%d %H:%M}（考试开始前 48 小时）截止")


def _assert_own(registration, user) -> None:
    require_role(user, Role.CANDIDATE, message=OWN_PRETEST_ONLY)
    assert_visible(registration, user, message=OWN_PRETEST_ONLY)


def pretest_for(registration) -> Pretest:
    """The registration's 考前测试, created 未参加 the first time it is asked for."""
    pretest, _ = Pretest.objects.get_or_create(
        registration=registration, defaults={"plan_id": registration.plan_id, "region_id": registration.region_id})
    return pretest


def _locked(registration) -> Pretest:
    pretest_for(registration)
    return Pretest.objects.select_for_update().select_related("registration__plan").get(registration=registration)


def _status(pretest: Pretest) -> str:
    if (pretest.info_status == InfoStatus.CONFIRMED and pretest.device_passed
            and pretest.practice_done_at is not None):
        return PretestStatus.PASSED
    untouched = (pretest.info_status == InfoStatus.PENDING and pretest.info_reported_at is None
                 and pretest.device_passed is None and pretest.practice_done_at is None)
    return PretestStatus.NOT_TAKEN if untouched else PretestStatus.FAILED


def _refresh(pretest: Pretest, now) -> Pretest:
    """Derive the overall status from the parts and save the row."""
    status = _status(pretest)
    if status == PretestStatus.PASSED and pretest.status != PretestStatus.PASSED:
        pretest.passed_at = now
    elif status != PretestStatus.PASSED:
        pretest.passed_at = None
    pretest.status = status
    pretest.save()
    return pretest


def _audit(pretest: Pretest, *, actor, action: Action, message: str, before=None, after=None, reason: str = ""):
    registration = pretest.registration
    audit_record(actor=actor, action=action, obj=registration, region=registration.region_id, before=before,
                 after=after, reason=reason, object_repr=f"考生 {registration.candidate_number}",
                 message=f"考前测试：{message}")


# ---------------------------------------------------------------- 信息准确性测试


def pretest_info_confirm(*, registration, acting_user, now: datetime.datetime | None = None) -> Pretest:
    """The candidate confirms the details their 管局 imported."""
    now = now or timezone.now()
    _assert_own(registration, acting_user)
    _assert_open(registration, now)
    with transaction.atomic():
        pretest = _locked(registration)
        before = pretest.info_status
        pretest.info_status, pretest.info_confirmed_at = InfoStatus.CONFIRMED, now
        pretest = _refresh(pretest, now)
        _audit(pretest, actor=acting_user, action=Action.PRETEST_INFO_CONFIRM, before={"info_status": before},
               after={"info_status": pretest.info_status, "status": pretest.status}, message="考生确认报名信息无误")
    return pretest


def pretest_info_report(*, registration, fields: list[str], note: str, acting_user,
                        now: datetime.datetime | None = None) -> Pretest:
    """The candidate reports which imported details are wrong, with what is right: the report
    reaches the registration's 管局 on the candidate page (candidates:detail)."""
    now = now or timezone.now()
    _assert_own(registration, acting_user)
    _assert_open(registration, now)
    fields = list(dict.fromkeys(f for f in fields or [] if f))
    unknown = [f for f in fields if f not in INFO_FIELD_LABELS]
    if unknown or not fields:
        raise ApplicationError("请勾选有误的信息项", field="fields")
    note = (note or "").strip()
    if not note:
        raise ApplicationError("请写明正确的信息，以便管局核实更正", field="note")
    if len(note) > 200:
        raise ApplicationError(f"说明最多 200 字（现有 {len(note)} 字）", field="note")
    with transaction.atomic():
        pretest = _locked(registration)
        before = {"info_status": pretest.info_status, "info_fields": pretest.info_fields}
        pretest.info_status, pretest.info_reported_at = InfoStatus.REPORTED, now
        pretest.info_fields, pretest.info_note = fields, note
        pretest.info_resolved_at = pretest.info_resolved_by = None
        pretest.info_resolution = pretest.info_resolution_note = ""
        pretest = _refresh(pretest, now)
        labels = "、".join(INFO_FIELD_LABELS[f] for f in fields)
        _audit(pretest, actor=acting_user, action=Action.PRETEST_INFO_REPORT, before=before,
               after={"info_status": pretest.info_status, "info_fields": fields, "info_note": note},
               message=f"考生报告信息有误：{labels}")
    return pretest


def pretest_info_resolve(*, registration, resolution: str, note: str, acting_user,
                         now: datetime.datetime | None = None) -> Pretest:
    """The 管局 of the registration's region (until the roster freezes, as for editing the
    details) or central (at any time) marks a report handled: corrected, or verified as right.
    The candidate is then asked to confirm again."""
    now = now or timezone.now()
    require_role(acting_user, Role.CENTRAL, Role.REGIONAL, message=RESOLVER_ONLY)
    assert_visible(registration, acting_user, message=RESOLVER_ONLY)
    if acting_user.role == Role.REGIONAL and now >= pretest_closes_at(registration.plan):
        closes = timezone.localtime(pretest_closes_at(registration.plan))
        raise ApplicationError(f"已过考试开始前 48 小时（{closes:%Y-%m-%d %H:%M}），考生名单已锁定，请联系部中心")
    if resolution not in InfoResolution.values:
        raise ApplicationError("请选择处理结果", field="resolution")
    note = (note or "").strip()[:200]
    with transaction.atomic():
        pretest = _locked(registration)
        if pretest.info_status != InfoStatus.REPORTED:
            raise ApplicationError("该考生没有待处理的信息有误报告")
        pretest.info_status = InfoStatus.RESOLVED
        pretest.info_resolved_at, pretest.info_resolved_by = now, acting_user
        pretest.info_resolution, pretest.info_resolution_note = resolution, note
        pretest = _refresh(pretest, now)
        _audit(pretest, actor=acting_user, action=Action.PRETEST_INFO_RESOLVE, before={"info_status": InfoStatus.REPORTED},
               after={"info_status": pretest.info_status, "resolution": resolution, "note": note},
               message=f"管局处理信息有误报告：{InfoResolution(resolution).label}，待考生重新确认")
    return pretest


def pretest_details_changed(*, registration, now: datetime.datetime | None = None) -> None:
    """The registration's details were changed (candidates.services.registration_update): a
    confirmation of the old details no longer counts, so the candidate confirms again."""
    now = now or timezone.now()
    with transaction.atomic():
        pretest = Pretest.objects.select_for_update().filter(registration=registration).first()
        if pretest is not None and pretest.info_status == InfoStatus.CONFIRMED:
            pretest.info_status = InfoStatus.PENDING
            _refresh(pretest, now)


# ---------------------------------------------------------------- 终端可用性测试


def device_check_start(*, registration, acting_user, user_agent: str, ip: str | None,
                       now: datetime.datetime | None = None) -> DeviceCheck:
    """A new run of 终端可用性测试: the browser is taken from the User-Agent the server got."""
    now = now or timezone.now()
    _assert_own(registration, acting_user)
    _assert_open(registration, now)
    with transaction.atomic():
        pretest = _locked(registration)
        if pretest.device_checks.count() >= MAX_DEVICE_CHECKS:
            raise ApplicationError(f"终端可用性测试最多进行 {MAX_DEVICE_CHECKS} 次，如仍有问题请联系所在地管局")
        browser = parse_browser(user_agent)
        return DeviceCheck.objects.create(
            pretest=pretest, started_at=now, user_agent=(user_agent or "")[:300], browser=browser.name[:30],
            browser_version=browser.version, camera_required=camera_required(registration.plan), ip=ip)


def _own_check(check: DeviceCheck, user, now) -> None:
    registration = check.pretest.registration
    _assert_own(registration, user)
    _assert_open(registration, now)
    if check.finished_at is not None:
        raise ApplicationError("本次检测已结束，请重新开始检测")


def device_check_save(*, check: DeviceCheck, acting_user, now: datetime.datetime | None = None) -> DeviceCheck:
    """The page's test save reached the server: the server records when (what the verdict reads)."""
    now = now or timezone.now()
    _own_check(check, acting_user, now)
    DeviceCheck.objects.filter(pk=check.pk, save_received_at__isnull=True).update(save_received_at=now)
    check.refresh_from_db()
    return check


def _int(raw, *, label: str, low: int, high: int) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        value = int(round(float(raw)))
    except (TypeError, ValueError, OverflowError):
        raise ApplicationError(f"{label}格式不正确") from None
    if not low <= value <= high:
        raise ApplicationError(f"{label}超出范围")
    return value


def device_check_finish(*, check: DeviceCheck, acting_user, measured: dict,
                        now: datetime.datetime | None = None) -> DeviceCheck:
    """The page's measurements of the run: the server judges them (exams.devicecheck.evaluate)
    with the browser it saw and the save it received, stores every value and the verdict, and
    the 考前测试 takes the verdict of this latest run. Audited with the measured values."""
    now = now or timezone.now()
    _own_check(check, acting_user, now)
    if not isinstance(measured, dict):
        raise ApplicationError("检测结果格式不正确")
    camera = measured.get("camera") if isinstance(measured.get("camera"), dict) else {}
    samples = measured.get("rtt_samples") if isinstance(measured.get("rtt_samples"), list) else []
    samples = [_int(v, label="往返时间", low=0, high=600_000) for v in samples[:PING_COUNT * 2]]
    values = {
        "camera_ok": bool(camera.get("ok")) if camera else None,
        "camera_frames": _int(camera.get("frames"), label="摄像头帧数", low=0, high=100_000),
        "camera_width": _int(camera.get("width"), label="画面宽度", low=0, high=20_000),
        "camera_height": _int(camera.get("height"), label="画面高度", low=0, high=20_000),
        "camera_error": str(camera.get("error") or "")[:100],
        "clock_offset_ms": _int(measured.get("clock_offset_ms"), label="时钟偏差", low=-10**10, high=10**10),
        "rtt_ms": _int(measured.get("rtt_ms"), label="往返时间", low=0, high=600_000),
    }
    if not check.camera_required and not camera:
        values["camera_ok"] = None
    with transaction.atomic():
        check = DeviceCheck.objects.select_for_update().select_related("pretest__registration").get(pk=check.pk)
        if check.finished_at is not None:
            raise ApplicationError("本次检测已结束，请重新开始检测")
        verdict = evaluate(parse_browser(check.user_agent), Measurements(
            camera_required=check.camera_required, camera_ok=values["camera_ok"],
            camera_frames=values["camera_frames"], camera_error=values["camera_error"],
            clock_offset_ms=values["clock_offset_ms"], rtt_ms=values["rtt_ms"],
            save_received=check.save_received_at is not None))
        for name, value in values.items():
            setattr(check, name, value)
        check.rtt_samples = [v for v in samples if v is not None]
        check.finished_at, check.passed, check.reasons = now, verdict.passed, verdict.reasons
        check.save()
        pretest = Pretest.objects.select_for_update().select_related("registration").get(pk=check.pretest_id)
        before = pretest.device_passed
        pretest.device_passed, pretest.device_checked_at = verdict.passed, now
        pretest = _refresh(pretest, now)
        _audit(pretest, actor=acting_user, action=Action.PRETEST_DEVICE_CHECK, before={"device_passed": before},
               after={"passed": verdict.passed, "reasons": verdict.reasons, "browser": check.browser,
                      "browser_version": check.browser_version, "camera_required": check.camera_required,
                      **{k: v for k, v in values.items()}, "save_received": check.save_received_at is not None},
               message="终端可用性测试" + ("通过" if verdict.passed else "未通过：" + "；".join(verdict.reasons)))
    return check


# ---------------------------------------------------------------- 练习卷


def practice_blueprint(pools: dict) -> dict:
    """The practice paper's blueprint in papers.drawing's shape: one cell per 题型 over the
    whole 演示题库 of that type."""
    return {"total_points": str(sum(Decimal(p) * n for _q, n, p in PRACTICE_SECTIONS)), "pass_mark": "0",
            "sections": [{"qtype": qtype, "points": points,
                          "cells": [{"area": 0, "area_name": "演示题库", "count": count, "pool": f"demo:{qtype}"}]}
                         for qtype, count, points in PRACTICE_SECTIONS]}


def practice_available() -> bool:
    """Whether the 演示题库 holds enough enabled questions for a practice paper."""
    from questions.selectors import demo_pool

    pools = demo_pool()
    return all(len(pools.get(qtype, [])) >= count for qtype, count, _p in PRACTICE_SECTIONS)


def practice_start(*, registration, acting_user, now: datetime.datetime | None = None) -> PracticePaper:
    """A practice paper drawn from the 演示题库 (papers.drawing, a new seed), or the one the
    candidate has not submitted yet."""
    from papers import drawing
    from questions.selectors import demo_pool

    now = now or timezone.now()
    _assert_own(registration, acting_user)
    _assert_open(registration, now)
    pools = {f"demo:{qtype}": versions for qtype, versions in demo_pool().items()}
    blueprint = practice_blueprint(pools)
    try:
        drawing.check_draw(blueprint, pools)
    except drawing.DrawShort:
        raise ApplicationError("练习题库暂不可用，请稍后再试或联系所在地管局") from None
    with transaction.atomic():
        pretest = _locked(registration)
        open_paper = pretest.practice_papers.filter(submitted_at__isnull=True).first()
        if open_paper is not None:
            return open_paper
        seed = drawing.new_seed()
        sections, items = drawing.draw(seed, blueprint, pools)
        return PracticePaper.objects.create(pretest=pretest, seed=seed, sections=sections, items=items,
                                            total_points=Decimal(blueprint["total_points"]), started_at=now)


def practice_as_paper(practice: PracticePaper):
    """The practice paper as an unsaved papers.Paper, so the paper contract (candidate_payload,
    answer_key, displayed_to_canonical) serves it unchanged."""
    from papers.models import Paper

    return Paper(seed=practice.seed, sections=practice.sections, items=practice.items,
                 total_points=practice.total_points, pass_mark=Decimal(0))


def practice_submit(*, practice: PracticePaper, answers: dict, acting_user,
                    now: datetime.datetime | None = None) -> PracticePaper:
    """交卷 of a practice paper: graded by the exam's grader (results.grading, exact); the score
    and which questions were right are shown to the candidate (never the key), and the
    practice part of 考前测试 is done. An answer with a letter the question does not have refuses
    the whole paper, naming the question."""
    from papers.selectors import answer_key, displayed_to_canonical
    from results.grading import grade, key_item

    now = now or timezone.now()
    registration = practice.pretest.registration
    _assert_own(registration, acting_user)
    _assert_open(registration, now)
    paper = practice_as_paper(practice)
    given, canonical = {}, {}
    for position in range(1, len(practice.items) + 1):
        letters = "".join(sorted(set(str(answers.get(position) or answers.get(str(position)) or "").upper())))
        try:
            canonical[position] = displayed_to_canonical(paper, position, letters)
        except ValueError as exc:
            raise ApplicationError(f"第 {position} 题的答案不正确：{exc}") from None
        given[str(position)] = letters
    with transaction.atomic():
        practice = PracticePaper.objects.select_for_update().get(pk=practice.pk)
        if practice.submitted_at is not None:
            raise ApplicationError("该练习卷已交卷，可以再练一次")
        key = [key_item(e.position, e.qtype, e.points, (e.canonical,)) for e in answer_key(paper)]
        result = grade(key, canonical, pass_mark=Decimal(0))
        practice.answers, practice.submitted_at = given, now
        practice.score = result.total.quantize(Decimal("0.1"))
        practice.correct = result.correct
        practice.marks = {str(k): bool(v) for k, v in result.earned.items()}
        practice.save()
        pretest = Pretest.objects.select_for_update().select_related("registration").get(pk=practice.pretest_id)
        if pretest.practice_done_at is None:
            pretest.practice_done_at = now
        pretest = _refresh(pretest, now)
        _audit(pretest, actor=acting_user, action=Action.PRETEST_PRACTICE, after={
            "score": str(result.total), "total_points": str(practice.total_points), "correct": result.correct,
            "status": pretest.status}, message=f"完成练习卷：{result.total} / {practice.total_points} 分（不计入成绩）")
    return practice
