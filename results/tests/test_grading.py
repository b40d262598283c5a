"""The grader is pure: plain data in, plain data out (no database)."""

from decimal import Decimal

from results.grading import KeyItem, grade

D = Decimal
KEY = [KeyItem(1, "single", D("1"), ("B",)), KeyItem(2, "multiple", D("2"), ("AC",)),
       KeyItem(3, "judge", D("1"), ("A",))]


def test_exact_answers():
    result = grade(KEY, {1: "B", 2: "CA", 3: "A"}, pass_mark=D("4"))
    assert result.total == D("4") and result.passed and result.correct == 3 and result.answered == 3


def test_wrong_missing_and_partial_multiple_without_partial_credit():
    result = grade(KEY, {1: "A", 2: "A"}, pass_mark=D("1"))
    assert result.total == 0 and not result.passed and result.answered == 2
    assert result.earned == {1: 0, 2: 0, 3: 0}


def test_partial_credit_only_when_the_rule_allows_and_only_without_a_wrong_letter():
    assert grade(KEY, {2: "A"}, pass_mark=D("1"), partial_multiple=True).earned[2] == D("1")
    assert grade(KEY, {2: "AB"}, pass_mark=D("1"), partial_multiple=True).earned[2] == 0
    assert grade(KEY, {1: "AB"}, pass_mark=D("1"), partial_multiple=True).earned[1] == 0  # not a 多选


def test_void_and_accepted_answers():
    key = [KeyItem(1, "single", D("1"), ("B",), void=True), KeyItem(2, "single", D("1"), ("B", "D"))]
    result = grade(key, {2: "D"}, pass_mark=D("2"))
    assert result.total == D("2") and result.passed


def test_pass_mark_is_inclusive():
    assert grade(KEY, {1: "B"}, pass_mark=D("1")).passed
    assert not grade(KEY, {1: "B"}, pass_mark=D("1.5")).passed
