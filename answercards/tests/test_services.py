import datetime
from collections import Counter

import pytest
from django.utils import timezone

from answercards.models import CardPlan, ExamRoom, PaperVersion, Seat
from answercards.services import rooms_generate, scanning_close
from audit.models import AuditLog
from candidates.tests.factories import RegistrationFactory
from core.errors import ApplicationError, PermissionDenied
from exams.choices import AttemptState
from exams.models import Attempt
from papers.models import Paper
from papers.selectors import paper_for_registration, paper_matches_seed
from plans.choices import ExamType
from plans.tests.factories import ExamPlanFactory

from .factories import offline_plan, register, seat


def before_start(plan, hours=1):
    return plan.starts_at - datetime.timedelta(hours=hours)


def test_rooms_seats_and_versions(world, plan, regs):
    card_plan = seat(plan, world.admin_a, room_size=5, version_count=2)
    assert card_plan.seated_by == world.admin_a and card_plan.site == "北京市通信管理局考点"
    rooms = list(ExamRoom.objects.filter(plan=plan))
    assert [r.number for r in rooms] == [1, 2, 3] and sum(r.seats for r in rooms) == 12
    assert max(r.seats for r in rooms) <= 5
    seats = list(Seat.objects.filter(plan=plan).select_related("registration"))
    assert len(seats) == 12
    # neighbours hold different versions
    for s in seats:
        assert s.version == "AB"[(s.number - 1) % 2]
    # each personnel type present has versions A and B; each candidate sits their version's paper
    versions = {(v.personnel_type, v.letter): v.seed for v in PaperVersion.objects.filter(plan=plan)}
    assert set(versions) == {("A", "A"), ("A", "B"), ("B", "A"), ("B", "B")}
    for s in seats:
        paper = paper_for_registration(s.registration)
        assert paper.seed == versions[(s.registration.personnel_type, s.version)]
        assert paper_matches_seed(paper)
    # the same version of the same type is one paper; the two versions differ
    papers = {}
    for s in seats:
        papers.setdefault((s.registration.personnel_type, s.version), set()).add(
            str(paper_for_registration(s.registration).items))
    assert all(len(items) == 1 for items in papers.values())
    assert papers[("A", "A")] != papers[("A", "B")]
    log = AuditLog.objects.get(action="answercards.rooms_generate")
    assert log.actor == world.admin_a and log.after["rooms"] == 3 and log.after["seats"] == 12
    assert AuditLog.objects.filter(action="paper.assign_version").exists()


def test_company_spread_in_the_stored_seats(world, plan):
    register(plan, 20, companies=["大公司"] * 3 + ["小公司甲", "小公司乙"])  # 12 of 大公司
    seat(plan, world.admin_a, room_size=5)
    per_room = Counter(s.room.number for s in Seat.objects.filter(plan=plan, registration__company_name="大公司")
                       .select_related("room"))
    assert sorted(per_room.values()) == [3, 3, 3, 3]


def test_regenerating_keeps_the_version_seeds_and_replaces_the_seats(world, plan, regs):
    seat(plan, world.admin_a, room_size=5, version_count=2)
    seeds = dict(PaperVersion.objects.filter(plan=plan).values_list("pk", "seed"))
    rooms_generate(plan=plan, room_size=6, version_count=3, acting_user=world.central, now=before_start(plan))
    assert ExamRoom.objects.filter(plan=plan).count() == 2
    assert Seat.objects.filter(plan=plan).count() == 12
    after = dict(PaperVersion.objects.filter(plan=plan).values_list("pk", "seed"))
    assert all(after[pk] == seed for pk, seed in seeds.items())  # A and B kept
    assert PaperVersion.objects.filter(plan=plan, letter="C").count() == 2
    rooms_generate(plan=plan, room_size=6, version_count=1, acting_user=world.central, now=before_start(plan))
    assert set(PaperVersion.objects.filter(plan=plan).values_list("letter", flat=True)) == {"A"}
    assert set(Seat.objects.filter(plan=plan).values_list("version", flat=True)) == {"A"}
    logs = AuditLog.objects.filter(action="answercards.rooms_generate").order_by("pk")
    assert logs.count() == 3 and logs[1].before["room_size"] == 5 and logs[1].after["room_size"] == 6


