"""The collusion signal over one plan's answer log: `collusion_signal(rows)`.

Pure: plain data in (rows `(candidate, item, option, correct, answered_at)`), plain data out
(JSON-ready dict); no ORM, no I/Opt. The method, its assumptions and references are in
docs/similarity.md; in short, for every pair of candidates (a, b) it computes eight tail
probabilities, each an exact Poisson-binomial tail under a null model in which a and b answer
independently given their own ability and their own pace:

  omega_ab / omega_ba  Wollack's ω in its exact form: the number of identical answers, each
                       shared item a Bernoulli with P(a chooses b's option | a's ability)
  gbt                  the generalized binomial test: the same count, P = Σ_k P_a(k) P_b(k)
  wrong_ab / wrong_ba  identical wrong answers, P(a chooses b's wrong option | a's ability)
  follow_ab / follow_ba  a gave b's answer within `follow_window` seconds after b, the chance
                       of that being P(a chooses b's option) × the share of a's OWN answer times
                       that fall in that window (a's paper order is shuffled, so under the null
                       a's answer to the item lands on any of a's answer times)
  fast_correct         both answered the item right and much faster than their own pace on it
                       predicts, the chance of each P(fast) × P(right), P(fast) from a two-way
                       (candidate × item) model of fast answers

Option probabilities come from the plan itself: per item, on the normal score of the rest score
(share right on the candidate's other items), a local logistic kernel fit for P(right) and
kernel shares among the right / wrong options, leaving the candidate's own answer out.

The pair's p-value is min(1, K × smallest tail) (Bonferroni over the K statistics that can
speak: 8, or 5 without timing, as on an answer card); a pair is flagged when p × (number of
pairs) ≤ alpha (Bonferroni over all pairs of the plan: the family-wise error is at most alpha).
With prior pairs (seat neighbours of an answer-card room, known before the answers) alpha is
split: all pairs at alpha (1 - s), the prior pairs' ω at alpha s over their own number
(weighted Bonferroni; the error is still at most alpha). q-values (Benjamini–Hochberg over all
pairs) rank. Speed: all-pairs means and
counts by matrix products; flags always from exact tails (convolution, vectorised over pairs),
computed for every pair that could pass: a lower bound rules pairs out for the timing tails,
Chernoff / Hoeffding upper bounds within a wide margin of the cut pick the rest.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.special import ndtri

STATS = ("omega_ab", "omega_ba", "gbt", "wrong_ab", "wrong_ba", "follow_ab", "follow_ba", "fast_correct")
KIND = {
    "omega_ab": "answer_agreement",
    "omega_ba": "answer_agreement",
    "gbt": "answer_agreement_gbt",
    "wrong_ab": "identical_wrong",
    "wrong_ba": "identical_wrong",
    "follow_ab": "timing_follow",
    "follow_ba": "timing_follow",
    "fast_correct": "shared_fast_correct",
}
# the statistics that need answer times (an answer card has none: they are left out of the count)
TIMING_STATS = ("follow_ab", "follow_ba", "fast_correct")
# the statistics tested in the prior family (seat neighbours, …): Wollack's ω, both directions
PRIOR_STATS = ("omega_ab", "omega_ba")
# which pairs get exact tails: Chernoff bounds within EXACT_MARGIN of the cut, Hoeffding
# bounds within KL_MARGIN; every other pair keeps its upper bound as a conservative p-value
EXACT_MARGIN = 1e3
KL_MARGIN = 1e4
CHERNOFF_STEPS = (0.4, 0.9, 1.7, 3.0, 5.5)
NEIGHBOURS = 40


def collusion_signal(
    rows: Iterable[Sequence],
    *,
    alpha: float = 0.05,
    follow_window: float = 30.0,
    fast_z: float = 2.0,
    prior_weight: float = 2.0,
    bandwidth: float | None = None,
    q_level: float = 0.05,
    max_ranked: int = 200,
    prior_pairs: Iterable[Sequence] | None = None,
    prior_share: float = 0.5,
    timing: bool | None = None,
) -> dict:
    """The collusion signal for one plan's answer log.

    rows: (candidate, item, option, correct, answered_at) with option the canonical option
    letters ("A", "BD"), correct 1/0, answered_at seconds from the exam start to the last change
    of that answer; one row per candidate and item answered (a later duplicate is an error).
    prior_pairs: pairs of candidate ids where copying is likelier beforehand (seat neighbours of an
    answer-card room, …), chosen without looking at the answers: they form a second family,
    tested on Wollack's ω (both directions) with `prior_share` of alpha (weighted Bonferroni: all
    pairs keep 1 - prior_share; the family-wise error stays at most alpha). Ids not in the rows
    are ignored. timing: whether answered_at means anything (None: when it varies); without it
    the timing statistics are not counted.
    Returns {"candidates", "items", "pairs", "alpha", "bonferroni_cut", "flagged_pairs",
    "groups", "ranked_pairs", "parameters", …}; see docs/similarity.md."""
    data = _index(rows)
    n, m = data["A"].shape
    n_pairs = n * (n - 1) // 2
    if timing is None:
        times = data["T"][data["A"]]
        timing = bool(times.size) and float(times.max() - times.min()) > 0
    active = [s for s in STATS if timing or s not in TIMING_STATS]
    prior = _prior_index(data["candidates"], prior_pairs or (), n)
    if not 0 <= prior_share < 1:
        raise ValueError("prior_share must be in [0, 1)")
    share = prior_share if prior.size else 0.0
    if not share:
        prior = prior[:0]
    result = {
        "candidates": n,
        "items": m,
        "pairs": n_pairs,
        "alpha": alpha,
        "tests_per_pair": len(active),
        "statistics": active,
        "timing": timing,
        "bonferroni_cut": None,
        "prior_pairs": int(prior.size),
        "prior_share": share,
        "prior_cut": None,
        "flagged_pairs": [],
        "groups": [],
        "ranked_pairs": [],
        "exact_pairs": 0,
        "parameters": {"follow_window": follow_window, "fast_z": fast_z,
                       "prior_weight": prior_weight, "bandwidth": bandwidth, "q_level": q_level},
    }
    if n < 2 or m == 0:
        return result
    k_tests = len(active)
    cut = alpha * (1.0 - share) / (n_pairs * k_tests)
    result["bonferroni_cut"] = cut
    prior_cut = alpha * share / (prior.size * len(PRIOR_STATS)) if prior.size else 0.0
    result["prior_cut"] = prior_cut if prior.size else None
    is_prior = np.zeros(n_pairs, dtype=bool)
    is_prior[prior] = True
    act = np.array([name in active for name in STATS])
    cpy = np.array([name in PRIOR_STATS for name in STATS])

    P = _option_curves(data, prior_weight=prior_weight, bandwidth=bandwidth)
    pace = _own_pace(data, follow_window)
    fast, pfast = _fast_correct(data, fast_z, P)
    if not timing:
        fast = np.zeros_like(fast)
    counts, means, shared, upper, lower = _all_pairs(data, P, pace, fast, pfast, follow_window, timing)

    # Upper bounds on every tail for every pair (conservative p-values where no exact tail is
    # computed): Chernoff with the true generating function for ω and identical wrong answers,
    # Hoeffding (1963, Thm 1: any sum of independent Bernoullis with that mean over that many
    # trials) for the others.
    iu, ju = np.triu_indices(n, k=1)
    nsh = shared[iu, ju]
    bounds = np.ones((len(STATS), iu.size))
    for s, name in enumerate(STATS):
        if name not in active:
            continue
        kl = _kl_bound(counts[name][iu, ju], means[name][iu, ju], nsh)
        bounds[s] = np.minimum(kl, np.exp(upper[name][iu, ju])) if name in upper else kl
    pvals = np.minimum(1.0, k_tests * bounds[act].min(axis=0))

    # exact tails for every pair that could pass: the follow tails whose lower bound is at or
    # below the cut, and the pairs whose other bounds come within a margin of it (the
    # Chernoff bound is within a small factor of the tail; Bahadur & Rao 1960); in the prior
    # family, ω's bound within the margin of that family's cut
    log_cut = math.log(cut)
    screen = np.zeros(iu.size, dtype=bool)
    if timing:
        for name in ("follow_ab", "follow_ba"):
            screen |= (counts[name][iu, ju] > 0) & (lower[name][iu, ju] <= log_cut)
    for s, name in enumerate(STATS):
        if name not in active:
            continue
        if name in upper:
            screen |= bounds[s] <= cut * EXACT_MARGIN
        elif name not in lower:
            screen |= bounds[s] <= cut * KL_MARGIN
    if prior.size:
        screen |= is_prior & (bounds[cpy].min(axis=0) <= prior_cut * EXACT_MARGIN)
    cand = np.flatnonzero(screen)
    exact = {}
    if cand.size:
        tails, evidence = _exact_tails(data, P, pace, fast, pfast, follow_window, iu[cand], ju[cand])
        tails[~act] = 1.0
        pvals[cand] = np.minimum(1.0, k_tests * tails[act].min(axis=0))
        for k, c in enumerate(cand):
            exact[int(c)] = (tails[:, k], {key: val[k] for key, val in evidence.items()})
    result["exact_pairs"] = int(cand.size)

    qvals = _bh(pvals)
    ids = data["candidates"]
    family = _Family(n_pairs=n_pairs, k_tests=k_tests, share=share, n_prior=int(prior.size), cut=cut,
                     prior_cut=prior_cut, is_prior=is_prior, act=act, cpy=cpy)
    flagged_idx = [c for c in exact if family.passes(c, exact[c][0])]
    flagged_idx.sort(key=lambda c: (family.p_family(c, exact[c][0]), pvals[c], c))
    flagged = [_pair_entry(ids, iu[c], ju[c], pvals[c], qvals[c], family, c, *exact[c]) for c in flagged_idx]
    result["flagged_pairs"] = flagged

    ranked_idx = np.flatnonzero(qvals <= q_level)
    ranked_idx = ranked_idx[np.argsort(qvals[ranked_idx], kind="stable")]
    flagged_set = set(flagged_idx)
    ranked = []
    for c in ranked_idx:
        c = int(c)
        if c in flagged_set or c not in exact:
            continue
        ranked.append(_pair_entry(ids, iu[c], ju[c], pvals[c], qvals[c], family, c, *exact[c]))
        if len(ranked) >= max_ranked:
            break
    result["ranked_pairs"] = ranked
    result["groups"] = _groups(ids, [(iu[c], ju[c]) for c in flagged_idx], n)
    return result


class _Family:
    """The two families of a weighted Bonferroni: every pair, its K statistics at
    alpha (1 - share) / (pairs K); the prior pairs, ω (both directions) at
    alpha share / (prior pairs 2). A pair is flagged when it passes either; the family-wise
    error is at most the sum, alpha."""

    def __init__(self, *, n_pairs, k_tests, share, n_prior, cut, prior_cut, is_prior, act, cpy):
        self.n_pairs, self.k_tests, self.share, self.n_prior = n_pairs, k_tests, share, n_prior
        self.cut, self.prior_cut, self.is_prior, self.act, self.cpy = cut, prior_cut, is_prior, act, cpy

    def passes_all(self, tails) -> bool:
        return bool(tails[self.act].min() <= self.cut)

    def passes_prior(self, c, tails) -> bool:
        return bool(self.share > 0 and self.is_prior[c] and tails[self.cpy].min() <= self.prior_cut)

    def passes(self, c, tails) -> bool:
        return self.passes_all(tails) or self.passes_prior(c, tails)

    def p_family(self, c, tails) -> float:
        """The smallest alpha at which the pair would be flagged."""
        p = tails[self.act].min() * self.k_tests * self.n_pairs / (1.0 - self.share)
        if self.share > 0 and self.is_prior[c]:
            p = min(p, tails[self.cpy].min() * len(PRIOR_STATS) * self.n_prior / self.share)
        return float(min(1.0, p))


def _prior_index(ids, pairs, n):
    """Indexes (into the upper-triangle pair order of np.triu_indices(n, 1)) of the prior pairs
    whose two candidates are in the plan, each once."""
    where = {c: k for k, c in enumerate(ids)}
    out = set()
    for pair in pairs:
        a, b = (where.get(x) for x in pair)
        if a is None or b is None or a == b:
            continue
        i, j = (a, b) if a < b else (b, a)
        out.add(i * n - i * (i + 1) // 2 + (j - i - 1))
    return np.array(sorted(out), dtype=np.int64)


# ---------------------------------------------------------------------------------------------
# input


def _index(rows):
    rows = list(rows)
    if not rows:
        return {"candidates": [], "items": [], "A": np.zeros((0, 0), dtype=bool), "O": np.zeros((0, 0), dtype=np.int64),
                "C": np.zeros((0, 0), dtype=np.int8), "T": np.zeros((0, 0)), "col_item": np.zeros(0, dtype=np.int64),
                "item_start": np.zeros(1, dtype=np.int64), "L": 0, "col_right": np.zeros(0, dtype=bool)}
    cand, item, opt, cor, tim = zip(*rows, strict=True)
    cand_ids, ci = _codes(cand)
    item_ids, ii = _codes(item)
    opt_ids, oi = _codes(opt)
    n, m = len(cand_ids), len(item_ids)
    key = ci * m + ii
    uniq, first, counts = np.unique(key, return_index=True, return_counts=True)
    if (counts > 1).any():
        dup = int(uniq[np.argmax(counts > 1)])
        raise ValueError(f"考生 {cand_ids[dup // m]} 的题目 {item_ids[dup % m]} 出现了两次")
    # option columns: one per (item, option string) seen, grouped by item
    pair_key = ii * len(opt_ids) + oi
    col_keys, cols = np.unique(pair_key, return_inverse=True)
    col_item = col_keys // len(opt_ids)
    A = np.zeros((n, m), dtype=bool)
    Opt = np.full((n, m), -1, dtype=np.int64)
    C = np.zeros((n, m), dtype=np.int8)
    T = np.zeros((n, m), dtype=np.float64)
    A[ci, ii] = True
    Opt[ci, ii] = cols
    C[ci, ii] = (np.asarray(cor, dtype=np.float64) != 0).astype(np.int8)
    T[ci, ii] = np.asarray(tim, dtype=np.float64)
    starts = np.searchsorted(col_item, np.arange(m + 1))
    # a column is a right answer when any row with it says correct = 1
    col_right = np.zeros(col_keys.size, dtype=bool)
    col_right[cols[C[ci, ii] == 1]] = True
    return {"candidates": cand_ids, "items": item_ids, "A": A, "O": Opt, "C": C, "T": T,
            "col_item": col_item, "item_start": starts, "L": int(col_keys.size), "col_right": col_right}


def _codes(values):
    """Distinct values sorted by their text, and each value's code."""
    index = {v: k for k, v in enumerate(dict.fromkeys(values))}
    codes = np.fromiter(map(index.__getitem__, values), dtype=np.int64, count=len(values))
    ids = sorted(index, key=str)
    remap = np.empty(len(ids), dtype=np.int64)
    for new, v in enumerate(ids):
        remap[index[v]] = new
    return ids, remap[codes]


