"""Writes of the answer-card mode (新取证(线下); SPEC.md §5; docs/decisions.md#answer-cards).

Rules and where they come from
------------------------------
* Only a 新取证(线下) plan, approved, and only by central or the 管局 of the plan's region (a
  region never touches another region's plan: the views 404 first, the services refuse too).
* 考场 are generated once the roster freezes (48 hours before the start: before it, the roster
  may still change) and until the exam starts (afterwards the seats and versions are what was
  printed and handed out). Regenerating replaces every seat; the versions' seeds are kept, so a
  booklet already printed stays valid. Audited with before and after.
* Paper versions: per personnel type of the roster, `version_count` seeds drawn from the plan's
  frozen draw (papers); every candidate gets the paper of their seat's version
  (papers.services.papers_set_seeds), the paper the grader then reads.
* 结束扫描 (central only, after the exam ended, no import running): every candidate without an
  answer card becomes 缺考; afterwards no card is imported. Audited with the count.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from audit.actions import Action
from audit.services import audit_record
from candidates.models import Registration
from candidates.selectors import registration_suspension
from core.errors import ApplicationError
from core.roles import Role
from core.scoping import assert_visible, require_role
from plans.choices import AuditStatus, ExamType
from plans.models import ExamPlan
from plans.rules import roster_cutoff

from . import seating
from .choices import MAX_ROOM_SIZE, MAX_VERSION_COUNT, MIN_ROOM_SIZE, VERSION_LETTERS
from .models import AnswerCard, CardImportRun, CardPlan, ExamRoom, PaperVersion, Seat

OFFLINE_ONLY_MESSAGE = "只有新取证(线下)考核计划使用答题卡和考场安排"


def assert_card_staff(user, plan: ExamPlan) -> None:
    """Central, or the 管局 of the plan's region."""
    require_role(user, Role.CENTRAL, Role.REGIONAL, message="只有部中心或本地区管局可以执行此操作")
    assert_visible(plan, user, message="只能管理本地区的考核计划")


def assert_offline(plan: ExamPlan) -> None:
    if plan.exam_type != ExamType.NEW_OFFLINE:
        raise ApplicationError(OFFLINE_ONLY_MESSAGE)
    if plan.audit_status != AuditStatus.APPROVED:
        raise ApplicationError("该考核计划尚未审核通过")


def card_plan_get(plan: ExamPlan) -> CardPlan:
    """The plan's CardPlan, or an unsaved one with the defaults."""
    return CardPlan.objects.filter(plan=plan).first() or CardPlan(plan=plan, region_id=plan.region_id)


def version_letters(card_plan: CardPlan) -> str:
    return VERSION_LETTERS[:card_plan.version_count]


def _snapshot(card_plan: CardPlan) -> dict:
    rooms = ExamRoom.objects.filter(plan_id=card_plan.plan_id).count()
    seats = Seat.objects.filter(plan_id=card_plan.plan_id).count()
    return {"site": card_plan.site, "room_size": card_plan.room_size, "version_count": card_plan.version_count,
            "rooms": rooms, "seats": seats}