def test_when_rooms_may_be_generated(world, plan, regs):
    with pytest.raises(ApplicationError, match="考生名单尚未锁定"):
        rooms_generate(plan=plan, room_size=5, version_count=2, acting_user=world.admin_a,
                       now=plan.starts_at - datetime.timedelta(hours=49))
    with pytest.raises(ApplicationError, match="考试已开始"):
        rooms_generate(plan=plan, room_size=5, version_count=2, acting_user=world.admin_a, now=plan.starts_at)
    assert not ExamRoom.objects.filter(plan=plan).exists() and not CardPlan.objects.filter(plan=plan).exists()


def test_bad_settings_change_nothing(world, plan, regs):
    for kwargs, message in (({"room_size": 4}, "座位数应在 5–200"), ({"room_size": 201}, "座位数应在 5–200"),
                            ({"version_count": 0}, "试卷版本数应在 1–6"), ({"version_count": 7}, "试卷版本数应在 1–6"),
                            ({"site": "考" * 101}, "考点名称最多 100 个字")):
        args = {"room_size": 5, "version_count": 2, **kwargs}
        with pytest.raises(ApplicationError, match=message):
            rooms_generate(plan=plan, acting_user=world.admin_a, now=before_start(plan), **args)
    assert not ExamRoom.objects.filter(plan=plan).exists()
    assert not AuditLog.objects.filter(action="answercards.rooms_generate").exists()


def test_only_offline_approved_plans_with_candidates_and_rules(world, rule):
    online = ExamPlanFactory(exam_type=ExamType.NEW_ONLINE, days_ahead=1)
    RegistrationFactory(plan=online)
    with pytest.raises(ApplicationError, match="只有新取证\\(线下\\)"):
        rooms_generate(plan=online, room_size=5, version_count=2, acting_user=world.admin_a, now=before_start(online))
    pending = ExamPlanFactory(exam_type=ExamType.NEW_OFFLINE, days_ahead=1, audit_status="pending")
    with pytest.raises(ApplicationError, match="尚未审核通过"):
        rooms_generate(plan=pending, room_size=5, version_count=2, acting_user=world.admin_a,
                       now=before_start(pending))
    empty = offline_plan()
    with pytest.raises(ApplicationError, match="没有考生"):
        rooms_generate(plan=empty, room_size=5, version_count=2, acting_user=world.admin_a, now=before_start(empty))


def test_a_personnel_type_without_rule_refuses_the_whole_seating(world, bank):
    from papers.tests.factories import make_rule

    make_rule(world.central, name="仅 A 类", exam_type=ExamType.NEW_OFFLINE, personnel_types="A")
    plan = offline_plan()
    register(plan, 4, types="AC")
    with pytest.raises(ApplicationError, match="C 类未配置组卷规则"):
        seat(plan, world.admin_a)
    assert not Seat.objects.filter(plan=plan).exists() and not PaperVersion.objects.filter(plan=plan).exists()


def test_another_regions_administrator_and_candidates_may_not(world, plan, regs):
    for user in (world.admin_b, world.candidate):
        with pytest.raises(PermissionDenied):
            rooms_generate(plan=plan, room_size=5, version_count=2, acting_user=user, now=before_start(plan))
    assert not ExamRoom.objects.filter(plan=plan).exists()


def test_closing_the_scanning_marks_those_without_a_card_absent(world, seated, regs):
    from answercards.importing.services import card_import_upload

    from .files import upload_rows

    run = card_import_upload(plan=seated, **upload_rows(regs[:3]), acting_user=world.admin_a)
    assert run.created_count == 3
    with pytest.raises(PermissionDenied):
        scanning_close(plan=seated, acting_user=world.admin_a)
    absent = scanning_close(plan=seated, acting_user=world.central)
    assert absent == 9
    states = Counter(Attempt.objects.filter(plan=seated).values_list("state", flat=True))
    assert states == {AttemptState.GRADED: 3, AttemptState.ABSENT: 9}
    log = AuditLog.objects.get(action="answercards.scanning_close")
    assert log.after["absent"] == 9 and log.after["cards"] == 3 and log.actor == world.central
    assert Attempt.objects.filter(plan=seated, state=AttemptState.ABSENT).first().transitions.get().cause == "card_absent"
    with pytest.raises(ApplicationError, match="扫描已经结束"):
        scanning_close(plan=seated, acting_user=world.central)
    with pytest.raises(ApplicationError, match="结束该计划的扫描"):
        card_import_upload(plan=seated, **upload_rows(regs[3:4]), acting_user=world.admin_a)
    with pytest.raises(ApplicationError, match="扫描已结束|考试已开始"):
        rooms_generate(plan=seated, room_size=5, version_count=2, acting_user=world.central, now=before_start(seated))


