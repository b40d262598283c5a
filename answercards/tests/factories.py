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
