from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.errors import InfeasibleError, InvalidProblemError, MatcherError
from matcher.optimise import (
    SOLVER_MAP,
    AutoTeamSolver,
    ExhaustiveSolver,
    TeamProblem,
    TeamWeights,
    check_team,
    propose_replacements,
    solve_team,
)
from tests.unit.optimise._helpers import (
    team_brute_force,
    team_constraints,
    team_objective,
    team_ok,
    tiny_team,
)

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

tiny = st.builds(
    tiny_team,
    seed=st.integers(0, 2**31),
    n=st.integers(3, 9),
    s=st.integers(0, 3),
    k_min=st.integers(1, 3),
    k_max=st.integers(1, 4),
    min_senior=st.integers(0, 2),
    cap=st.sampled_from([None, 1, 2]),
    locked=st.integers(0, 1),
)


@SETTINGS
@given(p=tiny)
def test_strict_solvers_feasible_and_exact_is_optimal(p: TeamProblem) -> None:
    best = team_brute_force(p)
    for name in ("greedy", "exact", "exhaustive"):
        if best is None:
            with pytest.raises(InfeasibleError) as info:
                solve_team(p, name)
            assert info.value.reasons and info.value.advice
            continue
        sol = solve_team(p, name)
        assert team_ok(p, sol.members), (name, sol.members, sol.checks)
        assert all(c.holds for c in sol.checks)
        assert sol.objective == pytest.approx(team_objective(p, sol.members))
        assert sol.objective <= best + 1e-6
        if name in ("exact", "exhaustive"):
            assert sol.objective == pytest.approx(best, abs=1e-6)
            assert sol.optimal


@SETTINGS
@given(p=tiny)
def test_exact_never_below_greedy(p: TeamProblem) -> None:
    try:
        g = solve_team(p, "greedy")
    except InfeasibleError:
        with pytest.raises(InfeasibleError):
            solve_team(p, "exact")
        return
    e = solve_team(p, "exact")
    assert e.objective >= g.objective - 1e-6


@SETTINGS
@given(
    p=tiny,
    budget=st.sampled_from([0.0, 0.05, 5.0]),
    max_teams=st.sampled_from([0, 200_000]),
)
def test_auto_is_greedy_or_better_and_optimal_when_proven(
    p: TeamProblem, budget: float, max_teams: int
) -> None:
    """``auto`` (every team when few, else greedy, then the MILP under a time budget) never
    returns a worse team than greedy, keeps every hard constraint, and claims optimality only
    with the exact optimum."""
    auto_solver = AutoTeamSolver(exact_budget_s=budget, exhaustive_max_teams=max_teams)
    try:
        greedy = solve_team(p, "greedy")
    except InfeasibleError:
        with pytest.raises(InfeasibleError):
            solve_team(p, auto_solver)
        return
    auto = solve_team(p, auto_solver)
    assert auto.feasible and team_ok(p, auto.members)
    assert auto.objective >= greedy.objective - 1e-9
    if auto.optimal:
        best = team_brute_force(p)
        assert best is not None and auto.objective == pytest.approx(best, abs=1e-6)
    if ExhaustiveSolver.count(p) <= max_teams:
        assert auto.solver == "exhaustive" and auto.optimal


