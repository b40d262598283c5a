"""Drawing a paper: a pure function of a seed and a frozen draw (no database), so generation,
the rebuild check, the preview and the benchmark run the same code.

Shapes (JSON in PaperDraw):

    blueprint = {"rule_id": 3, "rule_name": "…", "rule_revision": 2,
                 "total_points": "100.0", "pass_mark": "60.0",
                 "sections": [{"qtype": "single", "points": "1.0",
                               "cells": [{"area": 7, "area_name": "高处作业", "count": 5, "pool": "7:single"}]}]}
    pools = {"7:single": [[version_id, option_count], …]}   # in 题目编号 order

Every random number is one `rng.random()` float of `random.Random(seed)` (Mersenne Twister,
the same on every platform and Python version), turned into an index by `int(u * n)`: that is
several times faster than `randrange`/`sample`/`shuffle` (generation is a hot loop: 500,000
questions for 5,000 candidates) and uniform up to 2^-53. The order of the calls is what a seed
reproduces; never reorder them:
1. for each section in order, for each cell in order: pick `count` of the cell's pool by a
   partial Fisher–Yates on a copy (index i swapped with i + int(u × (m − i)));
2. the section's questions shuffled by Fisher–Yates from the end (j = int(u × (i + 1)));
3. for each question in its new order, one u choosing its option order among the n!
   permutations of its n letters, in itertools.permutations order. 判断 keeps 正确/错误 in place
   and draws nothing: a shuffled true/false reads as a trick, not as a new paper.
"""

import itertools
import random
import secrets
from decimal import Decimal
from functools import cache

from questions.choices import LETTERS, QuestionType


class DrawShort(ValueError):
    """A cell's pool holds fewer versions than the cell needs."""

    def __init__(self, cell: dict, available: int):
        super().__init__(f"{cell['area_name']} {QuestionType(cell_qtype(cell)).label}：需要 {cell['count']} 题，"
                         f"题库仅有 {available} 题")
        self.cell = cell
        self.available = available


def cell_qtype(cell: dict) -> str:
    return cell["pool"].split(":", 1)[1]


def new_seed() -> int:
    """63 random bits: fits a signed 64-bit column on every database."""
    return secrets.randbits(63)


def check_draw(blueprint: dict, pools: dict) -> None:
    for section in blueprint["sections"]:
        for cell in section["cells"]:
            available = len(pools.get(cell["pool"], ()))
            if available < cell["count"]:
                raise DrawShort(cell, available)


@cache
def permutations(option_count: int) -> tuple[str, ...]:
    """Every order of the first n letters, in itertools order ("ABC", "ACB", …); 8! = 40,320 at most."""
    return tuple("".join(p) for p in itertools.permutations(LETTERS[:option_count]))


def draw(seed: int, blueprint: dict, pools: dict) -> tuple[list, list]:
    """(sections, items) of the paper the seed gives: sections `[[qtype, count, points], …]`,
    items `[[version_id, permutation, points], …]` in display order."""
    rand = random.Random(seed).random
    sections, items = [], []
    for section in blueprint["sections"]:
        chosen = []
        for cell in section["cells"]:
            count = cell["count"]
            if not count:
                continue
            pool = pools[cell["pool"]][:]
            m = len(pool)
            for i in range(count):
                j = i + int(rand() * (m - i))
                pool[i], pool[j] = pool[j], pool[i]
            chosen.extend(pool[:count])
        if not chosen:
            continue
        for i in range(len(chosen) - 1, 0, -1):
            j = int(rand() * (i + 1))
            chosen[i], chosen[j] = chosen[j], chosen[i]
        points = section["points"]
        judge = section["qtype"] == QuestionType.JUDGE
        for version_id, option_count in chosen:
            if judge:
                items.append([version_id, LETTERS[:option_count], points])
            else:
                orders = permutations(option_count)
                items.append([version_id, orders[int(rand() * len(orders))], points])
        sections.append([section["qtype"], len(chosen), points])
    return sections, items


# ---------------------------------------------------------------- letters

def displayed_to_canonical(permutation: str, displayed: str) -> str:
    """The canonical letters (the version's own A–H) of an answer given in displayed letters,
    sorted: permutation "CADB", displayed "AB" → "AC". A letter the paper does not show raises
    ValueError (the exam engine refuses such an answer)."""
    out = []
    for letter in displayed:
        index = LETTERS.find(letter)
        if index < 0 or index >= len(permutation):
            raise ValueError(f"选项 {letter} 不存在")
        out.append(permutation[index])
    return "".join(sorted(set(out)))


def canonical_to_displayed(permutation: str, canonical: str) -> str:
    """The displayed letters of canonical ones, sorted: permutation "CADB", "AC" → "AB"."""
    return "".join(sorted(LETTERS[permutation.index(c)] for c in canonical))


def decimal_points(value) -> Decimal:
    return Decimal(str(value))
