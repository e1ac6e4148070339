"""Batch assignment of experts to many demands at once: global optimum vs one-by-one greedy.

D demands, n experts, affinity ``a`` of shape [D, n]. Demand d is either *filled* with between
``team_min[d]`` and ``team_max[d]`` experts, or left unfilled with none; expert e serves at most
``capacity[e]`` demands (its remaining load); forbidden pairs (COI) are never assigned.

Each demand may bring its own candidate set (``candidates``, a [D, n] mask: pairs outside it are
not variables at all) — the service passes each demand's best ``pool_size`` experts, so a batch
of 100 demands is a MILP of ~2,000 pairs rather than 100 × every pooled expert.

``global``
    MILP (the classic reviewer-assignment LP of openreview-matcher / Taylor 2008, plus a fill
    indicator ``f_d``):  maximise ``Σ a_de x_de + B Σ f_d`` s.t.
    ``team_min_d f_d ≤ Σ_e x_de ≤ team_max_d f_d``, ``Σ_d x_de ≤ capacity_e``,
    ``x_de = 0`` when forbidden. With ``B = 1 + Σ_d team_max_d`` (> any total affinity, as
    ``a ≤ 1``), it fills as many demands as possible first, then maximises affinity.
``greedy``
    Demands one by one in the given order (the way staff would do it by hand): each takes its
    ``team_max`` highest-affinity eligible experts with capacity left, or stays unfilled if fewer
    than ``team_min`` remain. Its result lies in the global model's feasible set, so the global
    objective is never lower.

Both report the assignment, total affinity, each demand's weakest affinity, loads, checks, and
why each unfilled demand is unfilled.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from matcher.errors import InvalidProblemError, SolverError
from matcher.optimise._arrays import BoolArray, FloatArray, IntArray, as_bool, as_float, frozen
from matcher.optimise._milp import Model
from matcher.types import Check, Checked, Msg

__all__ = ["BatchProblem", "BatchSolution", "solve_batch", "evaluate_batch"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class BatchProblem:
    """Many demands, one expert pool.

    Args:
        demands: Demand ids, length D. ``experts``: expert ids, length n.
        affinity: Shape [D, n], in [0, 1].
        team_min, team_max: Per-demand team size bounds, shape [D] (ints, 1 ≤ min ≤ max).
        capacity: Remaining load per expert, shape [n] (ints ≥ 0).
        forbidden: Shape [D, n] bool (COI etc.); default none.
        forbidden_reasons: ``(demand, expert)`` → reason, for explanations.
        candidates: Shape [D, n] bool: the pairs considered at all; default every pair.
        fill_bonus: Objective bonus per filled demand; default ``1 + Σ team_max``.
    """

    demands: tuple[str, ...]
    experts: tuple[str, ...]
    affinity: FloatArray
    team_min: IntArray
    team_max: IntArray
    capacity: IntArray
    forbidden: BoolArray | None = None
    forbidden_reasons: Mapping[tuple[str, str], str] = field(default_factory=dict)
    fill_bonus: float | None = None
    candidates: BoolArray | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "demands", tuple(self.demands))
        set_(self, "experts", tuple(self.experts))
        d, n = len(self.demands), len(self.experts)
        set_(self, "affinity", as_float("affinity", self.affinity, (d, n)))
        for name, size in (("team_min", d), ("team_max", d), ("capacity", n)):
            a = np.broadcast_to(np.asarray(getattr(self, name), dtype=np.int64), (size,))
            if a.size and a.min() < 0:
                raise InvalidProblemError(f"{name} must be ≥ 0")
            set_(self, name, frozen(a))
        if np.any(self.team_min < 1) or np.any(self.team_max < self.team_min):
            raise InvalidProblemError("need 1 ≤ team_min ≤ team_max per demand")
        set_(self, "forbidden", as_bool("forbidden", self.forbidden, (d, n), False))
        set_(self, "forbidden_reasons", dict(self.forbidden_reasons))
        set_(self, "candidates", as_bool("candidates", self.candidates, (d, n), True))

    @property
    def bonus(self) -> float:
        return (
            float(self.fill_bonus)
            if self.fill_bonus is not None
            else 1.0 + float(self.team_max.sum())
        )

    @property
    def forbidden_mask(self) -> BoolArray:
        assert self.forbidden is not None
        return self.forbidden

    @property
    def candidate_mask(self) -> BoolArray:
        assert self.candidates is not None
        return self.candidates

    @property
    def open_mask(self) -> BoolArray:
        """Pairs that may be assigned: candidates, not forbidden."""
        return self.candidate_mask & ~self.forbidden_mask


@dataclass(frozen=True, eq=False)
class BatchSolution(Checked):
    """An assignment of experts to demands.

    Args:
        assignment: demand → expert ids (empty tuple when unfilled).
        matrix: Shape [D, n] 0/1 assignment.
        total_affinity: Σ affinity over assigned pairs. ``objective``: plus fill bonuses.
        n_filled: Demands filled.
        min_affinity: demand → its weakest assigned affinity (``None`` when unfilled).
        unfilled: demand → why it is unfilled.
        load: expert → demands served.
        checks: ``forbidden``, ``capacity``, ``team_size``.
    """

    assignment: Mapping[str, tuple[str, ...]]
    matrix: BoolArray
    total_affinity: float
    objective: float
    n_filled: int
    min_affinity: Mapping[str, float | None]
    unfilled: Mapping[str, str]
    load: Mapping[str, int]
    checks: tuple[Check, ...]
    solver: str = ""
    optimal: bool = False
    seconds: float = 0.0


def evaluate_batch(
    p: BatchProblem,
    matrix: BoolArray,
    *,
    solver: str = "",
    optimal: bool = False,
    seconds: float = 0.0,
) -> BatchSolution:
    """Decode a [D, n] 0/1 matrix into a :class:`BatchSolution` with checks and reasons."""
    xm = np.asarray(matrix, dtype=bool)
    sizes = xm.sum(axis=1)
    loads = xm.sum(axis=0)
    filled = sizes > 0
    total = float(p.affinity[xm].sum())
    eligible0 = p.open_mask & (p.capacity > 0)[None, :]
    unfilled: dict[str, str] = {}
    for d in np.flatnonzero(~filled):
        n_elig = int(eligible0[d].sum())
        n_cand = int(p.candidate_mask[d].sum())
        n_forb = int((p.candidate_mask[d] & p.forbidden_mask[d]).sum())
        n_full = int((p.open_mask[d] & (p.capacity == 0)).sum())
        if n_elig < p.team_min[d]:
            unfilled[p.demands[d]] = (
                f"only {n_elig} eligible experts of {n_cand} candidates ({n_forb} conflicted "
                f"or forbidden, {n_full} with no "
                f"remaining capacity); needs at least {p.team_min[d]}"
            )
        else:
            who = "earlier demands in the order" if solver == "greedy" else "other demands"
            unfilled[p.demands[d]] = (
                f"{n_elig} eligible experts, but their capacity went to {who}; "
                f"fewer than {p.team_min[d]} remained"
            )
    bad_pairs = [
        (p.demands[d], p.experts[e]) for d, e in zip(*np.nonzero(xm & ~p.open_mask), strict=True)
    ]
    over = [p.experts[e] for e in np.flatnonzero(loads > p.capacity)]
    bad_size = [
        p.demands[d] for d in np.flatnonzero(filled & ((sizes < p.team_min) | (sizes > p.team_max)))
    ]
    checks = (
        Check(
            "forbidden",
            not bad_pairs,
            Msg("check.no_forbidden_pair", "no forbidden or non-candidate pair")
            if not bad_pairs
            else Msg(
                "check.forbidden_pairs",
                f"forbidden or non-candidate pairs: {bad_pairs}",
                pairs=[list(x) for x in bad_pairs],
            ),
        ),
        Check(
            "capacity",
            not over,
            Msg("check.capacity_ok", "all loads within capacity")
            if not over
            else Msg("check.over_capacity", f"over capacity: {over}", candidates=over),
        ),
        Check(
            "team_size",
            not bad_size,
            Msg("check.batch_sizes_ok", "filled demands within size bounds")
            if not bad_size
            else Msg("check.batch_bad_sizes", f"bad sizes: {bad_size}", demands=bad_size),
        ),
    )
    return BatchSolution(
        assignment={
            p.demands[d]: tuple(p.experts[e] for e in np.flatnonzero(xm[d]))
            for d in range(len(p.demands))
        },
        matrix=xm,
        total_affinity=total,
        objective=total + p.bonus * int(filled.sum()),
        n_filled=int(filled.sum()),
        min_affinity={
            p.demands[d]: (float(p.affinity[d, xm[d]].min()) if filled[d] else None)
            for d in range(len(p.demands))
        },
        unfilled=unfilled,
        load={p.experts[e]: int(loads[e]) for e in range(len(p.experts))},
        checks=checks,
        solver=solver,
        optimal=optimal,
        seconds=seconds,
    )


def _global(p: BatchProblem, time_limit: float) -> tuple[BoolArray, bool]:
    d_, n = p.affinity.shape
    ok = p.open_mask & (p.capacity > 0)[None, :]
    pairs_d, pairs_e = np.nonzero(ok)
    model = Model(maximise=True)
    x = model.add_vars(len(pairs_d), cost=p.affinity[pairs_d, pairs_e])
    f = model.add_vars(d_, cost=p.bonus)
    for d in range(d_):
        mine = x[pairs_d == d]
        model.add_row(
            "size", np.append(mine, f[d]), np.append(np.ones(mine.size), -p.team_min[d]), lb=0.0
        )
        model.add_row(
            "size", np.append(mine, f[d]), np.append(np.ones(mine.size), -p.team_max[d]), ub=0.0
        )
    for e in range(n):
        mine = x[pairs_e == e]
        if mine.size > p.capacity[e]:
            model.add_row("capacity", mine, 1.0, ub=float(p.capacity[e]))
    res = model.solve(time_limit=time_limit)
    if res.x is None:  # all-unfilled is always feasible, so this is a failure
        raise SolverError(f"batch MILP: no solution (status {res.status})")
    out = np.zeros((d_, n), dtype=bool)
    sel = res.x[: len(pairs_d)] > 0.5
    out[pairs_d[sel], pairs_e[sel]] = True
    return out, res.optimal


def _greedy(p: BatchProblem, order: Sequence[int]) -> BoolArray:
    d_, n = p.affinity.shape
    cap = p.capacity.copy()
    out = np.zeros((d_, n), dtype=bool)
    for d in order:
        elig = np.flatnonzero(p.open_mask[d] & (cap > 0))
        if len(elig) < p.team_min[d]:
            continue
        best = elig[np.argsort(-p.affinity[d, elig], kind="stable")[: p.team_max[d]]]
        out[d, best] = True
        cap[best] -= 1
    return out


def solve_batch(
    problem: BatchProblem,
    solver: Literal["global", "greedy"] = "global",
    *,
    order: Sequence[str] | None = None,
    time_limit: float = 30.0,
) -> BatchSolution:
    """Assign experts to all demands.

    Args:
        problem: The batch.
        solver: ``"global"`` (MILP) or ``"greedy"`` (one demand at a time).
        order: Demand order for ``greedy`` (default: as given).
        time_limit: Seconds for HiGHS.

    Returns:
        A :class:`BatchSolution`; unfilled demands carry reasons (never an exception: leaving a
        demand unfilled is a valid outcome to report).

    Raises:
        SolverError: Solver failure.
    """
    t0 = time.perf_counter()
    if solver == "global":
        mat, optimal = _global(problem, time_limit)
    elif solver == "greedy":
        pos = {d: i for i, d in enumerate(problem.demands)}
        idx = range(len(problem.demands)) if order is None else [pos[d] for d in order]
        mat, optimal = _greedy(problem, list(idx)), False
    else:
        raise InvalidProblemError(f"unknown batch solver {solver!r}")
    sol = evaluate_batch(
        problem, mat, solver=solver, optimal=optimal, seconds=time.perf_counter() - t0
    )
    if not sol.feasible:
        raise SolverError(f"batch {solver} violates {[c.name for c in sol.checks if not c.holds]}")
    logger.debug(
        "batch %s: %d/%d filled, affinity %.3f",
        solver,
        sol.n_filled,
        len(problem.demands),
        sol.total_affinity,
    )
    return sol
