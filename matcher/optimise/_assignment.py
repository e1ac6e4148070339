"""Review rounds: every item gets ``k`` reviewers, each reviewer at most ``L`` items, no conflicts.

m items, n reviewers, relevance ``w`` of shape [m, n] in [0, 1]; ``allowed`` [m, n] is False for
a conflict of interest (and for pairs not worth considering, so the model stays sparse). A
variable ``x_ir ∈ {0, 1}`` exists only for allowed pairs.

``exact`` (plain objective)
    maximise ``Σ w_ir x_ir`` s.t. ``Σ_r x_ir = k_i`` for every item and ``Σ_i x_ir ≤ L_r`` for
    every reviewer — the reviewer-assignment LP of Taylor (2008) and openreview-matcher's
    MinCost flow. Its constraint matrix is that of a bipartite transportation problem (totally
    unimodular), so HiGHS's LP optimum is integral and proven optimal at the root.
``fair`` (the worst-served first, exact at any size)
    Two stages, in the spirit of OpenReview's FairFlow and MinMax assignments: (1) the highest
    floor ``τ*`` such that pairs of relevance ≥ ``τ*`` alone still assign the whole round —
    binary search over the distinct relevances, each test one maximum flow
    (:func:`scipy.sparse.csgraph.maximum_flow`), so it is exact and polynomial; (2) the
    ``exact`` model over the pairs at or above ``τ*``. Every reviewer of every item is then at
    least ``τ*`` relevant, so the worst-served item's mean relevance is at least ``τ*``.
``maxmin`` (the worst-served item's *mean*, small rounds)
    (1) maximise ``t`` with ``Σ_r w_ir x_ir ≥ k_i · t`` for every item; (2) keep every item at
    ``t* − tol`` and maximise the total. Stage 1 is a real MILP (no longer unimodular): on the
    benchmark's random rounds HiGHS proves it in seconds at 100 items and does not close the
    gap within 120 s at 1,000 (``python -m benchmarks.review_round``), hence ``fair``. The answer
    says whether it was proven, and the MIP gap.
``greedy``
    The baseline a person would do: pairs by descending relevance, taken while the item needs
    reviewers and the reviewer has room; then each item still short takes any allowed
    reviewer with room, or one freed by moving a full reviewer's other item to a reviewer with
    room. It can leave items short (reported, and its ``k_per_item`` check fails).

Infeasible rounds raise :class:`~matcher.errors.InfeasibleError` saying by how much: more
reviews needed (``Σ k_i``) than the reviewers can give (``Σ L_r``), or items with fewer allowed
reviewers than ``k`` (naming them), or — when every count adds up — that a group of items
shares too few reviewers.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import maximum_flow

from matcher.errors import InfeasibleError, InvalidProblemError, SolverError
from matcher.optimise._arrays import BoolArray, FloatArray, IntArray, as_bool, as_float, frozen
from matcher.types import Check, Msg

__all__ = [
    "ROUND_SOLVERS",
    "RoundSolverName",
    "ReviewRoundProblem",
    "ReviewAssignment",
    "precheck_round",
    "solve_round",
    "evaluate_round",
    "random_round",
]

logger = logging.getLogger(__name__)

RoundSolverName = Literal["exact", "fair", "maxmin", "greedy"]
ROUND_SOLVERS: tuple[RoundSolverName, ...] = ("exact", "fair", "maxmin", "greedy")


@dataclass(frozen=True, eq=False)
class ReviewRoundProblem:
    """A review round, encoded.

    Args:
        items: Item ids, length m. ``reviewers``: reviewer ids, length n.
        relevance: Shape [m, n], in [0, 1].
        k: Reviewers per item: an int, or shape [m].
        max_load: Items per reviewer at most (L): an int, or shape [n].
        allowed: Shape [m, n] bool; False for conflicts (and pairs left out). Default all.
        excluded_reasons: ``(item, reviewer)`` → why not allowed, for explanations.

    Example:
        >>> p = ReviewRoundProblem(("a", "b"), ("r1", "r2"), [[0.9, 0.1], [0.2, 0.8]], k=1,
        ...                        max_load=1)
        >>> solve_round(p, "exact").assignment
        {'a': ('r1',), 'b': ('r2',)}
    """

    items: tuple[str, ...]
    reviewers: tuple[str, ...]
    relevance: FloatArray
    k: IntArray | int = 3
    max_load: IntArray | int = 10
    allowed: BoolArray | None = None
    excluded_reasons: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        items = tuple(str(i) for i in self.items)
        revs = tuple(str(r) for r in self.reviewers)
        if len(set(items)) != len(items):
            raise InvalidProblemError("item ids are not unique")
        if len(set(revs)) != len(revs):
            raise InvalidProblemError("reviewer ids are not unique")
        m, n = len(items), len(revs)
        set_(self, "items", items)
        set_(self, "reviewers", revs)
        set_(self, "relevance", as_float("relevance", self.relevance, (m, n)))
        k = np.broadcast_to(np.asarray(self.k, dtype=np.int64), (m,))
        load = np.broadcast_to(np.asarray(self.max_load, dtype=np.int64), (n,))
        if m and int(k.min()) < 1:
            raise InvalidProblemError("k (reviewers per item) must be at least 1")
        if n and int(load.min()) < 0:
            raise InvalidProblemError("max_load (items per reviewer) must be at least 0")
        set_(self, "k", frozen(k))
        set_(self, "max_load", frozen(load))
        set_(self, "allowed", as_bool("allowed", self.allowed, (m, n), True))

    @property
    def k_array(self) -> IntArray:
        return np.asarray(self.k, dtype=np.int64)

    @property
    def load_array(self) -> IntArray:
        return np.asarray(self.max_load, dtype=np.int64)

    @property
    def allowed_array(self) -> BoolArray:
        assert self.allowed is not None  # set in __post_init__
        return self.allowed


@dataclass(frozen=True)
class ReviewAssignment:
    """A round's assignment and its figures.

    ``item_relevance`` is the mean relevance of an item's reviewers; ``min_item_relevance`` the
    worst-served item's (over items that got all ``k``). ``gap`` is HiGHS's relative MIP gap
    (0 when proven; ``None`` for greedy).
    """

    assignment: Mapping[str, tuple[str, ...]]
    item_relevance: Mapping[str, float]
    total_relevance: float
    min_item_relevance: float
    load: Mapping[str, int]
    unfilled: Mapping[str, int]
    checks: tuple[Check, ...]
    solver: str
    optimal: bool
    gap: float | None
    seconds: float

    @property
    def feasible(self) -> bool:
        return all(c.holds for c in self.checks)


# -- checks ------------------------------------------------------------------------------------
def precheck_round(problem: ReviewRoundProblem) -> None:
    """Raise :class:`InfeasibleError` when counts alone show the round cannot be assigned.

    Raises:
        InfeasibleError: more reviews needed than reviewers can give (and by how much), or
            items with fewer allowed reviewers than ``k`` (named, with their exclusions).
    """
    m, n = len(problem.items), len(problem.reviewers)
    k, load, allowed = problem.k_array, problem.load_array, problem.allowed_array
    reasons: list[str] = []
    advice: list[str] = []
    need, offer = int(k.sum()), int(load.sum())
    if need > offer:
        kk = f"{int(k[0])}" if m and np.all(k == k[0]) else "k"
        ll = f"{int(load[0])}" if n and np.all(load == load[0]) else "L"
        reasons.append(
            f"the round needs {kk} reviewers × {m} items = {need} reviews, but {n} reviewers "
            f"× at most {ll} items = {offer}: {need - offer} short"
        )
        if n:
            advice.append(f"raise the items per reviewer to at least {math.ceil(need / n)}")
        advice.append(
            f"add at least {math.ceil((need - offer) / max(1, int(load.max(initial=1))))} reviewers"
        )
        advice.append("or lower the reviewers per item")
    usable = allowed & (load[None, :] > 0) if m and n else allowed
    short = [(i, int(usable[i].sum()), int(k[i])) for i in range(m) if usable[i].sum() < k[i]]
    for i, have, want in short[:10]:
        item = problem.items[i]
        why = [v for (it, _), v in problem.excluded_reasons.items() if it == item]
        reasons.append(
            f"item {item} has {have} allowed reviewers, needs {want}: {want - have} short"
            + (f" ({len(why)} excluded for conflicts)" if why else "")
        )
    if len(short) > 10:
        reasons.append(f"… and {len(short) - 10} more items short of allowed reviewers")
    if short:
        advice.append("widen the reviewer pool for those items, or relax the conflict policy")
    if reasons:
        raise InfeasibleError(reasons, "; ".join(advice))


def _pairs(problem: ReviewRoundProblem) -> tuple[IntArray, IntArray]:
    rows, cols = np.nonzero(problem.allowed_array & (problem.load_array[None, :] > 0))
    return rows.astype(np.int64), cols.astype(np.int64)


def _solution(
    problem: ReviewRoundProblem,
    x: BoolArray,
    *,
    solver: str,
    optimal: bool,
    gap: float | None,
    seconds: float,
) -> ReviewAssignment:
    """Decode an [m, n] 0/1 matrix into a :class:`ReviewAssignment` with its checks."""
    w = problem.relevance
    k, load = problem.k_array, problem.load_array
    per_item = x.sum(axis=1)
    per_rev = x.sum(axis=0)
    assignment: dict[str, tuple[str, ...]] = {}
    item_rel: dict[str, float] = {}
    unfilled: dict[str, int] = {}
    for i, item in enumerate(problem.items):
        cols = np.flatnonzero(x[i])
        cols = cols[np.argsort(-w[i, cols], kind="stable")]
        assignment[item] = tuple(problem.reviewers[c] for c in cols)
        item_rel[item] = round(float(w[i, cols].mean()) if cols.size else 0.0, 6)
        if per_item[i] < k[i]:
            unfilled[item] = int(k[i] - per_item[i])
    full = [item_rel[it] for i, it in enumerate(problem.items) if per_item[i] >= k[i]]
    conflicts = int((x & ~problem.allowed_array).sum())
    over = [problem.reviewers[r] for r in np.flatnonzero(per_rev > load)]
    n_items, most, limit = len(problem.items), int(per_rev.max(initial=0)), int(load.max(initial=0))
    short = dict(list(unfilled.items())[:5])
    checks = (
        Check(
            "k_per_item",
            not unfilled and bool(np.all(per_item == k)),
            Msg(
                "check.k_per_item",
                f"{n_items - len(unfilled)} of {n_items} items have their reviewers"
                + (f"; short: {short}" if unfilled else ""),
                have=n_items - len(unfilled),
                total=n_items,
                short=short,
            ),
        ),
        Check(
            "max_load",
            not over,
            Msg(
                "check.max_load",
                f"most items per reviewer {most} (limit {limit})"
                + (f"; over: {over[:5]}" if over else ""),
                have=most,
                limit=limit,
                over=over[:5],
            ),
        ),
        Check(
            "no_conflict",
            conflicts == 0,
            Msg("check.no_conflict", f"{conflicts} conflicted pairs assigned", count=conflicts),
        ),
    )
    return ReviewAssignment(
        assignment=assignment,
        item_relevance=item_rel,
        total_relevance=round(float((w * x).sum()), 6),
        min_item_relevance=round(min(full), 6) if full else 0.0,
        load={problem.reviewers[r]: int(per_rev[r]) for r in range(len(problem.reviewers))},
        unfilled=unfilled,
        checks=checks,
        solver=solver,
        optimal=optimal,
        gap=gap,
        seconds=round(seconds, 4),
    )


# -- solvers -----------------------------------------------------------------------------------
def _milp(
    c: FloatArray,
    a: sparse.csr_array,
    lo: FloatArray,
    hi: FloatArray,
    integrality: IntArray,
    upper: FloatArray,
    time_limit: float,
) -> tuple[FloatArray, bool, float | None]:
    res = milp(
        c=c,
        constraints=LinearConstraint(a, lo, hi),
        integrality=integrality,
        bounds=Bounds(np.zeros_like(c), upper),
        options={"time_limit": float(time_limit), "presolve": True},
    )
    if res.x is None:
        if res.status == 2:  # infeasible
            raise InfeasibleError(
                [
                    "every count adds up, but no assignment gives each item its reviewers "
                    "within the loads: a group of items shares too few allowed reviewers"
                ],
                "raise the items per reviewer, widen the pool, or relax the conflict policy",
            )
        raise SolverError(f"HiGHS found no assignment: {res.message}")
    gap = getattr(res, "mip_gap", None)
    return np.asarray(res.x), res.status == 0, None if gap is None else float(gap)


def _structure(problem: ReviewRoundProblem, rows: IntArray, cols: IntArray) -> sparse.csr_array:
    """Item rows (m) then reviewer rows (n) over the pair variables."""
    m, n, p = len(problem.items), len(problem.reviewers), len(rows)
    data = np.ones(2 * p)
    r = np.concatenate([rows, m + cols])
    c = np.concatenate([np.arange(p), np.arange(p)])
    return sparse.csr_array((data, (r, c)), shape=(m + n, p))


def _exact(problem: ReviewRoundProblem, time_limit: float) -> tuple[BoolArray, bool, float | None]:
    rows, cols = _pairs(problem)
    m, n, p = len(problem.items), len(problem.reviewers), len(rows)
    w = problem.relevance[rows, cols]
    a = _structure(problem, rows, cols)
    k = problem.k_array.astype(float)
    lo = np.concatenate([k, np.zeros(n)])
    hi = np.concatenate([k, problem.load_array.astype(float)])
    xs, optimal, gap = _milp(-w, a, lo, hi, np.ones(p, dtype=np.int64), np.ones(p), time_limit)
    x = np.zeros((m, n), dtype=bool)
    x[rows, cols] = xs > 0.5
    return x, optimal, gap


def _flow_feasible(problem: ReviewRoundProblem, rows: IntArray, cols: IntArray) -> bool:
    """Whether the pairs (rows, cols) alone can give every item its k reviewers within the
    loads: a maximum flow source → items (k) → reviewers (1 per pair) → sink (L)."""
    m, n = len(problem.items), len(problem.reviewers)
    src, sink = m + n, m + n + 1
    tails = np.concatenate([np.full(m, src), rows, m + np.arange(n)])
    heads = np.concatenate([np.arange(m), m + cols, np.full(n, sink)])
    caps = np.concatenate([problem.k_array, np.ones(len(rows), dtype=np.int64), problem.load_array])
    graph = sparse.csr_array((caps.astype(np.int32), (tails, heads)), shape=(m + n + 2, m + n + 2))
    flow = maximum_flow(graph, src, sink, method="dinic").flow_value
    return bool(flow == int(problem.k_array.sum()))


def _fair(
    problem: ReviewRoundProblem, time_limit: float
) -> tuple[BoolArray, bool, float | None, float]:
    rows, cols = _pairs(problem)
    w = problem.relevance[rows, cols]
    # Stage 1: the highest floor τ such that pairs of relevance ≥ τ alone still assign the
    # round (binary search over the distinct relevances; each test is one maximum flow).
    values = np.unique(w)
    lo, hi = 0, len(values) - 1  # values[lo] is feasible (all pairs: prechecked by the flow)
    if not _flow_feasible(problem, rows, cols):
        _exact(problem, time_limit)  # raises the HiGHS infeasibility with its reasons
    while lo < hi:
        mid = (lo + hi + 1) // 2
        keep = w >= values[mid]
        if _flow_feasible(problem, rows[keep], cols[keep]):
            lo = mid
        else:
            hi = mid - 1
    floor = float(values[lo]) if len(values) else 0.0
    # Stage 2: the largest total over the pairs at or above the floor (exact, as ``exact``).
    allowed = problem.allowed_array & (problem.relevance >= floor)
    x, optimal, gap = _exact(dataclasses.replace(problem, allowed=allowed), time_limit)
    return x, optimal, gap, floor


def _maxmin(
    problem: ReviewRoundProblem, time_limit: float, tol: float
) -> tuple[BoolArray, bool, float | None, float]:
    rows, cols = _pairs(problem)
    m, n, p = len(problem.items), len(problem.reviewers), len(rows)
    w = problem.relevance[rows, cols]
    k = problem.k_array.astype(float)
    base = _structure(problem, rows, cols)
    # Σ_r w_ir x_ir − k_i t ≥ 0 per item: the pair weights on the item rows, −k_i on t.
    wrow = sparse.csr_array((w, (rows, np.arange(p))), shape=(m, p))
    t_col = sparse.csr_array(-k.reshape(-1, 1))
    fair_rows = sparse.hstack([wrow, t_col], format="csr")
    a1 = sparse.vstack(
        [sparse.hstack([base, sparse.csr_array((m + n, 1))], format="csr"), fair_rows],
        format="csr",
    )
    lo = np.concatenate([k, np.zeros(n), np.zeros(m)])
    hi = np.concatenate([k, problem.load_array.astype(float), np.full(m, np.inf)])
    c1 = np.zeros(p + 1)
    c1[-1] = -1.0
    integ = np.concatenate([np.ones(p, dtype=np.int64), [0]])
    xs1, opt1, gap1 = _milp(c1, a1, lo, hi, integ, np.concatenate([np.ones(p), [1.0]]), time_limit)
    t_star = float(xs1[-1])
    # Stage 2: every item at t* − tol at least, maximise the total.
    a2 = sparse.vstack([base, wrow], format="csr")
    lo2 = np.concatenate([k, np.zeros(n), k * max(0.0, t_star - tol)])
    hi2 = np.concatenate([k, problem.load_array.astype(float), np.full(m, np.inf)])
    try:
        xs2, opt2, gap2 = _milp(
            -w, a2, lo2, hi2, np.ones(p, dtype=np.int64), np.ones(p), time_limit
        )
    except (InfeasibleError, SolverError):
        # Stage 1's answer meets its own floor; keep it when stage 2 runs out of time.
        xs2, opt2, gap2 = xs1[:p], False, gap1
    x = np.zeros((m, n), dtype=bool)
    x[rows, cols] = xs2 > 0.5
    gaps = [g for g in (gap1, gap2) if g is not None]
    return x, opt1 and opt2, max(gaps) if gaps else None, t_star


def _greedy(problem: ReviewRoundProblem) -> BoolArray:
    m, n = len(problem.items), len(problem.reviewers)
    w, k, load = problem.relevance, problem.k_array, problem.load_array.copy()
    rows, cols = _pairs(problem)
    order = np.lexsort((cols, rows, -w[rows, cols]))
    x = np.zeros((m, n), dtype=bool)
    need = k.copy()
    for j in order:
        i, r = rows[j], cols[j]
        if need[i] > 0 and load[r] > 0:
            x[i, r] = True
            need[i] -= 1
            load[r] -= 1
    allowed = problem.allowed_array
    # Repair: an item still short takes an allowed reviewer with room, or frees a full one by
    # moving one of that reviewer's items to a reviewer with room (one step deep).
    for i in np.flatnonzero(need > 0):
        for r in np.argsort(-w[i], kind="stable"):
            if need[i] == 0:
                break
            if not allowed[i, r] or x[i, r]:
                continue
            if load[r] > 0:
                x[i, r] = True
                need[i] -= 1
                load[r] -= 1
                continue
            for j in np.flatnonzero(x[:, r]):
                alt = np.flatnonzero(allowed[j] & ~x[j] & (load > 0))
                if alt.size:
                    r2 = alt[np.argmax(w[j, alt])]
                    x[j, r], x[j, r2] = False, True
                    load[r2] -= 1
                    x[i, r] = True
                    need[i] -= 1
                    break
    return x


def solve_round(
    problem: ReviewRoundProblem,
    solver: RoundSolverName | str = "exact",
    *,
    time_limit: float = 120.0,
    fair_tolerance: float = 1e-6,
) -> ReviewAssignment:
    """Assign every item its ``k`` reviewers, each reviewer at most ``L`` items, no conflicts.

    Args:
        problem: The encoded round.
        solver: ``exact`` (maximum total relevance), ``fair`` (maximum lowest item relevance,
            then maximum total) or ``greedy`` (baseline).
        time_limit: Seconds HiGHS may spend per MILP stage.
        fair_tolerance: How far below the best lowest item relevance stage 2 may go.

    Returns:
        The assignment with its figures and checks.

    Raises:
        InfeasibleError: the round cannot be assigned (with by how much, and advice).
        InvalidProblemError: unknown solver.
        SolverError: HiGHS failed for another reason.
    """
    if solver not in ROUND_SOLVERS:
        raise InvalidProblemError(f"unknown solver {solver!r}; one of {', '.join(ROUND_SOLVERS)}")
    precheck_round(problem)
    t0 = time.perf_counter()
    if solver == "greedy":
        x = _greedy(problem)
        return _solution(
            problem, x, solver="greedy", optimal=False, gap=None, seconds=time.perf_counter() - t0
        )
    if solver == "exact":
        x, optimal, gap = _exact(problem, time_limit)
    elif solver == "fair":
        x, optimal, gap, floor = _fair(problem, time_limit)
        logger.info("fair: every pair at relevance >= %.4f", floor)
    else:
        x, optimal, gap, t_star = _maxmin(problem, time_limit, fair_tolerance)
        logger.info("maxmin stage 1: lowest item relevance %.4f", t_star)
    return _solution(
        problem, x, solver=solver, optimal=optimal, gap=gap, seconds=time.perf_counter() - t0
    )


def evaluate_round(
    problem: ReviewRoundProblem, assignment: Mapping[str, Sequence[str]], *, solver: str = "given"
) -> ReviewAssignment:
    """Figures and checks of a given assignment (item → reviewer ids), e.g. a stored one.

    Raises:
        InvalidProblemError: an unknown item or reviewer id.
    """
    ipos = {v: i for i, v in enumerate(problem.items)}
    rpos = {v: i for i, v in enumerate(problem.reviewers)}
    x = np.zeros((len(ipos), len(rpos)), dtype=bool)
    for item, revs in assignment.items():
        if item not in ipos:
            raise InvalidProblemError(f"unknown item {item!r}")
        for r in revs:
            if r not in rpos:
                raise InvalidProblemError(f"unknown reviewer {r!r} for item {item!r}")
            x[ipos[item], rpos[r]] = True
    return _solution(problem, x, solver=solver, optimal=False, gap=None, seconds=0.0)


def random_round(
    n_items: int,
    *,
    k: int = 3,
    max_load: int = 6,
    slack: float = 1.3,
    disciplines: int | None = None,
    conflict_rate: float = 0.03,
    seed: int = 0,
) -> ReviewRoundProblem:
    """A random round shaped like a real one, for benchmarks.

    Items and reviewers each belong to a discipline (reviewers to one or two); only a
    reviewer of the item's discipline is a candidate (the sparse pairs a real pool gives),
    and ``conflict_rate`` of those pairs are conflicts. There are ``slack`` times as many
    reviewer slots as reviews needed. Relevance is ``s_i · u_ir`` with an item-level scale
    ``s_i ∈ [0.4, 1]`` (niche items have weaker candidates) and ``u_ir ~ Beta(2, 3)``.
    """
    rng = np.random.default_rng(seed)
    d = disciplines or max(4, n_items // 50)
    n = max(k, math.ceil(slack * k * n_items / max_load))
    item_d = rng.integers(0, d, n_items)
    rev_d1 = rng.integers(0, d, n)
    rev_d2 = np.where(rng.random(n) < 0.5, rng.integers(0, d, n), rev_d1)
    match = (item_d[:, None] == rev_d1[None, :]) | (item_d[:, None] == rev_d2[None, :])
    conflict = rng.random((n_items, n)) < conflict_rate
    scale = rng.uniform(0.4, 1.0, n_items)
    rel = np.where(match, scale[:, None] * rng.beta(2.0, 3.0, (n_items, n)), 0.0)
    return ReviewRoundProblem(
        items=tuple(f"item-{i:05d}" for i in range(n_items)),
        reviewers=tuple(f"rev-{r:05d}" for r in range(n)),
        relevance=np.clip(rel, 0.0, 1.0),
        k=k,
        max_load=max_load,
        allowed=match & ~conflict,
    )