#: Wider than ``tiny``: up to 3 locked, caps of 1–3, and no communication cost half the time,
#: so the best team is as large as the limits allow and the caps bind.
wide = st.builds(
    tiny_team,
    seed=st.integers(0, 2**31),
    n=st.integers(1, 11),
    s=st.integers(0, 4),
    k_min=st.integers(1, 5),
    k_max=st.integers(1, 5),
    min_senior=st.integers(0, 3),
    cap=st.sampled_from([None, 1, 2, 3]),
    locked=st.integers(0, 3),
    weights=st.sampled_from([TeamWeights(1.0, 0.0, 0.2), TeamWeights(1.0, 0.5, 0.2)]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(p=wide, chunk=st.sampled_from([1, 7, 50_000]))
def test_exhaustive_equals_brute_force(p: TeamProblem, chunk: int) -> None:
    """Every team, in chunks of any size: the brute-force optimum, or infeasible exactly when
    brute force finds no team (locked members, caps and seniors included)."""
    best = team_brute_force(p)
    solver = ExhaustiveSolver(chunk=chunk)
    if best is None:
        with pytest.raises(InfeasibleError) as info:
            solve_team(p, solver)
        assert info.value.reasons and info.value.advice
        return
    sol = solve_team(p, solver)
    assert team_ok(p, sol.members) and sol.optimal and sol.solver == "exhaustive"
    assert sol.objective == pytest.approx(best, abs=1e-9)
    assert sol.objective == pytest.approx(team_objective(p, sol.members), abs=1e-9)


def test_exhaustive_counts_teams_and_refuses_too_many() -> None:
    p = tiny_team(7, 12, 2, k_min=2, k_max=4, p_allowed=1.0, locked=1)
    # 11 free candidates with the locked one in: C(11,1) + C(11,2) + C(11,3)
    assert ExhaustiveSolver.count(p) == 11 + 55 + 165
    with pytest.raises(InvalidProblemError, match="231 candidate teams exceed"):
        solve_team(p, ExhaustiveSolver(max_teams=230))
    assert solve_team(p, ExhaustiveSolver(max_teams=231)).optimal


@SETTINGS
@given(seed=st.integers(0, 2**31), n=st.integers(3, 12), k=st.integers(1, 5))
def test_without_pairwise_and_constraints_greedy_equals_exact_equals_top_k(
    seed: int, n: int, k: int
) -> None:
    p = tiny_team(
        seed,
        n,
        0,
        k_min=1,
        k_max=min(k, n),
        min_senior=0,
        cap=None,
        p_allowed=1.0,
        weights=TeamWeights(1.0, 0.0, 0.0),
    )
    g, e, t = (solve_team(p, s).members for s in ("greedy", "exact", "top_k"))
    assert set(g) == set(e) == set(t)


@SETTINGS
@given(p=tiny, solver=st.sampled_from(["rarest_first", "top_k"]))
def test_baseline_checks_are_honest(p: TeamProblem, solver: str) -> None:
    sol = solve_team(p, solver)
    truth = team_constraints(p, sol.members)
    assert {c.name: c.holds for c in sol.checks} == truth
    assert sol.feasible == all(truth.values())
    assert truth["allowed"]  # baselines still never use an excluded candidate


@SETTINGS
@given(p=tiny)
def test_swap_never_breaks_a_constraint(p: TeamProblem) -> None:
    try:
        team = solve_team(p, "exact").members
    except InfeasibleError:
        return
    for out in team:
        if out in p.locked:
            with pytest.raises(InfeasibleError):
                propose_replacements(p, team, out)
            continue
        try:
            props = propose_replacements(p, team, out, n=3)
        except InfeasibleError as exc:
            assert exc.reasons
            continue
        assert 1 <= len(props) <= 3
        objs = [r.objective for r in props]
        assert objs == sorted(objs, reverse=True)
        for r in props:
            assert out not in r.members and r.candidate not in team
            assert team_ok(p, r.members)
            assert r.objective_delta == pytest.approx(
                team_objective(p, r.members) - team_objective(p, team)
            )


def _named_problem() -> TeamProblem:
    ids = ("S1", "S12", "S40", "S7")
    return TeamProblem(
        candidates=ids,
        relevance=[0.9, 0.8, 0.7, 0.6],
        skills=("有限元仿真", "焊接"),
        coverage=[[0.0, 1.0], [1.0, 0.0], [0.9, 0.0], [0.0, 0.8]],
        comm_cost=np.ones((4, 4)) - np.eye(4),
        institution=("重庆大学", "长安汽车", "重庆大学", "西南大学"),
        senior=[False, True, False, False],
        allowed=[True, False, False, True],
        excluded_reasons={"S12": "COI with requesting enterprise", "S40": "unavailable"},
        k_min=2,
        k_max=3,
    )


@pytest.mark.parametrize("solver", ["greedy", "exact"])
def test_infeasibility_names_the_culprits(solver: str) -> None:
    with pytest.raises(InfeasibleError) as info:
        solve_team(_named_problem(), solver)
    text = " | ".join(info.value.reasons)
    assert "skill '有限元仿真' is covered by no allowed candidate" in text
    assert "S12 COI with requesting enterprise" in text and "S40 unavailable" in text
    assert "only 0 senior candidates allowed; need 1" in text
    assert "有限元仿真" in info.value.advice
    assert isinstance(info.value, MatcherError)


def test_joint_conflict_is_explained_by_deletion_filter() -> None:
    n = 4
    p = TeamProblem(
        candidates=("a", "b", "c", "d"),
        relevance=[0.5] * n,
        skills=("x", "y", "z"),
        coverage=np.eye(n)[:, :3],
        comm_cost=np.zeros((n, n)),
        institution=("u1", "u2", "u3", "u4"),
        senior=[True] * n,
        k_min=1,
        k_max=2,
    )
    with pytest.raises(InfeasibleError) as info:
        solve_team(p, "exact")
    text = info.value.reasons[0]
    assert "cover skill 'x'" in text and "cover skill 'z'" in text and "at most 2 members" in text
    assert "raise k_max" in info.value.advice


def test_locked_members_are_kept_and_bad_locks_rejected() -> None:
    p = tiny_team(3, 8, 2, k_min=2, k_max=4, p_allowed=1.0, min_senior=0, cap=None)
    locked = p.replace(locked=("S5",))
    for name in ("greedy", "exact", "top_k", "rarest_first"):
        assert "S5" in solve_team(locked, name).members
    bad = p.replace(locked=("S5",), allowed=np.arange(8) != 5, excluded_reasons={"S5": "COI"})
    with pytest.raises(InfeasibleError, match="locked candidate S5 is not allowed"):
        solve_team(bad, "greedy")


def test_invalid_problems_raise_invalid_problem_error() -> None:
    p = tiny_team(0, 4, 1)
    with pytest.raises(InvalidProblemError):
        p.replace(relevance=[0.1, 0.2])
    with pytest.raises(InvalidProblemError):
        p.replace(comm_cost=np.triu(np.ones((4, 4))))
    with pytest.raises(InvalidProblemError):
        p.replace(locked=("nobody",))
    with pytest.raises(InvalidProblemError):
        solve_team(p, "no-such-solver")


def test_solution_reports_parts_and_who_covers_what() -> None:
    p = tiny_team(11, 8, 3, k_min=2, k_max=4, p_allowed=1.0, p_cover=0.6)
    sol = solve_team(p, "exact")
    k = len(sol.members)
    assert sol.relevance_mean == pytest.approx(sol.relevance_sum / k)
    assert sol.comm_cost_mean == pytest.approx(sol.comm_cost_sum / (k * (k - 1) / 2))
    for skill, who in sol.skills_covered.items():
        assert who in sol.members
        assert p.coverage[p.candidates.index(who), p.skills.index(skill)] >= p.cover_threshold
    assert [c.name for c in check_team(p, sol.members)] == [
        "allowed",
        "locked",
        "team_size",
        "skill_coverage",
        "min_senior",
        "max_per_institution",
    ]
    assert set(SOLVER_MAP) == {"auto", "greedy", "exact", "exhaustive", "rarest_first", "top_k"}


def test_auto_by_name_reports_the_solver_it_chose() -> None:
    """``auto`` is a policy over the other solvers: the solution is the chosen one's, under its
    name, never ``auto``."""
    p = tiny_team(11, 8, 3, k_min=2, k_max=4, p_allowed=1.0, p_cover=0.6)
    small = solve_team(p, "auto")  # 8 candidates: every team is scored
    assert small.solver == "exhaustive" and small.optimal
    assert small.objective == pytest.approx(solve_team(p, "exact").objective, abs=1e-6)
    large = solve_team(p, AutoTeamSolver(exhaustive_max_teams=0, exact_max_pool=0))
    assert large.solver == "greedy" and not large.optimal
    assert large.members == solve_team(p, "greedy").members


def test_exact_solves_a_pool_of_forty_to_optimality() -> None:
    # A seeded, feasible instance at the exact solver's largest pool (its time is in the
    # benchmark, not asserted here).
    p = tiny_team(5, 40, 5, k_min=3, k_max=6, p_cover=0.15, cap=2)
    e = solve_team(p, "exact")
    g = solve_team(p, "greedy")
    assert e.optimal and e.objective >= g.objective - 1e-6
