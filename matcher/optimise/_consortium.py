"""Cross-disciplinary consortia of organisations (industry + university + research).

Choose at most ``max_size`` organisations maximising

    Σ_{o∈C} (w_rel · relevance_o − member_cost)  +  w_ties · Σ_{o<p ∈ C} ties_op

subject to: every theme discipline is covered by a member; for each *kind group* in
``require_kinds`` (default: an enterprise; a university or institute) at least one member of
that group; ``min_size ≤ |C| ≤ max_size``; allowed organisations only. ``member_cost`` keeps the
consortium compact (otherwise a nonnegative objective would always fill it to ``max_size``).

Solvers:

``exact``
    MILP; ties are rewards, so the product ``x_o x_p`` is linearised with ``y ≤ x_o, y ≤ x_p``
    (tight when maximised). Infeasibility is pre-checked (a discipline nobody allowed covers, a
    kind nobody allowed has) and otherwise explained by a deletion filter over the groups.
``greedy``
    Greedy set cover (Chvátal 1979: take the organisation covering most uncovered disciplines,
    ties broken by marginal objective), then the missing kinds, then any member that still
    gains. A baseline: it may fail a constraint and says so in ``checks``.
``auto``
    The service's policy (:class:`AutoConsortiumSolver`): ``exact`` under a time budget, and
    ``greedy`` instead when HiGHS has not proved its answer by then and greedy holds every
    check with a higher objective.

Each member's *contribution* is explained: the theme disciplines it alone brings, the kind
requirement it alone meets, and its ties with the other members.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from matcher.errors import InfeasibleError, InvalidProblemError, SolverError
from matcher.optimise._arrays import BoolArray, FloatArray, IntArray, as_bool, as_float
from matcher.optimise._milp import Model, deletion_filter
from matcher.types import Check, Checked, Msg

__all__ = [
    "ORG_KINDS",
    "Organisation",
    "ConsortiumProblem",
    "Contribution",
    "ConsortiumSolution",
    "AutoConsortiumSolver",
    "solve_consortium",
    "evaluate_consortium",
]

logger = logging.getLogger(__name__)

ORG_KINDS = ("enterprise", "university", "institute", "society", "national_society")


@dataclass(frozen=True)
class Organisation:
    """An organisation that may join a consortium.

    Args:
        id: Stable id. ``kind``: one of :data:`ORG_KINDS`. ``disciplines``: disciplines it covers.
        relevance: Relevance to the theme, in [0, 1]. ``name``: display name.
    """

    id: str
    kind: str
    disciplines: tuple[str, ...]
    relevance: float
    name: str = ""


@dataclass(frozen=True, eq=False)
class ConsortiumProblem:
    """A consortium request.

    Args:
        organisations: Candidates, length o.
        theme_disciplines: Disciplines the theme needs.
        ties: Existing collaboration strength, symmetric, shape [o, o], in [0, 1].
        max_size: At most K members. ``min_size``: at least this many.
        require_kinds: Each tuple is a kind group of which at least one member is required.
        w_relevance, w_ties, member_cost: Objective weights (≥ 0).
        allowed: Mask [o]; ``excluded_reasons``: id → why excluded.
    """

    organisations: tuple[Organisation, ...]
    theme_disciplines: tuple[str, ...]
    ties: FloatArray
    max_size: int = 5
    min_size: int = 2
    require_kinds: tuple[tuple[str, ...], ...] = (("enterprise",), ("university", "institute"))
    w_relevance: float = 1.0
    w_ties: float = 0.5
    member_cost: float = 0.3
    allowed: BoolArray | None = None
    excluded_reasons: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        orgs = tuple(self.organisations)
        o = len(orgs)
        if len({x.id for x in orgs}) != o:
            raise InvalidProblemError("organisation ids are not unique")
        for x in orgs:
            if x.kind not in ORG_KINDS:
                raise InvalidProblemError(f"organisation {x.id}: unknown kind {x.kind!r}")
            if not 0.0 <= x.relevance <= 1.0:
                raise InvalidProblemError(f"organisation {x.id}: relevance outside [0, 1]")
        set_(self, "organisations", orgs)
        set_(self, "theme_disciplines", tuple(self.theme_disciplines))
        t = np.array(as_float("ties", self.ties, (o, o)))
        if not np.allclose(t, t.T):
            raise InvalidProblemError("ties is not symmetric")
        np.fill_diagonal(t, 0.0)
        set_(self, "ties", as_float("ties", t, (o, o)))
        set_(self, "allowed", as_bool("allowed", self.allowed, o, True))
        set_(self, "require_kinds", tuple(tuple(g) for g in self.require_kinds))
        set_(self, "excluded_reasons", dict(self.excluded_reasons))
        if self.min_size < 1 or self.max_size < self.min_size:
            raise InvalidProblemError("need 1 ≤ min_size ≤ max_size")
        if min(self.w_relevance, self.w_ties, self.member_cost) < 0:
            raise InvalidProblemError("weights must be ≥ 0")

    @property
    def o(self) -> int:
        return len(self.organisations)

    @property
    def allowed_mask(self) -> BoolArray:
        assert self.allowed is not None
        return self.allowed

    @property
    def covers(self) -> BoolArray:
        """Shape [o, t]: organisation covers theme discipline."""
        return np.array(
            [[d in org.disciplines for d in self.theme_disciplines] for org in self.organisations],
            dtype=bool,
        ).reshape(self.o, len(self.theme_disciplines))

    def kind_mask(self, group: Sequence[str]) -> BoolArray:
        return np.array([org.kind in group for org in self.organisations], dtype=bool)

    def unit_gain(self) -> FloatArray:
        rel = np.array([org.relevance for org in self.organisations], dtype=float)
        return self.w_relevance * rel - self.member_cost

    def index(self, ids: Sequence[str]) -> IntArray:
        pos = {org.id: i for i, org in enumerate(self.organisations)}
        try:
            return np.array(sorted(pos[c] for c in ids), dtype=np.int64)
        except KeyError as exc:
            raise InvalidProblemError(f"unknown organisation id {exc.args[0]!r}") from exc


@dataclass(frozen=True)
class Contribution:
    """Why one organisation is in the consortium.

    Args:
        member: Its id. ``kind``: its kind.
        disciplines: Theme disciplines it covers.
        unique_disciplines: Those no other member covers.
        unique_kinds: Kind groups (joined with ``/``) it alone satisfies.
        ties: ``(other member, strength)`` for its existing collaborations in the consortium.
    """

    member: str
    kind: str
    disciplines: tuple[str, ...]
    unique_disciplines: tuple[str, ...]
    unique_kinds: tuple[str, ...]
    ties: tuple[tuple[str, float], ...]


@dataclass(frozen=True, eq=False)
class ConsortiumSolution(Checked):
    """A proposed consortium with its explanation and checks."""

    members: tuple[str, ...]
    objective: float
    relevance_sum: float
    ties_sum: float
    coverage: Mapping[str, tuple[str, ...]]
    contributions: tuple[Contribution, ...]
    checks: tuple[Check, ...]
    solver: str = ""
    optimal: bool = False
    seconds: float = 0.0


def evaluate_consortium(
    p: ConsortiumProblem,
    members: Sequence[str],
    *,
    solver: str = "",
    optimal: bool = False,
    seconds: float = 0.0,
) -> ConsortiumSolution:
    """Decode ``members``: objective, coverage, contributions and checks."""
    idx = p.index(members)
    orgs = p.organisations
    ids = tuple(orgs[i].id for i in idx)
    cov = p.covers
    ties_sum = float(p.ties[np.ix_(idx, idx)].sum()) / 2.0
    rel = float(sum(orgs[i].relevance for i in idx))
    objective = float(p.unit_gain()[idx].sum()) + p.w_ties * ties_sum
    coverage = {
        d: tuple(orgs[i].id for i in idx if cov[i, j]) for j, d in enumerate(p.theme_disciplines)
    }
    contributions = []
    for i in idx:
        mine = tuple(d for j, d in enumerate(p.theme_disciplines) if cov[i, j])
        unique = tuple(d for d in mine if coverage[d] == (orgs[i].id,))
        uk = tuple(
            "/".join(g)
            for g in p.require_kinds
            if orgs[i].kind in g and sum(orgs[k].kind in g for k in idx) == 1
        )
        ties = tuple((orgs[k].id, float(p.ties[i, k])) for k in idx if k != i and p.ties[i, k] > 0)
        contributions.append(Contribution(orgs[i].id, orgs[i].kind, mine, unique, uk, ties))
    checks = [
        Check(
            "allowed",
            bool(p.allowed_mask[idx].all()) if len(idx) else True,
            Msg("check.allowed", "all allowed")
            if p.allowed_mask[idx].all()
            else Msg(
                "check.orgs_not_allowed",
                "not allowed: " + ", ".join(orgs[i].id for i in idx if not p.allowed_mask[i]),
                organisations=[orgs[i].id for i in idx if not p.allowed_mask[i]],
            ),
        ),
        Check(
            "size",
            p.min_size <= len(idx) <= p.max_size,
            Msg(
                "check.consortium_size",
                f"{len(idx)} members; need {p.min_size}–{p.max_size}",
                have=len(idx),
                min=p.min_size,
                max=p.max_size,
            ),
        ),
    ]
    missing = [d for d, who in coverage.items() if not who]
    checks.append(
        Check(
            "discipline_coverage",
            not missing,
            Msg(
                "check.discipline_coverage",
                f"{len(coverage) - len(missing)} of {len(coverage)} disciplines covered"
                + (f"; missing {', '.join(repr(d) for d in missing)}" if missing else ""),
                covered=len(coverage) - len(missing),
                total=len(coverage),
                missing=list(missing),
            ),
        )
    )
    for g in p.require_kinds:
        have = sum(orgs[i].kind in g for i in idx)
        checks.append(
            Check(
                f"kind:{'/'.join(g)}",
                have >= 1,
                Msg(
                    "check.org_kind",
                    f"{have} of kind {'/'.join(g)}; need ≥ 1",
                    have=have,
                    kinds=list(g),
                ),
            )
        )
    return ConsortiumSolution(
        members=ids,
        objective=objective,
        relevance_sum=rel,
        ties_sum=ties_sum,
        coverage=coverage,
        contributions=tuple(contributions),
        checks=tuple(checks),
        solver=solver,
        optimal=optimal,
        seconds=seconds,
    )


def _model(p: ConsortiumProblem, with_ties: bool) -> tuple[Model, IntArray]:
    cand = np.flatnonzero(p.allowed_mask)
    model = Model(maximise=True)
    x = model.add_vars(len(cand), cost=p.unit_gain()[cand])
    model.add_row("size_max", x, 1.0, ub=p.max_size)
    model.add_row("size_min", x, 1.0, lb=p.min_size)
    cov = p.covers[cand]
    for j, d in enumerate(p.theme_disciplines):
        model.add_row(f"discipline:{d}", x[cov[:, j]], 1.0, lb=1.0)
    for g in p.require_kinds:
        model.add_row(f"kind:{'/'.join(g)}", x[p.kind_mask(g)[cand]], 1.0, lb=1.0)
    if with_ties and p.w_ties > 0:
        t = p.ties[np.ix_(cand, cand)]
        iu, ju = np.nonzero(np.triu(t, 1) > 0)
        if len(iu):
            y = model.add_vars(len(iu), cost=p.w_ties * t[iu, ju], integer=False)
            for a, b, yy in zip(iu, ju, y, strict=True):
                model.add_row("ties", [yy, x[a]], [1.0, -1.0], ub=0.0, fixed=True)
                model.add_row("ties", [yy, x[b]], [1.0, -1.0], ub=0.0, fixed=True)
    return model, cand


def _precheck(p: ConsortiumProblem) -> None:
    allowed = p.allowed_mask
    reasons: list[str] = []
    advice: list[str] = []
    cov = p.covers
    for j, d in enumerate(p.theme_disciplines):
        if not (cov[:, j] & allowed).any():
            excl = [p.organisations[i] for i in np.flatnonzero(cov[:, j]) if not allowed[i]]
            extra = (
                " (excluded: "
                + ", ".join(f"{o.id} {p.excluded_reasons.get(o.id, 'not allowed')}" for o in excl)
                + ")"
                if excl
                else ""
            )
            reasons.append(
                Msg(
                    "consortium.discipline_uncovered",
                    f"discipline {d!r} is covered by no allowed organisation{extra}",
                    discipline=d,
                    organisations=[o.id for o in excl],
                    reasons=[p.excluded_reasons.get(o.id, "not allowed") for o in excl],
                )
            )
            advice.append(
                Msg(
                    "advice.drop_discipline",
                    f"drop discipline {d!r} or add organisations covering it",
                    discipline=d,
                )
            )
    for g in p.require_kinds:
        if not (p.kind_mask(g) & allowed).any():
            reasons.append(
                Msg(
                    "consortium.no_kind",
                    f"no allowed organisation of kind {'/'.join(g)}",
                    kinds=list(g),
                )
            )
            advice.append(
                Msg("advice.add_kind", f"add an organisation of kind {'/'.join(g)}", kinds=list(g))
            )
    if int(allowed.sum()) < p.min_size:
        reasons.append(
            Msg(
                "consortium.too_few_allowed",
                f"only {int(allowed.sum())} organisations allowed; need {p.min_size}",
                have=int(allowed.sum()),
                need=p.min_size,
            )
        )
        advice.append(Msg("advice.lower_min_size", "lower min_size"))
    if reasons:
        raise InfeasibleError(reasons, advice)


def _exact(p: ConsortiumProblem, time_limit: float) -> tuple[list[str], bool]:
    _precheck(p)
    model, cand = _model(p, with_ties=True)
    res = model.solve(time_limit=time_limit)
    if res.x is None:
        if res.status != 2:
            raise SolverError(f"consortium MILP: no solution (status {res.status})")
        fmodel, _ = _model(p, with_ties=False)
        iis = deletion_filter(fmodel)
        raise InfeasibleError(
            [
                Msg(
                    "consortium.requirements_conflict",
                    "these requirements cannot hold together: " + "; ".join(iis),
                    requirements=list(iis),
                )
            ],
            [
                Msg(
                    "advice.raise_max_size_or_drop",
                    "raise max_size, or drop one of: " + ", ".join(iis),
                    requirements=list(iis),
                )
            ],
        )
    return [p.organisations[i].id for i in cand[res.x[: len(cand)] > 0.5]], res.optimal


def _greedy(p: ConsortiumProblem) -> list[str]:
    allowed = p.allowed_mask
    cov = p.covers
    gain = p.unit_gain()
    x = np.zeros(p.o, dtype=bool)

    def marginal() -> FloatArray:
        return np.asarray(gain + p.w_ties * p.ties[:, x].sum(axis=1))

    while x.sum() < p.max_size:
        unc = ~cov[x].any(axis=0) if x.any() else np.ones(len(p.theme_disciplines), dtype=bool)
        newly = cov[:, unc].sum(axis=1)
        pool = allowed & ~x & (newly > 0)
        if not unc.any() or not pool.any():
            break
        x[int(np.argmax(np.where(pool, newly * 1e6 + marginal(), -np.inf)))] = True
    for g in p.require_kinds:
        km = p.kind_mask(g)
        if not (x & km).any() and x.sum() < p.max_size and (allowed & km & ~x).any():
            x[int(np.argmax(np.where(allowed & km & ~x, marginal(), -np.inf)))] = True
    while x.sum() < p.max_size:
        mg = np.where(allowed & ~x, marginal(), -np.inf)
        if not np.isfinite(mg).any():
            break
        i = int(np.argmax(mg))
        if x.sum() >= p.min_size and mg[i] <= 0:
            break
        x[i] = True
    return [p.organisations[i].id for i in np.flatnonzero(x)]


class AutoConsortiumSolver:
    """The service's policy: ``exact`` under a budget, ``greedy`` when it does better by then.

    ``exact`` runs for ``exact_budget_s``; when HiGHS has not proved its answer by then, the
    greedy one replaces it if greedy holds every check and scores higher; when HiGHS has no
    answer at all yet, it gets its full time (20 s). The solution is the chosen solver's, under
    its name (``exact`` or ``greedy``).

    Args:
        exact_budget_s: Seconds the exact MILP gets before greedy may replace it.

    Example:
        >>> sol = solve_consortium(problem, AutoConsortiumSolver(0.3))  # doctest: +SKIP
    """

    name = "auto"

    def __init__(self, exact_budget_s: float = 0.3) -> None:
        self.exact_budget_s = exact_budget_s

    def choose(self, problem: ConsortiumProblem) -> ConsortiumSolution:
        """The decoded solution of the solver this policy picks (see the class docstring).

        Raises:
            InfeasibleError: naming the uncovered discipline, missing kind or the conflict.
        """
        try:
            sol = solve_consortium(problem, "exact", time_limit=self.exact_budget_s)
        except SolverError:
            return solve_consortium(problem, "exact")
        if sol.optimal:
            return sol
        greedy = solve_consortium(problem, "greedy")
        if greedy.feasible and greedy.objective > sol.objective + 1e-9:
            return greedy
        return sol


ConsortiumSolverName = Literal["exact", "greedy", "auto"]


def solve_consortium(
    problem: ConsortiumProblem,
    solver: ConsortiumSolverName | AutoConsortiumSolver = "exact",
    *,
    time_limit: float = 20.0,
) -> ConsortiumSolution:
    """Form a consortium.

    Args:
        problem: The encoded theme request.
        solver: ``"exact"`` (MILP; raises when infeasible), ``"greedy"`` (baseline; honest
            checks), or ``"auto"`` / an :class:`AutoConsortiumSolver` (exact under a budget,
            greedy when it does better by then).
        time_limit: Seconds for HiGHS (``exact`` only).

    Raises:
        InfeasibleError: ``exact`` only: naming the uncovered discipline, missing kind or the
            conflicting requirements.
        SolverError: Solver failure.
    """
    if solver == "auto":
        solver = AutoConsortiumSolver()
    if isinstance(solver, AutoConsortiumSolver):
        return solver.choose(problem)
    t0 = time.perf_counter()
    if solver == "exact":
        members, optimal = _exact(problem, time_limit)
    elif solver == "greedy":
        members, optimal = _greedy(problem), False
    else:
        raise InvalidProblemError(f"unknown consortium solver {solver!r}")
    sol = evaluate_consortium(
        problem, members, solver=solver, optimal=optimal, seconds=time.perf_counter() - t0
    )
    if solver == "exact" and not sol.feasible:
        raise SolverError(
            f"exact consortium violates {[c.name for c in sol.checks if not c.holds]}"
        )
    return sol