def rooms_generate(*, plan: ExamPlan, room_size: int, version_count: int, site: str = "", acting_user,
                   now: datetime.datetime | None = None) -> CardPlan:
    """生成考场: rooms of `room_size` seats, every candidate of the frozen roster seated
    (answercards.seating: companies spread, versions alternating), the paper versions of each
    personnel type drawn and every candidate's paper set to their version's. Allowed from the
    roster freeze until the exam starts; again in that window it replaces the seating."""
    from papers.services import paper_draw_for, papers_set_seeds

    now = now or timezone.now()
    assert_card_staff(acting_user, plan)
    assert_offline(plan)
    if not MIN_ROOM_SIZE <= room_size <= MAX_ROOM_SIZE:
        raise ApplicationError(f"每个考场的座位数应在 {MIN_ROOM_SIZE}–{MAX_ROOM_SIZE} 之间", field="room_size")
    if not 1 <= version_count <= MAX_VERSION_COUNT:
        raise ApplicationError(f"试卷版本数应在 1–{MAX_VERSION_COUNT} 之间", field="version_count")
    site = (site or "").strip()
    if len(site) > 100:
        raise ApplicationError("考点名称最多 100 个字", field="site")
    if now < roster_cutoff(plan):
        cutoff = timezone.localtime(roster_cutoff(plan))
        raise ApplicationError(f"考生名单尚未锁定（{cutoff:%Y-%m-%d %H:%M} 锁定），锁定后才能生成考场")
    if now >= plan.starts_at:
        raise ApplicationError("考试已开始，考场和试卷版本已发放，不能再重新生成")
    with transaction.atomic():
        plan = ExamPlan.objects.select_for_update().get(pk=plan.pk)
        card_plan = CardPlan.objects.select_for_update().filter(plan=plan).first()
        if card_plan is not None and card_plan.scanning_closed_at:
            raise ApplicationError("扫描已结束，不能重新生成考场")
        if AnswerCard.objects.filter(plan=plan).exists():
            raise ApplicationError("已导入答题卡，不能重新生成考场")
        before = _snapshot(card_plan) if card_plan else None
        card_plan = card_plan or CardPlan(plan=plan, region_id=plan.region_id)
        card_plan.room_size, card_plan.version_count, card_plan.site = room_size, version_count, site
        roster = list(Registration.objects.filter(plan=plan).select_related("person"))
        if not roster:
            raise ApplicationError("该考核计划没有考生，不能生成考场")
        # 停考 (a running blacklist penalty on the exam day) gets no seat (SPEC.md §7: no entry to the exam)
        barred = registration_suspension(roster, on_date=plan.exam_date)
        registrations = [(r.pk, r.candidate_number, r.company_name, r.credit_code, r.personnel_type)
                         for r in roster if r.pk not in barred]
        if not registrations:
            raise ApplicationError("该考核计划的考生均处于黑名单处理期（停考），不能生成考场")
        letters = VERSION_LETTERS[:version_count]
        ptypes = sorted({r[4] for r in registrations})
        for ptype in ptypes:
            paper_draw_for(plan=plan, personnel_type=ptype)  # refuses a type without a (satisfiable) rule
        versions = _ensure_versions(plan, ptypes, letters)
        seats = seating.assign_seats(
            [seating.SeatInput(pk, number, seating.company_key(company, credit)) for pk, number, company, credit, _p
             in registrations], room_size=room_size, versions=letters)
        Seat.objects.filter(plan=plan).delete()
        ExamRoom.objects.filter(plan=plan).delete()
        sizes: dict[int, int] = {}
        for s in seats:
            sizes[s.room] = max(sizes.get(s.room, 0), s.seat)
        rooms = {n: ExamRoom(plan=plan, region_id=plan.region_id, number=n, seats=size) for n, size in sizes.items()}
        ExamRoom.objects.bulk_create(rooms.values())
        rooms = {r.number: r for r in ExamRoom.objects.filter(plan=plan)}
        Seat.objects.bulk_create([Seat(plan=plan, region_id=plan.region_id, room=rooms[s.room],
                                       registration_id=s.registration_id, number=s.seat, version=s.version)
                                  for s in seats], batch_size=1000)
        card_plan.seated_at, card_plan.seated_by = now, acting_user
        card_plan.save()
        ptype_of = {pk: p for pk, _n, _c, _cc, p in registrations}
        papers_set_seeds(plan=plan, seeds={s.registration_id: (ptype_of[s.registration_id],
                                                               versions[(ptype_of[s.registration_id], s.version)])
                                           for s in seats},
                         acting_user=acting_user, reason="答题卡考试：考生试卷为其座位的试卷版本")
        after = _snapshot(card_plan)
        suspended = sorted(r.candidate_number for r in roster if r.pk in barred)
        audit_record(actor=acting_user, action=Action.ANSWERCARDS_ROOMS_GENERATE, obj=plan, region=plan.region_id,
                     before=before, after={**after, "versions": sorted(f"{p}{v}" for p, v in versions),
                                           "suspended": suspended},
                     message=f"生成考场（批次 {plan.batch_no}）：{after['rooms']} 个考场，{after['seats']} 个座位，"
                             f"每类人员 {version_count} 个试卷版本" + (f"；停考 {len(suspended)} 人未安排座位" if suspended else ""))
    return card_plan


def _ensure_versions(plan: ExamPlan, ptypes: list[str], letters: str) -> dict[tuple[str, str], int]:
    """{(personnel type, letter): seed}: existing versions keep their seed (a printed booklet
    stays valid), missing ones get a new seed, versions beyond the count are removed."""
    from papers.drawing import new_seed

    PaperVersion.objects.filter(plan=plan).exclude(letter__in=list(letters)).delete()
    PaperVersion.objects.filter(plan=plan).exclude(personnel_type__in=ptypes).delete()
    have = {(v.personnel_type, v.letter): v.seed for v in PaperVersion.objects.filter(plan=plan)}
    new = [PaperVersion(plan=plan, region_id=plan.region_id, personnel_type=p, letter=letter, seed=new_seed())
           for p in ptypes for letter in letters if (p, letter) not in have]
    PaperVersion.objects.bulk_create(new)
    have.update({(v.personnel_type, v.letter): v.seed for v in new})
    return have


