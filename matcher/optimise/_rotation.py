"""Rotation: a randomised choice among near-optimal panels with bounded selection probabilities.

The same few eminent experts would otherwise sit on every panel. Following randomised reviewer
assignment (Jecmen, Zhang, Liu, Shah, Conitzer & Fang, "Mitigating manipulation in peer review via
randomized reviewer assignments", NeurIPS 2020 — used by OpenReview) and citizens'-assembly
lotteries (Flanigan, Gölz, Gupta, Hennig & Procaccia, "Fair algorithms for selecting citizens'
assemblies", Nature 2021), we choose a *distribution* over feasible panels:

    maximise   Σ_P λ_P · v(P)                       (expected objective)
    subject to Σ_{P ∋ i} λ_P ≤ q_i   for every expert i   (marginal selection probability)
               Σ_P λ_P = 1,  λ ≥ 0,

where P ranges over panels that satisfy *every* quota, so every sample satisfies every quota. The
LP has exponentially many columns; **column generation** solves it: the restricted master LP over
the panels found so far gives duals ``y_i ≥ 0`` (for the caps) and ``μ`` (for Σλ = 1); the pricing
problem ``max_P v(P) − Σ_{i∈P} y_i`` is the panel MILP with relevance shifted by ``−y``; a panel
with ``v(P) − Σ y_i − μ > tol`` enters, otherwise the master is optimal. A slack on Σλ = 1 with a
large penalty keeps the first master feasible (phase 1); if the slack stays positive the caps
``q`` are too tight for the quotas and :class:`InfeasibleError` says so.

Locked experts are exempt from the cap (their probability is 1). The report gives each expert's
selection probability, the expected objective and the *price of randomisation*
``1 − E[v] / v(P*)`` against the deterministic optimum ``P*``. Sampling uses a seeded
:class:`numpy.random.Generator`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from matcher.errors import InfeasibleError, InvalidProblemError, SolverError
from matcher.optimise._arrays import FloatArray
from matcher.optimise._panel import (
    PanelProblem,
    PanelSolution,
    build_panel_model,
    evaluate_panel,
    solve_panel,
)
from matcher.types import Msg

__all__ = ["PanelLottery", "randomised_panels"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class PanelLottery:
    """A distribution over quota-satisfying panels with bounded marginals.

    Args:
        problem: The panel problem.
        panels: Support of the distribution, each a tuple of member ids.
        probabilities: Probability of each panel, shape [len(panels)], sums to 1.
        selection_probability: expert id → probability of being selected (≤ q + tolerance).
        q: Cap per expert, shape [n].
        expected_objective: Σ_P λ_P v(P).
        optimum_objective: v(P*) of the deterministic optimum.
        price_of_randomisation: ``1 − expected / optimum`` (0 = no loss).
        iterations: Column-generation rounds used.
    """

    problem: PanelProblem
    panels: tuple[tuple[str, ...], ...]
    probabilities: FloatArray
    selection_probability: Mapping[str, float]
    q: FloatArray
    expected_objective: float
    optimum_objective: float
    price_of_randomisation: float
    iterations: int

    def sample(self, rng: np.random.Generator | int | None = None) -> PanelSolution:
        """Draw one panel (every quota holds in every draw).

        Args:
            rng: A generator or a seed (deterministic given the seed).
        """
        gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        k = int(gen.choice(len(self.panels), p=self.probabilities))
        return evaluate_panel(self.problem, self.panels[k], solver="lottery", optimal=False)

    def sample_many(self, count: int, seed: int | None = None) -> list[tuple[str, ...]]:
        """Draw ``count`` panels' member tuples (fast; no evaluation)."""
        gen = np.random.default_rng(seed)
        picks = gen.choice(len(self.panels), size=count, p=self.probabilities)
        return [self.panels[int(k)] for k in picks]


