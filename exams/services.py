"""Writes of the exam engine (docs/decisions.md#exam-engine). Time is the server's: entry opens at the plan's start
and closes `late_entry_minutes` later (EntryRule, per 考核类型, central's); the deadline is the
plan's end plus the candidate's extension (Attempt.deadline). A save stamped before the deadline
that arrives within the grace (EntryRule.grace_seconds) is kept; an attempt still open after
deadline + grace is submitted by the server with its last saved answers — by the periodic task
(`attempts_close_due`) and by every read of the attempt (`attempt_close_if_overdue`), so
nothing depends on the task running on time (Moodle MDL-43733)."""

import datetime
import ipaddress
import re
import secrets
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.actions import Action
from audit.services import audit_record
from core.errors import ApplicationError
from core.roles import Role
from core.scoping import assert_visible, require_role
from plans.choices import AuditStatus, ExamType

from .choices import (
    DEFAULT_GRACE_SECONDS,
    DEFAULT_LATE_ENTRY_MINUTES,
    OPEN_STATES,
    TRANSITIONS,
    AttemptState,
    SaveOutcome,
    TransitionCause,
)
from .models import Answer, AnswerLog, Attempt, AttemptTransition, EntryRule, PlanEntryCode, PlanEntryNetwork

ONLINE_TYPES = (ExamType.CONTINUING_ONLINE, ExamType.NEW_ONLINE)
MAX_ITEMS_PER_SAVE = 500


CENTRAL_ONLY = "仅部中心可以执行此操作"


# ---------------------------------------------------------------- entry rules (central's)


def entry_rule(exam_type: str) -> tuple[int, int]:
    """(late-entry minutes, grace seconds) central set for the type, or the defaults (30, 60)."""
    rule = EntryRule.objects.filter(exam_type=exam_type).first()
    if rule is None:
        return DEFAULT_LATE_ENTRY_MINUTES, DEFAULT_GRACE_SECONDS
    return rule.late_entry_minutes, rule.grace_seconds


def entry_rule_set(*, exam_type: str, late_entry_minutes: int, grace_seconds: int, acting_user) -> EntryRule:
    """Central sets a 考核类型's late-entry limit (minutes after the start a candidate may still
    enter) and the save grace (docs/decisions.md#exam-grace). Audited with before and after."""
    require_role(acting_user, Role.CENTRAL, message=CENTRAL_ONLY)
    if exam_type not in ExamType.values:
        raise ApplicationError("考核类型不存在", field="exam_type")
    if not 0 <= late_entry_minutes <= 240:
        raise ApplicationError("开考后允许进入的时间须在 0 到 240 分钟之间", field="late_entry_minutes")
    if not 0 <= grace_seconds <= 600:
        raise ApplicationError("交卷宽限须在 0 到 600 秒之间", field="grace_seconds")
    with transaction.atomic():
        rule, _ = EntryRule.objects.select_for_update().get_or_create(exam_type=exam_type)
        before = {"late_entry_minutes": rule.late_entry_minutes, "grace_seconds": rule.grace_seconds}
        rule.late_entry_minutes, rule.grace_seconds = late_entry_minutes, grace_seconds
        rule.save()
        audit_record(actor=acting_user, action=Action.ENTRY_RULE_UPDATE, obj=rule, before=before,
                     after={"late_entry_minutes": late_entry_minutes, "grace_seconds": grace_seconds},
                     message=f"修改{rule.get_exam_type_display()}入场规则：开考后 {late_entry_minutes} 分钟内可进入，"
                             f"交卷宽限 {grace_seconds} 秒")
    return rule


def entry_closes_at(plan) -> datetime.datetime:
    """The last moment a candidate may enter: start + the type's late-entry limit, never after
    the end."""
    late, _grace = entry_rule(plan.exam_type)
    return min(plan.starts_at + datetime.timedelta(minutes=late), plan.ends_at)


def grace_for(plan) -> datetime.timedelta:
    return datetime.timedelta(seconds=entry_rule(plan.exam_type)[1])


# ---------------------------------------------------------------- the state machine


def attempt_for(registration) -> Attempt:
    """The registration's one attempt, created 未开始 the first time it is asked for."""
    attempt, _ = Attempt.objects.select_related("plan", "registration").get_or_create(
        registration=registration, defaults={"plan_id": registration.plan_id, "region_id": registration.region_id})
    return attempt