# ---------------------------------------------------------------------------------------------
# null model pieces


def _option_curves(data, *, prior_weight, bandwidth):
    """P[i, col]: the probability that candidate i chooses that option of its item given i's
    rest score (0 where i did not answer the item). Per item, on the normal score z of the rest
    score (share right on the candidate's other items):
      P(right | z)  a local logistic regression (Gaussian kernel), which keeps its shape at the
                    ends of the scale where a plain kernel average is pulled to the middle;
      P(option | right or wrong, z)  a kernel average among those who answered right / wrong;
    both leave the candidate's own answer out."""
    A, Opt, C = data["A"], data["O"], data["C"]
    n, m = A.shape
    L = data["L"]
    starts = data["item_start"]
    n_ans = A.sum(axis=1)
    score = C.sum(axis=1).astype(np.float64)
    col_right = data["col_right"]
    P = np.zeros((n, L))
    for j in range(m):
        R = np.flatnonzero(A[:, j])
        nj = R.size
        k0, k1 = starts[j], starts[j + 1]
        K = k1 - k0
        if nj == 0:
            continue
        onehot = np.zeros((nj, K))
        onehot[np.arange(nj), Opt[R, j] - k0] = 1.0
        freq = (onehot.sum(axis=0) + 0.5) / (nj + 0.5 * K)
        if nj < 3:
            P[R, k0:k1] = freq
            continue
        right = col_right[k0:k1]
        rest = np.where(n_ans[R] > 1, (score[R] - C[R, j]) / np.maximum(n_ans[R] - 1, 1), 0.5)
        z = _normal_scores(rest)
        h = bandwidth if bandwidth else 1.1 * nj ** -0.2
        u, inv, cnt = np.unique(z, return_inverse=True, return_counts=True)
        # adaptive width: at least NEIGHBOURS answers within one width of every fit point,
        # so that the ends of the scale are not left to the prior
        dist = np.abs(u[None, :] - u[:, None])
        srt = np.argsort(dist, axis=1)
        cum = np.cumsum(cnt[srt], axis=1)
        kth = np.argmax(cum >= min(NEIGHBOURS, nj), axis=1)
        hk = np.maximum(h, np.take_along_axis(dist, srt, axis=1)[np.arange(u.size), kth])
        W = np.exp(-0.5 * (dist / hk[:, None]) ** 2)  # [fit point, score]
        own_right = C[R, j].astype(np.float64)
        if right.any() and not right.all():
            hits = np.bincount(inv, weights=own_right, minlength=u.size)
            p_right = _local_logistic(u, cnt, hits, W, prior_weight)  # [u, own answer wrong/right]
            pr = p_right[inv, C[R, j].astype(np.int64)]
        else:
            pr = np.full(nj, 1.0 if right.all() else 0.0)
        # shares within the right and the wrong options, kernel average, own answer left out
        by_score = np.zeros((u.size, K))
        np.add.at(by_score, inv, onehot)
        share = (W @ by_score)[inv] - onehot
        est = np.zeros((nj, K))
        for group, mass in ((right, pr), (~right, 1.0 - pr)):
            if not group.any():
                continue
            g = share[:, group] + prior_weight * freq[group][None, :]
            est[:, group] = mass[:, None] * g / g.sum(axis=1, keepdims=True)
        est = np.maximum(est, 1e-6)
        P[R, k0:k1] = est / est.sum(axis=1, keepdims=True)
    return P