def test_the_scanning_closes_only_after_the_exam(world, rule):
    plan = offline_plan(minutes_ago=30)
    register(plan, 3)
    seat(plan, world.admin_a)
    with pytest.raises(ApplicationError, match="考试尚未结束"):
        scanning_close(plan=plan, acting_user=world.central)
    assert scanning_close(plan=plan, acting_user=world.central, now=plan.ends_at) == 3
    assert Paper.objects.filter(plan=plan).count() == 3


def test_the_scanning_cannot_close_before_seating(world, plan, regs):
    with pytest.raises(ApplicationError, match="尚未生成考场"):
        scanning_close(plan=plan, acting_user=world.central)
    assert not Attempt.objects.filter(plan=plan).exists()


def test_now_is_after_the_freeze_for_the_fixture(plan):
    assert plan.ends_at < timezone.now()


def test_printing_refuses_another_region_and_an_unseated_plan(world, seated, regs, rule):
    from answercards.printing import booklet_bytes, print_enqueue, room_roster_bytes
    from jobs.models import Job

    room = ExamRoom.objects.filter(plan=seated).first()
    version = PaperVersion.objects.filter(plan=seated).first()
    for call in (lambda u: print_enqueue(plan=seated, what="roster", acting_user=u),
                 lambda u: room_roster_bytes(room=room, acting_user=u),
                 lambda u: booklet_bytes(version=version, acting_user=u)):
        for user in (world.admin_b, world.candidate):
            with pytest.raises(PermissionDenied):
                call(user)
    assert not Job.objects.exists() and not AuditLog.objects.filter(action__startswith="answercards.print").exists()
    unseated = offline_plan()
    with pytest.raises(ApplicationError, match="尚未生成考场"):
        print_enqueue(plan=unseated, what="doors", acting_user=world.admin_a)


def test_the_online_engine_never_marks_an_offline_candidate_absent(client, world, seated, regs):
    """A candidate of a 新取证(线下) plan who opens the exam page after the end, and the periodic
    close of ended exams, leave the attempt 未开始: the card scanned later is still graded."""
    from django.urls import reverse

    from answercards.importing.services import card_import_upload
    from exams.services import attempts_close_due
    from people.models import Person

    from .files import upload_rows

    reg = regs[0]
    person = Person.objects.get(pk=reg.person_id)
    person.user = world.candidate
    person.save(update_fields=["user"])
    client.force_login(world.candidate)
    assert client.get(reverse("exams:sit", args=[reg.pk])).status_code == 200
    assert Attempt.objects.get(registration=reg).state == AttemptState.NOT_STARTED
    attempts_close_due()
    assert Attempt.objects.get(registration=reg).state == AttemptState.NOT_STARTED
    run = card_import_upload(plan=seated, **upload_rows([reg]), acting_user=world.admin_a)
    assert run.created_count == 1, run.errors
    assert Attempt.objects.get(registration=reg).state == AttemptState.GRADED


def test_a_candidate_under_a_blacklist_penalty_gets_no_seat_and_no_card(world, plan, regs):
    from answercards.importing.services import card_import_upload
    from blacklist.tests.factories import make_entry

    from .files import csv_bytes, upload

    barred = regs[0]
    make_entry(central=world.central, region=world.region_a, person=barred.person,
               start=plan.exam_date - datetime.timedelta(days=30))
    seat(plan, world.admin_a)
    assert not Seat.objects.filter(registration=barred).exists()
    assert Seat.objects.filter(plan=plan).count() == 11
    log = AuditLog.objects.get(action="answercards.rooms_generate")
    assert log.after["suspended"] == [barred.candidate_number] and "停考 1 人未安排座位" in log.message
    run = card_import_upload(plan=plan, **upload(csv_bytes([[barred.candidate_number, "A", "A"]]), "scan.csv"),
                             acting_user=world.admin_a)
    assert run.failed_count == 1 and "停考" in run.errors[0]["message"]