# The audit action of a move to each state (no move leads back to 未开始).
TRANSITION_ACTIONS = {
    AttemptState.IN_PROGRESS: Action.ATTEMPT_IN_PROGRESS,
    AttemptState.SUBMITTED: Action.ATTEMPT_SUBMITTED,
    AttemptState.GRADED: Action.ATTEMPT_GRADED,
    AttemptState.ABSENT: Action.ATTEMPT_ABSENT,
    AttemptState.VOID: Action.ATTEMPT_VOID,
}


def attempt_transition(*, attempt: Attempt, to_state: str, cause: str, actor=None, note: str = "",
                       now: datetime.datetime | None = None) -> Attempt:
    """Move an attempt to `to_state` if exams.choices.TRANSITIONS allows it (docs/decisions.md#attempt-states), else
    refuse. Records the transition (time, cause, actor) and an audit row. The caller holds the
    attempt's row lock (select_for_update) inside its transaction."""
    now = now or timezone.now()
    if to_state not in TRANSITIONS[AttemptState(attempt.state)]:
        raise ApplicationError(f"考试状态不能从“{AttemptState(attempt.state).label}”变为“{AttemptState(to_state).label}”",
                               code="illegal_transition")
    before = attempt.state
    attempt.state = to_state
    fields = ["state", "updated_at"]
    if to_state == AttemptState.IN_PROGRESS:
        attempt.started_at = now
        fields.append("started_at")
    elif to_state == AttemptState.SUBMITTED:
        attempt.submitted_at = now
        fields.append("submitted_at")
    attempt.save(update_fields=fields)
    AttemptTransition.objects.create(attempt=attempt, from_state=before, to_state=to_state, cause=cause, note=note[:200],
                                     actor=actor if getattr(actor, "is_authenticated", False) else None, at=now)
    audit_record(actor=actor, action=TRANSITION_ACTIONS[AttemptState(to_state)], obj=attempt, region=attempt.region_id,
                 before={"state": before}, after={"state": to_state, "cause": cause}, reason=note,
                 object_repr=f"考生 {attempt.registration.candidate_number}",
                 message=f"考试状态：{AttemptState(before).label} → {AttemptState(to_state).label}"
                         f"（{TransitionCause(cause).label}）")
    return attempt


def _locked(attempt: Attempt) -> Attempt:
    return Attempt.objects.select_for_update().select_related("plan", "registration").get(pk=attempt.pk)


def _barred_until(registration, on_date: datetime.date):
    """The end of a running blacklist penalty (停考) of the registration's person, or None: the
    one question candidates.selectors asks the blacklist (docs/decisions.md#suspension-at-entry)."""
    from candidates.selectors import registration_suspension

    return registration_suspension([registration], on_date=on_date).get(registration.pk)


MAX_ENTRY_CODE_FAILURES = 5


# Central, or the 管局 of the plan's region (an exam room is the region's).
PLAN_STAFF_ONLY = "只有部中心或本地区管局可以执行此操作"


def _assert_plan_staff(user, plan) -> None:
    require_role(user, Role.CENTRAL, Role.REGIONAL, message=PLAN_STAFF_ONLY)
    assert_visible(plan, user, message=PLAN_STAFF_ONLY)


def entry_code_for(*, plan, acting_user) -> PlanEntryCode:
    """The 入场码 of a centralized plan (新取证(线上)), made on first use: six random digits the
    管局 reads on its monitor and announces in the exam room. Audited when made."""
    _assert_plan_staff(acting_user, plan)
    if plan.exam_type != ExamType.NEW_ONLINE:
        raise ApplicationError("只有新取证(线上)集中考试使用入场码")
    existing = PlanEntryCode.objects.filter(plan=plan).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        code, created = PlanEntryCode.objects.get_or_create(
            plan=plan, defaults={"code": f"{secrets.randbelow(10**6):06d}", "created_by": acting_user})
        if created:
            audit_record(actor=acting_user, action=Action.ENTRY_CODE_CREATE, obj=plan,
                         message=f"生成入场码（批次 {plan.batch_no}）")
    return code