def _local_logistic(u, cnt, hits, W, prior_weight, iterations=12):
    """P(right) at each distinct score u, for a candidate whose own answer was wrong (column 0)
    or right (column 1), that answer left out: a kernel-weighted logistic regression on
    (z - u), Newton steps, with `prior_weight` pseudo-answers at the item's overall rate."""
    rate = (hits.sum() + 0.5) / (cnt.sum() + 1.0)
    D = (u[None, :] - u[:, None])[None, :, :]
    idx = np.arange(u.size)
    wt = np.repeat((W * cnt[None, :])[None], 2, axis=0)
    ys = np.repeat((W * hits[None, :])[None], 2, axis=0)
    wt[:, idx, idx] -= 1.0
    ys[1, idx, idx] -= 1.0
    a = np.full((2, u.size, 1), np.log(rate / (1 - rate)))
    b = np.zeros((2, u.size, 1))
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(a + b * D, -30, 30)))
        p0 = 1.0 / (1.0 + np.exp(-np.clip(a[..., 0], -30, 30)))
        r = ys - wt * p
        v = wt * p * (1 - p)
        vd = v * D
        g0 = r.sum(axis=2) + prior_weight * (rate - p0)
        g1 = (r * D).sum(axis=2) - 1e-2 * b[..., 0]
        h00 = v.sum(axis=2) + prior_weight * p0 * (1 - p0) + 1e-9
        h01 = vd.sum(axis=2)
        h11 = (vd * D).sum(axis=2) + 1e-2
        det = h00 * h11 - h01 * h01
        # damped Newton: steps of at most 2 on the logit scale keep it from oscillating
        a = np.clip(a + np.clip((h11 * g0 - h01 * g1) / det, -2.0, 2.0)[..., None], -15.0, 15.0)
        b = np.clip(b + np.clip((h00 * g1 - h01 * g0) / det, -2.0, 2.0)[..., None], -15.0, 15.0)
    return (1.0 / (1.0 + np.exp(-np.clip(a[..., 0], -30, 30)))).T


