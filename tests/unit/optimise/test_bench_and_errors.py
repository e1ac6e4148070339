from __future__ import annotations

import pytest

from benchmarks.formation_bench import (
    compare_batch,
    compare_panel_randomisation,
    compare_solvers,
    format_table,
    random_batch_instances,
    random_instances,
    random_panel_instances,
    summarise,
)
from matcher.errors import InfeasibleError, InvalidProblemError, MatcherError, SolverError
from matcher.optimise import Model, deletion_filter


def test_compare_solvers_rows_and_table() -> None:
    rows = compare_solvers(random_instances(seed=1, count=3, n=14, s=3))
    assert len(rows) == 12
    by = {(r["instance"], r["solver"]): r for r in rows}
    # Instance 0 needs a skill no candidate has: the exact solvers report it, never raise.
    for solver in ("greedy", "exact"):
        assert not by[0, solver]["feasible"] and by[0, solver]["gap"] is None
        assert "covered by no allowed candidate" in by[0, solver]["error"]
    # The others are feasible: both cover every skill, and none is better than exact.
    for i in (1, 2):
        for solver in ("greedy", "exact"):
            r = by[i, solver]
            assert r["feasible"] and r["coverage"] == 1.0 and not r["error"]
            assert r["gap"] is not None and r["gap"] >= -1e-9
        assert by[i, "exact"]["gap"] == pytest.approx(0.0, abs=1e-9)
    summary = summarise(rows)
    assert {s["solver"] for s in summary} == {"greedy", "exact", "rarest_first", "top_k"}
    table = format_table(summary, ["solver", "feasible", "objective", "gap", "seconds"])
    assert table.splitlines()[0] == "| solver | feasible | objective | gap | seconds |"


def test_compare_panel_randomisation_and_batch() -> None:
    rows = compare_panel_randomisation(random_panel_instances(0, count=2, n=14, size=5), q=0.6)
    assert "young" in rows[0]["error"]  # instance 0 has no young candidate: reported, not raised
    assert (
        rows[1]["max_probability"] <= 0.6 + 1e-6
        and rows[1]["expected"] <= rows[1]["optimum"] + 1e-6
    )
    b = compare_batch(random_batch_instances(0, count=1, demands=5, experts=15))
    assert {r["solver"] for r in b} == {"global", "greedy"}


def test_error_tree() -> None:
    err = InfeasibleError(["only 0 senior candidates allowed; need 1"], "lower min_senior")
    assert (
        err.reasons == ["only 0 senior candidates allowed; need 1"]
        and err.advice == "lower min_senior"
    )
    assert "lower min_senior" in str(err)
    for cls in (InfeasibleError, InvalidProblemError, SolverError):
        assert issubclass(cls, MatcherError)
    assert issubclass(InvalidProblemError, ValueError)


def test_deletion_filter_finds_an_irreducible_set() -> None:
    m = Model()
    x = m.add_vars(3, cost=1.0)
    m.add_row("size", x, 1.0, ub=1, fixed=True)
    m.add_row("a", [x[0]], 1.0, lb=1)
    m.add_row("b", [x[1]], 1.0, lb=1)
    m.add_row("c", [x[2]], 1.0, ub=1)
    assert deletion_filter(m) == ["a", "b"]
    assert m.feasible(["size", "a", "c"])
    with pytest.raises(AssertionError):
        assert m.feasible(["size", "a", "b"])
