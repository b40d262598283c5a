"""Seating a 新取证(线下) plan: a pure function (no database), so the service, the tests and the
demo run the same code (docs/decisions.md#seating).

    seats = assign_seats([SeatInput(registration_id, candidate_number, company_key)], room_size=30,
                         versions="AB")

Rules:
* rooms = ⌈N / room_size⌉, filled evenly (sizes differ by at most one), so no room is over size;
* candidates of one company are spread over the rooms: companies are taken largest first and
  their members dealt to the rooms in turn, so a company of k people sits in min(k, rooms)
  rooms with at most ⌈k / rooms⌉ in any one;
* inside a room, seats are taken by the company with most people left that is not the one on
  the previous seat, so two colleagues sit side by side only when one company fills more than
  half the room;
* the version goes round with the seat number (A, B, A, B, …): neighbours hold different papers;
* deterministic: the same roster gives the same plan whatever order it comes in (ties are
  broken by the company key and the 考生编号).
"""

import math
import unicodedata
from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class SeatInput:
    registration_id: int
    candidate_number: str
    company: str  # company_key(): who counts as one company


@dataclass(frozen=True)
class SeatResult:
    registration_id: int
    candidate_number: str
    room: int  # 1-based
    seat: int  # 1-based within the room
    version: str


def company_key(company_name: str, credit_code: str = "") -> str:
    """One company: its 统一社会信用代码 when known, else its name (NFKC, no spaces, case-folded)."""
    code = (credit_code or "").strip().upper()
    if code:
        return f"code:{code}"
    name = "".join(unicodedata.normalize("NFKC", company_name or "").split()).casefold()
    return f"name:{name}"


def room_count(candidates: int, room_size: int) -> int:
    return math.ceil(candidates / room_size) if candidates else 0


def _seat_order(members: list[SeatInput]) -> list[SeatInput]:
    groups: dict[str, list[SeatInput]] = defaultdict(list)
    for m in sorted(members, key=lambda m: m.candidate_number):
        groups[m.company].append(m)
    left = {key: list(reversed(group)) for key, group in groups.items()}  # pop() takes the smallest number
    order, previous = [], None
    while left:
        choices = sorted(left, key=lambda key: (-len(left[key]), key))
        key = next((k for k in choices if k != previous), choices[0])
        order.append(left[key].pop())
        if not left[key]:
            del left[key]
        previous = key
    return order


def assign_seats(candidates: list[SeatInput], *, room_size: int, versions: str) -> list[SeatResult]:
    if room_size < 1:
        raise ValueError("room_size must be positive")
    if not versions:
        raise ValueError("at least one version")
    rooms = room_count(len(candidates), room_size)
    if not rooms:
        return []
    groups: dict[str, list[SeatInput]] = defaultdict(list)
    for c in sorted(candidates, key=lambda c: c.candidate_number):
        groups[c.company].append(c)
    dealt: list[list[SeatInput]] = [[] for _ in range(rooms)]
    turn = 0
    for key in sorted(groups, key=lambda k: (-len(groups[k]), k)):
        for member in groups[key]:
            dealt[turn % rooms].append(member)
            turn += 1
    results = []
    for index, members in enumerate(dealt):
        for seat, member in enumerate(_seat_order(members), start=1):
            results.append(SeatResult(registration_id=member.registration_id, candidate_number=member.candidate_number,
                                      room=index + 1, seat=seat, version=versions[(seat - 1) % len(versions)]))
    return results