def _normal_scores(x):
    order = np.argsort(x, kind="stable")
    ranks = np.empty(x.size)
    xs = x[order]
    # average ranks for ties
    _, first, counts = np.unique(xs, return_index=True, return_counts=True)
    avg = first + (counts - 1) / 2.0 + 1.0
    ranks[order] = np.repeat(avg, counts)
    return ndtri((ranks - 0.5) / x.size)


def _own_pace(data, window):
    """Each candidate's answer times sorted (padded past every window) and the largest share of
    them that any window of `window` seconds holds (an upper bound on the timing chance)."""
    A, T = data["A"], data["T"]
    n = A.shape[0]
    tmax = float(T[A].max()) if A.any() else 0.0
    pad = tmax + 2 * window + 1.0
    ts = np.sort(np.where(A, T, pad), axis=1)
    n_ans = np.maximum(A.sum(axis=1), 1)
    gmax = np.zeros(n)
    for i in range(n):
        t = ts[i, :n_ans[i]]
        if t.size:
            gmax[i] = (np.searchsorted(t, t + window, side="right") - np.arange(t.size)).max()
    return {"sorted": ts, "n": n_ans, "gmax": gmax / n_ans, "pad": pad}


def _event_share(pace, a, t, window):
    """The share of candidate a[e]'s answer times in (t[e], t[e] + window], per event e."""
    n, width = pace["sorted"].shape
    step = pace["pad"] + 2 * window + 1.0
    flat = (pace["sorted"] + step * np.arange(n)[:, None]).ravel()
    q = np.minimum(t, pace["pad"]) + step * a
    hi = np.searchsorted(flat, q + window, side="right")
    lo = np.searchsorted(flat, q, side="right")
    return (hi - lo) / pace["n"][a]


