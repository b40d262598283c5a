import math
import random
from collections import Counter

import pytest

from answercards.seating import SeatInput, assign_seats, company_key, room_count


def roster(sizes: dict[str, int]) -> list[SeatInput]:
    people, n = [], 0
    for company, size in sizes.items():
        for _ in range(size):
            n += 1
            people.append(SeatInput(registration_id=n, candidate_number=f"112600100{n:03d}", company=company))
    return people


SIZES = {"中通建": 23, "北京电信": 11, "华北通信": 7, "光缆公司": 3, "小公司": 1, "另一家": 1}


def test_every_candidate_gets_one_seat_in_rooms_no_larger_than_the_size():
    people = roster(SIZES)
    seats = assign_seats(people, room_size=10, versions="AB")
    assert sorted(s.registration_id for s in seats) == sorted(p.registration_id for p in people)
    rooms = Counter(s.room for s in seats)
    assert len(rooms) == room_count(len(people), 10) == 5
    assert max(rooms.values()) <= 10 and max(rooms.values()) - min(rooms.values()) <= 1
    # seat numbers are 1..n in each room, no seat twice
    for room in rooms:
        assert sorted(s.seat for s in seats if s.room == room) == list(range(1, rooms[room] + 1))


def test_a_company_is_spread_over_the_rooms():
    people = roster(SIZES)
    seats = assign_seats(people, room_size=10, versions="AB")
    company = {p.registration_id: p.company for p in people}
    rooms = 5
    for name, size in SIZES.items():
        per_room = Counter(s.room for s in seats if company[s.registration_id] == name)
        assert len(per_room) == min(size, rooms), name
        assert max(per_room.values()) <= math.ceil(size / rooms), name


def test_colleagues_sit_side_by_side_only_when_their_company_fills_more_than_half_the_room():
    people = roster(SIZES)
    company = {p.registration_id: p.company for p in people}
    seats = assign_seats(people, room_size=10, versions="AB")
    for room in {s.room for s in seats}:
        order = [company[s.registration_id] for s in sorted((s for s in seats if s.room == room), key=lambda s: s.seat)]
        biggest = Counter(order).most_common(1)[0][1]
        adjacent = sum(1 for a, b in zip(order, order[1:], strict=False) if a == b)
        if biggest <= math.ceil(len(order) / 2):
            assert adjacent == 0, order
    # one company alone: it has to sit together
    alone = assign_seats(roster({"独家": 4}), room_size=10, versions="AB")
    assert [s.seat for s in alone] == [1, 2, 3, 4]


def test_versions_alternate_with_the_seat_number():
    seats = assign_seats(roster(SIZES), room_size=10, versions="ABC")
    for s in seats:
        assert s.version == "ABC"[(s.seat - 1) % 3]
    for room in {s.room for s in seats}:
        row = sorted((s for s in seats if s.room == room), key=lambda s: s.seat)
        assert all(a.version != b.version for a, b in zip(row, row[1:], strict=False))


def test_deterministic_whatever_order_the_roster_comes_in():
    people = roster(SIZES)
    first = assign_seats(people, room_size=8, versions="AB")
    shuffled = people[:]
    random.Random(7).shuffle(shuffled)
    assert assign_seats(shuffled, room_size=8, versions="AB") == first
    assert assign_seats(list(reversed(people)), room_size=8, versions="AB") == first


def test_the_company_key_takes_the_credit_code_before_the_name():
    assert company_key("北京电信工程有限公司", "91110108551385082Q") == company_key("北京电信工程公司", "91110108551385082q")
    assert company_key("北京电信 工程有限公司") == company_key("北京电信工程有限公司")
    assert company_key("北京电信工程有限公司") != company_key("华北通信技术有限公司")


def test_empty_roster_and_bad_arguments():
    assert assign_seats([], room_size=30, versions="AB") == []
    with pytest.raises(ValueError):
        assign_seats(roster({"x": 2}), room_size=0, versions="AB")
    with pytest.raises(ValueError):
        assign_seats(roster({"x": 2}), room_size=5, versions="")


def test_seat_neighbours_are_the_nearest_seats_with_the_same_version():
    from answercards.seating import neighbour_pairs

    seats = assign_seats(roster({"甲": 4, "乙": 4, "丙": 4, "丁": 3}), room_size=8, versions="AB")
    pairs = {frozenset(p) for p in neighbour_pairs([(s.registration_id, s.room, s.seat, s.version) for s in seats])}
    where = {s.registration_id: s for s in seats}
    expected = {frozenset((x.registration_id, y.registration_id)) for x in seats for y in seats
                if x.room == y.room and y.seat - x.seat == 2}
    assert pairs == expected and pairs
    for pair in pairs:
        x, y = (where[k] for k in pair)
        assert x.version == y.version and x.room == y.room


def test_seat_neighbours_with_three_versions_and_with_one():
    from answercards.seating import neighbour_pairs

    row = [(k, 1, k, "ABC"[(k - 1) % 3]) for k in range(1, 10)]
    assert sorted(neighbour_pairs(row)) == [(1, 4), (2, 5), (3, 6), (4, 7), (5, 8), (6, 9)]
    one = [(k, 1, k, "A") for k in range(1, 5)] + [(9, 2, 1, "A")]
    assert sorted(neighbour_pairs(one)) == [(1, 2), (1, 3), (2, 3), (2, 4), (3, 4)]
    # order of the input does not matter; another room is never a neighbour
    assert sorted(neighbour_pairs(list(reversed(one)))) == sorted(neighbour_pairs(one))
