"""The per-candidate evidence as pure functions (review.evidence)."""

import datetime
import math

from review import evidence as ev
from review.choices import FAST_MIN_COUNT, MIN_READ_SECONDS, READ_CHARS_PER_SECOND

T0 = datetime.datetime(2026, 3, 9, 9, 0, tzinfo=datetime.UTC)


def at(seconds):
    return T0 + datetime.timedelta(seconds=seconds)


def test_time_per_question_is_the_gap_since_the_previous_answer_of_any_question():
    # answered 1 at 40 s, 2 at 70 s, changed 1 at 80 s, 3 at 95 s; started at 10 s
    events = [(2, at(70)), (1, at(40)), (3, at(95)), (1, at(80))]
    times = ev.answer_times(events, at(10))
    assert times == {1: 30.0, 2: 30.0, 3: 15.0}  # the change of 1 counts as time spent before 3


def test_time_without_a_start_is_unknown_for_the_first_answer_only():
    times = ev.answer_times([(1, at(5)), (2, at(9))], None)
    assert math.isnan(times[1]) and times[2] == 4.0


def test_reading_limit_follows_the_length_with_a_floor():
    assert ev.read_limit(0) == MIN_READ_SECONDS
    assert ev.read_limit(250) == 250 / READ_CHARS_PER_SECOND
    assert ev.question_chars("题干十个字的问题题干", ["甲", "乙乙"]) == 13


def test_fast_flag_needs_both_the_count_and_the_share():
    assert ev.fast_flag(FAST_MIN_COUNT, 30)
    assert not ev.fast_flag(FAST_MIN_COUNT - 1, 30)
    assert not ev.fast_flag(FAST_MIN_COUNT, 100)  # 10 % of 100
    assert not ev.fast_flag(0, 0)


def test_a_client_stamp_far_from_the_receipt_is_not_believed():
    assert ev.event_time(at(100), at(98)) == at(98)
    assert ev.event_time(at(100), at(100 - 3600)) == at(100)
    assert ev.event_time(at(100), None) == at(100)


def test_shared_ips_keep_only_addresses_of_two_or_more_attempts():
    rows = [(1, "10.0.0.1"), (2, "10.0.0.1"), (3, "10.0.0.2"), (3, None), (4, "")]
    assert ev.shared_ips(rows) == {"10.0.0.1": {1, 2}}


def test_suspicion_orders_flag_kinds_and_strength():
    similar_strong = ev.suspicion(flag_similar=True, min_p_family=1e-12, flag_fast=False, fast_share=0,
                                  flag_shared_ip=False, shared_ip_with=0)
    similar_weak = ev.suspicion(flag_similar=True, min_p_family=1e-3, flag_fast=False, fast_share=0,
                                flag_shared_ip=False, shared_ip_with=0)
    fast = ev.suspicion(flag_similar=False, min_p_family=None, flag_fast=True, fast_share=0.9,
                        flag_shared_ip=False, shared_ip_with=0)
    office = ev.suspicion(flag_similar=False, min_p_family=None, flag_fast=False, fast_share=0,
                          flag_shared_ip=True, shared_ip_with=30)
    pair_ip = ev.suspicion(flag_similar=False, min_p_family=None, flag_fast=False, fast_share=0,
                           flag_shared_ip=True, shared_ip_with=1)
    nothing = ev.suspicion(flag_similar=False, min_p_family=None, flag_fast=False, fast_share=0,
                           flag_shared_ip=False, shared_ip_with=0)
    assert similar_strong > similar_weak > fast > pair_ip > office > nothing == 0