def _window_share(pace, a, t, window):
    """[r, j]: the share of candidate a[r]'s answer times in (t[r, j], t[r, j] + window]."""
    ts = pace["sorted"][a]
    off = (pace["pad"] + 2 * window + 1.0) * np.arange(a.size)[:, None]
    flat = (ts + off).ravel()
    q = np.minimum(t, pace["pad"]) + off
    hi = np.searchsorted(flat, (q + window).ravel(), side="right")
    lo = np.searchsorted(flat, q.ravel(), side="right")
    return ((hi - lo).reshape(t.shape)) / pace["n"][a][:, None]


def _fast_correct(data, fast_z, P):
    """F[i, j]: i answered j right much faster than i's own pace on that item predicts;
    p[i, j]: its chance, P(fast) × P(right): P(fast) from a two-way (candidate rate × item
    rate) model of fast answers (right or wrong) fitted by iterative proportional fitting,
    P(right) from the option curves.

    The time of an answer is the time since the candidate's previous answer (papers are
    answered in order, so it is the time spent on the item). log time = candidate pace + item
    effect + residual, fitted by median polish (robust to the fast answers themselves); fast
    means a residual below -fast_z robust standard deviations."""
    A, T, C = data["A"], data["T"], data["C"]
    n, m = A.shape
    Tm = np.where(A, T, np.inf)
    order = np.argsort(Tm, axis=1, kind="stable")
    ts = np.take_along_axis(Tm, order, axis=1)
    prev = np.concatenate([np.zeros((n, 1)), ts[:, :-1]], axis=1)
    with np.errstate(invalid="ignore"):
        rt_sorted = np.where(np.isfinite(ts), ts - np.where(np.isfinite(prev), prev, 0.0), np.nan)
    rt = np.full((n, m), np.nan)
    np.put_along_axis(rt, order, rt_sorted, axis=1)
    y = np.where(A, np.log(np.maximum(np.nan_to_num(rt, nan=1.0), 0.5)), np.nan)
    resid = y.copy()
    with np.errstate(all="ignore"), _quiet():
        for _ in range(4):
            resid -= np.nan_to_num(np.nanmedian(resid, axis=1))[:, None]
            resid -= np.nan_to_num(np.nanmedian(resid, axis=0))[None, :]
        scale = 1.4826 * np.nanmedian(np.abs(resid))
    if not np.isfinite(scale) or scale <= 0:
        scale = 1.0
    quick = A & (np.nan_to_num(resid, nan=0.0) < -fast_z * scale)
    F = quick & (C == 1)
    Ff = quick.astype(np.float64)
    Af = A.astype(np.float64)
    row = Ff.sum(axis=1)
    col = Ff.sum(axis=0)
    alpha_i = row / np.maximum(Af.sum(axis=1), 1)
    beta_j = np.ones(m)
    for _ in range(25):
        beta_j = col / np.maximum(Af.T @ alpha_i, 1e-12)
        alpha_i = row / np.maximum(Af @ beta_j, 1e-12)
    p_right = np.add.reduceat(P * data["col_right"][None, :], data["item_start"][:-1], axis=1)
    p = np.clip(np.outer(alpha_i, beta_j), 0.0, 0.95) * Af * p_right
    return F, p


