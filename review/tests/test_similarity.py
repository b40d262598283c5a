"""The collusion signal: planted cases found, honest plans quiet at the family-wise level, the
exact tails against brute force, and invariants (hypothesis)."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from review import similarity
from review.similarity import collusion_signal, poisson_binomial_sf
from review.synthetic import simulate_card_plan, simulate_plan

SMALL = {"n_candidates": 160, "n_items": 60, "paper": 50, "companies": 1, "trainees": 12}
NONE = {"realtime": 0, "realtime_unknown": 0, "answers_only": 0, "one_for_three": 0, "shared_key": 0}


def flagged(result):
    return {frozenset((p["a"], p["b"])): p for p in result["flagged_pairs"]}


def test_planted_realtime_pair_is_flagged_by_its_timing():
    plan = simulate_plan(7, **SMALL, **{**NONE, "realtime": 1})
    result = collusion_signal(plan.rows)
    (kind, pair), = plan.cases
    found = flagged(result)
    assert frozenset(pair) in found
    entry = found[frozenset(pair)]
    assert entry["kind"] == "timing_follow"
    assert entry["likely_source"] == pair[1]  # the copier follows its source
    assert entry["p_family"] <= result["alpha"]
    assert [sorted(pair)] == [sorted(g) for g in result["groups"]]


def test_one_person_answering_three_papers_is_one_group():
    plan = simulate_plan(8, **SMALL, **{**NONE, "one_for_three": 1})
    result = collusion_signal(plan.rows)
    (kind, trio), = plan.cases
    assert any(set(trio) <= set(g) for g in result["groups"])


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_honest_plan_with_look_alikes_flags_no_pair(seed):
    plan = simulate_plan(seed, **SMALL, **NONE)
    result = collusion_signal(plan.rows)
    assert result["candidates"] == SMALL["n_candidates"]
    assert result["items"] == SMALL["n_items"]
    assert result["flagged_pairs"] == []
    assert result["groups"] == []


def test_poisson_binomial_tail_on_a_hand_computed_case():
    # P(at least 2 of 3) with p = 0.5, 0.25, 0.1:
    # .5*.25*.1 + .5*.25*.9 + .5*.75*.1 + .5*.25*.1 = .0125 + .1125 + .0375 + .0125 = .175
    assert poisson_binomial_sf(np.array([0.5, 0.25, 0.1]), np.array([2]))[0] == pytest.approx(0.175)
    assert poisson_binomial_sf(np.array([0.5, 0.25, 0.1]), np.array([0]))[0] == pytest.approx(1.0)
    assert poisson_binomial_sf(np.array([0.5, 0.25, 0.1]), np.array([4]))[0] == 0.0


def brute_force_sf(probs, x):
    total = 0.0
    for outcome in itertools.product((0, 1), repeat=len(probs)):
        if sum(outcome) >= x:
            total += np.prod([p if o else 1 - p for p, o in zip(probs, outcome, strict=True)])
    return total


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=9), st.integers(0, 10))
def test_poisson_binomial_tail_matches_enumeration(probs, x):
    got = poisson_binomial_sf(np.array(probs), np.array([x]))[0]
    assert got == pytest.approx(brute_force_sf(probs, x), abs=1e-12)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=12), st.integers(0, 12))
def test_screening_bound_is_never_below_the_exact_tail(probs, x):
    """The Hoeffding bound decides which pairs get exact tails: it must never be below them."""
    probs = np.array(probs)
    exact = poisson_binomial_sf(probs, np.array([x]))[0]
    bound = similarity._kl_bound(np.array([x]), np.array([probs.sum()]), np.array([probs.size]))[0]
    assert bound >= exact - 1e-12


def tiny_log():
    """Five candidates (考生编号 as the system numbers them), four items, hand-written."""
    answers = {
        "112600100001": [("Q1", "A", 1, 40), ("Q2", "BD", 1, 95), ("Q3", "C", 0, 130), ("Q4", "B", 1, 200)],
        "112600100002": [("Q1", "A", 1, 50), ("Q2", "BD", 1, 101), ("Q3", "C", 0, 139), ("Q4", "A", 0, 230)],
        "112600100003": [("Q1", "B", 0, 70), ("Q2", "B", 0, 150), ("Q3", "A", 1, 260), ("Q4", "B", 1, 300)],
        "112600100004": [("Q1", "A", 1, 35), ("Q2", "BD", 1, 80), ("Q3", "A", 1, 120), ("Q4", "B", 1, 170)],
        "112600100005": [("Q1", "C", 0, 90), ("Q2", "D", 0, 180), ("Q3", "B", 0, 240)],
    }
    return [(c, *row) for c, rows in answers.items() for row in rows]


def model(rows):
    data = similarity._index(rows)
    P = similarity._option_curves(data, prior_weight=2.0, bandwidth=None)
    pace = similarity._own_pace(data, 30.0)
    fast, pfast = similarity._fast_correct(data, 2.0, P)
    return data, P, pace, fast, pfast


def test_exact_omega_and_gbt_tails_match_enumeration_on_a_tiny_plan():
    data, P, pace, fast, pfast = model(tiny_log())
    n = len(data["candidates"])
    a, b = np.triu_indices(n, k=1)
    events, _ = similarity._pair_trials(data, P, pace, fast, pfast, 30.0, a, b)
    tails, _ = similarity._exact_tails(data, P, pace, fast, pfast, 30.0, a, b)
    for s, name in enumerate(similarity.STATS):
        hit, prob = events[name]
        for r in range(a.size):
            x = int(hit[r].sum())
            want = brute_force_sf(prob[r][data["A"][a[r]] & data["A"][b[r]]], x) if x else 1.0
            assert tails[s, r] == pytest.approx(want, abs=1e-12), (name, r)
    # the first two answered Q1-Q3 alike, the second 6-10 s after the first
    k = [r for r in range(a.size) if (a[r], b[r]) == (0, 1)][0]
    assert events["omega_ab"][0][k].sum() == 3
    assert events["follow_ba"][0][k].sum() == 3
    assert events["wrong_ab"][0][k].sum() == 1


def test_option_probabilities_are_distributions():
    data, P, *_ = model(simulate_plan(3, **SMALL, **NONE).rows)
    starts = data["item_start"]
    for j in range(len(data["items"])):
        block = P[:, starts[j]:starts[j + 1]]
        answered = data["A"][:, j]
        assert np.allclose(block[answered].sum(axis=1), 1.0)
        assert (block[answered] > 0).all()
        assert (block[~answered] == 0).all()


answer_logs = st.lists(
    st.tuples(st.sampled_from(["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊"]),
              st.sampled_from(["Q1", "Q2", "Q3", "Q4", "Q5"]),
              st.sampled_from(["A", "B", "C", "AB", "BD"]),
              st.integers(0, 1),
              st.floats(0, 3600, allow_nan=False)),
    min_size=2, max_size=30, unique_by=lambda r: (r[0], r[1]),
)


@settings(max_examples=40, deadline=None)
@given(answer_logs)
def test_pair_tails_are_symmetric_and_in_range(rows):
    data, P, pace, fast, pfast = model(rows)
    n = len(data["candidates"])
    if n < 2:
        return
    a, b = np.triu_indices(n, k=1)
    ab, _ = similarity._exact_tails(data, P, pace, fast, pfast, 30.0, a, b)
    ba, _ = similarity._exact_tails(data, P, pace, fast, pfast, 30.0, b, a)
    assert ((ab >= 0) & (ab <= 1)).all()
    swap = {"omega_ab": "omega_ba", "omega_ba": "omega_ab", "wrong_ab": "wrong_ba", "wrong_ba": "wrong_ab",
            "follow_ab": "follow_ba", "follow_ba": "follow_ab", "gbt": "gbt", "fast_correct": "fast_correct"}
    idx = {name: s for s, name in enumerate(similarity.STATS)}
    for name, other in swap.items():
        assert np.allclose(ab[idx[name]], ba[idx[other]], rtol=1e-9, atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(answer_logs, st.randoms(use_true_random=False))
def test_result_does_not_depend_on_row_order_and_p_values_are_in_range(rows, rnd):
    first = collusion_signal(rows, alpha=0.05)
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    second = collusion_signal(shuffled, alpha=0.05)
    assert first == second
    for p in first["flagged_pairs"] + first["ranked_pairs"]:
        assert 0.0 <= p["p_value"] <= 1.0
        assert 0.0 <= p["q_value"] <= 1.0
        assert p["p_value"] <= p["q_value"] or p["q_value"] == 1.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)).filter(lambda e: e[0] != e[1]), max_size=15))
def test_groups_are_the_connected_components_of_flagged_pairs(edges):
    ids = [f"1126001{k:05d}" for k in range(12)]
    groups = similarity._groups(ids, [tuple(sorted(e)) for e in edges], len(ids))
    # reference: union-find
    parent = list(range(12))

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    for x, y in edges:
        parent[find(x)] = find(y)
    expected = {}
    for node in {v for e in edges for v in e}:
        expected.setdefault(find(node), set()).add(ids[node])
    assert sorted(map(sorted, expected.values())) == sorted(map(sorted, groups))
    members = [x for g in groups for x in g]
    assert len(members) == len(set(members))


def test_empty_and_single_candidate_logs():
    assert collusion_signal([])["flagged_pairs"] == []
    one = collusion_signal([("112600100001", "Q1", "A", 1, 10.0)])
    assert one["candidates"] == 1 and one["pairs"] == 0 and one["groups"] == []


def test_a_duplicate_answer_is_refused():
    with pytest.raises(ValueError, match="出现了两次"):
        collusion_signal([("112600100001", "Q1", "A", 1, 10.0), ("112600100001", "Q1", "B", 0, 20.0)])


def test_screening_loses_no_pair_whose_exact_tail_passes():
    """Exact tails for every pair against the flags: the bounds only decide where to look."""
    plan = simulate_plan(5, n_candidates=60, n_items=40, paper=30, companies=1, trainees=10,
                         realtime=1, realtime_unknown=1, answers_only=1, one_for_three=1, shared_key=1)
    result = collusion_signal(plan.rows)
    data, P, pace, fast, pfast = model(plan.rows)
    n = len(data["candidates"])
    a, b = np.triu_indices(n, k=1)
    tails, _ = similarity._exact_tails(data, P, pace, fast, pfast, 30.0, a, b)
    ids = data["candidates"]
    passing = {frozenset((ids[a[k]], ids[b[k]])) for k in np.flatnonzero(tails.min(axis=0) <= result["bonferroni_cut"])}
    assert passing  # the planted cases give the check something to find
    assert set(flagged(result)) == passing
    assert result["exact_pairs"] < a.size  # and the screen did skip pairs


# ---------------------------------------------------------------------------------------------
# the prior family (seat neighbours of an answer-card plan) and plans without timing

CARD = {"n_candidates": 200, "n_items": 60, "paper": 50, "room_size": 20, "companies": 1, "trainees": 10}
NO_CARD_CASES = {"card_answers_only": 0, "card_neighbour": 0, "card_neighbour_unknown": 0}


def test_alpha_is_split_between_all_pairs_and_the_prior_family():
    plan = simulate_card_plan(42, **CARD, **NO_CARD_CASES)
    result = collusion_signal(plan.rows, prior_pairs=plan.neighbours, alpha=0.05, prior_share=0.5)
    assert result["timing"] is False  # an answer card has no timing: its statistics are not counted
    assert result["statistics"] == ["omega_ab", "omega_ba", "gbt", "wrong_ab", "wrong_ba"]
    k, n_pairs, n_prior = result["tests_per_pair"], result["pairs"], result["prior_pairs"]
    assert k == 5 and n_prior == len({frozenset(p) for p in plan.neighbours}) > 0
    assert result["bonferroni_cut"] == pytest.approx(0.025 / (n_pairs * k))
    assert result["prior_cut"] == pytest.approx(0.025 / (n_prior * 2))
    # the two families' shares add up to alpha: the family-wise error is at most alpha
    assert result["bonferroni_cut"] * n_pairs * k + result["prior_cut"] * n_prior * 2 == pytest.approx(0.05)
    alone = collusion_signal(plan.rows, alpha=0.05)
    assert alone["prior_pairs"] == 0 and alone["prior_cut"] is None
    assert alone["bonferroni_cut"] == pytest.approx(0.05 / (n_pairs * 5))


def test_prior_pairs_are_counted_once_and_unknown_candidates_ignored():
    plan = simulate_card_plan(42, **CARD, **NO_CARD_CASES)
    a, b = plan.neighbours[0]
    pairs = [(a, b), (b, a), (a, a), (a, "不在本批次"), *plan.neighbours]
    result = collusion_signal(plan.rows, prior_pairs=pairs)
    assert result["prior_pairs"] == len({frozenset(p) for p in plan.neighbours})


@pytest.mark.parametrize("seed", [61, 62, 63])
def test_honest_card_plan_flags_no_neighbour_and_would_if_the_family_were_not_corrected(seed):
    """Family-wise control in the prior family: an honest answer-card plan (with colleagues of a
    company seated side by side, who share wrong beliefs) flags no pair at alpha 0.05, while some
    of its honest neighbours have an ω tail that a family not divided among its pairs (a cut of
    alpha share / 2 per test) would flag: the test has something to catch."""
    plan = simulate_card_plan(seed, **CARD, **NO_CARD_CASES)
    result = collusion_signal(plan.rows, prior_pairs=plan.neighbours)
    assert result["flagged_pairs"] == [] and result["groups"] == []
    data, P, pace, fast, pfast = model(plan.rows)
    where = {c: k for k, c in enumerate(data["candidates"])}
    a = np.array([where[x] for x, _ in plan.neighbours])
    b = np.array([where[y] for _, y in plan.neighbours])
    tails, _ = similarity._exact_tails(data, P, pace, fast, pfast, 30.0, a, b)
    omega = tails[[similarity.STATS.index(s) for s in similarity.PRIOR_STATS]].min(axis=0)
    assert (omega <= 0.05 * 0.5 / 2).sum() >= 1
    assert (omega <= result["prior_cut"]).sum() == 0


def test_a_neighbour_copying_is_found_through_the_prior_family():
    """Seed 42's second planted neighbour (copying every item it would have got wrong) passes
    only the neighbours' cut: without the seat neighbours it is not flagged."""
    plan = simulate_card_plan(42, **CARD, card_answers_only=0, card_neighbour=0, card_neighbour_unknown=3)
    copier, source = plan.cases[1][1]
    with_family = flagged(collusion_signal(plan.rows, prior_pairs=plan.neighbours))
    entry = with_family[frozenset((copier, source))]
    assert entry["family"] == "prior" and entry["prior_pair"] and entry["kind"] == "answer_agreement"
    assert entry["likely_source"] == source
    assert frozenset((copier, source)) not in flagged(collusion_signal(plan.rows))


def test_without_timing_the_timing_statistics_are_left_out():
    plan = simulate_plan(7, **SMALL, **{**NONE, "realtime": 1})
    rows = [(c, i, o, k, 0.0) for c, i, o, k, _t in plan.rows]
    result = collusion_signal(rows)
    assert result["timing"] is False and result["tests_per_pair"] == 5
    forced = collusion_signal(plan.rows, timing=False)
    assert forced["timing"] is False
    for p in forced["flagged_pairs"] + forced["ranked_pairs"]:
        assert p["tails"]["follow_ab"] == p["tails"]["follow_ba"] == p["tails"]["fast_correct"] == 1.0
        assert p["kind"] != "timing_follow"
