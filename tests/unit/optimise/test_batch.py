from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.formation_bench import random_batch_instances
from matcher.optimise import BatchProblem, solve_batch


def tiny_batch(seed: int, d: int, n: int) -> BatchProblem:
    rng = np.random.default_rng(seed)
    tmin = rng.integers(1, 3, d)
    return BatchProblem(
        demands=tuple(f"D{i}" for i in range(d)),
        experts=tuple(f"X{e}" for e in range(n)),
        affinity=rng.random((d, n)),
        team_min=tmin,
        team_max=tmin + rng.integers(0, 2, d),
        capacity=rng.integers(0, 3, n),
        forbidden=rng.random((d, n)) < 0.15,
    )


def independent_ok(p: BatchProblem, mat: np.ndarray) -> bool:
    sizes = mat.sum(axis=1)
    assert p.forbidden is not None
    return bool(
        np.all(mat.sum(axis=0) <= p.capacity)
        and not np.any(mat & p.forbidden)
        and np.all((sizes == 0) | ((sizes >= p.team_min) & (sizes <= p.team_max)))
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), d=st.integers(1, 6), n=st.integers(2, 10))
def test_global_dominates_greedy_and_capacities_hold(seed: int, d: int, n: int) -> None:
    p = tiny_batch(seed, d, n)
    g = solve_batch(p, "global")
    h = solve_batch(p, "greedy")
    for sol in (g, h):
        assert independent_ok(p, sol.matrix)
        assert sol.total_affinity == pytest.approx(float(p.affinity[sol.matrix].sum()))
        assert set(sol.unfilled) == {p.demands[i] for i in range(d) if not sol.matrix[i].any()}
    assert g.objective >= h.objective - 1e-6
    assert g.n_filled >= h.n_filled
    if g.n_filled == h.n_filled:
        assert g.total_affinity >= h.total_affinity - 1e-6
    # greedy in reverse order is also dominated
    r = solve_batch(p, "greedy", order=list(reversed(p.demands)))
    assert g.objective >= r.objective - 1e-6


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), d=st.integers(1, 6), n=st.integers(2, 10))
def test_pairs_outside_the_candidates_are_never_assigned(seed: int, d: int, n: int) -> None:
    """A demand's candidate set bounds both solvers; global still dominates greedy."""
    base = tiny_batch(seed, d, n)
    cand = np.random.default_rng(seed + 1).random((d, n)) < 0.5
    p = BatchProblem(
        demands=base.demands,
        experts=base.experts,
        affinity=base.affinity,
        team_min=base.team_min,
        team_max=base.team_max,
        capacity=base.capacity,
        forbidden=base.forbidden,
        candidates=cand,
    )
    g, h = solve_batch(p, "global"), solve_batch(p, "greedy")
    for sol in (g, h):
        assert independent_ok(p, sol.matrix) and not np.any(sol.matrix & ~cand)
        assert all(c.holds for c in sol.checks)
    assert g.objective >= h.objective - 1e-6
    # Widening the candidates can only help the global optimum.
    assert solve_batch(base, "global").objective >= g.objective - 1e-6


def test_unfilled_reason_counts_only_candidates() -> None:
    p = BatchProblem(
        demands=("D",),
        experts=("X1", "X2", "X3"),
        affinity=[[0.9, 0.8, 0.7]],
        team_min=[2],
        team_max=[2],
        capacity=[1, 1, 1],
        forbidden=[[True, False, False]],
        candidates=[[True, True, False]],
    )
    sol = solve_batch(p, "global")
    assert sol.assignment["D"] == ()
    assert "only 1 eligible experts of 2 candidates (1 conflicted or forbidden" in sol.unfilled["D"]
    with pytest.raises(Exception, match="candidates has shape"):
        BatchProblem(
            demands=("D",),
            experts=("X1",),
            affinity=[[0.5]],
            team_min=[1],
            team_max=[1],
            capacity=[1],
            candidates=[[True, False]],
        )


def test_unfilled_reasons_and_min_affinity() -> None:
    p = BatchProblem(
        demands=("需求A", "需求B"),
        experts=("X1", "X2", "X3"),
        affinity=[[0.9, 0.8, 0.1], [0.7, 0.6, 0.5]],
        team_min=[2, 2],
        team_max=[2, 2],
        capacity=[1, 1, 0],
        forbidden=[[False, False, False], [False, False, True]],
    )
    g = solve_batch(p, "global")
    assert g.n_filled == 1 and g.assignment["需求A"] == ("X1", "X2")
    assert g.min_affinity["需求A"] == pytest.approx(0.8) and g.min_affinity["需求B"] is None
    assert "capacity went to other demands" in g.unfilled["需求B"]
    h = solve_batch(p, "greedy", order=["需求B", "需求A"])
    assert "capacity went to earlier demands" in h.unfilled["需求A"]
    q = BatchProblem(
        ("D",), ("X1", "X2"), [[0.5, 0.5]], [2], [2], [1, 1], forbidden=[[True, False]]
    )
    assert (
        "only 1 eligible experts of 2 candidates (1 conflicted or forbidden, 0 with no remaining "
        "capacity)" in solve_batch(q).unfilled["D"]
    )


def test_random_batch_instances_global_at_least_greedy() -> None:
    for p in random_batch_instances(3, count=2, demands=8, experts=30):
        assert solve_batch(p).objective >= solve_batch(p, "greedy").objective - 1e-6
