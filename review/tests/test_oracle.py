"""The Neyman–Pearson oracle for answers-only copying (review.synthetic.copying_llr and
copying_llr_exact) on a hand-made case, and bench_similarity's oracle on tiny plans."""

import sys
from pathlib import Path

import numpy as np
import pytest

from review.synthetic import Truth, copying_llr, copying_llr_exact, expected_copying_llr, simulate_plan

BENCH = Path(__file__).resolve().parents[2] / "bench"


def hand_truth():
    # two candidates (0 = a, 1 = b), two items of two responses each, both drawn by both
    P = np.array([
        [[0.75, 0.25], [0.5, 0.5]],  # a: item 1, item 2
        [[0.8, 0.2], [0.2, 0.8]],  # b
    ])
    resp = np.array([[1, 0], [1, 1]])  # item 1 the same (response 1), item 2 not
    return Truth(ids=["a", "b"], item_ids=["Q1", "Q2"], P=P, drawn=np.ones((2, 2), dtype=bool), resp=resp)


def test_copying_llr_on_a_hand_computed_case():
    # share g = 0.5. a copies b: item 1 the same, p = P_a(1) = 0.25: (g + (1 - g) p) / p =
    # 0.625 / 0.25 = 2.5; item 2 differs: 1 - g = 0.5; ratio 1.25. b copies a: item 1,
    # p = P_b(1) = 0.2: 0.6 / 0.2 = 3, times 0.5: 1.5. The pair: ln((1.25 + 1.5) / 2) = ln 1.375
    truth = hand_truth()
    directed, stat = copying_llr(truth, 0.5)
    assert directed[0, 1] == pytest.approx(np.log(1.25))
    assert directed[1, 0] == pytest.approx(np.log(1.5))
    assert stat[0, 1] == pytest.approx(np.log(1.375)) == pytest.approx(0.318454)
    ab, pair = copying_llr(truth, 0.5, pairs=[(0, 1)])
    assert ab[0] == pytest.approx(np.log(1.25)) and pair[0] == pytest.approx(np.log(1.375))
    # expected, a copying b: item 1 p = 0.25, q = 0.625: 0.625 ln 2.5 + 0.375 ln 0.5 = 0.312752;
    # item 2 (b's response 1) p = P_a(1) = 0.5, q = 0.75: 0.75 ln 1.5 + 0.25 ln 0.5 = 0.130812;
    # the sum 0.443564
    assert expected_copying_llr(truth, 0, 1, 0.5) == pytest.approx(0.443564, abs=1e-6)


def test_exact_copying_llr_on_a_hand_computed_case():
    # S = 2 shared items, K = round(0.5 × 2) = 1 copied: the ratio is e_1(x) / C(2, 1) with
    # x = (1/p on the same item 1, 0 on item 2). a copies b: (1 / 0.25) / 2 = 2; b copies a:
    # (1 / 0.2) / 2 = 2.5; the pair ln((2 + 2.5) / 2) = ln 2.25. (Check against the independent
    # ratio: Σ_k g^k (1 - g)^(S - k) e_k = 0.25 (1 + 4 + 0) = 1.25, as above.)
    ab, ba, pair = copying_llr_exact(hand_truth(), [0], [1], 0.5)
    assert ab[0] == pytest.approx(np.log(2.0))
    assert ba[0] == pytest.approx(np.log(2.5))
    assert pair[0] == pytest.approx(np.log(2.25)) == pytest.approx(0.810930)


def test_exact_copying_llr_is_minus_infinity_with_fewer_same_answers_than_copied():
    # three shared items, K = round(0.5 × 3) = 2, but only one response the same: no set of
    # two copied items fits the answers, the ratio is 0
    truth = Truth(ids=["a", "b"], item_ids=["Q1", "Q2", "Q3"], P=np.full((2, 3, 2), 0.5),
                  drawn=np.ones((2, 3), dtype=bool), resp=np.array([[0, 0, 1], [0, 1, 0]]))
    ab, ba, pair = copying_llr_exact(truth, [0], [1], 0.5)
    assert ab[0] == ba[0] == pair[0] == -np.inf


