"""Benchmark helpers (pure): random instances and solver comparisons, as rows for a table.

Random team instances place candidates in a 2-D "collaboration space" (a stand-in for graph
distance: people near each other have worked together), so ``comm_cost = min(1, distance)`` is a
metric as in Lappas et al. 2009; skills, seniority, institutions and exclusions are Bernoulli /
uniform. The lead can print :func:`format_table` of :func:`summarise` ``(compare_solvers(...))``
and later feed real demands to :func:`compare_solvers`.

Example:
    >>> rows = compare_solvers(random_instances(seed=0, count=2, n=12, s=3))
    >>> sorted({r["solver"] for r in rows})
    ['exact', 'greedy', 'rarest_first', 'top_k']
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np

from matcher.errors import InfeasibleError
from matcher.optimise._batch import BatchProblem, solve_batch
from matcher.optimise._panel import GRADES, SECTORS, PanelProblem, default_panel_quotas, solve_panel
from matcher.optimise._rotation import randomised_panels
from matcher.optimise._team import SOLVER_MAP, TeamProblem, TeamWeights, solve_team

__all__ = [
    "random_instances",
    "random_panel_instances",
    "random_batch_instances",
    "compare_solvers",
    "compare_panel_randomisation",
    "compare_batch",
    "summarise",
    "format_table",
]

logger = logging.getLogger(__name__)

Row = dict[str, Any]


def random_instances(
    seed: int,
    count: int = 20,
    n: int = 30,
    s: int = 5,
    *,
    k_min: int = 3,
    k_max: int = 6,
    p_cover: float = 0.15,
    p_senior: float = 0.3,
    p_allowed: float = 0.9,
    n_institutions: int = 8,
    max_per_institution: int | None = 2,
    weights: TeamWeights | None = None,
) -> list[TeamProblem]:
    """``count`` random team problems of ``n`` candidates and ``s`` skills (seeded)."""
    rng = np.random.default_rng(seed)
    out = []
    for t in range(count):
        pos = rng.random((n, 2)) * 1.5
        comm = np.minimum(1.0, np.linalg.norm(pos[:, None, :] - pos[None, :, :], axis=2))
        coverage = np.where(
            rng.random((n, s)) < p_cover, rng.uniform(0.5, 1.0, (n, s)), rng.uniform(0, 0.5, (n, s))
        )
        allowed = rng.random(n) < p_allowed
        out.append(
            TeamProblem(
                candidates=tuple(f"T{t}S{i}" for i in range(n)),
                relevance=rng.beta(2, 3, n),
                skills=tuple(f"skill{j}" for j in range(s)),
                coverage=coverage,
                comm_cost=comm,
                institution=tuple(f"inst{int(v)}" for v in rng.integers(0, n_institutions, n)),
                senior=rng.random(n) < p_senior,
                locality=rng.random(n),
                allowed=allowed,
                excluded_reasons={f"T{t}S{i}": "unavailable" for i in np.flatnonzero(~allowed)},
                k_min=k_min,
                k_max=k_max,
                max_per_institution=max_per_institution,
                weights=weights or TeamWeights(relevance=1.0, communication=0.5, locality=0.1),
            )
        )
    return out


def compare_solvers(
    instances: Iterable[TeamProblem],
    solvers: Sequence[str] = ("greedy", "exact", "rarest_first", "top_k"),
) -> list[Row]:
    """Run every solver on every instance.

    Returns:
        One row per (instance, solver): ``instance, solver, feasible, coverage, size, relevance``
        (mean), ``comm_cost`` (mean per pair), ``objective, gap`` (relative to ``exact``'s
        objective, ``None`` without it), ``seconds, error``.
    """
    rows: list[Row] = []
    for t, prob in enumerate(instances):
        batch: list[Row] = []
        for name in solvers:
            t0 = time.perf_counter()
            try:
                sol = solve_team(prob, SOLVER_MAP[name])
            except InfeasibleError as exc:
                batch.append(
                    {
                        "instance": t,
                        "solver": name,
                        "feasible": False,
                        "error": exc.reasons[0],
                        "seconds": time.perf_counter() - t0,
                    }
                )
                continue
            batch.append(
                {
                    "instance": t,
                    "solver": name,
                    "feasible": sol.feasible,
                    "coverage": sol.coverage_fraction,
                    "size": len(sol.members),
                    "relevance": sol.relevance_mean,
                    "comm_cost": sol.comm_cost_mean,
                    "objective": sol.objective,
                    "seconds": sol.seconds,
                    "error": "",
                }
            )
        ref = next(
            (r["objective"] for r in batch if r["solver"] == "exact" and "objective" in r), None
        )
        for r in batch:
            r["gap"] = (
                (ref - r["objective"]) / abs(ref)
                if ref is not None and "objective" in r and abs(ref) > 1e-12
                else None
            )
        rows.extend(batch)
    return rows


def summarise(rows: Iterable[Row], by: str = "solver") -> list[Row]:
    """Average numeric columns per ``by`` value; ``feasible`` becomes a share, ``n`` counts rows."""
    groups: dict[Any, list[Row]] = {}
    for r in rows:
        groups.setdefault(r[by], []).append(r)
    out: list[Row] = []
    for key, rs in groups.items():
        agg: Row = {by: key, "n": len(rs)}
        for c in dict.fromkeys(c for r in rs for c in r if c not in (by, "instance", "error")):
            vals = [r[c] for r in rs if r.get(c) is not None]
            if vals and all(isinstance(v, bool | int | float | np.floating) for v in vals):
                agg[c] = float(np.mean([float(v) for v in vals]))
        out.append(agg)
    return out


def format_table(rows: Sequence[Row], columns: Sequence[str] | None = None, digits: int = 3) -> str:
    """A plain-text (Markdown) table of ``rows``."""
    if not rows:
        return ""
    cols = list(columns) if columns else list(dict.fromkeys(c for r in rows for c in r))

    def fmt(v: Any) -> str:
        if v is None:
            return "-"
        if isinstance(v, float | np.floating):
            return f"{float(v):.{digits}f}"
        return str(v)

    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    lines += ["| " + " | ".join(fmt(r.get(c)) for c in cols) + " |" for r in rows]
    return "\n".join(lines)


def random_panel_instances(
    seed: int, count: int = 5, n: int = 30, size: int = 7, *, n_disciplines: int = 6, dim: int = 8
) -> list[PanelProblem]:
    """``count`` random panel problems with the default quotas (seeded)."""
    rng = np.random.default_rng(seed)
    discs = [f"disc{j}" for j in range(n_disciplines)]
    out = []
    for t in range(count):
        out.append(
            PanelProblem(
                candidates=tuple(f"P{t}E{i}" for i in range(n)),
                relevance=rng.beta(2, 3, n),
                grade=tuple(GRADES[int(g)] for g in rng.choice(4, n, p=[0.1, 0.5, 0.3, 0.1])),
                is_young=rng.random(n) < 0.25,
                sector=tuple(SECTORS[int(g)] for g in rng.integers(0, 3, n)),
                disciplines=tuple(
                    tuple(
                        str(d)
                        for d in rng.choice(discs, size=int(rng.integers(1, 3)), replace=False)
                    )
                    for _ in range(n)
                ),
                institution=tuple(f"inst{int(v)}" for v in rng.integers(0, 8, n)),
                size=size,
                quotas=default_panel_quotas(),
                embeddings=rng.normal(size=(n, dim)),
            )
        )
    return out


def compare_panel_randomisation(instances: Iterable[PanelProblem], q: float = 0.5) -> list[Row]:
    """Deterministic optimum vs the capped lottery, one row per instance.

    Rows: ``instance, optimum, expected, price`` (of randomisation), ``max_probability``,
    ``n_panels`` (support), ``experts_used`` (with probability > 0), ``seconds``.
    """
    rows: list[Row] = []
    for t, prob in enumerate(instances):
        t0 = time.perf_counter()
        try:
            det = solve_panel(prob)
            lot = randomised_panels(prob, q)
        except InfeasibleError as exc:
            rows.append({"instance": t, "error": exc.reasons[0]})
            continue
        probs = np.array(list(lot.selection_probability.values()))
        rows.append(
            {
                "instance": t,
                "optimum": det.objective,
                "expected": lot.expected_objective,
                "price": lot.price_of_randomisation,
                "max_probability": float(probs.max()),
                "n_panels": len(lot.panels),
                "experts_used": int((probs > 1e-9).sum()),
                "deterministic_experts": len(det.members),
                "seconds": time.perf_counter() - t0,
            }
        )
    return rows


def random_batch_instances(
    seed: int, count: int = 5, demands: int = 10, experts: int = 40, *, capacity: int = 2
) -> list[BatchProblem]:
    """``count`` random batch problems: clustered affinities, capacities 0..capacity, some COI."""
    rng = np.random.default_rng(seed)
    out = []
    for t in range(count):
        topic_d = rng.normal(size=(demands, 4))
        topic_e = rng.normal(size=(experts, 4))
        aff = 1 / (1 + np.exp(-(topic_d @ topic_e.T) / 2))
        tmin = rng.integers(1, 3, demands)
        out.append(
            BatchProblem(
                demands=tuple(f"B{t}D{d}" for d in range(demands)),
                experts=tuple(f"B{t}E{e}" for e in range(experts)),
                affinity=aff,
                team_min=tmin,
                team_max=tmin + rng.integers(0, 3, demands),
                capacity=rng.integers(0, capacity + 1, experts),
                forbidden=rng.random((demands, experts)) < 0.05,
            )
        )
    return out


def compare_batch(instances: Iterable[BatchProblem]) -> list[Row]:
    """Global MILP vs one-by-one greedy: ``instance, solver, filled, total_affinity,
    mean_min_affinity, seconds``."""
    rows: list[Row] = []
    for t, prob in enumerate(instances):
        names: tuple[Literal["global", "greedy"], ...] = ("global", "greedy")
        for name in names:
            sol = solve_batch(prob, name)
            mins = [v for v in sol.min_affinity.values() if v is not None]
            rows.append(
                {
                    "instance": t,
                    "solver": name,
                    "filled": sol.n_filled,
                    "demands": len(prob.demands),
                    "total_affinity": sol.total_affinity,
                    "mean_min_affinity": float(np.mean(mins)) if mins else None,
                    "seconds": sol.seconds,
                }
            )
    return rows
