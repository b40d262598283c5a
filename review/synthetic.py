"""Synthetic answer logs with ground truth, for bench/bench_similarity.py and the unit tests.

The generator is written from a description of how candidates answer and cheat, not from the
detector: abilities N(0, 1); 1/3 true/false, 1/4 multiple-response and the rest single-choice
items of varied difficulty and discrimination whose distractors draw unequal shares (nominal
response model); response times lognormal per item and candidate (van der Linden 2006); each
candidate draws `paper` of the items in their own random order and starts within 90 s of the
exam start; 5% of answers are changed again in a final review. Honest look-alikes: trainees of
a few companies with close abilities who share a wrong belief on four items each.

Planted cases (candidates disjoint, none of them a company trainee):
  realtime      the copier takes 30% of the items shared with the source, a few seconds after
                the source answers them (delay lognormal, median 8 s)
  realtime_unknown  the same, but only the shared items the copier would have got wrong
  answers_only  30% of the shared items copied, at the copier's own pace (no timing signal)
  one_for_three one person answers three candidates' papers in turns, at their own pace
  shared_key    five candidates hold the key to 30% of the items, and answer those right
                and fast (median 5 s) wherever they are on their paper

`simulate_card_plan` is the answer-card (新取证(线下)) variant: the same candidates and items, but
a few printed paper versions, rooms and seats from the real seating rule
(answercards.seating.assign_seats: companies spread, versions going round the seats), and no
timing (a scanned card has none: answered_at 0). Its planted cases, all answers-only:
  card_answers_only        30% of the shared items copied from a candidate of the same version
                           anywhere in the plan (answers passed on): the online answers_only
                           case on a card layout
  card_neighbour           30% of the items copied from a seat neighbour (the nearest seat on
                           either side with the same version: answercards.seating.neighbour_pairs)
  card_neighbour_unknown   from such a neighbour, every item the copier would have got wrong
Its honest look-alikes: the company trainees as in simulate_plan, and (`colleagues_together`)
one more company of 20 trainees, sharing wrong beliefs the same way, seated side by side in
one room (a room seated by hand): neighbours whose answers look alike without copying.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

LETTERS = "ABCDE"


@dataclass
class SyntheticPlan:
    rows: list[tuple[str, str, str, int, float]]
    cases: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (kind, members)
    # answer-card plans: the seat neighbours (id, id) and each candidate's (room, seat, version)
    neighbours: list[tuple[str, str]] = field(default_factory=list)
    seats: dict = field(default_factory=dict)
    # simulate_plan: the generating model itself (for the oracle, copying_llr below)
    truth: Truth | None = None


@dataclass
class Truth:
    """What the generator knows and a detector does not: per candidate (in `ids` order) and item
    (0..m-1, `item_ids`), `P[i, j, k]` the true chance that candidate i, answering on their own,
    gives response k of item j (the nominal response model at their true ability, with their
    company's wrong belief and the final review's redraw mixed in); `drawn[i, j]` whether i has
    item j; `resp[i, j]` the response index given (-1 when not drawn)."""

    ids: list[str]
    item_ids: list[str]
    P: np.ndarray
    drawn: np.ndarray
    resp: np.ndarray


def _items(rng, n_items):
    n_tf = n_items // 3
    n_multi = n_items // 4
    kinds = ["tf"] * n_tf + ["multi"] * n_multi + ["single"] * (n_items - n_tf - n_multi)
    rng.shuffle(kinds)
    items = []
    for j, kind in enumerate(kinds):
        if kind == "tf":
            opts = list("AB")
        elif kind == "single":
            opts = list("ABCD")
        else:
            opts = []
            while len(opts) < 6:
                size = int(rng.integers(1, 5))
                combo = "".join(sorted(rng.choice(list(LETTERS), size=size, replace=False)))
                if combo not in opts:
                    opts.append(combo)
        correct = int(rng.integers(len(opts)))
        responses = [opts[correct]] + [o for k, o in enumerate(opts) if k != correct]
        shift = {"tf": -0.8, "single": -0.3, "multi": 0.3}[kind]
        items.append({
            "id": f"Q{j + 1:03d}",
            "kind": kind,
            "responses": responses,  # index 0 is the right answer
            "b": rng.normal(shift, 0.9),
            "a": 1.2 * rng.lognormal(0.0, 0.25),
            "w": rng.dirichlet(0.8 * np.ones(len(responses) - 1)),  # unequal distractors
            "s": rng.uniform(-0.6, 0.1, size=len(responses) - 1),
            "beta": np.log(35.0) + rng.normal(0, 0.35) + {"tf": -0.5, "single": 0.0, "multi": 0.3}[kind],
        })
    return items


def _logits(items, theta):
    kmax = max(len(it["responses"]) for it in items)
    z = np.full((theta.size, len(items), kmax), -np.inf)
    for j, it in enumerate(items):
        z[:, j, 0] = it["a"] * (theta - it["b"])
        z[:, j, 1:len(it["responses"])] = np.log(it["w"])[None, :] + np.outer(theta, it["s"])
    return z


def _sample(rng, z):
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    u = rng.random(p.shape[:-1])[..., None]
    return np.minimum((np.cumsum(p, axis=-1) < u).sum(axis=-1), p.shape[-1] - 1)


def simulate_plan(
    seed: int,
    *,
    n_candidates: int = 1000,
    n_items: int = 120,
    paper: int = 100,
    realtime: int = 6,
    realtime_unknown: int = 6,
    answers_only: int = 6,
    one_for_three: int = 2,
    shared_key: int = 2,
    companies: int = 3,
    trainees: int = 20,
) -> SyntheticPlan:
    rng = np.random.default_rng(seed)
    items = _items(rng, n_items)
    n, m = n_candidates, n_items
    theta = rng.normal(0.0, 1.0, n)
    speed = rng.normal(0.0, 0.3, n)
    ids = [f"C{seed:03d}{i:05d}" for i in range(n)]

    # papers: each candidate's items in their own order
    order = np.argsort(rng.random((n, m)), axis=1)[:, :paper]
    drawn = np.zeros((n, m), dtype=bool)
    np.put_along_axis(drawn, order, True, axis=1)

    # honest look-alikes: company trainees with close abilities and shared wrong beliefs
    pool = rng.permutation(n)
    taken = 0
    company_of = {}
    beliefs = []
    for c in range(companies):
        members = pool[taken:taken + trainees]
        taken += trainees
        theta[members] = rng.normal(rng.normal(0, 0.5), 0.6, members.size)
        wrong_items = rng.choice([j for j, it in enumerate(items) if it["kind"] != "tf"], size=4, replace=False)
        beliefs.append((members, {int(j): int(rng.integers(1, len(items[j]["responses"]))) for j in wrong_items}))
        for i in members:
            company_of[int(i)] = c

    z = _logits(items, theta)
    resp = _sample(rng, z)
    for members, belief in beliefs:
        for j, k in belief.items():
            hit = members[rng.random(members.size) < 0.7]
            resp[hit, j] = k
    # the true chances of an answer given on one's own: the model's, and for a company's
    # trainee on a belief item 70% the belief, both then redrawn from the model with the
    # final review's 5% (below): 0.95 (0.7 belief + 0.3 model) + 0.05 model
    P_true = np.exp(z - z.max(axis=-1, keepdims=True))
    P_true /= P_true.sum(axis=-1, keepdims=True)
    for members, belief in beliefs:
        for j, k in belief.items():
            mixed = (1.0 - 0.95 * 0.7) * P_true[members, j, :]
            mixed[:, k] += 0.95 * 0.7
            P_true[members, j, :] = mixed

    rt = np.exp(np.array([it["beta"] for it in items])[None, :] - speed[:, None] + rng.normal(0, 0.4, (n, m)))

    cases = []

    def take(k):
        nonlocal taken
        out = pool[taken:taken + k]
        taken += k
        if out.size < k:
            raise ValueError("too few candidates for the planted cases")
        return [int(x) for x in out]

    # one person answering three papers in turns; key holders: set before the times are summed
    trios = []
    for _ in range(one_for_three):
        trio = take(3)
        person_theta = rng.normal(0.0, 1.0)
        person_resp = _sample(rng, _logits(items, np.array([person_theta])))[0]
        resp[trio] = person_resp[None, :]
        trios.append(trio)
        cases.append(("one_for_three", tuple(ids[i] for i in trio)))
    keys = []
    for _ in range(shared_key):
        group = take(5)
        key = rng.choice(m, size=int(round(0.3 * m)), replace=False)
        for i in group:
            resp[i, key] = 0
            rt[i, key] = rng.lognormal(np.log(5.0), 0.4, key.size)
        keys.append(group)
        cases.append(("shared_key", tuple(ids[i] for i in group)))

    # times: cumulative over each candidate's own order, from their own start
    times = np.zeros((n, m))
    start = rng.uniform(0, 90, n)
    for i in range(n):
        seq = order[i]
        times[i, seq] = start[i] + np.cumsum(rt[i, seq])
    for trio in trios:
        person_speed = rng.normal(0.0, 0.3)
        clock = rng.uniform(0, 90)
        for k in range(paper):
            for i in trio:
                j = order[i, k]
                clock += np.exp(items[j]["beta"] - person_speed + rng.normal(0, 0.4)) / 2.5
                times[i, j] = clock
    # a final review: 5% of answers changed again near the end, by a second thought
    review = drawn & (rng.random((n, m)) < 0.05)
    trio_members = [i for t in trios for i in t]
    review[trio_members] = False
    ends = np.where(drawn, times, 0).max(axis=1)
    rr, jj = np.nonzero(review)
    times[rr, jj] = ends[rr] + rng.uniform(0, 300, rr.size)
    redraw = _sample(rng, z[rr, jj][:, None, :])[:, 0]
    resp[rr, jj] = redraw

    def copy(copier, source, chosen, realtime_copy):
        resp[copier, chosen] = resp[source, chosen]
        if realtime_copy:
            times[copier, chosen] = times[source, chosen] + rng.lognormal(np.log(8.0), 0.5, chosen.size)

    for _ in range(realtime):
        copier, source = take(2)
        shared = np.flatnonzero(drawn[copier] & drawn[source])
        chosen = rng.choice(shared, size=int(round(0.3 * shared.size)), replace=False)
        copy(copier, source, chosen, True)
        cases.append(("realtime", (ids[copier], ids[source])))
    for _ in range(realtime_unknown):
        copier, source = take(2)
        shared = np.flatnonzero(drawn[copier] & drawn[source])
        chosen = shared[resp[copier, shared] != 0]  # what the copier would have got wrong
        copy(copier, source, chosen, True)
        cases.append(("realtime_unknown", (ids[copier], ids[source])))
    for _ in range(answers_only):
        copier, source = take(2)
        shared = np.flatnonzero(drawn[copier] & drawn[source])
        chosen = rng.choice(shared, size=int(round(0.3 * shared.size)), replace=False)
        copy(copier, source, chosen, False)
        cases.append(("answers_only", (ids[copier], ids[source])))

    rows = []
    rr, jj = np.nonzero(drawn)
    for i, j in zip(rr.tolist(), jj.tolist(), strict=True):
        it = items[j]
        k = int(resp[i, j])
        rows.append((ids[i], it["id"], it["responses"][k], 1 if k == 0 else 0, round(float(times[i, j]), 1)))
    truth = Truth(ids=ids, item_ids=[it["id"] for it in items], P=P_true, drawn=drawn,
                  resp=np.where(drawn, resp, -1))
    return SyntheticPlan(rows=rows, cases=cases, truth=truth)


def copying_llr(truth: Truth, share: float = 0.3, pairs=None):
    """The oracle: the log-likelihood ratio of the Neyman–Pearson test of "a copied a share
    `share` of the items shared with b, each independently, and answered the rest on their own"
    against "both answered on their own", with the true chances `truth.P` (the generator's
    model; a detector has to estimate them).

    b's answers have the same chance under both, so per shared item, with p = P_a(b's response):
    the same response: ln((share + (1 - share) p) / p); a different one: ln(1 - share). Summed:
    llr[a, b] (a the copier). Neither direction is known, so the pair's statistic is the log of
    the two ratios' mean (the most powerful test against "one of the two copied, either with
    chance 1/2"; its ratio has mean 1 under the null, so P(stat >= ln t) <= 1/t, Markov).

    `pairs` None: every pair, returned as (directed [n, n] matrix, pair statistic [n, n]),
    by two matrix products over one-hot answers. Otherwise a list of (a, b) index pairs:
    (directed llr a-copies-b, pair statistic), arrays over the pairs."""
    n, m, kmax = truth.P.shape
    g = float(share)
    drawn = truth.drawn
    rr, jj = np.nonzero(drawn)
    Y = np.zeros((n, m * kmax))
    Y[rr, jj * kmax + truth.resp[rr, jj]] = 1.0
    with np.errstate(divide="ignore"):
        W = np.where(truth.P > 0, np.log1p(g / ((1.0 - g) * np.where(truth.P > 0, truth.P, 1.0))), 0.0)
    W = W.reshape(n, m * kmax)
    Af = drawn.astype(np.float64)
    if pairs is None:
        directed = (Y * W) @ Y.T + np.log1p(-g) * (Af @ Af.T)
        stat = np.logaddexp(directed, directed.T) - np.log(2.0)
        return directed, stat
    a = np.array([p[0] for p in pairs], dtype=np.int64)
    b = np.array([p[1] for p in pairs], dtype=np.int64)
    ab = ((Y[a] * W[a]) * Y[b]).sum(axis=1) + np.log1p(-g) * (Af[a] * Af[b]).sum(axis=1)
    ba = ((Y[b] * W[b]) * Y[a]).sum(axis=1) + np.log1p(-g) * (Af[a] * Af[b]).sum(axis=1)
    return ab, np.logaddexp(ab, ba) - np.log(2.0)


def expected_copying_llr(truth: Truth, copier: int, source: int, share: float = 0.3) -> float:
    """The mean of copying_llr's directed statistic when `copier` did copy `share` of the items
    shared with `source`, given the source's answers: per shared item, with p = P_copier(source's
    response) and q = share + (1 - share) p the chance of the same response,
    q ln(q / p) + (1 - q) ln(1 - share)."""
    g = float(share)
    shared = np.flatnonzero(truth.drawn[copier] & truth.drawn[source])
    p = truth.P[copier, shared, truth.resp[source, shared]]
    q = g + (1.0 - g) * p
    return float(np.sum(q * np.log(q / p) + (1.0 - q) * np.log1p(-g)))


# ---------------------------------------------------------------------------------------------
# answers on real papers (the demo's ended plan and the review tests)


@dataclass
class SimulatedItem:
    """One question as the simulation needs it: its kind ("tf", "single", "multi") and the
    canonical answers a candidate may give, the right one first."""

    kind: str
    responses: list[str]


@dataclass
class SimulatedAnswers:
    # per candidate, per position of their paper (0-based): (response letters, "" when not
    # answered, seconds from start)
    answers: list[list[tuple[str, float]]]
    cases: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)  # (kind, candidate indexes)


def simulate_on_papers(
    seed: int,
    items: dict,
    papers: list[list],
    *,
    realtime_pairs: int = 1,
    copy_share: float = 0.6,
    fast: int = 1,
    limit_seconds: float | None = None,
) -> SimulatedAnswers:
    """The same generative model as simulate_plan (nominal response model, lognormal times,
    own start within 90 s), on papers already drawn: `items` {key: SimulatedItem}, `papers` per
    candidate the item keys in display order. Planted, on candidates picked at random:
    `realtime_pairs` copiers taking `copy_share` of the items they share with their source a few
    seconds after the source answered them (lognormal, median 8 s), and `fast` candidates who
    click through every question in about a second, guessing. A question reached after
    `limit_seconds` (the exam's length) stays unanswered: its response is ""."""
    rng = np.random.default_rng(seed)
    keys = list(items)
    specs = []
    for key in keys:
        item = items[key]
        k = len(item.responses)
        shift = {"tf": -0.8, "single": -0.3, "multi": 0.3}[item.kind]
        specs.append({"responses": item.responses, "b": rng.normal(shift, 0.9), "a": 1.2 * rng.lognormal(0.0, 0.25),
                      "w": rng.dirichlet(0.8 * np.ones(max(k - 1, 1)))[:k - 1],
                      "s": rng.uniform(-0.6, 0.1, size=k - 1),
                      "beta": np.log(30.0) + rng.normal(0, 0.35) + {"tf": -0.5, "single": 0.0, "multi": 0.3}[item.kind]})
    index = {key: j for j, key in enumerate(keys)}
    n = len(papers)
    theta = rng.normal(0.0, 1.0, n)
    speed = rng.normal(0.0, 0.3, n)
    resp = _sample(rng, _logits(specs, theta)) if n else np.zeros((0, len(keys)), dtype=int)
    order = rng.permutation(n)
    taken = 0
    cases: list[tuple[str, tuple[int, ...]]] = []
    pairs = []
    for _ in range(realtime_pairs):
        if taken + 2 > n:
            break
        copier, source = int(order[taken]), int(order[taken + 1])
        taken += 2
        pairs.append((copier, source))
        cases.append(("realtime", (copier, source)))
    fasts = []
    for _ in range(fast):
        if taken + 1 > n:
            break
        fasts.append(int(order[taken]))
        taken += 1
        cases.append(("fast", (fasts[-1],)))

    answers: list[list[tuple[str, float]]] = []
    times: list[dict] = []
    for i, paper in enumerate(papers):
        clock = rng.uniform(0, 90)
        row, when = [], {}
        for key in paper:
            j = index[key]
            spec = specs[j]
            if i in fasts:
                clock += rng.lognormal(np.log(1.0), 0.3)
                k = int(rng.integers(len(spec["responses"])))
            else:
                clock += float(np.exp(spec["beta"] - speed[i] + rng.normal(0, 0.4)))
                k = int(resp[i, j])
            row.append([spec["responses"][k], clock])
            when[key] = clock
        answers.append(row)
        times.append(when)
    for copier, source in pairs:
        shared = [p for p, key in enumerate(papers[copier]) if key in times[source]]
        chosen = rng.choice(shared, size=int(round(copy_share * len(shared))), replace=False) if shared else []
        source_answer = {key: answers[source][p][0] for p, key in enumerate(papers[source])}
        for p in chosen:
            key = papers[copier][int(p)]
            answers[copier][int(p)] = [source_answer[key], times[source][key] + float(rng.lognormal(np.log(8.0), 0.5))]
    out = []
    for row in answers:
        # a question the candidate had not reached when the time ran out stays unanswered ("")
        out.append([(letters if not limit_seconds or t <= limit_seconds - 5 else "", round(t, 1))
                    for letters, t in row])
    return SimulatedAnswers(answers=out, cases=cases)


# ---------------------------------------------------------------------------------------------
# answer-card plans: rooms, seats and paper versions, no timing


def _beliefs(rng, items, theta, members):
    """A company's shared wrong beliefs: close abilities, one wrong option on four items."""
    theta[members] = rng.normal(rng.normal(0, 0.5), 0.6, members.size)
    wrong_items = rng.choice([j for j, it in enumerate(items) if it["kind"] != "tf"], size=4, replace=False)
    return members, {int(j): int(rng.integers(1, len(items[j]["responses"]))) for j in wrong_items}


def simulate_card_plan(
    seed: int,
    *,
    n_candidates: int = 1000,
    n_items: int = 120,
    paper: int = 100,
    versions: int = 2,
    room_size: int = 30,
    card_answers_only: int = 6,
    card_neighbour: int = 6,
    card_neighbour_unknown: int = 6,
    companies: int = 3,
    trainees: int = 20,
    colleagues_together: bool = True,
) -> SyntheticPlan:
    """An answer-card plan (see the module's docstring). `SyntheticPlan.neighbours` holds the
    seat neighbours (answercards.seating.neighbour_pairs) by candidate id, as the violation check
    gets them for a real plan."""
    from answercards.seating import SeatInput, assign_seats, neighbour_pairs

    rng = np.random.default_rng(seed)
    items = _items(rng, n_items)
    n, m = n_candidates, n_items
    theta = rng.normal(0.0, 1.0, n)
    ids = [f"K{seed:03d}{i:05d}" for i in range(n)]
    letters = "ABCDEF"[:versions]
    version_items = {v: np.sort(rng.choice(m, size=paper, replace=False)) for v in letters}

    pool = rng.permutation(n)
    taken = 0
    beliefs = []
    company = {}
    for c in range(companies + (1 if colleagues_together else 0)):
        members = pool[taken:taken + trainees]
        taken += trainees
        beliefs.append(_beliefs(rng, items, theta, members))
        for i in members:
            company[int(i)] = f"trainees:{c}"
    trainee = set(company)
    # everyone else: small companies of 1-6 people
    rest = [int(i) for i in pool[taken:]]
    k = 0
    while k < len(rest):
        size = int(rng.integers(1, 7))
        for i in rest[k:k + size]:
            company[i] = f"company:{k}"
        k += size
    seats = assign_seats([SeatInput(i, ids[i], company[i]) for i in range(n)], room_size=room_size, versions=letters)
    place = {s.registration_id: (s.room, s.seat) for s in seats}
    if colleagues_together:
        # the last company sits side by side in room 1, seats 1..trainees (swapped with whoever sat there)
        at = {(s.room, s.seat): s.registration_id for s in seats}
        for k, i in enumerate(beliefs[-1][0].tolist()):
            target = (1, k + 1)
            other = at[target]
            place[i], place[other] = target, place[i]
            at[place[i]], at[place[other]] = i, other
    version = {i: letters[(seat - 1) % len(letters)] for i, (_room, seat) in place.items()}
    drawn = np.zeros((n, m), dtype=bool)
    for i in range(n):
        drawn[i, version_items[version[i]]] = True

    resp = _sample(rng, _logits(items, theta))
    for members, belief in beliefs:
        for j, b in belief.items():
            hit = members[rng.random(members.size) < 0.7]
            resp[hit, j] = b

    version = {i: letters[(seat - 1) % len(letters)] for i, (_room, seat) in place.items()}
    neighbours = neighbour_pairs([(i, *place[i], version[i]) for i in range(n)])
    near = {}
    for a, b in neighbours:
        near.setdefault(a, []).append(b)
        near.setdefault(b, []).append(a)
    used = set(trainee)
    cases = []

    def pick_pair(neighbour):
        for copier in rng.permutation(n).tolist():
            if copier in used:
                continue
            if neighbour:
                options = [s for s in near.get(copier, []) if s not in used and version[s] == version[copier]]
            else:
                options = [s for s in rng.choice(n, size=50, replace=False).tolist()
                           if s not in used and s != copier and version[s] == version[copier]
                           and s not in near.get(copier, [])]
            if options:
                source = options[int(rng.integers(len(options)))]
                used.update((copier, source))
                return copier, source
        raise ValueError("too few candidates for the planted cases")

    for kind, count, neighbour in (("card_answers_only", card_answers_only, False),
                                   ("card_neighbour", card_neighbour, True),
                                   ("card_neighbour_unknown", card_neighbour_unknown, True)):
        for _ in range(count):
            copier, source = pick_pair(neighbour)
            shared = np.flatnonzero(drawn[copier] & drawn[source])
            if kind == "card_neighbour_unknown":
                chosen = shared[resp[copier, shared] != 0]
            else:
                chosen = rng.choice(shared, size=int(round(0.3 * shared.size)), replace=False)
            resp[copier, chosen] = resp[source, chosen]
            cases.append((kind, (ids[copier], ids[source])))

    rows = []
    rr, jj = np.nonzero(drawn)
    for i, j in zip(rr.tolist(), jj.tolist(), strict=True):
        it = items[j]
        k = int(resp[i, j])
        rows.append((ids[i], it["id"], it["responses"][k], 1 if k == 0 else 0, 0.0))
    return SyntheticPlan(rows=rows, cases=cases, neighbours=[(ids[a], ids[b]) for a, b in neighbours],
                         seats={ids[i]: (*place[i], version[i]) for i in range(n)})


def copying_llr_exact(truth: Truth, a, b, share: float = 0.3, chunk: int = 20000):
    """copying_llr's oracle for the generator exactly as it copies: K = round(share × S) of the
    S items shared, chosen at random without replacement (simulate_plan's answers_only), not
    each item independently. Given the copied set T, the copier's answers on T are the
    source's and the rest their own, so the likelihood ratio is the mean over the C(S, K) sets
    of Π_{j in T} [same response] / p_j = e_K(x) / C(S, K), e_K the K-th elementary symmetric
    polynomial of x_j = [same response on j] / P_a(b's response on j) (zero, -inf in nats,
    when fewer than K responses are the same). Per pair (index arrays a, b): the directed
    statistics (a copies b, b copies a) and the pair statistic, the log of their mean, in nats.
    """
    from scipy.special import gammaln

    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    m = truth.drawn.shape[1]
    cols = np.arange(m)
    out = []
    for copier, source in ((a, b), (b, a)):
        llr = np.empty(a.size)
        for start in range(0, a.size, chunk):
            c, s = copier[start:start + chunk], source[start:start + chunk]
            shared = truth.drawn[c] & truth.drawn[s]
            rs = np.where(shared, truth.resp[s], 0)
            same = shared & (truth.resp[c] == truth.resp[s])
            p = truth.P[c[:, None], cols[None, :], rs]
            x = np.where(same, 1.0 / np.where(same, p, 1.0), 0.0)
            S = shared.sum(axis=1)
            K = np.rint(share * S).astype(np.int64)
            kmax = int(K.max()) if K.size else 0
            e = np.zeros((c.size, kmax + 1))
            e[:, 0] = 1.0
            log_scale = np.zeros(c.size)
            for j in range(m):
                xj = x[:, j]
                if not xj.any():
                    continue
                e[:, 1:] += xj[:, None] * e[:, :-1].copy()
                top = e.max(axis=1)
                e /= top[:, None]
                log_scale += np.log(top)
            eK = e[np.arange(c.size), K]
            with np.errstate(divide="ignore"):
                llr[start:start + chunk] = (np.log(eK) + log_scale
                                            - (gammaln(S + 1) - gammaln(K + 1) - gammaln(S - K + 1)))
        out.append(llr)
    ab, ba = out
    return ab, ba, np.logaddexp(ab, ba) - np.log(2.0)
