from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.errors import InfeasibleError
from matcher.optimise import (
    ORG_KINDS,
    AutoConsortiumSolver,
    ConsortiumProblem,
    Organisation,
    solve_consortium,
)

DISC = ("材料", "机械", "信息", "化工")


def tiny_consortium(seed: int, o: int, k: int) -> ConsortiumProblem:
    rng = np.random.default_rng(seed)
    orgs = tuple(
        Organisation(
            f"O{i}",
            ORG_KINDS[int(rng.integers(0, len(ORG_KINDS)))],
            tuple(str(d) for d in rng.choice(DISC, size=int(rng.integers(1, 3)), replace=False)),
            float(rng.random()),
        )
        for i in range(o)
    )
    t = rng.random((o, o)) * (rng.random((o, o)) < 0.4)
    return ConsortiumProblem(
        orgs, DISC[:3], np.triu(t, 1) + np.triu(t, 1).T, max_size=k, min_size=2
    )


def ok(p: ConsortiumProblem, members: tuple[str, ...]) -> bool:
    orgs = [o for o in p.organisations if o.id in members]
    return (
        p.min_size <= len(orgs) <= p.max_size
        and all(any(d in o.disciplines for o in orgs) for d in p.theme_disciplines)
        and all(any(o.kind in g for o in orgs) for g in p.require_kinds)
    )


def value(p: ConsortiumProblem, members: tuple[str, ...]) -> float:
    idx = [i for i, o in enumerate(p.organisations) if o.id in members]
    return sum(p.organisations[i].relevance - p.member_cost for i in idx) + p.w_ties * sum(
        p.ties[i, j] for i, j in itertools.combinations(idx, 2)
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), o=st.integers(3, 8), k=st.integers(2, 4))
def test_exact_is_optimal_and_greedy_never_beats_it(seed: int, o: int, k: int) -> None:
    p = tiny_consortium(seed, o, k)
    ids = [x.id for x in p.organisations]
    feas = [c for r in range(1, k + 1) for c in itertools.combinations(ids, r) if ok(p, c)]
    g = solve_consortium(p, "greedy")
    assert g.feasible == ok(p, g.members)
    if not feas:
        with pytest.raises(InfeasibleError):
            solve_consortium(p, "exact")
        return
    e = solve_consortium(p, "exact")
    assert ok(p, e.members) and e.feasible
    assert e.objective == pytest.approx(max(value(p, c) for c in feas), abs=1e-6)
    assert e.objective == pytest.approx(value(p, e.members))
    if g.feasible:
        assert e.objective >= g.objective - 1e-6


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), o=st.integers(3, 8), k=st.integers(2, 4))
def test_budgeted_exact_holds_every_check_and_never_loses_to_greedy(
    seed: int, o: int, k: int
) -> None:
    """The service's consortium solve (exact under a budget, greedy when it scores higher and
    holds): every check holds, and it is never below a feasible greedy answer."""
    p = tiny_consortium(seed, o, k)
    try:
        sol = solve_consortium(p, AutoConsortiumSolver(exact_budget_s=0.03))
    except InfeasibleError:
        with pytest.raises(InfeasibleError):
            solve_consortium(p, "exact")
        return
    assert sol.feasible and ok(p, sol.members)
    greedy = solve_consortium(p, "greedy")
    if greedy.feasible:
        assert sol.objective >= greedy.objective - 1e-9
    if sol.optimal:
        assert sol.objective == pytest.approx(solve_consortium(p, "exact").objective, abs=1e-6)


def test_contributions_explain_each_member() -> None:
    orgs = (
        Organisation("ent", "enterprise", ("机械",), 0.9),
        Organisation("uni", "university", ("材料", "机械"), 0.8),
        Organisation("cas", "institute", ("信息",), 0.7),
        Organisation("soc", "society", ("材料",), 0.2),
    )
    ties = np.zeros((4, 4))
    ties[0, 1] = ties[1, 0] = 0.8
    p = ConsortiumProblem(orgs, ("材料", "机械", "信息"), ties, max_size=4)
    sol = solve_consortium(p)
    assert set(sol.members) == {"ent", "uni", "cas"}
    by = {c.member: c for c in sol.contributions}
    assert by["cas"].unique_disciplines == ("信息",)
    assert by["uni"].unique_disciplines == ("材料",)
    assert by["ent"].unique_kinds == ("enterprise",)
    assert by["ent"].ties == (("uni", 0.8),)
    assert sol.coverage["机械"] == ("ent", "uni")


def test_missing_discipline_and_kind_are_named() -> None:
    orgs = (
        Organisation("uni", "university", ("材料",), 0.8),
        Organisation("soc", "society", ("信息",), 0.5),
    )
    p = ConsortiumProblem(
        orgs,
        ("材料", "信息", "化工"),
        np.zeros((2, 2)),
        allowed=[True, False],
        excluded_reasons={"soc": "COI"},
    )
    with pytest.raises(InfeasibleError) as info:
        solve_consortium(p)
    text = " | ".join(info.value.reasons)
    assert "discipline '信息' is covered by no allowed organisation (excluded: soc COI)" in text
    assert "discipline '化工'" in text and "no allowed organisation of kind enterprise" in text
    g = solve_consortium(p, "greedy")
    assert not g.feasible and any(c.name == "discipline_coverage" and not c.holds for c in g.checks)