def assert_import_open(plan: ExamPlan, card_plan: CardPlan | None, *, now: datetime.datetime | None = None) -> None:
    """Answer cards are imported into a seated offline plan from its start (the cards exist once
    the exam is under way) until central closes the scanning, and never after publication."""
    now = now or timezone.now()
    assert_offline(plan)
    if card_plan is None or card_plan.pk is None or not card_plan.seated_at:
        raise ApplicationError("该计划尚未生成考场，不能导入答题卡")
    if card_plan.scanning_closed_at:
        closed = timezone.localtime(card_plan.scanning_closed_at)
        raise ApplicationError(f"部中心已于 {closed:%Y-%m-%d %H:%M} 结束该计划的扫描，不能再导入答题卡")
    if getattr(plan, "scores_published_at", None):
        raise ApplicationError("该计划的成绩已发布，不能再导入答题卡")
    if now < plan.starts_at:
        raise ApplicationError(f"考试尚未开始（{timezone.localtime(plan.starts_at):%Y-%m-%d %H:%M} 开考），不能导入答题卡")


def scanning_close(*, plan: ExamPlan, acting_user, now: datetime.datetime | None = None) -> int:
    """结束扫描 (central): after the exam ended, every candidate of the plan without an answer card
    is marked 缺考 (exams.services.attempt_absent_card) and no card is imported afterwards.
    Refused while an import of the plan is queued or running. Returns how many became 缺考."""
    from core.spreadsheets.runs import ACTIVE_STATUSES
    from exams.services import attempt_absent_card

    now = now or timezone.now()
    require_role(acting_user, Role.CENTRAL, message="仅部中心可以结束扫描")
    assert_offline(plan)
    if now < plan.ends_at:
        raise ApplicationError(f"考试尚未结束（{timezone.localtime(plan.ends_at):%Y-%m-%d %H:%M} 结束），不能结束扫描")
    with transaction.atomic():
        card_plan = CardPlan.objects.select_for_update().filter(plan=plan).first()
        if card_plan is None or not card_plan.seated_at:
            raise ApplicationError("该计划尚未生成考场，不能结束扫描")
        if card_plan.scanning_closed_at:
            raise ApplicationError("该计划的扫描已经结束")
        if CardImportRun.objects.filter(plan=plan, status__in=ACTIVE_STATUSES).exists():
            raise ApplicationError("该计划有答题卡文件正在导入，请等待导入完成后再结束扫描")
        missing = (Registration.objects.filter(plan=plan, answer_card__isnull=True).select_related("plan")
                   .order_by("candidate_number"))
        absent = []
        for registration in missing:
            if attempt_absent_card(registration=registration, acting_user=acting_user, now=now):
                absent.append(registration.candidate_number)
        card_plan.scanning_closed_at, card_plan.scanning_closed_by = now, acting_user
        card_plan.save(update_fields=["scanning_closed_at", "scanning_closed_by", "updated_at"])
        cards = AnswerCard.objects.filter(plan=plan).count()
        audit_record(actor=acting_user, action=Action.ANSWERCARDS_SCANNING_CLOSE, obj=plan, region=plan.region_id,
                     after={"cards": cards, "absent": len(absent), "absent_numbers": absent[:500]},
                     message=f"结束扫描（批次 {plan.batch_no}）：答题卡 {cards} 张，缺考 {len(absent)} 人")
    return len(absent)


# ---------------------------------------------------------------- printing

def print_record(*, plan: ExamPlan, what: str, acting_user, detail: str = "") -> None:
    """Every printed document of a plan goes to the audit log (rosters hold names and masked
    documents; booklets hold the questions; keys the answers)."""
    audit_record(actor=acting_user, action=PRINT_ACTIONS[what], obj=plan, region=plan.region_id,
                 message=f"打印{PRINT_LABELS[what]}（批次 {plan.batch_no}）{detail}")


PRINT_LABELS = {"roster": "考场签到表", "doors": "考场门贴", "booklet": "试卷（题本）", "key": "试卷答案"}
PRINT_ACTIONS = {"roster": Action.ANSWERCARDS_PRINT_ROSTER, "doors": Action.ANSWERCARDS_PRINT_DOORS,
                 "booklet": Action.ANSWERCARDS_PRINT_BOOKLET, "key": Action.ANSWERCARDS_PRINT_KEY}