class _quiet:
    """Silences numpy's 'All-NaN slice' warnings (candidates or items without answers)."""

    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


# ---------------------------------------------------------------------------------------------
# all pairs: counts and null means


def _all_pairs(data, P, pace, fast, pfast, window, timing=True):
    A, Opt, C, T = data["A"], data["O"], data["C"], data["T"]
    n, m = A.shape
    L = data["L"]
    rr, jj = np.nonzero(A)
    Y = np.zeros((n, L))
    Y[rr, Opt[rr, jj]] = 1.0
    Wr = np.zeros((n, L))
    wrong = C[rr, jj] == 0
    Wr[rr[wrong], Opt[rr[wrong], jj[wrong]]] = 1.0
    # float32 products: counts stay exact (integers far below 2^24), means carry a relative
    # error of ~1e-6, which only moves the screening bounds (the flags use exact tails)
    f32 = np.float32
    Af = A.astype(f32)
    shared = np.rint(Af @ Af.T).astype(np.float64)
    both = np.concatenate([Y, Wr], axis=0).T.astype(f32)  # [columns, 2n]
    matches = np.rint(Y.astype(f32) @ both[:, :n]).astype(np.float64)
    same_wrong = np.rint(Wr.astype(f32) @ both[:, n:]).astype(np.float64)
    P32 = P.astype(f32)
    mu = (P32 @ both).astype(np.float64)
    mu_omega = mu[:, :n]  # [a, b]: Σ_j P_a(o_bj) over shared items
    mu_wrong = mu[:, n:]
    mu_gbt = (P32 @ P32.T).astype(np.float64)
    Ff = fast.astype(f32)
    co_fast = np.rint(Ff @ Ff.T).astype(np.float64)
    pf32 = pfast.astype(f32)
    mu_fast = (pf32 @ pf32.T).astype(np.float64)

    # follow events (sparse, per item); their null mean is bounded by the follower's busiest
    # window times the chance of the same answers (exact values for the pairs that pass)
    follows = np.zeros(n * n)
    ev_a, ev_b, ev_j = [], [], []
    for j in range(m if timing else 0):
        R = np.flatnonzero(A[:, j])
        if R.size < 2:
            continue
        t = T[R, j]
        o = Opt[R, j]
        order = np.argsort(t, kind="stable")
        ts = t[order]
        lo = np.searchsorted(ts, ts, side="right")
        hi = np.searchsorted(ts, ts + window, side="right")
        cnt = hi - lo
        if cnt.sum():
            src = np.repeat(np.arange(R.size), cnt)
            offs = np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
            fol = lo[src] + offs
            b = R[order[src]]
            a = R[order[fol]]
            keep = o[order[src]] == o[order[fol]]
            ev_a.append(a[keep])
            ev_b.append(b[keep])
            ev_j.append(np.full(int(keep.sum()), j))
    if ev_a:
        ev_a, ev_b, ev_j = np.concatenate(ev_a), np.concatenate(ev_b), np.concatenate(ev_j)
    else:
        ev_a = ev_b = ev_j = np.zeros(0, dtype=np.int64)
    np.add.at(follows, ev_a * n + ev_b, 1.0)
    follows = follows.reshape(n, n)
    # a lower bound on each follow tail: P(X >= x) >= P(every observed follow happens) =
    # the product of their chances (a pair whose product is above the cut cannot pass)
    chance = P[ev_a, Opt[ev_b, ev_j]] * _event_share(pace, ev_a, T[ev_b, ev_j], window)
    follow_low = np.bincount(ev_a * n + ev_b, weights=np.log(np.maximum(chance, 1e-300)),
                             minlength=n * n).reshape(n, n)
    mu_follow = pace["gmax"][:, None] * mu_omega

    # Chernoff bounds with the true moment generating function for ω and identical wrong
    # answers: log P(X >= x) <= min_s [Σ_j log(1 + p_j (e^s - 1)) - s x]; with one answer per
    # item the sum is a matrix product
    seen = np.concatenate([matches, same_wrong], axis=1).astype(np.float32)
    chern = np.zeros((n, 2 * n), dtype=np.float32)
    for step in CHERNOFF_STEPS:
        Ls = np.log1p(P32 * np.float32(math.expm1(step)))
        np.minimum(chern, Ls @ both - np.float32(step) * seen, out=chern)
    # float32 sums of ~100 terms: a relative error of ~1e-5, well inside the exact-tail margin
    chern_omega = chern[:, :n].astype(np.float64)
    chern_wrong = chern[:, n:].astype(np.float64)
    counts = {
        "omega_ab": matches, "omega_ba": matches, "gbt": matches,
        "wrong_ab": same_wrong, "wrong_ba": same_wrong,
        "follow_ab": follows, "follow_ba": follows.T,
        "fast_correct": co_fast,
    }
    means = {
        "omega_ab": mu_omega, "omega_ba": mu_omega.T, "gbt": mu_gbt,
        "wrong_ab": mu_wrong, "wrong_ba": mu_wrong.T,
        "follow_ab": mu_follow, "follow_ba": mu_follow.T,
        "fast_correct": mu_fast,
    }
    upper = {"omega_ab": chern_omega, "omega_ba": chern_omega.T, "wrong_ab": chern_wrong,
             "wrong_ba": chern_wrong.T}
    lower = {"follow_ab": follow_low, "follow_ba": follow_low.T}
    return counts, means, shared, upper, lower


