"""Reads of the answer-card mode. Every read starts from a scoped queryset: a region sees its own
plans' rooms, seats, versions and cards; central all."""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from candidates.models import Registration
from core.masking import mask_id_number
from core.scoping import get_visible_or_404
from plans.choices import AuditStatus, ExamType
from plans.models import ExamPlan

from .answers import Slot, slots_of
from .models import AnswerCard, CardImportRun, CardPlan, ExamRoom, PaperVersion, Seat
from .services import card_plan_get


def offline_plans(*, fetched_by):
    """The 新取证(线下) plans the user may see, newest first, with their rooms, cards and the close
    of their scanning."""
    def count(model):
        return Coalesce(Subquery(model.objects.filter(plan=OuterRef("pk")).order_by().values("plan")
                                 .annotate(n=Count("pk")).values("n")), 0)

    return (ExamPlan.objects.visible_to(fetched_by).filter(exam_type=ExamType.NEW_OFFLINE)
            .select_related("region", "card_plan")
            .annotate(n_rooms=count(ExamRoom), n_cards=count(AnswerCard), n_regs=count(Registration))
            .order_by("-exam_date", "-start_time", "-pk"))


def plan_get(*, pk: int, fetched_by) -> ExamPlan:
    """An offline plan the user may see, else 404 (another region's, a deleted one, an online one)."""
    return get_visible_or_404(ExamPlan.objects.filter(exam_type=ExamType.NEW_OFFLINE).select_related("region"),
                              fetched_by, pk=pk)


def room_get(*, pk: int, fetched_by) -> ExamRoom:
    return get_visible_or_404(ExamRoom.objects.select_related("plan", "plan__region"), fetched_by, pk=pk)


def version_get(*, pk: int, fetched_by) -> PaperVersion:
    return get_visible_or_404(PaperVersion.objects.select_related("plan", "plan__region"), fetched_by, pk=pk)


def run_get(*, pk: int, fetched_by) -> CardImportRun:
    return get_visible_or_404(CardImportRun.objects.select_related("plan", "created_by", "job"), fetched_by, pk=pk)


def rooms_of(*, plan: ExamPlan, fetched_by):
    """The plan's rooms with their seat count and how many of their candidates have a card."""
    return (ExamRoom.objects.visible_to(fetched_by).filter(plan=plan)
            .annotate(n_cards=Count("seat_rows__registration__answer_card")).order_by("number"))


def versions_of(*, plan: ExamPlan, fetched_by):
    rows = list(PaperVersion.objects.visible_to(fetched_by).filter(plan=plan).order_by("personnel_type", "letter"))
    counts = {(p, v): n for p, v, n in Seat.objects.filter(plan=plan).order_by()
              .values_list("registration__personnel_type", "version").annotate(n=Count("pk"))}
    for version in rows:
        version.candidates = counts.get((version.personnel_type, version.letter), 0)
    return rows


@dataclass
class SeatRow:
    seat: int
    candidate_number: str
    name: str
    personnel_type: str
    company: str
    id_number_masked: str
    version: str


def room_seat_rows(room: ExamRoom) -> list[SeatRow]:
    """The room's seats in seat order, 证件号码 masked (a printed list; the invigilator checks the
    ID card against its last digits)."""
    rows = []
    for seat in (Seat.objects.filter(room=room).select_related("registration__person").order_by("number")):
        reg = seat.registration
        rows.append(SeatRow(seat=seat.number, candidate_number=reg.candidate_number, name=reg.person.name,
                            personnel_type=reg.personnel_type, company=reg.company_name,
                            id_number_masked=mask_id_number(reg.person.id_number), version=seat.version))
    return rows


@dataclass
class PlanOverview:
    card_plan: CardPlan
    registrations: int
    seated: int
    rooms: int
    cards: int
    absent: int
    graded: int


def plan_overview(plan: ExamPlan) -> PlanOverview:
    from exams.choices import AttemptState
    from exams.models import Attempt

    states = dict(Attempt.objects.filter(plan=plan).values("state").annotate(n=Count("pk")).values_list("state", "n")
                  .order_by())
    return PlanOverview(
        card_plan=card_plan_get(plan), registrations=Registration.objects.filter(plan=plan).count(),
        seated=Seat.objects.filter(plan=plan).count(), rooms=ExamRoom.objects.filter(plan=plan).count(),
        cards=AnswerCard.objects.filter(plan=plan).count(), absent=states.get(AttemptState.ABSENT, 0),
        graded=states.get(AttemptState.GRADED, 0))


def import_runs_of(*, plan: ExamPlan, fetched_by):
    return CardImportRun.objects.visible_to(fetched_by).filter(plan=plan).select_related("created_by")


def version_papers(plan: ExamPlan) -> dict[tuple[str, str], object]:
    """{(personnel type, letter): the version's paper drawn in memory} of the plan."""
    from papers.selectors import paper_from_seed, plan_draws

    draws = plan_draws(plan)
    return {(v.personnel_type, v.letter): paper_from_seed(draw=draws[v.personnel_type], seed=v.seed)
            for v in PaperVersion.objects.filter(plan=plan) if v.personnel_type in draws}