def attempt_unlock(*, registration, acting_user, now: datetime.datetime | None = None) -> Attempt:
    """The 管局 (or central) admits one candidate of a centralized plan without the code (a
    candidate who cannot type it, or who used up the tries). Audited."""
    now = now or timezone.now()
    _assert_plan_staff(acting_user, registration.plan)
    if registration.plan.exam_type != ExamType.NEW_ONLINE:
        raise ApplicationError("只有新取证(线上)集中考试需要解锁入场")
    attempt = attempt_for(registration)
    with transaction.atomic():
        attempt = _locked(attempt)
        if attempt.state != AttemptState.NOT_STARTED:
            raise ApplicationError(f"该考生考试状态为“{attempt.get_state_display()}”，无需解锁")
        attempt.unlocked_at, attempt.unlocked_by, attempt.entry_code_failures = now, acting_user, 0
        attempt.save(update_fields=["unlocked_at", "unlocked_by", "entry_code_failures", "updated_at"])
        audit_record(actor=acting_user, action=Action.ATTEMPT_UNLOCK, obj=attempt, region=attempt.region_id,
                     object_repr=f"考生 {registration.candidate_number}", message="解锁入场（无需入场码）")
    return attempt


def _check_entry_code(attempt: Attempt, entry_code: str | None) -> None:
    if attempt.unlocked_at is not None:
        return
    if attempt.entry_code_failures >= MAX_ENTRY_CODE_FAILURES:
        raise ApplicationError("入场码输入错误次数过多，请联系监考人员解锁", field="entry_code")
    code = PlanEntryCode.objects.filter(plan_id=attempt.plan_id).values_list("code", flat=True).first()
    given = (entry_code or "").strip()
    if not given:
        raise ApplicationError("请输入监考人员公布的入场码", field="entry_code")
    if code is None or not secrets.compare_digest(given, code):
        Attempt.objects.filter(pk=attempt.pk).update(entry_code_failures=attempt.entry_code_failures + 1)
        left = MAX_ENTRY_CODE_FAILURES - attempt.entry_code_failures - 1
        raise ApplicationError(f"入场码不正确（还可尝试 {left} 次）" if left else "入场码输入错误次数过多，请联系监考人员解锁",
                               field="entry_code")


# ---------------------------------------------------------------- 考点网络 (centralized plans)

MAX_ENTRY_NETWORKS = 50
# a range wider than this is no exam site (0.0.0.0/0 would switch the limit off unnoticed)
MIN_PREFIX = {4: 8, 6: 32}


def parse_networks(text: str) -> list[str]:
    """The site's IP ranges as typed by the 管局: one per line (or separated by commas, 、 or
    spaces), CIDR (10.20.0.0/16, 2001:db8::/48) or single addresses (a /32 or /128). Every bad
    entry is named with its position and why; nothing is returned unless all are good."""
    entries = [e for e in re.split(r"[\s,，、;；]+", text or "") if e]
    if len(entries) > MAX_ENTRY_NETWORKS:
        raise ApplicationError(f"考点 IP 段最多 {MAX_ENTRY_NETWORKS} 个，现有 {len(entries)} 个", field="networks")
    networks, seen = [], set()
    for index, entry in enumerate(entries, start=1):
        where = f"第 {index} 项“{entry[:50]}”"
        try:
            network = ipaddress.ip_network(entry, strict=True)
        except ValueError:
            try:
                loose = ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ApplicationError(f"{where}不是有效的 IP 地址或网段（应写作如 10.20.0.0/16 或 10.20.1.5）",
                                       field="networks") from None
            raise ApplicationError(f"{where}的主机位不为 0：该网段应写作 {loose}", field="networks") from None
        if network.prefixlen < MIN_PREFIX[network.version]:
            raise ApplicationError(f"{where}范围过大（IPv{network.version} 网段前缀不能短于 /{MIN_PREFIX[network.version]}），"
                                   "请填写考点实际使用的网段", field="networks")
        if str(network) not in seen:
            seen.add(str(network))
            networks.append(str(network))
    return networks


def entry_networks_set(*, plan, text: str, acting_user) -> PlanEntryNetwork:
    """The 管局 of the plan's region, or central, sets (or clears, with an empty text) the exam
    site's IP ranges of a centralized plan (docs/decisions.md#entry-networks). Audited with before and after; a bad
    entry changes nothing."""
    _assert_plan_staff(acting_user, plan)
    if plan.exam_type != ExamType.NEW_ONLINE:
        raise ApplicationError("只有新取证(线上)集中考试可以限定考点网络")
    networks = parse_networks(text)
    with transaction.atomic():
        row, _ = PlanEntryNetwork.objects.select_for_update().get_or_create(plan=plan)
        before = list(row.networks)
        if before == networks:
            return row
        row.networks, row.updated_by = networks, acting_user
        row.save()
        audit_record(actor=acting_user, action=Action.ENTRY_NETWORK_UPDATE, obj=plan, region=plan.region_id,
                     before={"networks": before}, after={"networks": networks},
                     message=f"设置考点网络（批次 {plan.batch_no}）：{'、'.join(networks) if networks else '不限制'}")
    return row


