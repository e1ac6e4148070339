"""Formation benchmarks: every team solver on the graph's demands, and on random instances.

Two halves, both outside the product (nothing in ``matcher``, ``api`` or ``graph_schema``
imports this module; ``kexie bench formation`` and :mod:`benchmarks.run` do):

* **On the graph** — :func:`bench_formation` runs every team solver on every demand of a
  :class:`~matcher.formation.FormationService`'s graph, panels on every topic, and batch
  assignment global vs greedy, as rows for a table.
* **Pure** — random instances and solver comparisons. Random team instances place candidates in
  a 2-D "collaboration space" (a stand-in for graph distance: people near each other have
  worked together), so ``comm_cost = min(1, distance)`` is a metric as in Lappas et al. 2009;
  skills, seniority, institutions and exclusions are Bernoulli / uniform. Print
  :func:`format_table` of :func:`summarise` ``(compare_solvers(...))``.

Example:
    >>> rows = compare_solvers(random_instances(seed=0, count=2, n=12, s=3))
    >>> sorted({r["solver"] for r in rows})
    ['exact', 'greedy', 'rarest_first', 'top_k']
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import numpy as np

from graph_schema.formation_queries import list_demand_ids, list_topic_ids
from matcher.errors import InfeasibleError, MatchValidationError
from matcher.formation import FormationService, team_precision
from matcher.optimise import (
    GRADES,
    SECTORS,
    SOLVER_MAP,
    BatchProblem,
    PanelProblem,
    TeamProblem,
    TeamWeights,
    default_panel_quotas,
    randomised_panels,
    solve_batch,
    solve_panel,
    solve_team,
)

__all__ = [
    "bench_formation",
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

TEAM_SOLVERS = ("greedy", "auto", "exact", "exhaustive", "rarest_first", "top_k")


# ---------------------------------------------------------------------------------------------
# On the graph


def bench_formation(
    svc: FormationService,
    *,
    truth: Mapping[str, Mapping[str, int]] | None = None,
    solvers: Sequence[str] = TEAM_SOLVERS,
    k_min: int = 2,
    k_max: int = 4,
    panel_size: int = 5,
    limit: int = 50,
) -> dict[str, list[Row]]:
    """Run every team solver on every demand, panels on every topic, and batch global vs greedy.

    ``auto`` is the service's own policy (``svc.auto_team_solver``), as ``propose_team`` runs it.

    Args:
        svc: The service whose graph, retriever and policy are measured.
        truth: demand id → {scientist id: grade}; adds ``precision`` (share of the team graded ≥ 1).
        solvers: Team solvers by name (:data:`matcher.optimise.SOLVER_MAP`).
        k_min, k_max: Team size bounds. ``panel_size``: panel size.
        limit: At most this many demands and topics.

    Returns:
        ``{"teams": rows, "panels": rows, "batch": rows}``; team rows carry coverage,
        relevance (mean member score), precision, comm_cost (mean per pair), gap vs exact,
        seconds, feasible, error.
    """
    truth = truth or {}
    teams: list[Row] = []
    demand_ids = list_demand_ids(svc.driver, limit=limit, database=svc.database)
    for did in demand_ids:
        try:
            problem, _ = svc.team_problem(did, k_min=k_min, k_max=k_max)
        except (InfeasibleError, MatchValidationError) as exc:
            teams.append({"demand": did, "solver": "-", "error": str(exc)[:120]})
            continue
        rows: list[Row] = []
        for name in solvers:
            t0 = time.perf_counter()
            try:
                sol = solve_team(
                    problem, svc.auto_team_solver if name == "auto" else SOLVER_MAP[name]
                )
            except InfeasibleError as exc:
                rows.append(
                    {
                        "demand": did,
                        "solver": name,
                        "feasible": False,
                        "error": exc.reasons[0][:120],
                        "seconds": round(time.perf_counter() - t0, 4),
                    }
                )
                continue
            row = {
                "demand": did,
                "solver": name,
                "pool": int(problem.allowed_mask.sum()),
                "feasible": sol.feasible,
                "size": len(sol.members),
                "coverage": round(sol.coverage_fraction, 3),
                "relevance": round(sol.relevance_mean, 4),
                "comm_cost": round(sol.comm_cost_mean, 4),
                "objective": round(sol.objective, 4),
                # auto runs two solvers: its wall time, not the last one's
                "seconds": round(time.perf_counter() - t0 if name == "auto" else sol.seconds, 4),
                "error": "",
            }
            if did in truth:
                row["precision"] = round(team_precision(sol.members, truth[did]), 3)
            rows.append(row)
        ref = next(
            (float(r["objective"]) for r in rows if r["solver"] == "exact" and "objective" in r),
            None,
        )
        for r in rows:
            r["gap"] = (
                round((ref - float(r["objective"])) / abs(ref), 4)
                if ref and "objective" in r
                else None
            )
        teams.extend(rows)
    panels: list[Row] = []
    for tid in list_topic_ids(svc.driver, limit=limit, database=svc.database):
        for relax in (False, True):
            try:
                p = svc.propose_panel(tid, size=panel_size, relax=relax)
            except InfeasibleError as exc:
                panels.append(
                    {
                        "topic": tid,
                        "mode": "relax" if relax else "strict",
                        "error": exc.reasons[0][:120],
                    }
                )
                continue
            panels.append(
                {
                    "topic": tid,
                    "mode": "relax" if relax else "strict",
                    "size": len(p.members),
                    "relevance": p.relevance_mean,
                    "quotas_hold": sum(c.holds for c in p.checks),
                    "checks": len(p.checks),
                    "relaxed": ",".join(p.relaxed),
                    "disciplines": p.diversity.get("n_disciplines"),
                    "seconds": p.seconds,
                    "error": "",
                }
            )
            if not relax:
                break
    batch: list[Row] = []
    if demand_ids:
        res = svc.assign_batch(demand_ids, team_max=k_max)
        for name, s in res.solutions.items():
            batch.append(
                {
                    "solver": name,
                    "filled": s.n_filled,
                    "demands": len(demand_ids),
                    "total_affinity": round(s.total_affinity, 4),
                    "seconds": round(s.seconds, 4),
                    "feasible": s.feasible,
                }
            )
    return {"teams": teams, "panels": panels, "batch": batch}


# ---------------------------------------------------------------------------------------------
# Pure: random instances and solver comparisons


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