def version_slots(plan: ExamPlan) -> dict[tuple[str, str], list[Slot]]:
    return {key: slots_of(paper) for key, paper in version_papers(plan).items()}


def similarity_rows(plan: ExamPlan, *, by: str = "candidate_number") -> list[tuple]:
    """The plan's scanned answers as review.similarity.collusion_signal reads them:
    (candidate, question version id, canonical letters, correct 1/0, answered_at), the candidate
    being the 考生编号 (`by="candidate_number"`, the CLI's shape) or the attempt's id
    (`by="attempt"`, what the violation check stores its flags by). An answer card has no
    timing: answered_at is 0.0 for every answer, which leaves the timing tails (answers
    following another's, shared fast answers) at 1, so only the answers-only statistics (ω, GBT,
    identical wrong answers) speak. Blank answers are left out (one row per answered item);
    correct follows the plan's question corrections (results.services.grading_key). Voided and
    absent candidates are not in it."""
    from exams.choices import AttemptState
    from exams.models import Answer
    from papers.models import Paper
    from papers.selectors import paper_versions
    from results.services import grading_key

    if by not in ("candidate_number", "attempt"):
        raise ValueError(by)
    papers = {p.registration_id: p for p in Paper.objects.filter(plan=plan).select_related("draw")}
    numbers = dict(Registration.objects.filter(plan=plan).values_list("pk", "candidate_number"))
    answers: dict[int, dict[int, str]] = {}
    attempt_of: dict[int, int] = {}
    for registration_id, attempt_id, position, canonical in (
            Answer.objects.filter(attempt__plan=plan, attempt__state=AttemptState.GRADED)
            .values_list("attempt__registration_id", "attempt_id", "position", "canonical").order_by()):
        answers.setdefault(registration_id, {})[position] = canonical
        attempt_of[registration_id] = attempt_id
    versions: dict = {}
    rows = []
    for registration_id in sorted(answers, key=numbers.get):
        paper = papers[registration_id]
        if any(item[0] not in versions for item in paper.items):
            versions.update(paper_versions(paper))
        who = numbers[registration_id] if by == "candidate_number" else attempt_of[registration_id]
        for item in grading_key(paper, versions=versions):
            given = answers[registration_id].get(item.position)
            if not given:
                continue
            rows.append((who, paper.items[item.position - 1][0], given,
                         1 if (item.void or given in item.accepted) else 0, 0.0))
    return rows


@dataclass(frozen=True)
class SeatInfo:
    room: int
    seat: int
    version: str

    @property
    def room_name(self) -> str:
        return f"第 {self.room:02d} 考场"

    def distance(self, other: "SeatInfo | None") -> int | None:
        """Seats between two candidates of one room (1: side by side); None in different rooms."""
        if other is None or other.room != self.room:
            return None
        return abs(other.seat - self.seat)


# Seats at most this far apart in one room count as neighbours on the evidence page (the seat
# next to one and the one after it: who could see a card; the versions alternate by seat, so
# the candidate two seats away holds the same version).
NEIGHBOUR_SEATS = 2


def plan_seats(plan: ExamPlan) -> dict[int, SeatInfo]:
    """{registration_id: SeatInfo} of an offline plan (the violation check's evidence page: the
    room, the seat and the version of each candidate; one query)."""
    return {reg: SeatInfo(room=room, seat=seat, version=version) for reg, room, seat, version in
            Seat.objects.filter(plan=plan).values_list("registration_id", "room__number", "number", "version")}


def seat_neighbours(plan: ExamPlan, registration_id: int) -> list[tuple[int, SeatInfo, Registration]]:
    """(seats apart, seat, registration) of the candidates seated within NEIGHBOUR_SEATS of this
    one in the same room, nearest first."""
    seats = plan_seats(plan)
    mine = seats.get(registration_id)
    if mine is None:
        return []
    near = {reg: (mine.distance(info), info) for reg, info in seats.items() if reg != registration_id}
    near = {reg: pair for reg, pair in near.items() if pair[0] is not None and pair[0] <= NEIGHBOUR_SEATS}
    regs = {r.pk: r for r in Registration.objects.filter(pk__in=near).select_related("person")}
    return sorted(((distance, info, regs[reg]) for reg, (distance, info) in near.items() if reg in regs),
                  key=lambda row: (row[0], row[1].seat))


def scanning_closed_at(plan: ExamPlan):
    """When central closed the plan's scanning (None: not closed, or reopened since)."""
    return CardPlan.objects.filter(plan=plan).values_list("scanning_closed_at", flat=True).first()


def seat_neighbour_pairs(plan: ExamPlan) -> list[tuple[int, int]]:
    """(registration id, registration id) of every pair of seat neighbours of the plan: one room,
    the same paper version, the nearest such seat on either side (answercards.seating.
    neighbour_pairs). The violation check tests these pairs as their own family (answers-only
    copying from a neighbour's card; docs/similarity.md). Empty before the rooms are generated."""
    from .seating import neighbour_pairs

    return neighbour_pairs(Seat.objects.filter(plan=plan).order_by()
                           .values_list("registration_id", "room__number", "number", "version"))


def plan_is_offline(plan: ExamPlan) -> bool:
    return plan.exam_type == ExamType.NEW_OFFLINE and plan.audit_status == AuditStatus.APPROVED
