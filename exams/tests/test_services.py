"""The exam engine's rules, each with a test that fails when the rule is broken (docs/decisions.md#exam-engine)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from audit.actions import Action
from audit.models import AuditLog
from core.errors import ApplicationError, PermissionDenied
from exams.choices import TRANSITIONS, AttemptState, SaveOutcome, TransitionCause
from exams.models import Answer, AnswerLog, Attempt, AttemptTransition
from exams.services import (
    TRANSITION_ACTIONS,
    answers_save,
    attempt_extend,
    attempt_for,
    attempt_open_session,
    attempt_start,
    attempt_submit,
    attempt_transition,
    attempt_void,
    attempts_close_due,
    entry_rule_set,
)
from exams.tests.factories import open_plan, sitting
from papers.selectors import answer_key, displayed_to_canonical, paper_for_registration
from plans.choices import ExamType
from results.models import Score

pytestmark = pytest.mark.django_db
MIN = datetime.timedelta(minutes=1)


def _started(registration, user, now=None):
    attempt = attempt_start(registration=registration, acting_user=user, now=now)
    token = attempt_open_session(attempt=attempt, now=now)
    return Attempt.objects.select_related("plan", "registration").get(pk=attempt.pk), token


def _wrong(entry) -> str:
    return next(letter for letter in "ABCD" if letter != entry.displayed) if len(entry.displayed) == 1 else "A"


def _item(position, answer, seq, client_at=None):
    item = {"position": position, "answer": answer, "seq": seq}
    if client_at is not None:
        item["client_at"] = client_at.timestamp() * 1000
    return item


# ---------------------------------------------------------------- states


ALL = list(AttemptState)


@pytest.mark.parametrize(("source", "target"), [(s, t) for s in ALL for t in ALL])
def test_every_transition_is_allowed_or_refused_by_the_table(registration, source, target):
    attempt = attempt_for(registration)
    Attempt.objects.filter(pk=attempt.pk).update(state=source)
    attempt.refresh_from_db()
    if target in TRANSITIONS[source]:
        attempt_transition(attempt=attempt, to_state=target, cause=TransitionCause.VOID)
        attempt.refresh_from_db()
        assert attempt.state == target
        row = AttemptTransition.objects.get(attempt=attempt)
        assert (row.from_state, row.to_state, row.cause) == (source, target, TransitionCause.VOID) and row.at
        assert AuditLog.objects.filter(action=TRANSITION_ACTIONS[target], object_id=str(attempt.pk)).exists()
    else:
        with pytest.raises(ApplicationError, match="考试状态不能从"):
            attempt_transition(attempt=attempt, to_state=target, cause=TransitionCause.VOID)
        attempt.refresh_from_db()
        assert attempt.state == source and not AttemptTransition.objects.filter(attempt=attempt).exists()


def test_transition_rows_cannot_be_changed(registration, world):
    attempt, _ = _started(registration, world.candidate)
    row = AttemptTransition.objects.get(attempt=attempt)
    row.note = "改"
    with pytest.raises(RuntimeError):
        row.save()
    with pytest.raises(RuntimeError):
        row.delete()


def test_start_records_the_transition_and_resumes_without_restarting(registration, world):
    now = timezone.now()
    attempt, _ = _started(registration, world.candidate, now=now)
    assert attempt.state == AttemptState.IN_PROGRESS and attempt.started_at == now
    again = attempt_start(registration=registration, acting_user=world.candidate, now=now + 10 * MIN)
    assert again.started_at == now and again.deadline == registration.plan.ends_at
    assert AttemptTransition.objects.filter(attempt=attempt).count() == 1


def test_entry_opens_at_the_start(world, rule):
    registration = sitting(open_plan(minutes_ago=-10), user=world.candidate)
    with pytest.raises(ApplicationError, match="考试尚未开始"):
        attempt_start(registration=registration, acting_user=world.candidate)
    assert Attempt.objects.get(registration=registration).state == AttemptState.NOT_STARTED


def test_late_entry_limit_default_30_minutes_and_set_by_central(world, rule):
    registration = sitting(open_plan(minutes_ago=31), user=world.candidate)
    with pytest.raises(ApplicationError, match="已超过入场时间"):
        attempt_start(registration=registration, acting_user=world.candidate)
    with pytest.raises(PermissionDenied):
        entry_rule_set(exam_type=ExamType.CONTINUING_ONLINE, late_entry_minutes=45, grace_seconds=60,
                       acting_user=world.admin_a)
    entry_rule_set(exam_type=ExamType.CONTINUING_ONLINE, late_entry_minutes=45, grace_seconds=60,
                   acting_user=world.central)
    assert AuditLog.objects.filter(action=Action.ENTRY_RULE_UPDATE).exists()
    assert attempt_start(registration=registration, acting_user=world.candidate).state == AttemptState.IN_PROGRESS


def test_a_running_blacklist_penalty_stops_the_exam(registration, world):
    from blacklist.tests.factories import make_entry

    make_entry(central=world.central, region=world.region_a, person=registration.person,
               start=timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(ApplicationError, match="停考"):
        attempt_start(registration=registration, acting_user=world.candidate)
    assert Attempt.objects.get(registration=registration).state == AttemptState.NOT_STARTED


def test_only_the_own_candidate_starts(registration, world):
    from accounts.models import User

    other = User.objects.create_user("t_candidate2", role="candidate")
    for user in (other, world.admin_a, world.central):
        with pytest.raises(PermissionDenied):
            attempt_start(registration=registration, acting_user=user)


def test_no_paper_no_start(world, rule):
    from candidates.tests.factories import RegistrationFactory

    registration = RegistrationFactory(plan=open_plan(), person__user=world.candidate)
    with pytest.raises(ApplicationError, match="试卷尚未生成"):
        attempt_start(registration=registration, acting_user=world.candidate)


def test_the_answer_card_mode_takes_no_online_exam(world):
    from candidates.tests.factories import RegistrationFactory

    registration = RegistrationFactory(plan=open_plan(exam_type=ExamType.NEW_OFFLINE), person__user=world.candidate)
    with pytest.raises(ApplicationError, match="不是线上考试"):
        attempt_start(registration=registration, acting_user=world.candidate)


# ---------------------------------------------------------------- time


def test_extension_moves_the_deadline_with_a_reason_audited(registration, world):
    attempt, _ = _started(registration, world.candidate)
    with pytest.raises(ApplicationError, match="原因"):
        attempt_extend(attempt=attempt, minutes=10, reason=" ", acting_user=world.central)
    with pytest.raises(PermissionDenied):
        attempt_extend(attempt=attempt, minutes=10, reason="断电", acting_user=world.admin_a)
    attempt = attempt_extend(attempt=attempt, minutes=10, reason="考点断电", acting_user=world.central)
    assert attempt.deadline == registration.plan.ends_at + 10 * MIN
    log = AuditLog.objects.get(action=Action.ATTEMPT_EXTEND)
    assert log.reason == "考点断电" and log.after["extension_minutes"] == 10


# ---------------------------------------------------------------- saving


def test_answers_are_saved_in_displayed_and_canonical_letters(registration, world):
    attempt, token = _started(registration, world.candidate)
    paper = paper_for_registration(registration)
    key = answer_key(paper)
    report = answers_save(attempt=attempt, token=token, acting_user=world.candidate,
                          raw_items=[_item(e.position, e.displayed, e.position) for e in key])
    assert set(report.outcomes.values()) == {SaveOutcome.ACCEPTED}
    stored = {a.position: a for a in Answer.objects.filter(attempt=attempt)}
    for entry in key:
        assert stored[entry.position].displayed == entry.displayed
        assert stored[entry.position].canonical == entry.canonical == displayed_to_canonical(
            paper, entry.position, entry.displayed)


def test_an_older_save_never_overwrites_a_newer_one(registration, world):
    attempt, token = _started(registration, world.candidate)
    answers_save(attempt=attempt, token=token, acting_user=world.candidate, raw_items=[_item(1, "B", 5)])
    report = answers_save(attempt=attempt, token=token, acting_user=world.candidate, raw_items=[_item(1, "A", 4)])
    assert report.outcomes == {4: SaveOutcome.STALE}
    retried = answers_save(attempt=attempt, token=token, acting_user=world.candidate, raw_items=[_item(1, "B", 5)])
    assert retried.outcomes == {5: SaveOutcome.DUPLICATE}
    answer = Answer.objects.get(attempt=attempt, position=1)
    assert (answer.displayed, answer.seq) == ("B", 5)
    # the log keeps every received answer, in order, with its outcome and both times
    logs = list(AnswerLog.objects.filter(attempt=attempt).order_by("pk").values_list("seq", "displayed", "outcome"))
    assert logs == [(5, "B", "accepted"), (4, "A", "stale"), (5, "B", "duplicate")]
    newer = answers_save(attempt=attempt, token=token, acting_user=world.candidate, raw_items=[_item(1, "", 6)])
    assert newer.outcomes == {6: SaveOutcome.ACCEPTED} and newer.last_seq == 6
    assert Answer.objects.get(attempt=attempt, position=1).displayed == ""  # a cleared choice is an answer too


def test_a_batch_replayed_out_of_order_keeps_the_newest(registration, world):
    attempt, token = _started(registration, world.candidate)
    answers_save(attempt=attempt, token=token, acting_user=world.candidate,
                 raw_items=[_item(2, "C", 9), _item(2, "A", 7), _item(3, "B", 8)])
    assert dict(Answer.objects.filter(attempt=attempt).values_list("position", "seq")) == {2: 9, 3: 8}


def _page_item(position, answer, seq, session, client_at):
    return {**_item(position, answer, seq, client_at), "session": session}


def test_answers_an_old_computer_kept_offline_never_overwrite_newer_ones(registration, world):
    """The former known limit of docs/decisions.md#later-answer-wins, fixed: computer A (page 1) answers question 2 offline with a high
    sequence number; the candidate moves to computer B (page 2, numbers from the server's last
    one) and answers question 2 again; when A reopens (page 3) it replays its kept answers. The
    older answer of question 2 is refused as stale (B's stays), A's answer to a question B never
    touched is kept, and the page is told what the server keeps."""
    now = timezone.now()
    attempt, page_a = _started(registration, world.candidate, now=now)
    assert attempt.sessions_opened == 1
    answers_save(attempt=attempt, token=page_a, acting_user=world.candidate,
                 raw_items=[_page_item(1, "A", 1, 1, now + MIN)], now=now + MIN)
    # A goes offline and keeps these (seq 2..40 locally): never sent
    kept_on_a = [_page_item(2, "A", 40, 1, now + 2 * MIN), _page_item(3, "C", 41, 1, now + 2 * MIN)]
    page_b = attempt_open_session(attempt=attempt, now=now + 3 * MIN)
    assert attempt.sessions_opened == 2 and Attempt.objects.get(pk=attempt.pk).last_seq == 1
    report = answers_save(attempt=attempt, token=page_b, acting_user=world.candidate,
                          raw_items=[_page_item(2, "B", 2, 2, now + 4 * MIN)], now=now + 4 * MIN)
    assert report.outcomes == {2: SaveOutcome.ACCEPTED}
    page_a_again = attempt_open_session(attempt=attempt, now=now + 5 * MIN)
    report = answers_save(attempt=attempt, token=page_a_again, acting_user=world.candidate, raw_items=kept_on_a,
                          now=now + 5 * MIN)
    assert report.outcomes == {40: SaveOutcome.STALE, 41: SaveOutcome.ACCEPTED}
    assert report.kept == {2: {"answer": "B", "seq": 2}}
    assert dict(Answer.objects.filter(attempt=attempt).values_list("position", "displayed")) == {
        1: "A", 2: "B", 3: "C"}
    assert AnswerLog.objects.filter(attempt=attempt, seq=40, session=1, outcome=SaveOutcome.STALE).exists()


def test_between_pages_the_answer_given_later_wins(registration, world):
    """Both computers in use: A's kept answer was given after B's, so it wins, whatever the numbers;
    without client stamps the later page wins; on one page the higher number still decides."""
    now = timezone.now()
    attempt, page_a = _started(registration, world.candidate, now=now)
    page_b = attempt_open_session(attempt=attempt, now=now + MIN)
    answers_save(attempt=attempt, token=page_b, acting_user=world.candidate,
                 raw_items=[_page_item(1, "B", 5, 2, now + 2 * MIN), {**_item(2, "B", 6), "session": 2}])
    page_c = attempt_open_session(attempt=attempt, now=now + 3 * MIN)
    report = answers_save(attempt=attempt, token=page_c, acting_user=world.candidate, raw_items=[
        _page_item(1, "A", 3, 1, now + 2 * MIN + datetime.timedelta(seconds=30)), {**_item(2, "A", 4), "session": 1}])
    assert report.outcomes == {3: SaveOutcome.ACCEPTED, 4: SaveOutcome.STALE}
    assert dict(Answer.objects.filter(attempt=attempt).values_list("position", "displayed")) == {1: "A", 2: "B"}
    with pytest.raises(ApplicationError, match="页面序号"):
        answers_save(attempt=attempt, token=page_c, acting_user=world.candidate,
                     raw_items=[{**_item(1, "C", 9), "session": 9}])


def test_bad_input_changes_nothing_and_says_where(registration, world):
    attempt, token = _started(registration, world.candidate)
    paper = paper_for_registration(registration)
    for raw, message in [([_item(1, "B", 1), _item(999, "A", 2)], "第 999 题"), ([_item(1, "Z", 1)], "第 1 题的答案"),
                         ([{"position": "x", "seq": 1}], "题号"), ([], "没有收到答案")]:
        with pytest.raises(ApplicationError, match=message):
            answers_save(attempt=attempt, token=token, acting_user=world.candidate, raw_items=raw)
    assert len(paper.items) < 999
    assert not Answer.objects.filter(attempt=attempt).exists() and not AnswerLog.objects.exists()


def test_a_taken_over_page_writes_nothing(registration, world):
    attempt, old = _started(registration, world.candidate)
    new = attempt_open_session(attempt=attempt)
    report = answers_save(attempt=attempt, token=old, acting_user=world.candidate, raw_items=[_item(1, "A", 1)])
    assert report.outcomes == {1: SaveOutcome.TAKEN_OVER} and "另一个页面" in report.message
    assert not Answer.objects.filter(attempt=attempt).exists()
    assert AnswerLog.objects.get(attempt=attempt).outcome == SaveOutcome.TAKEN_OVER
    with pytest.raises(ApplicationError, match="另一个页面"):
        attempt_submit(attempt=attempt, token=old, acting_user=world.candidate)
    attempt.refresh_from_db()
    report = answers_save(attempt=attempt, token=new, acting_user=world.candidate, raw_items=[_item(1, "A", 1)])
    assert report.outcomes == {1: SaveOutcome.ACCEPTED}


def test_another_candidate_cannot_save(registration, world):
    from accounts.models import User

    attempt, token = _started(registration, world.candidate)
    other = User.objects.create_user("t_candidate2", role="candidate")
    with pytest.raises(PermissionDenied):
        answers_save(attempt=attempt, token=token, acting_user=other, raw_items=[_item(1, "A", 1)])


def test_grace_window_keeps_saves_stamped_before_the_deadline(registration, world):
    attempt, token = _started(registration, world.candidate)
    deadline = attempt.deadline
    kept = answers_save(attempt=attempt, token=token, acting_user=world.candidate, now=deadline + 50 * MIN / 60,
                        raw_items=[_item(1, "A", 1, client_at=deadline - MIN / 60)])
    assert kept.outcomes == {1: SaveOutcome.ACCEPTED}
    late = answers_save(attempt=attempt, token=token, acting_user=world.candidate, now=deadline + 50 * MIN / 60,
                        raw_items=[_item(2, "A", 2, client_at=deadline + MIN / 60), _item(3, "A", 3)])
    assert late.outcomes == {2: SaveOutcome.LATE, 3: SaveOutcome.LATE}
    assert set(Answer.objects.filter(attempt=attempt).values_list("position", flat=True)) == {1}
    # after deadline + grace (60 s): even a save stamped in time is refused, the attempt is closed
    closed = answers_save(attempt=attempt, token=token, acting_user=world.candidate, now=deadline + 61 * MIN / 60,
                          raw_items=[_item(4, "A", 4, client_at=deadline - MIN)])
    assert closed.outcomes == {4: SaveOutcome.CLOSED} and closed.state == AttemptState.GRADED
    assert AnswerLog.objects.filter(attempt=attempt, outcome__in=["late", "closed"]).count() == 3


# ---------------------------------------------------------------- submission and grading


def test_submit_grades_with_the_saved_answers_against_the_pass_mark(registration, world):
    attempt, token = _started(registration, world.candidate)
    paper = paper_for_registration(registration)
    key = answer_key(paper)
    right = key[: len(key) - 2]
    answers_save(attempt=attempt, token=token, acting_user=world.candidate,
                 raw_items=[_item(e.position, e.displayed, e.position) for e in right]
                 + [_item(key[-1].position, _wrong(key[-1]), 100)])
    attempt = attempt_submit(attempt=attempt, token=token, acting_user=world.candidate)
    assert attempt.state == AttemptState.GRADED
    score = Score.objects.get(attempt=attempt)
    assert score.total == sum(e.points for e in right)
    assert score.passed == (score.total >= paper.pass_mark) and score.answered == len(right) + 1
    assert [t.cause for t in AttemptTransition.objects.filter(attempt=attempt)] == [
        TransitionCause.START, TransitionCause.SUBMIT, TransitionCause.GRADE]
    with pytest.raises(ApplicationError, match="不能交卷"):
        attempt_submit(attempt=attempt, token=token, acting_user=world.candidate)


def test_the_periodic_task_submits_overdue_attempts_and_marks_absent(world, rule):
    from accounts.models import User

    plan = open_plan(minutes_ago=10, duration=30)
    started = sitting(plan, user=world.candidate)
    never = sitting(plan, user=User.objects.create_user("t_candidate2", role="candidate"))
    attempt, token = _started(started, world.candidate)
    entry = answer_key(paper_for_registration(started))[0]
    answers_save(attempt=attempt, token=token, acting_user=world.candidate, raw_items=[_item(1, entry.displayed, 1)])
    assert attempts_close_due(now=plan.ends_at) == {"submitted": 0, "absent": 0}  # within the grace
    counts = attempts_close_due(now=plan.ends_at + 2 * MIN)
    assert counts == {"submitted": 1, "absent": 1}
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.GRADED and Score.objects.get(attempt=attempt).total == entry.points
    assert AttemptTransition.objects.filter(attempt=attempt, cause=TransitionCause.DEADLINE).exists()
    assert Attempt.objects.get(registration=never).state == AttemptState.ABSENT


def test_reading_an_overdue_attempt_submits_it(registration, world):
    from exams.selectors import attempt_for_candidate

    attempt, _ = _started(registration, world.candidate)
    read = attempt_for_candidate(registration=registration, now=attempt.deadline + 2 * MIN)
    assert read.state == AttemptState.GRADED and Score.objects.filter(attempt=attempt).exists()


def test_void(registration, world):
    attempt, _ = _started(registration, world.candidate)
    with pytest.raises(PermissionDenied):
        attempt_void(attempt=attempt, reason="替考", acting_user=world.admin_a)
    attempt = attempt_void(attempt=attempt, reason="替考", acting_user=world.central)
    assert attempt.state == AttemptState.VOID
    assert AttemptTransition.objects.get(attempt=attempt, to_state="void").note == "替考"


def test_regrade_after_a_correction_recomputes_every_score_audited(world, rule):
    from accounts.models import User
    from results.services import question_correct

    plan = open_plan()
    scores = {}
    for user in [world.candidate, User.objects.create_user("t_candidate2", role="candidate")]:
        registration = sitting(plan, user=user)
        attempt, token = _started(registration, user)
        key = answer_key(paper_for_registration(registration))
        given = [_item(e.position, _wrong(e) if e.qtype == "single" else e.displayed, e.position) for e in key]
        answers_save(attempt=attempt, token=token, acting_user=user, raw_items=given)
        attempt_submit(attempt=attempt, token=token, acting_user=user)
        scores[attempt.pk] = (Score.objects.get(attempt=attempt).total, key)
    version = next(e for e in scores[next(iter(scores))][1] if e.qtype == "single").version_id
    with pytest.raises(PermissionDenied):
        question_correct(plan=plan, version_id=version, kind="void", reason="题干有误", acting_user=world.admin_a)
    question_correct(plan=plan, version_id=version, kind="void", reason="题干有误", acting_user=world.central)
    holders = 0
    for attempt_pk, (before, key) in scores.items():
        entry = next((e for e in key if e.version_id == version), None)
        after = Score.objects.get(attempt_id=attempt_pk).total
        assert after == (before + entry.points if entry else before)  # papers differ: only holders gain
        holders += entry is not None
    log = AuditLog.objects.get(action=Action.SCORE_REGRADE)
    assert log.after["scores"] == 2 and len(log.after["changed"]) == holders >= 1
    before, after = next(iter(log.after["changed"].values()))
    assert Decimal(after) > Decimal(before)


# ---------------------------------------------------------------- centralized entry (新取证(线上))


@pytest.fixture
def centralized(world, bank):
    from exams.tests.factories import rules_for

    rules_for(world.central, exam_type=ExamType.NEW_ONLINE)
    return sitting(open_plan(exam_type=ExamType.NEW_ONLINE), user=world.candidate, person__name="赵丽华")


def test_centralized_entry_needs_the_room_code(centralized, world):
    from exams.services import MAX_ENTRY_CODE_FAILURES, entry_code_for

    with pytest.raises(ApplicationError, match="请输入"):
        attempt_start(registration=centralized, acting_user=world.candidate)
    with pytest.raises(PermissionDenied):
        entry_code_for(plan=centralized.plan, acting_user=world.admin_b)  # another region's 管局
    code = entry_code_for(plan=centralized.plan, acting_user=world.admin_a).code
    assert entry_code_for(plan=centralized.plan, acting_user=world.central).code == code  # one per plan
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ApplicationError, match="入场码不正确"):
        attempt_start(registration=centralized, acting_user=world.candidate, entry_code=wrong)
    assert attempt_start(registration=centralized, acting_user=world.candidate,
                         entry_code=code).state == AttemptState.IN_PROGRESS
    assert MAX_ENTRY_CODE_FAILURES == 5


def test_wrong_codes_lock_until_the_region_unlocks(centralized, world):
    from exams.services import attempt_unlock, entry_code_for

    code = entry_code_for(plan=centralized.plan, acting_user=world.admin_a).code
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(ApplicationError):
            attempt_start(registration=centralized, acting_user=world.candidate, entry_code=wrong)
    with pytest.raises(ApplicationError, match="错误次数过多"):
        attempt_start(registration=centralized, acting_user=world.candidate, entry_code=code)
    with pytest.raises(PermissionDenied):
        attempt_unlock(registration=centralized, acting_user=world.admin_b)
    attempt_unlock(registration=centralized, acting_user=world.admin_a)
    assert AuditLog.objects.filter(action=Action.ATTEMPT_UNLOCK).exists()
    assert attempt_start(registration=centralized, acting_user=world.candidate).state == AttemptState.IN_PROGRESS


# ---------------------------------------------------------------- 考点网络 (centralized plans)


def test_site_networks_are_validated_with_a_clear_message(centralized, world):
    from exams.models import PlanEntryNetwork
    from exams.services import entry_networks_set

    plan = centralized.plan
    for text, message in [("10.20.0.0/16\n10.20.1.5/24", "第 2 项“10.20.1.5/24”的主机位不为 0：该网段应写作 10.20.1.0/24"),
                          ("考点机房", "第 1 项“考点机房”不是有效的 IP 地址或网段"),
                          ("0.0.0.0/0", "范围过大"), ("10.0.0.0/300", "不是有效的")]:
        with pytest.raises(ApplicationError, match=message):
            entry_networks_set(plan=plan, text=text, acting_user=world.admin_a)
    assert not PlanEntryNetwork.objects.exists()
    with pytest.raises(PermissionDenied):
        entry_networks_set(plan=plan, text="10.20.0.0/16", acting_user=world.admin_b)  # another region's 管局
    with pytest.raises(PermissionDenied):
        entry_networks_set(plan=plan, text="10.20.0.0/16", acting_user=world.candidate)
    row = entry_networks_set(plan=plan, text="10.20.0.0/16，10.30.1.5 2001:db8::/48\n10.20.0.0/16",
                             acting_user=world.admin_a)
    assert row.networks == ["10.20.0.0/16", "10.30.1.5/32", "2001:db8::/48"]
    log = AuditLog.objects.get(action="entry_network.update")
    assert log.before == {"networks": []} and log.after == {"networks": row.networks}
    assert entry_networks_set(plan=plan, text="", acting_user=world.central).networks == []


def test_a_centralized_exam_is_entered_only_from_the_site_network(centralized, world):
    from exams.services import entry_code_for, entry_networks_set

    plan = centralized.plan
    code = entry_code_for(plan=plan, acting_user=world.admin_a).code
    entry_networks_set(plan=plan, text="10.20.0.0/16", acting_user=world.admin_a)
    for ip in ("192.168.1.10", None, "not-an-ip"):
        with pytest.raises(ApplicationError, match="不在考点网络内") as exc:
            attempt_start(registration=centralized, acting_user=world.candidate, entry_code=code, ip=ip)
        assert exc.value.code == "network"
    assert Attempt.objects.get(registration=centralized).state == AttemptState.NOT_STARTED
    attempt = attempt_start(registration=centralized, acting_user=world.candidate, entry_code=code,
                            ip="::ffff:10.20.3.4")
    assert attempt.state == AttemptState.IN_PROGRESS
    # resuming from outside the site is refused too; from inside it resumes
    with pytest.raises(ApplicationError, match="不在考点网络内"):
        attempt_start(registration=centralized, acting_user=world.candidate, ip="192.168.1.10")
    assert attempt_start(registration=centralized, acting_user=world.candidate, ip="10.20.9.9").pk == attempt.pk


def test_site_networks_belong_to_centralized_plans_only(registration, world):
    from exams.services import entry_networks_set

    with pytest.raises(ApplicationError, match="只有新取证"):
        entry_networks_set(plan=registration.plan, text="10.20.0.0/16", acting_user=world.admin_a)
    # a remote plan ignores any address
    assert attempt_start(registration=registration, acting_user=world.candidate, ip="8.8.8.8").state == "in_progress"
