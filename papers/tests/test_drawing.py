"""The pure draw: a seed gives one paper, always the same."""

import pytest

from papers import drawing
from papers.drawing import canonical_to_displayed, displayed_to_canonical

BLUEPRINT = {
    "rule_id": 1, "rule_name": "r", "rule_revision": 1, "total_points": "13.0", "pass_mark": "8.0",
    "sections": [
        {"qtype": "single", "points": "1.0", "cells": [
            {"area": 1, "area_name": "高处作业", "count": 3, "pool": "1:single"},
            {"area": 2, "area_name": "电气安全", "count": 2, "pool": "2:single"}]},
        {"qtype": "multiple", "points": "2.0", "cells": [
            {"area": 1, "area_name": "高处作业", "count": 2, "pool": "1:multiple"}]},
        {"qtype": "judge", "points": "1.0", "cells": [
            {"area": 2, "area_name": "电气安全", "count": 4, "pool": "2:judge"}]},
    ],
}
POOLS = {"1:single": [[i, 4] for i in range(100, 110)], "2:single": [[i, 5] for i in range(200, 206)],
         "1:multiple": [[i, 6] for i in range(300, 305)], "2:judge": [[i, 2] for i in range(400, 410)]}


def test_same_seed_same_paper_and_different_seeds_differ():
    assert drawing.draw(42, BLUEPRINT, POOLS) == drawing.draw(42, BLUEPRINT, POOLS)
    papers = {str(drawing.draw(seed, BLUEPRINT, POOLS)[1]) for seed in range(20)}
    assert len(papers) == 20


def test_sections_follow_the_blueprint_and_draw_from_their_cells():
    sections, items = drawing.draw(7, BLUEPRINT, POOLS)
    assert sections == [["single", 5, "1.0"], ["multiple", 2, "2.0"], ["judge", 4, "1.0"]]
    ids = [i[0] for i in items]
    assert len(set(ids)) == 11
    assert sum(100 <= i < 110 for i in ids[:5]) == 3 and sum(200 <= i < 206 for i in ids[:5]) == 2
    assert all(300 <= i < 305 for i in ids[5:7]) and all(400 <= i < 410 for i in ids[7:])
    for vid, perm, _points in items:
        n = 4 if vid < 200 else 5 if vid < 300 else 6 if vid < 400 else 2
        assert sorted(perm) == list("ABCDEFGH"[:n])
    assert all(perm == "AB" for _v, perm, _p in items[7:])  # 判断 keeps 正确/错误


def test_order_within_section_and_options_are_shuffled():
    orders = {tuple(i[0] for i in drawing.draw(s, BLUEPRINT, POOLS)[1][:5]) for s in range(30)}
    perms = {drawing.draw(s, BLUEPRINT, POOLS)[1][0][1] for s in range(30)}
    assert len(orders) > 20 and len(perms) > 5


def test_short_pool_is_refused():
    pools = {**POOLS, "1:multiple": [[300, 4]]}
    with pytest.raises(drawing.DrawShort, match="需要 2 题，题库仅有 1 题"):
        drawing.check_draw(BLUEPRINT, pools)


def test_letters_round_trip():
    assert displayed_to_canonical("CADB", "AB") == "AC"
    assert canonical_to_displayed("CADB", "AC") == "AB"
    assert displayed_to_canonical("CADB", "D") == "B"
    with pytest.raises(ValueError):
        displayed_to_canonical("CADB", "E")
