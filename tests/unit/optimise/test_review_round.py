"""The review-round solver on plain arrays: loads, conflicts, fairness, infeasibility."""

from __future__ import annotations

import numpy as np
import pytest

from graph_schema.review_queries import TieRow
from matcher.errors import InfeasibleError, InvalidProblemError
from matcher.optimise import ReviewRoundProblem, random_round, solve_round
from matcher.review import CoiPolicy, judge


def _check(problem: ReviewRoundProblem, solver: str) -> None:
    sol = solve_round(problem, solver)
    k = problem.k_array
    load: dict[str, int] = {}
    allowed = problem.allowed_array
    for i, item in enumerate(problem.items):
        revs = sol.assignment[item]
        assert len(revs) == k[i], (solver, item)
        for r in revs:
            assert allowed[i, problem.reviewers.index(r)], (solver, item, r)
            load[r] = load.get(r, 0) + 1
    assert max(load.values()) <= int(problem.load_array.max())
    assert sol.feasible


@pytest.mark.parametrize("solver", ["exact", "fair", "greedy"])
def test_every_item_gets_k_reviewers_none_over_l_no_conflict(solver: str) -> None:
    _check(random_round(120, k=3, max_load=5, seed=3), solver)


def test_exact_is_never_below_greedy() -> None:
    p = random_round(200, seed=4)
    assert solve_round(p, "exact").total_relevance >= solve_round(p, "greedy").total_relevance


def test_fairness_raises_the_worst_item_against_the_plain_objective() -> None:
    # Plain: A to item 1 (0.9) and B to item 2 (0.05) totals 0.95 > 0.9 for the fair swap.
    p = ReviewRoundProblem(("i1", "i2"), ("A", "B"), [[0.9, 0.5], [0.4, 0.05]], k=1, max_load=1)
    plain, fair, maxmin = (solve_round(p, s) for s in ("exact", "fair", "maxmin"))
    assert plain.assignment == {"i1": ("A",), "i2": ("B",)}
    assert plain.min_item_relevance == pytest.approx(0.05)
    assert fair.min_item_relevance == pytest.approx(0.4)
    assert maxmin.min_item_relevance == pytest.approx(0.4)


def test_fairness_on_a_random_round() -> None:
    p = random_round(1000, seed=1)
    plain, fair = solve_round(p, "exact"), solve_round(p, "fair")
    assert fair.min_item_relevance > plain.min_item_relevance
    assert fair.total_relevance <= plain.total_relevance + 1e-9


def test_too_few_reviewer_slots_says_by_how_much() -> None:
    p = ReviewRoundProblem(
        tuple(f"i{i}" for i in range(10)), ("a", "b", "c"), np.full((10, 3), 0.5), k=2, max_load=4
    )
    with pytest.raises(InfeasibleError) as err:
        solve_round(p, "exact")
    assert "20 reviews" in err.value.reasons[0] and "8 short" in err.value.reasons[0]
    assert "at least 7" in err.value.advice


def test_item_with_too_few_allowed_reviewers_is_named() -> None:
    allowed = np.ones((2, 3), dtype=bool)
    allowed[1, :2] = False
    p = ReviewRoundProblem(
        ("i1", "i2"), ("a", "b", "c"), np.full((2, 3), 0.5), k=2, max_load=2, allowed=allowed
    )
    with pytest.raises(InfeasibleError) as err:
        solve_round(p, "fair")
    assert "item i2 has 1 allowed reviewers, needs 2" in err.value.reasons[0]


def test_bad_problems_are_rejected() -> None:
    with pytest.raises(InvalidProblemError):
        ReviewRoundProblem(("i",), ("a",), [[1.5]])
    with pytest.raises(InvalidProblemError):
        solve_round(ReviewRoundProblem(("i",), ("a",), [[0.5]], k=1), "magic")


def test_policy_excludes_inside_and_discloses_outside_the_window() -> None:
    def tie(kind: str, year: int | None, within: bool) -> TieRow:
        return TieRow("I", kind, "R", "A", "甲", "论文", year, None, None, None, None, within)

    policy = CoiPolicy(year=2025)
    assert judge([tie("coauthor", 2023, True)], policy)[("I", "R")].excluded
    outside = judge([tie("coauthor", 2012, False)], policy)[("I", "R")]
    assert not outside.excluded and "2012" in outside.disclosed[0]
    assert judge([tie("district", None, True)], policy)[("I", "R")].disclosed
    strict = CoiPolicy(year=2025, exclude=("applicant", "district"), disclose=())
    assert judge([tie("district", None, True)], strict)[("I", "R")].excluded
    with pytest.raises(Exception, match="unknown ties"):
        CoiPolicy(exclude=("friendship",))
