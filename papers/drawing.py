"""Drawing a paper: a pure function of a seed and a frozen draw (no database), so generation,
the rebuild check, the preview and the benchmark run the same code.

Shapes (JSON in PaperDraw):

    blueprint = {"rule_id": 3, "rule_name": "…", "rule_revision": 2,
                 "total_points": "100.0", "pass_mark": "60.0",
                 "sections": [{"qtype": "single", "points": "1.0",
                               "cells": [{"area": 7, "area_name": "高处作业", "count": 5, "pool": "7:single"}]}]}
    pools = {"7:single": [[version_id, option_count], …]}   # in 题目编号 order

Order of the random calls (what a seed reproduces; never reorder them): for each section in
order, for each cell in order `rng.sample(pool, count)`; then `rng.shuffle` of the section's
questions; then, for each question in its new order, `rng.shuffle` of its option letters
(判断 keeps 正确/错误 in place: a shuffled true/false reads as a trick, not as a new paper).
"""

import random
import secrets
from decimal import Decimal

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


def draw(seed: int, blueprint: dict, pools: dict) -> tuple[list, list]:
    """(sections, items) of the paper the seed gives: sections `[[qtype, count, points], …]`,
    items `[[version_id, permutation, points], …]` in display order."""
    rng = random.Random(seed)
    sample, shuffle = rng.sample, rng.shuffle
    sections, items = [], []
    for section in blueprint["sections"]:
        chosen = []
        for cell in section["cells"]:
            if cell["count"]:
                chosen.extend(sample(pools[cell["pool"]], cell["count"]))
        if not chosen:
            continue
        shuffle(chosen)
        points = section["points"]
        judge = section["qtype"] == QuestionType.JUDGE
        for version_id, option_count in chosen:
            letters = list(LETTERS[:option_count])
            if not judge:
                shuffle(letters)
            items.append([version_id, "".join(letters), points])
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