def randomised_panels(
    problem: PanelProblem,
    q: float | FloatArray,
    *,
    max_iter: int = 300,
    tol: float = 1e-7,
    time_limit: float = 20.0,
) -> PanelLottery:
    """Optimal panel lottery with selection probabilities capped by ``q``.

    Args:
        problem: The panel problem (quotas, exposure, locks as in :func:`solve_panel`).
        q: Cap on each expert's selection probability, scalar or shape [n], in (0, 1].
        max_iter: Column-generation rounds at most.
        tol: Reduced-cost tolerance.
        time_limit: Seconds per pricing MILP.

    Returns:
        A :class:`PanelLottery`.

    Raises:
        InfeasibleError: The quotas cannot be met at all, or not with caps ``q``
            (e.g. ``Σ q < size``: raise q).
        SolverError: LP or MILP failure.
    """
    p = problem
    caps = np.broadcast_to(np.asarray(q, dtype=float), (p.n,)).copy()
    if np.any(caps <= 0) or np.any(caps > 1 + 1e-12):
        raise InvalidProblemError("q must lie in (0, 1]")
    locked = p.index(p.locked)
    caps[locked] = 1.0
    best = solve_panel(p)  # raises InfeasibleError with the quota diagnosis
    model, cand = build_panel_model(p)
    nc = len(cand)
    if float(caps[cand].sum()) < p.size - 1e-9:
        raise InfeasibleError(
            [
                Msg(
                    "lottery.caps_too_low",
                    f"selection caps allow only {caps[cand].sum():.2f} expected members; "
                    f"panel size is {p.size}",
                    expected=round(float(caps[cand].sum()), 2),
                    size=p.size,
                )
            ],
            [Msg("advice.raise_q_or_widen", "raise q or widen the pool")],
        )
    base_cost = np.asarray(model.cost, dtype=float)
    pos = {int(c): k for k, c in enumerate(cand)}
    cols: list[np.ndarray] = []
    values: list[float] = []
    keys: set[bytes] = set()

    def add_column(members: tuple[str, ...], value: float) -> bool:
        a = np.zeros(nc)
        for i in p.index(members):
            a[pos[int(i)]] = 1.0
        key = np.packbits(a.astype(bool)).tobytes()
        if key in keys:
            return False
        keys.add(key)
        cols.append(a)
        values.append(value)
        return True

    add_column(best.members, best.objective)
    penalty = 1e3 * (1.0 + abs(best.objective))
    lam = np.zeros(1)
    iterations = 0
    for iterations in range(1, max_iter + 1):
        a = np.column_stack(cols)  # [nc, m]
        m = a.shape[1]
        c = np.concatenate([-np.asarray(values), [penalty]])  # minimise −Σλv + M·s
        a_ub = np.hstack([a, np.zeros((nc, 1))])
        a_eq = np.ones((1, m + 1))
        res = linprog(
            c, A_ub=a_ub, b_ub=caps[cand], A_eq=a_eq, b_eq=[1.0], bounds=(0, None), method="highs"
        )
        if res.status != 0:
            raise SolverError(f"lottery master LP failed: {res.message}")
        y = -np.asarray(res.ineqlin.marginals)  # ≥ 0
        mu = -float(res.eqlin.marginals[0])
        lam = np.asarray(res.x[:m])
        slack = float(res.x[m])
        cost = base_cost.copy()
        cost[:nc] -= y
        pr = model.solve(cost=cost, time_limit=time_limit)
        if pr.x is None:
            raise SolverError(f"lottery pricing MILP: no solution (status {pr.status})")
        reduced = pr.objective - mu
        logger.debug(
            "lottery round %d: %d columns, slack %.3g, reduced cost %.3g",
            iterations,
            m,
            slack,
            reduced,
        )
        if reduced <= tol:
            break
        members = tuple(p.candidates[i] for i in cand[pr.x[:nc] > 0.5])
        sol = evaluate_panel(p, members)
        if not add_column(members, sol.objective):
            break
    else:
        logger.warning("lottery column generation stopped after %d rounds", max_iter)
    if slack > 1e-6:
        tight = [p.candidates[i] for i in cand if caps[i] < 1]
        raise InfeasibleError(
            [
                Msg(
                    "lottery.no_distribution",
                    f"no distribution over quota-satisfying panels keeps every selection "
                    f"probability ≤ q (shortfall {slack:.3f}); the quotas lean on too few experts"
                    + (f" among {len(tight)} capped" if tight else ""),
                    shortfall=round(float(slack), 3),
                    capped=len(tight),
                )
            ],
            [Msg("advice.raise_q_relax_or_widen", "raise q, relax the quotas or widen the pool")],
        )
    a = np.column_stack(cols)
    lam = np.clip(lam, 0.0, None)
    keep = lam > 1e-9
    lam = lam[keep] / lam[keep].sum()
    a = a[:, keep]
    vals = np.asarray(values)[keep]
    marg = a @ lam
    panels = tuple(
        tuple(p.candidates[cand[j]] for j in np.flatnonzero(a[:, k] > 0.5))
        for k in range(a.shape[1])
    )
    sel = {p.candidates[i]: 0.0 for i in range(p.n)}
    for k, i in enumerate(cand):
        sel[p.candidates[i]] = float(marg[k])
    expected = float(vals @ lam)
    price = 1.0 - expected / best.objective if best.objective > 0 else 0.0
    logger.info(
        "lottery: %d panels, E[v]=%.4f vs v*=%.4f after %d rounds",
        len(panels),
        expected,
        best.objective,
        iterations,
    )
    return PanelLottery(
        problem=p,
        panels=panels,
        probabilities=lam,
        selection_probability=sel,
        q=caps,
        expected_objective=expected,
        optimum_objective=best.objective,
        price_of_randomisation=price,
        iterations=iterations,
    )
