"""Answer-card test data through the real services: an offline plan that has started (or ended),
seated before its start, and answer strings built from each candidate's version paper."""

import datetime

from django.utils import timezone

from candidates.tests.factories import RegistrationFactory
from exams.tests.factories import open_plan
from papers.selectors import answer_key, paper_for_registration
from papers.tests.factories import make_rule
from plans.choices import ExamType

from ..answers import compact, slots_of
from ..services import rooms_generate

COMPANIES = ["中国通信建设第一工程局有限公司", "北京电信工程有限公司", "华北通信技术有限公司", "京津冀光缆施工有限公司"]


def offline_rules(central):
    """新取证(线下) rules for A, B and C (12 questions: 2 areas × 3 types × 2)."""
    return make_rule(central, name="新取证(线下)测试规则", exam_type=ExamType.NEW_OFFLINE, personnel_types="ABC")


def offline_plan(*, minutes_ago: float = 150, duration: int = 120, region=None):
    """An approved 新取证(线下) plan that started `minutes_ago` minutes ago (default: ended 30 min ago)."""
    return open_plan(minutes_ago=minutes_ago, duration=duration, exam_type=ExamType.NEW_OFFLINE, region=region)


def register(plan, n: int, *, types="AB", companies=COMPANIES, **kwargs):
    return [RegistrationFactory(plan=plan, personnel_type=types[i % len(types)],
                                company_name=companies[i % len(companies)], credit_code="", **kwargs)
            for i in range(n)]


def seat(plan, user, *, room_size=5, version_count=2, site="北京市通信管理局考点"):
    """Rooms generated an hour before the start (the roster frozen, the exam not begun)."""
    return rooms_generate(plan=plan, room_size=room_size, version_count=version_count, site=site, acting_user=user,
                          now=plan.starts_at - datetime.timedelta(hours=1))


def right_answers(registration) -> list[str]:
    """The displayed letters of the correct answer of each question of the candidate's paper."""
    return [entry.displayed for entry in answer_key(paper_for_registration(registration))]


def card_text(registration, answers: list[str] | None = None) -> str:
    paper = paper_for_registration(registration)
    return compact(answers if answers is not None else right_answers(registration), slots_of(paper))


def wrong(letters: str, options: int = 4) -> str:
    """Another answer than `letters` among the first `options` letters."""
    return next(ch for ch in "ABCDEFGH"[:options] if ch not in letters)


def now_local():
    return timezone.localtime()


def planted_answers(plan, regs, *, seed: int = 16):
    """(answers {registration pk: displayed letters}, source, copier): honest candidates right by
    their ability, else a wrong option at random; the copier repeats, wrong answers included,
    the card of the candidate two seats further in the same room (the same version)."""
    import random

    from ..models import Seat

    seats = {s.registration_id: s for s in Seat.objects.filter(plan=plan).select_related("room")}
    by_place = {(s.room.number, s.number): s.registration_id for s in seats.values()}
    by_pk = {r.pk: r for r in regs}
    source = copier = None
    for reg in regs:
        place = seats[reg.pk]
        other = by_place.get((place.room.number, place.number + 2))
        if other in by_pk:
            source, copier = reg, by_pk[other]
            break
    rng = random.Random(seed)
    answers = {}
    for reg in regs:
        ability = rng.random()
        answers[reg.pk] = [
            entry.displayed if rng.random() < 0.3 + 0.6 * ability
            else rng.choice([ch for ch in "ABCDEFGH"[:len(entry.permutation)] if ch != entry.displayed])
            for entry in answer_key(paper_for_registration(reg))]
    answers[source.pk] = [wrong(r) if i % 2 else r for i, r in enumerate(right_answers(source))]
    answers[copier.pk] = list(answers[source.pk])
    return answers, source, copier


def card_bank(central):
    """A bank and a 60-question 新取证(线下) rule for type A (enough for the answers-only signal)."""
    from questions.tests.factories import make_bank

    make_bank(central, per_cell=12, prefix="S")
    make_rule(central, name="60 题", exam_type=ExamType.NEW_OFFLINE, personnel_types="A", per_cell=10)


def scanned_plan(world, *, n: int = 40, seed: int = 16, close: bool = True):
    """A 新取证(线下) plan of 北京 (ended) with `n` scanned cards and one candidate without a card:
    one personnel type (a 60-question rule), two versions, a copier (planted_answers), the
    scanning closed by central unless `close` is False. Returns a namespace with plan, regs,
    source, copier (registrations) and absent."""
    from types import SimpleNamespace

    from ..importing.services import card_import_upload
    from ..services import scanning_close
    from .files import upload_rows

    card_bank(world.central)
    plan = offline_plan()
    regs = register(plan, n + 1, types="A")
    seat(plan, world.admin_a, room_size=max(5, (n + 1) // 2), version_count=2)
    absent = regs[-1]
    regs = regs[:-1]
    answers, source, copier = planted_answers(plan, regs, seed=seed)
    run = card_import_upload(plan=plan, **upload_rows(regs, answers), acting_user=world.admin_a)
    assert run.created_count == n, run.errors
    if close:
        scanning_close(plan=plan, acting_user=world.central)
    return SimpleNamespace(plan=plan, regs=regs, source=source, copier=copier, absent=absent)
