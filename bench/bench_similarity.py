"""The collusion signal (review.similarity.collusion_signal) against ground truth.

Synthetic plans of 1,000 candidates drawing 100 of 120 items (review/synthetic.py describes the
generator and the planted cases). The seed lists are fixed here, before any run: 8 plans with
planted cases (6 real-time copying pairs, 6 real-time copying of unknown items, 6 answers-only
pairs, 2 one-for-three trios, 2 shared-key groups of 5 each) and 8 null plans with none; every
plan holds three companies of 20 honest trainees who share wrong beliefs on four items.

Prints per case the share found (and, for pairs, the share at least ranked by q-value), the
false pairs per plan (a flagged pair not inside one
planted case, over all 16 plans) and the time for all pairs of one plan, against the floor of
one bare matrix product that counts identical answers for all pairs."""

import os
import statistics
import sys
import time

import _common  # noqa: F401  (puts the project on sys.path)
import numpy as np

from review.similarity import collusion_signal
from review.synthetic import simulate_plan

PLANTED_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8]
NULL_SEEDS = [101, 102, 103, 104, 105, 106, 107, 108]
GOALS = {"realtime": 95.0, "realtime_unknown": 90.0, "one_for_three": 100.0, "answers_only": 50.0,
         "shared_key": 50.0}


def floor_seconds(rows):
    """One matrix product over one-hot answers: the identical-answer count of all pairs."""
    cands = {c: k for k, c in enumerate(sorted({r[0] for r in rows}))}
    cols = {}
    ri = np.fromiter((cands[r[0]] for r in rows), dtype=np.int64, count=len(rows))
    ci = np.fromiter((cols.setdefault((r[1], r[2]), len(cols)) for r in rows), dtype=np.int64, count=len(rows))
    Y = np.zeros((len(cands), len(cols)))
    start = time.perf_counter()
    Y[ri, ci] = 1.0
    Y @ Y.T
    return time.perf_counter() - start


def evaluate(plan, result):
    flagged = {frozenset((p["a"], p["b"])) for p in result["flagged_pairs"]}
    ranked = {frozenset((p["a"], p["b"])) for p in result["ranked_pairs"]}
    inside = set()
    found = []
    near = []
    for kind, members in plan.cases:
        for x in members:
            for y in members:
                if x < y:
                    inside.add(frozenset((x, y)))
        if len(members) == 2:
            hit = frozenset(members) in flagged
            near.append((kind, hit or frozenset(members) in ranked))
        else:
            need = 3 if kind == "shared_key" else len(members)
            best = max((len(set(members) & set(g)) for g in result["groups"]), default=0)
            hit = best >= need
        found.append((kind, hit))
    false = len(flagged - inside)
    return found, near, false


def main():
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("# bench_similarity uses no database: its figures come from the SQLite pass", flush=True)
        return 0
    found = {}
    ranked = {}
    false_pairs = []
    times = []
    floors = []
    for seed in PLANTED_SEEDS + NULL_SEEDS:
        if seed in NULL_SEEDS:
            plan = simulate_plan(seed, realtime=0, realtime_unknown=0, answers_only=0, one_for_three=0, shared_key=0)
        else:
            plan = simulate_plan(seed)
        start = time.perf_counter()
        result = collusion_signal(plan.rows)
        times.append(time.perf_counter() - start)
        floors.append(floor_seconds(plan.rows))
        hits, near, false = evaluate(plan, result)
        false_pairs.append(false)
        for kind, hit in hits:
            found.setdefault(kind, []).append(hit)
        for kind, hit in near:
            ranked.setdefault(kind, []).append(hit)
        print(f"# seed {seed}: {result['candidates']} candidates, {result['items']} items, "
              f"{len(result['flagged_pairs'])} flagged pairs, {false} false, {times[-1]:.2f} s", flush=True)
    for kind, goal in GOALS.items():
        hits = found.get(kind, [])
        share = 100.0 * sum(hits) / len(hits) if hits else float("nan")
        verdict = "met" if share >= goal else "NOT met"
        print(f"similarity {kind} found: {share:.1f} % of {len(hits)} (goal: >= {goal:g} %, {verdict})", flush=True)
    for kind, hits in ranked.items():
        share = 100.0 * sum(hits) / len(hits)
        print(f"similarity {kind} flagged or ranked (q <= 0.05): {share:.1f} % of {len(hits)}", flush=True)
    per_plan = sum(false_pairs) / len(false_pairs)
    print(f"similarity false pairs per plan: {per_plan:.3f} pairs over {len(false_pairs)} plans "
          f"(goal: <= 0.05, {'met' if per_plan <= 0.05 else 'NOT met'})", flush=True)
    load = os.getloadavg()
    print(f"# load average during the run (this machine has {os.cpu_count()} cores): "
          f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}", flush=True)
    _common.report("similarity all pairs of 1,000 candidates (median)", statistics.median(times), "s",
                   statistics.median(floors))
    _common.report("similarity all pairs of 1,000 candidates (slowest)", max(times), "s", max(floors))
    # the machine is shared: the least of three runs on one plan is the figure least disturbed
    plan = simulate_plan(PLANTED_SEEDS[0])
    _common.report("similarity all pairs of 1,000 candidates (seed 1, best of 3)",
                   _common.best_of(lambda: collusion_signal(plan.rows)), "s",
                   min(floor_seconds(plan.rows) for _ in range(3)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