def _kl_bound(x, mu, trials):
    """Upper bound on P(X ≥ x) for X a sum of `trials` independent Bernoullis with mean mu:
    exp(-trials · KL(x/trials ‖ mu/trials)) when x > mu, else 1."""
    x = np.asarray(x, dtype=np.float64)
    out = np.ones(x.shape)
    sel = np.flatnonzero(x > mu)
    if not sel.size:
        return out
    x = x[sel]
    nt = np.maximum(np.asarray(trials, dtype=np.float64)[sel], 1.0)
    pm = np.clip(np.asarray(mu, dtype=np.float64)[sel] / nt, 1e-300, 1.0 - 1e-15)
    q = np.minimum(x / nt, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = q * np.log(q / pm)
        t2 = np.where(q < 1, (1 - q) * np.log((1 - q) / (1 - pm)), 0.0)
    out[sel] = np.minimum(np.exp(-nt * (t1 + t2)), 1.0)
    return out


# ---------------------------------------------------------------------------------------------
# exact tails for chosen pairs


def _pair_trials(data, P, pace, fast, pfast, window, a, b):
    """Per pair and shared item: the event indicator and its null probability, per statistic
    (arrays [pairs, items]); also the evidence counts."""
    A, Opt, C, T = data["A"], data["O"], data["C"], data["T"]
    sh = A[a] & A[b]
    Oa, Ob = Opt[a], Opt[b]
    Ta, Tb = T[a], T[b]
    same = sh & (Oa == Ob)
    safe_a = np.where(sh, Oa, 0)
    safe_b = np.where(sh, Ob, 0)
    pa_ob = np.where(sh, P[a[:, None], safe_b], 0.0)
    pb_oa = np.where(sh, P[b[:, None], safe_a], 0.0)
    prod = P[a] * P[b]
    gbt = np.where(sh, np.add.reduceat(prod, data["item_start"][:-1], axis=1), 0.0)
    wrong_a = sh & (C[a] == 0)
    wrong_b = sh & (C[b] == 0)
    ga = np.where(sh, _window_share(pace, a, Tb, window), 0.0)  # a's share of times after b's
    gb = np.where(sh, _window_share(pace, b, Ta, window), 0.0)
    d = Ta - Tb
    fol_ab = same & (d > 0) & (d <= window)
    fol_ba = same & (-d > 0) & (-d <= window)
    fastboth = sh & fast[a] & fast[b]
    events = {
        "omega_ab": (same, pa_ob), "omega_ba": (same, pb_oa), "gbt": (same, gbt),
        "wrong_ab": (same & wrong_b, np.where(wrong_b, pa_ob, 0.0)),
        "wrong_ba": (same & wrong_a, np.where(wrong_a, pb_oa, 0.0)),
        "follow_ab": (fol_ab, pa_ob * ga), "follow_ba": (fol_ba, pb_oa * gb),
        "fast_correct": (fastboth, np.where(sh, pfast[a] * pfast[b], 0.0)),
    }
    evidence = {
        "shared_items": sh.sum(axis=1), "identical_answers": same.sum(axis=1),
        "identical_wrong": (same & wrong_b).sum(axis=1),
        "a_follows_b": fol_ab.sum(axis=1), "b_follows_a": fol_ba.sum(axis=1),
        "shared_fast_correct": fastboth.sum(axis=1),
    }
    return events, evidence


def poisson_binomial_sf(probs: np.ndarray, x: np.ndarray) -> np.ndarray:
    """P(X ≥ x) for X = Σ_j Bernoulli(probs[r, j]), per row r, by exact convolution."""
    probs = np.clip(np.asarray(probs, dtype=np.float64), 0.0, 1.0)
    if probs.ndim == 1:
        probs = probs[None, :]
    x = np.atleast_1d(np.asarray(x, dtype=np.int64))
    rows, m = probs.shape
    pmf = np.zeros((rows, m + 1))
    pmf[:, 0] = 1.0
    for j in range(m):
        p = probs[:, j:j + 1]
        if not p.any():
            continue
        shifted = np.zeros_like(pmf)
        shifted[:, 1:] = pmf[:, :-1]
        pmf = pmf * (1.0 - p) + shifted * p
    # tail sums from the top (small terms added first)
    tail = np.cumsum(pmf[:, ::-1], axis=1)[:, ::-1]
    tail = np.concatenate([tail, np.zeros((rows, 1))], axis=1)
    xi = np.clip(x, 0, m + 1)
    return np.minimum(1.0, tail[np.arange(rows), xi])


def _exact_tails(data, P, pace, fast, pfast, window, a, b):
    tails = np.ones((len(STATS), a.size))
    evidence = None
    chunk = 500
    for start in range(0, a.size, chunk):
        sl = slice(start, start + chunk)
        events, ev = _pair_trials(data, P, pace, fast, pfast, window, a[sl], b[sl])
        for s, name in enumerate(STATS):
            hit, prob = events[name]
            x = hit.sum(axis=1)
            # only the items that carry a chance matter; skipping the zeros keeps it exact
            tails[s, sl] = np.where(x > 0, poisson_binomial_sf(prob, x), 1.0)
        if evidence is None:
            evidence = {k: list(v) for k, v in ev.items()}
        else:
            for k, v in ev.items():
                evidence[k].extend(v)
    return tails, {k: np.asarray(v) for k, v in evidence.items()}


# ---------------------------------------------------------------------------------------------
# output


def _bh(p):
    """Benjamini–Hochberg q-values."""
    n = p.size
    if n == 0:
        return p
    order = np.argsort(p, kind="stable")
    ranked = p[order] * n / np.arange(1, n + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(n)
    out[order] = np.minimum(q, 1.0)
    return out


def _pair_entry(ids, i, j, p, q, family, c, tails, evidence):
    # the statistic behind the smallest family-adjusted chance: in the prior family ω, else the
    # smallest active tail
    in_all = float(tails[family.act].min())
    best = int(np.flatnonzero(family.act)[np.argmin(tails[family.act])])
    prior = bool(family.is_prior[c])
    if prior and family.share:
        adj_all = in_all * family.k_tests * family.n_pairs / (1.0 - family.share)
        adj_prior = float(tails[family.cpy].min()) * len(PRIOR_STATS) * family.n_prior / family.share
        if adj_prior < adj_all:
            best = int(np.flatnonzero(family.cpy)[np.argmin(tails[family.cpy])])
    name = STATS[best]
    kinds = {KIND[s] for s, t, on in zip(STATS, tails, family.act, strict=True) if on and t <= family.cut}
    if family.passes_prior(c, tails):
        kinds.add(KIND["omega_ab"])
    entry = {
        "a": ids[int(i)],
        "b": ids[int(j)],
        "p_value": float(p),
        "p_family": family.p_family(c, tails),
        "q_value": float(q),
        "kind": KIND[name],
        "kinds": sorted(kinds),
        "statistic": name,
        "prior_pair": prior,
        "family": "all_pairs" if family.passes_all(tails) else "prior" if family.passes_prior(c, tails) else None,
        "tails": {s: float(t) for s, t in zip(STATS, tails, strict=True)},
    }
    for key, val in evidence.items():
        entry[key] = int(val)
    if name.endswith("_ab") or name.endswith("_ba"):
        # a_ab: a follows / copies b, so b is the likely source
        entry["likely_source"] = ids[int(j)] if name.endswith("_ab") else ids[int(i)]
    return entry


def _groups(ids, edges, n):
    if not edges:
        return []
    a = np.array([e[0] for e in edges])
    b = np.array([e[1] for e in edges])
    graph = coo_matrix((np.ones(a.size), (a, b)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    members = {}
    for node in set(a.tolist()) | set(b.tolist()):
        members.setdefault(int(labels[node]), []).append(node)
    groups = [[ids[k] for k in sorted(v)] for v in members.values() if len(v) > 1]
    groups.sort(key=lambda g: (-len(g), str(g[0])))
    return groups