def entry_networks(plan) -> list[str]:
    return list(PlanEntryNetwork.objects.filter(plan=plan).values_list("networks", flat=True).first() or [])


def entry_network_refusal(plan, ip: str | None) -> str | None:
    """Why `ip` may not enter the centralized plan (a message), or None when it may: no ranges
    set, or the address is inside one of them."""
    if plan.exam_type != ExamType.NEW_ONLINE:
        return None
    networks = entry_networks(plan)
    if not networks:
        return None
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        address = None
    if address is not None:
        if address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        if any(address in ipaddress.ip_network(n) for n in networks):
            return None
    return (f"本场为集中考试，只能在考点的电脑上进入（本机地址 {ip or '未知'} 不在考点网络内）。"
            "请在考点电脑上登录，或联系监考人员")


def attempt_start(*, registration, acting_user, entry_code: str | None = None, ip: str | None = None,
                  now: datetime.datetime | None = None) -> Attempt:
    """进入考试. Only the registration's own candidate, in an approved online plan whose paper is
    drawn, from the start until start + the late-entry limit, and not while a blacklist penalty
    runs (停考, SPEC.md §7). 新取证(线上) is centralized: only with the room's 入场码 (five wrong
    tries, then only the 管局's unlock) or after an unlock, and, when the plan has 考点网络, only
    from an `ip` inside them (the unlock does not lift that: the candidate must be at the site).
    An attempt already 进行中 is resumed as it is: the clock never restarts (docs/decisions.md#exam-clock).
    继续教育(线上) is remotely proctored: only after the candidate consented to camera snapshots and
    behaviour records (proctoring.selectors, 个人信息保护法 Art. 28–29); without it they are told to
    ask their 管局, by name."""
    from papers.selectors import paper_for_registration
    from proctoring.selectors import consent_refusal

    now = now or timezone.now()
    plan = registration.plan
    require_role(acting_user, Role.CANDIDATE, message="只能进入本人的考试")
    assert_visible(registration, acting_user, message="只能进入本人的考试")
    attempt = attempt_for(registration)
    attempt = attempt_close_if_overdue(attempt, now=now)
    if attempt.state in (AttemptState.NOT_STARTED, AttemptState.IN_PROGRESS):
        refusal = entry_network_refusal(plan, ip)
        if refusal:
            raise ApplicationError(refusal, code="network")
    if attempt.state == AttemptState.IN_PROGRESS:
        return attempt
    if attempt.state != AttemptState.NOT_STARTED:
        raise ApplicationError(f"本场考试{attempt.get_state_display()}，不能再次进入")
    if plan.audit_status != AuditStatus.APPROVED or plan.exam_type not in ONLINE_TYPES:
        raise ApplicationError("本场考核不是线上考试，不能在线进入")
    until = _barred_until(registration, timezone.localtime(now).date())
    if until is not None:
        raise ApplicationError(f"您处于黑名单处理期内（至 {until:%Y-%m-%d}），本场考试已停考，不能进入")
    if now < plan.starts_at:
        raise ApplicationError(f"考试尚未开始，{timezone.localtime(plan.starts_at):%Y-%m-%d %H:%M} 起可以进入")
    closes = entry_closes_at(plan)
    if now > closes:
        raise ApplicationError(f"已超过入场时间（{timezone.localtime(closes):%H:%M} 前可进入），不能进入考试")
    if paper_for_registration(registration) is None:
        raise ApplicationError("您的试卷尚未生成，请联系所在地管局")
    refusal = consent_refusal(registration)  # 继续教育(线上): remote proctoring needs the candidate's consent
    if refusal:
        raise ApplicationError(refusal, code="no_consent")
    if plan.exam_type == ExamType.NEW_ONLINE:
        _check_entry_code(attempt, entry_code)
    with transaction.atomic():
        attempt = _locked(attempt)
        if attempt.state == AttemptState.IN_PROGRESS:
            return attempt
        return attempt_transition(attempt=attempt, to_state=AttemptState.IN_PROGRESS, cause=TransitionCause.START,
                                  actor=acting_user, now=now)


