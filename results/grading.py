"""The grader: one pure function over plain data (no database), shared by the online exam, the
answer-card import and the CLI (STYLE.md: the grader is a pure function).

    key = [key_item(1, "single", Decimal("1"), ("B",)), …]
    result = grade(key, {1: "B", 2: "AC"}, pass_mark=Decimal("60"))

Answers and keys are in canonical letters (papers.selectors.displayed_to_canonical), sorted.
单选 and 判断: exact. 多选: exact, unless `partial_multiple` (the paper rule's 多选题部分得分,
papers.choices.PARTIAL_MULTIPLE_RULE): then a non-empty strict subset of a correct answer, with
no wrong letter, earns half the points (the rule keeps halves to one decimal). A void question (central
found it wrong) earns its points for everyone; `accepted` may hold several answers central
accepts after a correction.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

MULTIPLE = "multiple"
ZERO = Decimal("0")  # the points of a wrong answer (one object: results.services reads its text once)


@lru_cache(maxsize=1024)
def _norm_cached(letters: str) -> str:
    return "".join(sorted(set(letters.strip().upper())))


def _norm(letters: str | None) -> str:
    # answers are a handful of distinct letter strings: normalise each once
    return _norm_cached(letters) if letters else ""


class KeyItem(NamedTuple):
    """One position of a paper's key. `accepted`: the canonical answers that earn full points,
    each sorted (QuestionVersion.answer is; key_item() sorts any other). A tuple, not a
    dataclass: a plan's regrade builds one per question of every paper (10,000 × 100)."""

    position: int
    qtype: str
    points: Decimal
    accepted: tuple[str, ...]
    void: bool = False


def key_item(position: int, qtype: str, points: Decimal, accepted, void: bool = False) -> KeyItem:
    """A KeyItem with its accepted answers normalised (upper case, sorted, no repeats)."""
    return KeyItem(position, qtype, points, tuple(_norm(a) for a in accepted), void)


@dataclass(frozen=True)
class GradeResult:
    total: Decimal
    passed: bool
    earned: dict = field(default_factory=dict)  # position -> points earned (Decimal)
    correct: int = 0
    answered: int = 0


def grade(key: list[KeyItem], answers: dict[int, str], *, pass_mark: Decimal,
          partial_multiple: bool = False) -> GradeResult:
    # a plan's regrade calls this for each of 10,000 papers of 100 questions: names are bound
    # locally and each distinct answer string is normalised once (_norm_cached)
    total, earned, correct, answered = ZERO, {}, 0, 0
    get, norm = answers.get, _norm_cached
    for item in key:
        position, qtype, points, accepted, void = item
        given = get(position)
        if given:
            given = norm(given)
            if given:
                answered += 1
        else:
            given = ""
        if void or given in accepted:
            correct += 1
        elif (partial_multiple and qtype == MULTIPLE and given
              and any(set(given) < set(a) for a in accepted)):
            points = points / 2
        else:
            points = ZERO
        earned[position] = points
        total += points
    return GradeResult(total=total, passed=total >= pass_mark, earned=earned, correct=correct, answered=answered)

