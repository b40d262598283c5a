"""The code and lockout rules on their own (accounts.security), with a movable clock."""

import pytest

from accounts import security
from core.errors import ApplicationError

S = security.admin_subject("someone")


def test_codes_have_six_digits(clock):
    code = security.code_issue(S)
    assert len(code) == 6 and code.isdigit()


def test_a_code_is_valid_for_five_minutes(clock):
    code = security.code_issue(S)
    clock.advance(300)
    security.code_verify(S, code)  # exactly 5 minutes: still valid
    code = (clock.advance(61), security.code_issue(S))[1]
    clock.advance(301)
    with pytest.raises(ApplicationError, match="失效"):
        security.code_verify(S, code)


def test_a_code_is_single_use(clock):
    code = security.code_issue(S)
    security.code_verify(S, code)
    with pytest.raises(ApplicationError, match="失效"):
        security.code_verify(S, code)


def test_four_wrong_tries_still_allow_the_right_code(clock):
    code = security.code_issue(S)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(ApplicationError, match=f"还可尝试 {left} 次"):
            security.code_verify(S, wrong)
    security.code_verify(S, code)


def test_the_fifth_wrong_try_kills_the_code(clock):
    code = security.code_issue(S)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(4):
        with pytest.raises(ApplicationError):
            security.code_verify(S, wrong)
    with pytest.raises(ApplicationError, match="错误次数过多"):
        security.code_verify(S, wrong)
    with pytest.raises(ApplicationError):
        security.code_verify(S, code)


def test_a_new_code_replaces_the_old_one(clock):
    old = security.code_issue(S)
    clock.advance(61)
    new = security.code_issue(S)
    if old != new:
        with pytest.raises(ApplicationError):
            security.code_verify(S, old)
    security.code_verify(S, new)


def test_one_code_per_sixty_seconds(clock):
    security.code_issue(S)
    clock.advance(59)
    with pytest.raises(ApplicationError, match="秒后再试") as exc:
        security.code_issue(S)
    assert exc.value.code == "cooldown"
    clock.advance(1)
    security.code_issue(S)


def test_at_most_ten_codes_a_day(clock):
    for _ in range(10):
        security.code_issue(S)
        clock.advance(61)
    with pytest.raises(ApplicationError, match="10 次") as exc:
        security.code_issue(S)
    assert exc.value.code == "daily_limit"
    other = security.admin_subject("another")
    security.code_issue(other)  # the limit is per account
    clock.advance(24 * 3600)
    security.code_issue(S)


def test_five_failures_within_fifteen_minutes_lock_for_thirty(clock):
    for _ in range(4):
        assert security.failure_register(S) is False
        clock.advance(3 * 60)
    assert security.lock_status(S) is None
    assert security.failure_register(S) is True  # the 5th, 12 minutes after the first
    assert security.lock_status(S) is not None
    clock.advance(29 * 60)
    assert security.lock_status(S) is not None
    clock.advance(61)
    assert security.lock_status(S) is None


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(clock):
    for _ in range(4):
        security.failure_register(S)
    clock.advance(16 * 60)
    assert security.failure_register(S) is False
    assert security.lock_status(S) is None


def test_the_window_slides(clock):
    security.failure_register(S)                # t = 0
    clock.advance(10 * 60)
    for _ in range(3):
        security.failure_register(S)            # t = 10 min
    clock.advance(6 * 60)                       # t = 16 min: the first has left the window
    assert security.failure_register(S) is False
    assert security.failure_register(S) is True  # 3 + 2 within 15 minutes


def test_unlock_lifts_the_lock(clock):
    for _ in range(5):
        security.failure_register(S)
    assert security.unlock(S) is True
    assert security.lock_status(S) is None
    assert security.failure_register(S) is False  # the counter starts over


def test_subjects_are_not_readable_in_cache_keys():
    key = security._key("lock", security.candidate_subject(1, "11010519491231002X"))
    assert "11010519491231002X" not in key