def attempt_open_session(*, attempt: Attempt, now: datetime.datetime | None = None) -> str:
    """A new exam page was opened (a reload, another tab or computer): it gets a new session
    token and takes over; the older page's next save or clock sync is told why and stops."""
    now = now or timezone.now()
    token = secrets.token_hex(16)
    # the page's number orders the pages: answers given on a later page win (_supersedes). One
    # UPDATE, then the number read back: of two pages opened at the same instant, the one whose
    # token lost is taken over anyway, whatever number it read.
    Attempt.objects.filter(pk=attempt.pk).update(session_token=token, last_contact_at=now,
                                                 sessions_opened=F("sessions_opened") + 1)
    number = Attempt.objects.values_list("sessions_opened", flat=True).get(pk=attempt.pk)
    attempt.session_token, attempt.sessions_opened = token, number
    return token


def _submit_and_grade(attempt: Attempt, *, cause: str, actor, now) -> Attempt:
    from results.services import score_compute

    attempt = attempt_transition(attempt=attempt, to_state=AttemptState.SUBMITTED, cause=cause, actor=actor, now=now)
    score_compute(attempt=attempt, now=now)
    return attempt_transition(attempt=attempt, to_state=AttemptState.GRADED, cause=TransitionCause.GRADE, now=now)