def test_exact_copying_llr_matches_enumeration_of_the_copied_sets():
    import itertools

    plan = simulate_plan(5, n_candidates=60, n_items=12, paper=9, companies=1, trainees=8, realtime=0,
                         realtime_unknown=0, answers_only=1, one_for_three=0, shared_key=0)
    truth = plan.truth
    for a, b in [(0, 1), (2, 7), (3, 4)]:
        shared = np.flatnonzero(truth.drawn[a] & truth.drawn[b])
        k = int(round(0.3 * shared.size))
        total = 0.0
        for chosen in itertools.combinations(shared.tolist(), k):
            # P(a's answers | these copied) / P(a's answers | none copied)
            ok = all(truth.resp[a, j] == truth.resp[b, j] for j in chosen)
            total += np.prod([1.0 / truth.P[a, j, truth.resp[a, j]] for j in chosen]) if ok else 0.0
        lr = total / len(list(itertools.combinations(shared.tolist(), k)))
        ab, _ba, _pair = copying_llr_exact(truth, [a], [b], 0.3)
        assert ab[0] == (pytest.approx(np.log(lr)) if lr > 0 else -np.inf)


def test_the_true_chances_are_distributions_that_the_answers_follow():
    plan = simulate_plan(3, realtime=0, realtime_unknown=0, answers_only=0, one_for_three=0, shared_key=0)
    truth = plan.truth
    assert np.allclose(truth.P.sum(axis=-1), 1.0)
    assert ((truth.resp >= 0) == truth.drawn).all()
    assert truth.drawn.sum() == len(plan.rows)
    # per item and response, the count given is within 5 standard deviations of Σ_i P[i, j, k]
    given = np.zeros(truth.P.shape)
    i, j = np.nonzero(truth.drawn)
    given[i, j, truth.resp[i, j]] = 1.0
    p = truth.P * truth.drawn[:, :, None]
    expected, sd = p.sum(axis=0), np.sqrt((p * (1 - p)).sum(axis=0))
    assert (np.abs(given.sum(axis=0) - expected) <= 5 * sd + 1).all()


@pytest.fixture
def bench_module(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    import bench_similarity

    yield bench_similarity
    sys.modules.pop("bench_similarity", None)


TINY = {"n_candidates": 120, "n_items": 40, "paper": 30, "companies": 1, "trainees": 10}


def test_bench_oracle_runs_on_tiny_plans_and_its_screening_changes_nothing(bench_module, capsys):
    sets = {"null plans": [101, 102]}
    figures = bench_module.oracle([1], sets, **TINY)
    out = capsys.readouterr().out
    assert "similarity answers_only oracle found: " in out
    assert "% of 6 (the most powerful test that knows the model; goal >= 50 %" in out
    assert figures["markov_cut"] == pytest.approx(np.log(120 * 119 / 2 / 0.05))
    every = bench_module.oracle([1], sets, screen_nats=-np.inf, **TINY)
    for name in ("oracle", "independent", "estimated"):
        got, want = figures[("null plans", name)], every[("null plans", name)]
        assert got["cut"] == pytest.approx(want["cut"])
        assert got["found"] == want["found"]
        assert got["false_at_half"] == want["false_at_half"]
        assert 0.0 <= got["found"] <= 100.0
    # 2 null plans: k = 0, the cut is the largest null pair of both
    largest = []
    for seed in sets["null plans"]:
        truth = simulate_plan(seed, realtime=0, realtime_unknown=0, answers_only=0, one_for_three=0,
                              shared_key=0, **TINY).truth
        iu, ju = np.triu_indices(len(truth.ids), k=1)
        largest.append(copying_llr_exact(truth, iu, ju, 0.3)[2].max())
    assert figures[("null plans", "oracle")]["cut"] == pytest.approx(max(largest))
    assert len(figures["planted"]["oracle"]) == 6