def attempt_submit(*, attempt: Attempt, token: str, acting_user, now: datetime.datetime | None = None) -> Attempt:
    """交卷 by the candidate (after the page's confirmation), from the current exam page only.
    Graded at once by the paper's rule (results.services.score_compute)."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked(attempt)
        require_role(acting_user, Role.CANDIDATE, message="只能提交本人的试卷")
        assert_visible(attempt, acting_user, message="只能提交本人的试卷")
        if attempt.state != AttemptState.IN_PROGRESS:
            raise ApplicationError(f"本场考试{attempt.get_state_display()}，不能交卷", code="closed")
        if token != attempt.session_token:
            raise ApplicationError(TAKEN_OVER_MESSAGE, code="taken_over")
        if now > attempt.deadline + grace_for(attempt.plan):
            return _submit_and_grade(attempt, cause=TransitionCause.DEADLINE, actor=None, now=now)
        return _submit_and_grade(attempt, cause=TransitionCause.SUBMIT, actor=acting_user, now=now)


def attempt_close_if_overdue(attempt: Attempt, *, now: datetime.datetime | None = None) -> Attempt:
    """Every read of an attempt goes through here: one still 进行中 after deadline + grace is
    submitted with its last saved answers and graded; one never started is 缺考. Not for
    新取证(线下): its cards are scanned after the exam, and only central's close of the scanning
    says who was absent (answercards.services.scanning_close)."""
    now = now or timezone.now()
    if attempt.state not in OPEN_STATES or now <= attempt.deadline + grace_for(attempt.plan):
        return attempt
    if attempt.plan.exam_type == ExamType.NEW_OFFLINE:
        return attempt
    with transaction.atomic():
        attempt = _locked(attempt)
        if attempt.state == AttemptState.IN_PROGRESS and now > attempt.deadline + grace_for(attempt.plan):
            return _submit_and_grade(attempt, cause=TransitionCause.DEADLINE, actor=None, now=now)
        if attempt.state == AttemptState.NOT_STARTED and now > attempt.deadline + grace_for(attempt.plan):
            return attempt_transition(attempt=attempt, to_state=AttemptState.ABSENT, cause=TransitionCause.ABSENT,
                                      now=now)
    return attempt


def attempts_close_due(*, now: datetime.datetime | None = None) -> dict:
    """The periodic task's body (Celery beat `exams-close-due`): submit and grade every attempt
    whose deadline + grace has passed, and mark 缺考 every registration of an ended online plan
    that never started."""
    from candidates.models import Registration

    now = now or timezone.now()
    counts = {"submitted": 0, "absent": 0}
    longest_grace = datetime.timedelta(seconds=max([DEFAULT_GRACE_SECONDS, *EntryRule.objects.values_list(
        "grace_seconds", flat=True)]))
    shortest = now - longest_grace  # a plan that ended before this is past every grace
    candidates = Attempt.objects.filter(state__in=OPEN_STATES, plan__ends_at__lt=now).select_related(
        "plan", "registration")
    for attempt in candidates.iterator():
        before = attempt.state
        attempt = attempt_close_if_overdue(attempt, now=now)
        if attempt.state != before:
            counts["submitted" if before == AttemptState.IN_PROGRESS else "absent"] += 1
    # registrations of ended online plans without any attempt yet: created, then 缺考
    missing = (Registration.objects.filter(plan__ends_at__lt=shortest, plan__exam_type__in=ONLINE_TYPES,
                                           plan__audit_status=AuditStatus.APPROVED, attempt__isnull=True)
               .select_related("plan"))
    for registration in missing.iterator():
        attempt = attempt_close_if_overdue(attempt_for(registration), now=now)
        if attempt.state == AttemptState.ABSENT:
            counts["absent"] += 1
    return counts


def attempt_extend(*, attempt: Attempt, minutes: int, reason: str, acting_user) -> Attempt:
    """Central grants one candidate extra time with a reason (docs/decisions.md#exam-clock): the deadline becomes
    the plan's end + `minutes` (the total extension). Audited; not after the attempt closed."""
    require_role(acting_user, Role.CENTRAL, message=CENTRAL_ONLY)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("请填写延长考试时间的原因", field="reason")
    if not 1 <= minutes <= 240:
        raise ApplicationError("延长时间须在 1 到 240 分钟之间", field="minutes")
    with transaction.atomic():
        attempt = _locked(attempt)
        attempt = attempt_close_if_overdue(attempt)
        if attempt.state not in OPEN_STATES:
            raise ApplicationError(f"本场考试{attempt.get_state_display()}，不能延长时间")
        before = {"extension_minutes": attempt.extension_minutes, "extension_reason": attempt.extension_reason}
        attempt.extension_minutes, attempt.extension_reason = minutes, reason[:200]
        attempt.save(update_fields=["extension_minutes", "extension_reason", "updated_at"])
        audit_record(actor=acting_user, action=Action.ATTEMPT_EXTEND, obj=attempt, region=attempt.region_id, before=before,
                     after={"extension_minutes": minutes, "extension_reason": attempt.extension_reason},
                     reason=reason, object_repr=f"考生 {attempt.registration.candidate_number}",
                     message=f"延长考试时间 {minutes} 分钟，截止 {timezone.localtime(attempt.deadline):%Y-%m-%d %H:%M}")
    return attempt


def attempt_void(*, attempt: Attempt, reason: str, acting_user) -> Attempt:
    """作废 (the violation check's decision, central only): from any state but 缺考."""
    require_role(acting_user, Role.CENTRAL, message=CENTRAL_ONLY)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("请填写作废原因", field="reason")
    with transaction.atomic():
        attempt = _locked(attempt)
        return attempt_transition(attempt=attempt, to_state=AttemptState.VOID, cause=TransitionCause.VOID,
                                  actor=acting_user, note=reason)


# ---------------------------------------------------------------- answers


TAKEN_OVER_MESSAGE = "您的考试已在另一个页面或另一台电脑上打开，本页面已停止作答。请在最新打开的页面继续作答。"


@dataclass
class SaveItem:
    position: int
    answer: str
    seq: int
    client_at: datetime.datetime | None = None
    session: int = 0  # the exam page it was given on (Attempt.sessions_opened then)


@dataclass
class SaveReport:
    outcomes: dict = field(default_factory=dict)  # seq -> SaveOutcome
    state: str = ""
    last_seq: int = 0
    message: str = ""
    # position -> {"answer", "seq"}: what the server keeps where an answer was refused as stale,
    # so the page shows the kept answer instead of its own older one
    kept: dict = field(default_factory=dict)


def _supersedes(item: SaveItem, current: Answer) -> bool:
    """Whether a received answer replaces the stored one at its position (docs/decisions.md#later-answer-wins). On one
    exam page the higher sequence number wins. Between pages the numbers do not compare: an old
    computer that kept answers offline replays numbers the newer page never saw. There the
    answer given later wins, by the pages' client stamps (each the page's estimate of the
    server's time), and without both stamps the later page's answer. So answers buffered on an
    old computer never overwrite what the candidate answered since on a new one."""
    if item.session == current.session:
        return item.seq > current.seq
    if item.client_at is not None and current.client_at is not None and item.client_at != current.client_at:
        return item.client_at > current.client_at
    return item.session > current.session


def parse_save_items(raw, *, paper, session: int = 0) -> list[SaveItem]:
    """Check every received answer before anything is written: a bad one refuses the whole
    request with a message naming the question (nothing changes). An answer without its page
    number (`session`) is the current page's (`session`); a number above it does not exist."""
    from papers.selectors import displayed_to_canonical

    if not isinstance(raw, list) or not raw:
        raise ApplicationError("没有收到答案")
    if len(raw) > MAX_ITEMS_PER_SAVE:
        raise ApplicationError(f"一次最多保存 {MAX_ITEMS_PER_SAVE} 个答案")
    items = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise ApplicationError("答案格式不正确")
        try:
            position, seq = int(entry.get("position")), int(entry.get("seq"))
        except (TypeError, ValueError) as exc:
            raise ApplicationError("答案缺少题号或序号") from exc
        answer = str(entry.get("answer") or "").strip().upper()
        if seq < 1 or seq > 2**62:
            raise ApplicationError(f"第 {position} 题的序号不正确")
        try:
            displayed_to_canonical(paper, position, answer)
        except ValueError as exc:
            raise ApplicationError(f"第 {position} 题的答案“{answer[:8]}”不正确：{exc}") from exc
        client_at = None
        stamp = entry.get("client_at")
        if stamp is not None:
            try:
                client_at = datetime.datetime.fromtimestamp(float(stamp) / 1000, tz=datetime.UTC)
            except (TypeError, ValueError, OverflowError, OSError) as exc:
                raise ApplicationError(f"第 {position} 题的作答时间不正确") from exc
        page = entry.get("session")
        if page is None:
            page = session
        else:
            try:
                page = int(page)
            except (TypeError, ValueError) as exc:
                raise ApplicationError(f"第 {position} 题的考试页面序号不正确") from exc
            if not 0 <= page <= session:
                raise ApplicationError(f"第 {position} 题的考试页面序号不正确")
        items.append(SaveItem(position=position, answer="".join(sorted(set(answer))), seq=seq, client_at=client_at,
                              session=page))
    return items


def answers_save(*, attempt: Attempt, token: str, raw_items, acting_user, ip: str | None = None,
                 now: datetime.datetime | None = None) -> SaveReport:
    """Save answers as they are given (docs/decisions.md#answer-sequence), idempotently: each carries the page's
    per-attempt sequence number and overwrites the stored answer at its position only when its
    number is higher, so a retried or late-arriving older save never overwrites a newer one.
    Every received answer goes to the append-only answer log with server and client times and
    its outcome. After the deadline, an answer stamped before it is kept until deadline + grace;
    others are refused (and logged). A page that was taken over writes nothing. Answers carry
    the number of the page they were given on: between pages the later answer wins
    (_supersedes), so an old computer replaying its offline answers cannot undo newer ones."""
    from papers.selectors import displayed_to_canonical, paper_for_registration

    now = now or timezone.now()
    require_role(acting_user, Role.CANDIDATE, message="只能保存本人的答案")
    assert_visible(attempt, acting_user, message="只能保存本人的答案")
    paper = paper_for_registration(attempt.registration_id)
    items = parse_save_items(raw_items, paper=paper, session=attempt.sessions_opened)
    attempt = attempt_close_if_overdue(attempt, now=now)
    report = SaveReport()
    with transaction.atomic():
        attempt = _locked(attempt)
        deadline = attempt.deadline
        if attempt.state != AttemptState.IN_PROGRESS:
            refused, report.message = SaveOutcome.CLOSED, f"本场考试{attempt.get_state_display()}，答案未保存"
        elif token != attempt.session_token:
            refused, report.message = SaveOutcome.TAKEN_OVER, TAKEN_OVER_MESSAGE
        else:
            refused = None
        existing = {a.position: a for a in Answer.objects.filter(attempt=attempt, position__in=[i.position for i in items])}
        logs = []
        for item in sorted(items, key=lambda i: i.seq):
            canonical = displayed_to_canonical(paper, item.position, item.answer)
            current = existing.get(item.position)
            if refused:
                outcome = refused
            elif now > deadline and (item.client_at is None or item.client_at > deadline):
                outcome = SaveOutcome.LATE
            elif current is not None and not _supersedes(item, current):
                duplicate = (current.seq, current.session, current.displayed) == (item.seq, item.session, item.answer)
                outcome = SaveOutcome.DUPLICATE if duplicate else SaveOutcome.STALE
                if outcome == SaveOutcome.STALE:
                    report.kept[item.position] = {"answer": current.displayed, "seq": current.seq}
            else:
                outcome = SaveOutcome.ACCEPTED
                if current is None:
                    current = Answer(attempt=attempt, position=item.position)
                    existing[item.position] = current
                current.displayed, current.canonical, current.seq = item.answer, canonical, item.seq
                current.client_at, current.saved_at, current.session = item.client_at, now, item.session
                report.kept.pop(item.position, None)
                current.save()
                attempt.last_seq = max(attempt.last_seq, item.seq)
            report.outcomes[item.seq] = outcome
            logs.append(AnswerLog(attempt=attempt, position=item.position, displayed=item.answer, canonical=canonical,
                                  seq=item.seq, session=item.session, client_at=item.client_at, server_at=now,
                                  outcome=outcome, ip=ip))
        AnswerLog.objects.bulk_create(logs)
        if refused != SaveOutcome.TAKEN_OVER:
            attempt.last_contact_at = now
            attempt.save(update_fields=["last_seq", "last_contact_at"])
    report.state, report.last_seq = attempt.state, attempt.last_seq
    return report


def attempt_touch(*, attempt: Attempt, token: str, now: datetime.datetime | None = None) -> bool:
    """A clock sync from the current page records the last contact; False when taken over."""
    now = now or timezone.now()
    if token != attempt.session_token:
        return False
    Attempt.objects.filter(pk=attempt.pk).update(last_contact_at=now)
    return True


# ---------------------------------------------------------------- answer cards (新取证(线下))


def _assert_card_plan(user, plan) -> None:
    if plan.exam_type != ExamType.NEW_OFFLINE:
        raise ApplicationError("只有新取证(线下)考试使用答题卡")
    _assert_plan_staff(user, plan)


def attempt_record_card(*, registration, answers: list[tuple[int, str, str]], acting_user, note: str = "",
                        now: datetime.datetime | None = None) -> tuple[Attempt, bool]:
    """新取证(线下): record a candidate's scanned answer card as their attempt, graded by the same
    grader as an online paper (results.services), so the violation check and publication treat
    it like any other score. `answers` are (position, displayed letters, canonical letters) of the
    answered questions (a blank is left out). The first card moves the attempt 未开始 → 进行中 →
    已交卷 (cause 答题卡扫描结果导入, at the plan's start and end: the candidate sat it then) and
    grades it (→ 已评分); a corrected card of a graded attempt replaces its answers and regrades
    it. A 缺考 or 作废 attempt takes no card. Returns (attempt, replaced). The caller (the
    answer-card import) runs it in the row's transaction and audits the row."""
    from results.services import score_compute, score_recompute

    now = now or timezone.now()
    plan = registration.plan
    _assert_card_plan(acting_user, plan)
    attempt = attempt_for(registration)
    with transaction.atomic():
        attempt = _locked(attempt)
        state = attempt.state
        if state in (AttemptState.ABSENT, AttemptState.VOID):
            raise ApplicationError(f"该考生本场考试为“{attempt.get_state_display()}”，不能再导入答题卡")
        if state not in (AttemptState.NOT_STARTED, AttemptState.GRADED):
            raise ApplicationError(f"该考生的考试状态为“{attempt.get_state_display()}”，不能导入答题卡")
        seq = attempt.last_seq + 1
        Answer.objects.filter(attempt=attempt).delete()
        Answer.objects.bulk_create([Answer(attempt=attempt, position=position, displayed=displayed, canonical=canonical,
                                           seq=seq, saved_at=now) for position, displayed, canonical in answers])
        attempt.last_seq = seq
        attempt.save(update_fields=["last_seq", "updated_at"])
        if state == AttemptState.GRADED:
            score_recompute(attempt=attempt, now=now)
            return attempt, True
        attempt_transition(attempt=attempt, to_state=AttemptState.IN_PROGRESS, cause=TransitionCause.CARD,
                           actor=acting_user, note=note, now=min(plan.starts_at, now))
        attempt_transition(attempt=attempt, to_state=AttemptState.SUBMITTED, cause=TransitionCause.CARD,
                           actor=acting_user, note=note, now=min(plan.ends_at, now))
        score_compute(attempt=attempt, now=now)
        attempt_transition(attempt=attempt, to_state=AttemptState.GRADED, cause=TransitionCause.GRADE, now=now)
    return attempt, False


def attempt_absent_card(*, registration, acting_user, now: datetime.datetime | None = None) -> bool:
    """新取证(线下): the scanning of the plan is closed and this candidate has no card: 缺考
    (cause 扫描结束时没有答题卡). True when the attempt became 缺考 now; an attempt already closed
    (graded, absent, void) is left as it is."""
    now = now or timezone.now()
    _assert_card_plan(acting_user, registration.plan)
    attempt = attempt_for(registration)
    with transaction.atomic():
        attempt = _locked(attempt)
        if attempt.state != AttemptState.NOT_STARTED:
            return False
        attempt_transition(attempt=attempt, to_state=AttemptState.ABSENT, cause=TransitionCause.CARD_ABSENT,
                           actor=acting_user, now=now)
    return True
