"""Expert service teams: cover every skill, work well together, respect hard constraints.

Problem (a *team formation* problem in the sense of Lappas, Liu & Terzi, "Finding a team of
experts in social networks", KDD 2009, with the sum-of-distances cost of Kargar & An, CIKM 2011):
choose a set ``T`` of allowed candidates maximising

    w_rel · Σ_{i∈T} relevance_i  −  w_comm · Σ_{i<j∈T} comm_cost_ij  +  w_loc · Σ_{i∈T} locality_i

subject to the *hard constraints*, each reported as a :class:`~matcher.types.Check`:

* ``allowed``             — only allowed candidates (COI, unavailable, overloaded are excluded);
* ``locked``              — every locked candidate is in;
* ``team_size``           — ``k_min ≤ |T| ≤ k_max``;
* ``skill_coverage``      — every skill has a member with ``coverage ≥ cover_threshold``;
* ``min_senior``          — at least ``min_senior`` senior members;
* ``max_per_institution`` — at most ``m`` members from one institution.

Sums (not means) keep the exact model linear; the communication term grows quadratically with
``|T|`` and so already discourages needlessly large teams. Means are reported alongside.

Solvers (encoder/solver split as in openreview-matcher; registered in :data:`SOLVER_MAP`):

``exact``
    MILP over the allowed candidates with the standard linearisation of the pairwise term,
    ``y_ij ≥ x_i + x_j − 1, y_ij ≥ 0`` (tight because ``comm_cost ≥ 0`` is minimised), plus the
    valid cut ``Σ_j y_ij ≥ (k_min − 1)·x_i`` that strengthens the weak LP relaxation. Solved by
    HiGHS through :func:`scipy.optimize.milp`. Fine for pools of 30–60 candidates.
``exhaustive``
    Every team of ``k_min..k_max`` allowed candidates that holds the locked members, checked and
    scored at once with numpy; the best is optimal by construction. Only for small problems: a
    pool of 30 with ``k_max = 4`` is 31,900 teams (milliseconds), while the MILP above, whose
    linearised pair costs give a weak bound, needs 0.13–0.33 s to prove its answer
    (``benchmarks/README.md``, ``results/bench-100.md``).
``greedy``
    Constructive greedy (cover the uncovered skills first, then seniors, then fill to ``k_min``)
    followed by best-improvement local search over add / drop / swap moves that keep every hard
    constraint, until no move gains. Should the greedy construction paint itself into a corner,
    a linear feasibility MILP (no pairwise term, so small) supplies the start or proves that no
    team exists. Deltas are vectorised: with ``link_i = Σ_{j∈T} c_ij``, adding ``i`` gains
    ``w_rel r_i + w_loc l_i − w_comm link_i`` and swapping ``j→i`` gains
    ``gain_add(i) − gain_add_in_T(j) + w_comm c_ij``.
``rarest_first``
    Baseline from Lappas et al. 2009: take the skill with the fewest allowed holders; for each of
    its holders, add for every other skill the holder-nearest candidate (by ``comm_cost``) having
    it; keep the team of smallest diameter. Then repair what it can (locked, ``k_min``, seniors).
    May violate constraints and says so in ``checks``.
``top_k``
    Baseline: locked members plus the most relevant allowed candidates up to ``k_max``.
    May violate constraints and says so in ``checks``.
``auto``
    The service's default policy (:class:`AutoTeamSolver`): ``exhaustive`` when the problem has
    few enough candidate teams, else ``greedy``, then ``exact`` under a short time budget; the
    solution is the chosen solver's, under its name.

Infeasibility is found before solving by cheap pre-checks (uncovered skills, too few allowed,
seniors, institution cap × institutions < ``k_min``, locked conflicts); a MILP that is still
infeasible is explained by a deletion filter over the constraint groups
(:func:`matcher.optimise._milp.deletion_filter`), naming the skills and limits in conflict.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from matcher.errors import InfeasibleError, InvalidProblemError, SolverError
from matcher.optimise._arrays import BoolArray, FloatArray, IntArray, as_bool, as_float, codes
from matcher.optimise._milp import Model, deletion_filter
from matcher.types import Check, Checked, Msg, code_of

__all__ = [
    "TeamWeights",
    "TeamProblem",
    "TeamSolution",
    "Replacement",
    "TeamSolver",
    "GreedySolver",
    "ExactSolver",
    "ExhaustiveSolver",
    "RarestFirstSolver",
    "TopKSolver",
    "AutoTeamSolver",
    "SOLVER_MAP",
    "solve_team",
    "check_team",
    "evaluate_team",
    "precheck_team",
    "propose_replacements",
]

logger = logging.getLogger(__name__)

_EPS = 1e-9


@dataclass(frozen=True)
class TeamWeights:
    """Objective weights (all ≥ 0): relevance, pairwise communication cost, locality."""

    relevance: float = 1.0
    communication: float = 0.5
    locality: float = 0.0


@dataclass(frozen=True, eq=False)
class TeamProblem:
    """An expert-team request, encoded as arrays (the *encoder* side of the split).

    Args:
        candidates: Candidate ids, length n (unique).
        relevance: Absolute affinity to the demand, shape [n], in [0, 1].
        skills: Skill names the demand needs, length s.
        coverage: How well candidate i covers skill j, shape [n, s], in [0, 1].
        comm_cost: Symmetric communication cost, shape [n, n], in [0, 1]
            (0 = worked together often, 1 = no tie); the diagonal is ignored.
        institution: Institution label per candidate, length n.
        senior: Whether each candidate counts as senior, shape [n].
        locality: Optional nearness to the enterprise, shape [n], in [0, 1] (1 = on site).
        allowed: Mask, shape [n]; ``False`` for COI, unavailable, overloaded. Default all.
        excluded_reasons: Why a candidate is not allowed (id → reason), for explanations.
        locked: Ids that must be in the team.
        k_min: Smallest team size (≥ 1).
        k_max: Largest team size (≥ k_min).
        min_senior: Fewest senior members.
        max_per_institution: Most members from one institution; ``None`` for no cap.
        weights: Objective weights.
        cover_threshold: A candidate *covers* a skill when ``coverage ≥ cover_threshold``.

    Raises:
        InvalidProblemError: On inconsistent shapes, out-of-range values or unknown locked ids.

    Example:
        >>> p = TeamProblem(
        ...     candidates=("a", "b"), relevance=[0.9, 0.3], skills=("x",),
        ...     coverage=[[1.0], [0.0]], comm_cost=[[0, 1], [1, 0]],
        ...     institution=("u1", "u2"), senior=[True, False], k_min=1, k_max=2)
        >>> solve_team(p, "exact").members
        ('a',)
    """

    candidates: tuple[str, ...]
    relevance: FloatArray
    skills: tuple[str, ...]
    coverage: FloatArray
    comm_cost: FloatArray
    institution: tuple[str, ...]
    senior: BoolArray
    locality: FloatArray | None = None
    allowed: BoolArray | None = None
    excluded_reasons: Mapping[str, str] = field(default_factory=dict)
    locked: tuple[str, ...] = ()
    k_min: int = 1
    k_max: int = 5
    min_senior: int = 1
    max_per_institution: int | None = None
    weights: TeamWeights = field(default_factory=TeamWeights)
    cover_threshold: float = 0.5

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        cands = tuple(str(c) for c in self.candidates)
        n = len(cands)
        if len(set(cands)) != n:
            raise InvalidProblemError("candidate ids are not unique")
        set_(self, "candidates", cands)
        set_(self, "skills", tuple(self.skills))
        s = len(self.skills)
        set_(self, "relevance", as_float("relevance", self.relevance, (n,)))
        set_(self, "coverage", as_float("coverage", np.reshape(self.coverage, (n, s)), (n, s)))
        comm = np.array(as_float("comm_cost", self.comm_cost, (n, n)))
        if not np.allclose(comm, comm.T):
            raise InvalidProblemError("comm_cost is not symmetric")
        np.fill_diagonal(comm, 0.0)
        set_(self, "comm_cost", as_float("comm_cost", comm, (n, n)))
        if len(self.institution) != n:
            raise InvalidProblemError(
                f"institution has length {len(self.institution)}, expected {n}"
            )
        set_(self, "institution", tuple(str(i) for i in self.institution))
        set_(self, "senior", as_bool("senior", self.senior, n, False))
        if self.locality is not None:
            set_(self, "locality", as_float("locality", self.locality, (n,)))
        set_(self, "allowed", as_bool("allowed", self.allowed, n, True))
        set_(self, "excluded_reasons", dict(self.excluded_reasons))
        set_(self, "locked", tuple(self.locked))
        unknown = [c for c in self.locked if c not in cands]
        if unknown:
            raise InvalidProblemError(f"locked ids not among candidates: {unknown}")
        if self.k_min < 1 or self.k_max < self.k_min:
            raise InvalidProblemError(f"need 1 ≤ k_min ≤ k_max, got {self.k_min}, {self.k_max}")
        if self.min_senior < 0:
            raise InvalidProblemError("min_senior must be ≥ 0")
        if self.max_per_institution is not None and self.max_per_institution < 1:
            raise InvalidProblemError("max_per_institution must be ≥ 1 or None")
        w = self.weights
        if min(w.relevance, w.communication, w.locality) < 0:
            raise InvalidProblemError("objective weights must be ≥ 0")
        if not 0.0 < self.cover_threshold <= 1.0:
            raise InvalidProblemError("cover_threshold must be in (0, 1]")

    # ---- derived views -------------------------------------------------------------------
    @property
    def n(self) -> int:
        return len(self.candidates)

    @property
    def covers(self) -> BoolArray:
        """Shape [n, s]: candidate i covers skill j."""
        return np.asarray(self.coverage >= self.cover_threshold - _EPS)

    @property
    def allowed_mask(self) -> BoolArray:
        assert self.allowed is not None
        return self.allowed

    @property
    def locality_or_zero(self) -> FloatArray:
        return np.zeros(self.n) if self.locality is None else self.locality

    @property
    def locked_idx(self) -> IntArray:
        pos = {c: i for i, c in enumerate(self.candidates)}
        return np.array([pos[c] for c in self.locked], dtype=np.int64)

    def index(self, ids: Sequence[str]) -> IntArray:
        """Indices of ``ids``; raises :class:`InvalidProblemError` on an unknown id."""
        pos = {c: i for i, c in enumerate(self.candidates)}
        try:
            return np.array(sorted(pos[c] for c in ids), dtype=np.int64)
        except KeyError as exc:
            raise InvalidProblemError(f"unknown candidate id {exc.args[0]!r}") from exc

    def reason(self, i: int) -> str:
        """Why candidate ``i`` is excluded (or ``"not allowed"``)."""
        return self.excluded_reasons.get(self.candidates[i], "not allowed")

    def unit_gain(self) -> FloatArray:
        """Linear part of the objective per candidate, shape [n]."""
        w = self.weights
        return np.asarray(w.relevance * self.relevance + w.locality * self.locality_or_zero)

    def replace(self, **changes: Any) -> TeamProblem:
        """A copy with some fields changed (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True, eq=False)
class TeamSolution(Checked):
    """A proposed team (the *decoded* solver output).

    Args:
        members: Member ids, in candidate order.
        objective: Objective value (see module docstring).
        relevance_sum: Σ relevance; ``relevance_mean`` its mean.
        comm_cost_sum: Σ over member pairs of comm_cost; ``comm_cost_mean`` the mean per pair.
        locality_sum: Σ locality (0 without locality); ``locality_mean`` its mean.
        skills_covered: skill → the member covering it best, or ``None`` if uncovered.
        checks: One :class:`Check` per hard constraint, holding or not.
        solver: Name of the solver that produced it.
        optimal: Whether the solver proved optimality (only ``exact`` can).
        seconds: Wall time of the solve.
    """

    members: tuple[str, ...]
    objective: float
    relevance_sum: float
    relevance_mean: float
    comm_cost_sum: float
    comm_cost_mean: float
    locality_sum: float
    locality_mean: float
    skills_covered: Mapping[str, str | None]
    checks: tuple[Check, ...]
    solver: str = ""
    optimal: bool = False
    seconds: float = 0.0

    @property
    def coverage_fraction(self) -> float:
        if not self.skills_covered:
            return 1.0
        return sum(v is not None for v in self.skills_covered.values()) / len(self.skills_covered)


@dataclass(frozen=True)
class Replacement:
    """One proposed swap: put ``candidate`` in place of the removed member.

    Args:
        candidate: The id to add.
        objective_delta: New objective minus old.
        objective: The new team's objective.
        members: The new team.
        checks: The new team's checks (all hold).
    """

    candidate: str
    objective_delta: float
    objective: float
    members: tuple[str, ...]
    checks: tuple[Check, ...]


# ---------------------------------------------------------------------------------------------
# Evaluation


def _objective(p: TeamProblem, idx: IntArray) -> tuple[float, float, float, float]:
    """(objective, relevance sum, comm sum over pairs, locality sum)."""
    rel = float(p.relevance[idx].sum())
    loc = float(p.locality_or_zero[idx].sum())
    comm = float(p.comm_cost[np.ix_(idx, idx)].sum()) / 2.0
    w = p.weights
    return w.relevance * rel - w.communication * comm + w.locality * loc, rel, comm, loc


def check_team(p: TeamProblem, members: Sequence[str]) -> tuple[Check, ...]:
    """Evaluate every hard constraint on ``members``, independently of any solver.

    Returns:
        Checks named ``allowed``, ``locked``, ``team_size``, ``skill_coverage``, ``min_senior``,
        ``max_per_institution``, in that order.
    """
    idx = p.index(members)
    ids = [p.candidates[i] for i in idx]
    bad_idx = [int(i) for i in idx if not p.allowed_mask[i]]
    bad = [f"{p.candidates[i]} ({p.reason(i)})" for i in bad_idx]
    out = [
        Check(
            "allowed",
            not bad,
            Msg("check.allowed", "all members allowed")
            if not bad
            else Msg(
                "check.not_allowed",
                "not allowed: " + ", ".join(bad),
                candidates=[p.candidates[i] for i in bad_idx],
                reasons=[p.reason(i) for i in bad_idx],
            ),
        )
    ]
    missing = [c for c in p.locked if c not in ids]
    out.append(
        Check(
            "locked",
            not missing,
            Msg("check.locked_in", f"{len(p.locked)} locked in", count=len(p.locked))
            if not missing
            else Msg(
                "check.locked_missing",
                f"locked but missing: {', '.join(missing)}",
                candidates=list(missing),
            ),
        )
    )
    k = len(idx)
    out.append(
        Check(
            "team_size",
            p.k_min <= k <= p.k_max,
            Msg(
                "check.team_size",
                f"{k} members; need {p.k_min}–{p.k_max}",
                have=k,
                min=p.k_min,
                max=p.k_max,
            ),
        )
    )
    cov: BoolArray = np.asarray(p.covers[idx].any(axis=0), dtype=bool).reshape(len(p.skills))
    unc = [p.skills[j] for j in range(len(p.skills)) if not cov[j]]
    out.append(
        Check(
            "skill_coverage",
            not unc,
            Msg(
                "check.skill_coverage",
                f"{len(p.skills) - len(unc)} of {len(p.skills)} skills covered"
                + (f"; missing {', '.join(repr(s) for s in unc)}" if unc else ""),
                covered=len(p.skills) - len(unc),
                total=len(p.skills),
                missing=list(unc),
            ),
        )
    )
    ns = int(p.senior[idx].sum())
    out.append(
        Check(
            "min_senior",
            ns >= p.min_senior,
            Msg(
                "check.min_senior",
                f"{ns} senior; need ≥ {p.min_senior}",
                have=ns,
                need=p.min_senior,
            ),
        )
    )
    counts: dict[str, int] = {}
    for i in idx:
        counts[p.institution[i]] = counts.get(p.institution[i], 0) + 1
    m = p.max_per_institution
    worst = max(counts.items(), key=lambda kv: kv[1], default=("-", 0))
    if m is None:
        out.append(Check("max_per_institution", True, Msg("check.no_cap", "no cap")))
    else:
        over = {k_: v for k_, v in counts.items() if v > m}
        out.append(
            Check(
                "max_per_institution",
                not over,
                Msg(
                    "check.per_institution",
                    f"at most {worst[1]} from one institution; cap {m}"
                    + (
                        f"; over: {', '.join(f'{k_}={v}' for k_, v in over.items())}"
                        if over
                        else ""
                    ),
                    have=worst[1],
                    cap=m,
                    over=dict(over),
                ),
            )
        )
    return tuple(out)


def evaluate_team(
    p: TeamProblem,
    members: Sequence[str],
    *,
    solver: str = "",
    optimal: bool = False,
    seconds: float = 0.0,
) -> TeamSolution:
    """Decode a member list into a :class:`TeamSolution` (objective parts, coverage, checks)."""
    idx = p.index(members)
    obj, rel, comm, loc = _objective(p, idx)
    k = len(idx)
    pairs = k * (k - 1) / 2
    covered: dict[str, str | None] = {}
    for j, skill in enumerate(p.skills):
        col = p.coverage[idx, j] if k else np.zeros(0)
        if k and col.max() >= p.cover_threshold - _EPS:
            covered[skill] = p.candidates[idx[int(np.argmax(col))]]
        else:
            covered[skill] = None
    return TeamSolution(
        members=tuple(p.candidates[i] for i in idx),
        objective=obj,
        relevance_sum=rel,
        relevance_mean=rel / k if k else 0.0,
        comm_cost_sum=comm,
        comm_cost_mean=comm / pairs if pairs else 0.0,
        locality_sum=loc,
        locality_mean=loc / k if k else 0.0,
        skills_covered=covered,
        checks=check_team(p, [p.candidates[i] for i in idx]),
        solver=solver,
        optimal=optimal,
        seconds=seconds,
    )


class _Feas:
    """Fast feasibility test of a 0/1 membership vector (used inside local search)."""

    def __init__(self, p: TeamProblem) -> None:
        self.p = p
        self.covers = p.covers
        self.inst, _ = codes(p.institution)
        self.n_inst = int(self.inst.max()) + 1 if p.n else 0
        self.locked = np.zeros(p.n, dtype=bool)
        self.locked[p.locked_idx] = True

    def ok(self, x: BoolArray) -> bool:
        p = self.p
        k = int(x.sum())
        if not p.k_min <= k <= p.k_max:
            return False
        if np.any(x & ~p.allowed_mask) or np.any(self.locked & ~x):
            return False
        if len(p.skills) and not self.covers[x].any(axis=0).all():
            return False
        if int(p.senior[x].sum()) < p.min_senior:
            return False
        if p.max_per_institution is not None:
            if (
                np.bincount(self.inst[x], minlength=self.n_inst).max(initial=0)
                > p.max_per_institution
            ):
                return False
        return True


# ---------------------------------------------------------------------------------------------
# Feasibility: pre-checks and diagnosis


def _holders_text(p: TeamProblem, j: int) -> Msg:
    holders = np.flatnonzero(p.covers[:, j])
    excl = [i for i in holders if not p.allowed_mask[i]]
    if not len(holders):
        return Msg("team.no_holder", "no candidate in the pool has it")
    parts = ", ".join(f"{p.candidates[i]} {p.reason(int(i))}" for i in excl)
    return Msg(
        "team.holders_excluded",
        f"{len(excl)} holder{'s' if len(excl) != 1 else ''} excluded: {parts}",
        candidates=[p.candidates[i] for i in excl],
        reasons=[p.reason(int(i)) for i in excl],
    )


def precheck_team(p: TeamProblem) -> tuple[list[str], list[str]]:
    """Cheap necessary conditions for feasibility.

    Returns:
        ``(reasons, advice)``; both empty when no obvious obstacle was found (the instance may
        still be infeasible; the MILP diagnosis then explains it).
    """
    reasons: list[str] = []
    advice: list[str] = []
    allowed = p.allowed_mask
    n_allowed = int(allowed.sum())
    for i in p.locked_idx:
        if not allowed[i]:
            reasons.append(
                Msg(
                    "team.locked_not_allowed",
                    f"locked candidate {p.candidates[i]} is not allowed ({p.reason(int(i))})",
                    candidate=p.candidates[i],
                    reason=p.reason(int(i)),
                )
            )
            advice.append(
                Msg("advice.unlock", f"unlock {p.candidates[i]}", candidate=p.candidates[i])
            )
    if len(p.locked) > p.k_max:
        reasons.append(
            Msg(
                "team.too_many_locked",
                f"{len(p.locked)} candidates are locked but k_max is {p.k_max}",
                locked=len(p.locked),
                max=p.k_max,
            )
        )
        advice.append(Msg("advice.raise_k_max_or_unlock", "raise k_max or unlock some members"))
    covers_allowed = p.covers & allowed[:, None]
    for j, skill in enumerate(p.skills):
        if not covers_allowed[:, j].any():
            holders = _holders_text(p, j)
            reasons.append(
                Msg(
                    "team.skill_uncovered",
                    f"skill {skill!r} is covered by no allowed candidate ({holders})",
                    skill=skill,
                    holders=holders.as_code(),
                )
            )
            advice.append(
                Msg(
                    "advice.drop_skill_or_widen",
                    f"drop skill {skill!r} or widen the candidate pool",
                    skill=skill,
                )
            )
    if n_allowed < p.k_min:
        reasons.append(
            Msg(
                "team.too_few_allowed",
                f"only {n_allowed} candidates allowed; need k_min={p.k_min}",
                have=n_allowed,
                need=p.k_min,
            )
        )
        advice.append(Msg("advice.lower_k_min", "lower k_min"))
    n_senior = int((allowed & p.senior).sum())
    if n_senior < p.min_senior:
        reasons.append(
            Msg(
                "team.too_few_senior",
                f"only {n_senior} senior candidates allowed; need {p.min_senior}",
                have=n_senior,
                need=p.min_senior,
            )
        )
        advice.append(
            Msg("advice.lower_min_senior_or_widen", "lower min_senior or add senior candidates")
        )
    if p.min_senior > p.k_max:
        reasons.append(
            Msg(
                "team.senior_over_size",
                f"min_senior={p.min_senior} exceeds k_max={p.k_max}",
                need=p.min_senior,
                max=p.k_max,
            )
        )
        advice.append(
            Msg("advice.lower_min_senior_or_raise_k_max", "lower min_senior or raise k_max")
        )
    m = p.max_per_institution
    if m is not None:
        inst, labels = codes(p.institution)
        per = np.bincount(inst[allowed], minlength=len(labels))
        cap_total = int(np.minimum(per, m).sum())
        if cap_total < p.k_min:
            reasons.append(
                Msg(
                    "team.institution_cap_too_tight",
                    f"at most {m} per institution × {int((per > 0).sum())} institutions allows "
                    f"{cap_total} members; need k_min={p.k_min}",
                    cap=m,
                    institutions=int((per > 0).sum()),
                    allows=cap_total,
                    need=p.k_min,
                )
            )
            advice.append(
                Msg(
                    "advice.raise_cap_or_lower_k_min",
                    "allow members from more institutions, raise max_per_institution or lower k_min",
                )
            )
        lk = np.bincount(inst[p.locked_idx], minlength=len(labels)) if len(p.locked) else per * 0
        for c in np.flatnonzero(lk > m):
            reasons.append(
                Msg(
                    "team.locked_over_cap",
                    f"{int(lk[c])} locked members from {labels[c]}; cap is {m}",
                    locked=int(lk[c]),
                    institution=labels[c],
                    cap=m,
                )
            )
            advice.append(
                Msg("advice.unlock_or_raise_cap", "unlock a member or raise max_per_institution")
            )
    return reasons, advice


_GROUP_ADVICE = {
    "size_min": Msg("advice.lower_k_min", "lower k_min"),
    "size_max": Msg("advice.raise_k_max", "raise k_max"),
    "min_senior": Msg("advice.lower_min_senior", "lower min_senior"),
    "institution_cap": Msg(
        "advice.raise_cap",
        "raise max_per_institution or add candidates from other institutions",
    ),
}


def _feasibility_model(p: TeamProblem) -> tuple[Model, IntArray]:
    """Linear model over the allowed candidates, objective = linear gain, groups named."""
    cand = np.flatnonzero(p.allowed_mask)
    model = Model(maximise=True)
    x = model.add_vars(len(cand), cost=p.unit_gain()[cand], integer=True)
    model.add_row("size_min", x, 1.0, lb=p.k_min)
    model.add_row("size_max", x, 1.0, ub=p.k_max)
    pos = {int(c): k for k, c in enumerate(cand)}
    for c in p.locked_idx:
        if int(c) in pos:
            model.add_row(f"locked:{p.candidates[c]}", [x[pos[int(c)]]], 1.0, lb=1.0)
    for j, skill in enumerate(p.skills):
        model.add_row(f"skill:{skill}", x[p.covers[cand, j]], 1.0, lb=1.0)
    if p.min_senior > 0:
        model.add_row("min_senior", x[p.senior[cand]], 1.0, lb=p.min_senior)
    if p.max_per_institution is not None:
        inst, labels = codes(p.institution)
        for c in np.unique(inst[cand]):
            model.add_row("institution_cap", x[inst[cand] == c], 1.0, ub=p.max_per_institution)
    return model, cand


def _explain_iis(p: TeamProblem, iis: list[str]) -> InfeasibleError:
    parts: list[str] = []
    part_codes: list[dict[str, Any]] = []
    advice: list[str] = []
    for g in iis:
        if g.startswith("skill:"):
            skill = g[len("skill:") :]
            j = p.skills.index(skill)
            holders = [p.candidates[i] for i in np.flatnonzero(p.covers[:, j] & p.allowed_mask)]
            part = Msg(
                "part.cover_skill",
                f"cover skill {skill!r} (allowed holders: {', '.join(holders)})",
                skill=skill,
                candidates=holders,
            )
            advice.append(Msg("advice.drop_skill", f"drop skill {skill!r}", skill=skill))
        elif g.startswith("locked:"):
            who = g[len("locked:") :]
            part = Msg("part.keep_locked", f"keep locked {who}", candidate=who)
            advice.append(Msg("advice.unlock", f"unlock {who}", candidate=who))
        elif g == "size_min":
            part = Msg("part.at_least_members", f"at least {p.k_min} members", count=p.k_min)
        elif g == "size_max":
            part = Msg("part.at_most_members", f"at most {p.k_max} members", count=p.k_max)
        elif g == "min_senior":
            part = Msg(
                "part.at_least_senior",
                f"at least {p.min_senior} senior members",
                count=p.min_senior,
            )
        elif g == "institution_cap":
            part = Msg(
                "part.per_institution",
                f"at most {p.max_per_institution} per institution",
                count=p.max_per_institution,
            )
        else:  # pragma: no cover - every group of the model is named above
            continue
        if g in _GROUP_ADVICE:
            advice.append(_GROUP_ADVICE[g])
        parts.append(part)
        part_codes.append(part.as_code())
    reason = Msg(
        "team.constraints_conflict",
        "these constraints cannot hold together: " + "; ".join(parts),
        parts=part_codes,
    )
    return InfeasibleError([reason], advice)


def _raise_if_infeasible(p: TeamProblem) -> None:
    reasons, advice = precheck_team(p)
    if reasons:
        raise InfeasibleError(reasons, advice)


def _diagnose(p: TeamProblem) -> InfeasibleError:
    model, _ = _feasibility_model(p)
    iis = deletion_filter(model)
    if not iis:  # pragma: no cover - pre-checks catch every fixed-group conflict
        return InfeasibleError(
            [Msg("team.no_team", "no team satisfies the constraints")],
            [Msg("advice.relax_constraints", "relax the constraints")],
        )
    return _explain_iis(p, iis)


def _linear_start(p: TeamProblem) -> BoolArray:
    """A feasible team maximising the linear part (no pairwise term), or raise InfeasibleError."""
    model, cand = _feasibility_model(p)
    res = model.solve(time_limit=30.0)
    if res.x is None:
        if res.status == 2:
            raise _diagnose(p)
        raise SolverError(f"feasibility MILP ended with status {res.status} and no solution")
    x = np.zeros(p.n, dtype=bool)
    x[cand[res.x > 0.5]] = True
    return x


# ---------------------------------------------------------------------------------------------
# Solvers


class TeamSolver(Protocol):
    """A team solver: a name, whether it guarantees the hard constraints, and ``solve``."""

    name: str
    strict: bool

    def solve(self, problem: TeamProblem) -> tuple[list[str], bool]:
        """Return ``(member ids, proven optimal)``; strict solvers raise InfeasibleError."""
        ...


class ExactSolver:
    """MILP with linearised pairwise costs (HiGHS via scipy). See module docstring.

    Args:
        time_limit: Seconds for HiGHS; on expiry the incumbent is returned, marked not optimal.
    """

    name = "exact"
    strict = True

    def __init__(self, time_limit: float = 20.0) -> None:
        self.time_limit = time_limit

    def solve(self, problem: TeamProblem) -> tuple[list[str], bool]:
        p = problem
        _raise_if_infeasible(p)
        model, cand = _feasibility_model(p)
        x = np.arange(len(cand))
        w = p.weights.communication
        if w > 0 and len(cand) > 1 and p.k_max > 1:
            iu, ju = np.triu_indices(len(cand), k=1)
            c = p.comm_cost[cand[iu], cand[ju]]
            y = model.add_vars(len(iu), cost=-w * c, lb=0.0, ub=1.0, integer=False)
            # y_ij ≥ x_i + x_j − 1  ⇔  −∞ ≤ x_i + x_j − y_ij ≤ 1
            for a, b, yy in zip(x[iu], x[ju], y, strict=True):
                model.add_row("link", [a, b, yy], [1.0, 1.0, -1.0], ub=1.0, fixed=True)
            if p.k_min > 1:
                for i in range(len(cand)):
                    mine = y[(iu == i) | (ju == i)]
                    model.add_row(
                        "cut",
                        np.append(mine, x[i]),
                        np.append(np.ones(mine.size), -(p.k_min - 1)),
                        lb=0.0,
                        fixed=True,
                    )
        res = model.solve(time_limit=self.time_limit)
        if res.x is None:
            if res.status == 2:
                raise _diagnose(p)
            raise SolverError(
                f"exact team MILP: no solution within {self.time_limit}s (status {res.status})"
            )
        chosen = cand[res.x[: len(cand)] > 0.5]
        if not res.optimal:
            logger.info("exact team MILP hit its time limit; gap %.3g", res.gap)
        return [p.candidates[i] for i in chosen], res.optimal


@functools.lru_cache(maxsize=16)  # each at most ~200,000 rows of int32 (a few MB)
def _combinations(n: int, r: int) -> npt.NDArray[np.int32]:
    """All ``r``-subsets of ``range(n)`` in lexicographic order, shape [C(n, r), r] (read-only)."""
    if r == 0:
        out = np.zeros((1, 0), dtype=np.int32)
    else:
        flat = itertools.chain.from_iterable(itertools.combinations(range(n), r))
        out = np.fromiter(flat, dtype=np.int32, count=math.comb(n, r) * r).reshape(-1, r)
    out.setflags(write=False)
    return out


class ExhaustiveSolver:
    """Every admissible team scored with numpy; proven optimal. See module docstring.

    Args:
        max_teams: Refuse problems with more candidate teams than this (use ``exact``).
        chunk: Teams checked per numpy pass (bounds memory at ~``chunk · k · skills`` bytes).
    """

    name = "exhaustive"
    strict = True

    def __init__(self, max_teams: int = 200_000, chunk: int = 50_000) -> None:
        self.max_teams = max_teams
        self.chunk = chunk

    @staticmethod
    def count(p: TeamProblem) -> int:
        """How many teams of allowed candidates, locked members in, the problem has."""
        locked = np.unique(p.locked_idx)
        n_free = int((p.allowed_mask & ~np.isin(np.arange(p.n), locked)).sum())
        lo = max(p.k_min, len(locked))
        return sum(math.comb(n_free, k - len(locked)) for k in range(lo, p.k_max + 1))

    def solve(self, problem: TeamProblem) -> tuple[list[str], bool]:
        p = problem
        _raise_if_infeasible(p)
        n_teams = self.count(p)
        if n_teams > self.max_teams:
            raise InvalidProblemError(
                f"{n_teams:,} candidate teams exceed the exhaustive solver's "
                f"{self.max_teams:,}; use the exact or greedy solver"
            )
        locked = np.unique(p.locked_idx)
        if not p.allowed_mask[locked].all():
            raise _diagnose(p)
        free = np.flatnonzero(p.allowed_mask & ~np.isin(np.arange(p.n), locked))
        gain = p.unit_gain()
        wc = p.weights.communication
        covers = p.covers
        inst, _ = codes(p.institution)
        cap = p.max_per_institution
        best_obj, best = -np.inf, None
        for k in range(max(p.k_min, len(locked), 1), p.k_max + 1):
            r = k - len(locked)
            if r > len(free):
                break
            combos = _combinations(len(free), r)
            a, b = np.triu_indices(k, 1)
            for start in range(0, len(combos), self.chunk):
                part = free[combos[start : start + self.chunk]]
                held = np.broadcast_to(locked, (len(part), len(locked)))
                teams = np.concatenate([held, part], axis=1)
                ok = np.ones(len(teams), dtype=bool)
                if len(p.skills):
                    ok &= covers[teams].any(axis=1).all(axis=1)
                if p.min_senior:
                    ok &= p.senior[teams].sum(axis=1) >= p.min_senior
                if cap is not None and k > cap:  # some institution cap + 1 times in a sorted row
                    s = np.sort(inst[teams], axis=1)
                    ok &= ~(s[:, cap:] == s[:, : k - cap]).any(axis=1)  # cap ≥ 1 (validated)
                if not ok.any():
                    continue
                teams = teams[ok]
                obj = gain[teams].sum(axis=1)
                if wc and k > 1:
                    obj = obj - wc * p.comm_cost[teams[:, a], teams[:, b]].sum(axis=1)
                i = int(np.argmax(obj))
                if obj[i] > best_obj + _EPS:
                    best_obj, best = float(obj[i]), teams[i]
        if best is None:
            raise _diagnose(p)
        return [p.candidates[i] for i in sorted(best)], True


class GreedySolver:
    """Greedy construction + add/drop/swap local search. See module docstring.

    Args:
        max_rounds: Upper bound on improving moves (a safety net; each move strictly gains).
    """

    name = "greedy"
    strict = True

    def __init__(self, max_rounds: int = 500, restarts: int = 6) -> None:
        self.max_rounds = max_rounds
        self.restarts = restarts

    def solve(self, problem: TeamProblem) -> tuple[list[str], bool]:
        p = problem
        _raise_if_infeasible(p)
        feas = _Feas(p)
        # Multi-start: the plain construction, then constructions seeded with each of the most
        # relevant holders of the rarest skill (as in RarestFirst), each improved by local search.
        seeds: list[int | None] = [None]
        cov = p.covers & p.allowed_mask[:, None]
        if len(p.skills) and self.restarts > 0:
            support = np.where(cov.any(axis=0), cov.sum(axis=0), np.iinfo(np.int64).max)
            holders = np.flatnonzero(cov[:, int(np.argmin(support))])
            holders = holders[np.argsort(-p.relevance[holders], kind="stable")][: self.restarts]
            seeds.extend(int(h) for h in holders)
        best: tuple[float, BoolArray] | None = None
        for seed in seeds:
            x = self._construct(p, feas, seed)
            if x is None or not feas.ok(x):
                continue
            x = self._local_search(p, feas, x)
            obj = _objective(p, np.flatnonzero(x))[0]
            if best is None or obj > best[0] + _EPS:
                best = (obj, x)
        if best is None:
            logger.debug("greedy construction failed; starting from the linear feasibility MILP")
            x = self._local_search(p, feas, _linear_start(p))
        else:
            x = best[1]
        return [p.candidates[i] for i in np.flatnonzero(x)], False

    @staticmethod
    def _construct(p: TeamProblem, feas: _Feas, seed: int | None = None) -> BoolArray | None:
        gain = p.unit_gain()
        wc = p.weights.communication
        allowed = p.allowed_mask
        covers = p.covers
        m = p.max_per_institution
        x = np.zeros(p.n, dtype=bool)
        x[p.locked_idx] = True
        if seed is not None:
            x[seed] = True
        cnt = np.bincount(feas.inst[x], minlength=feas.n_inst)

        def room() -> BoolArray:
            ok = allowed & ~x
            if m is not None:
                ok &= cnt[feas.inst] < m
            return np.asarray(ok)

        def add_best(pool: BoolArray, primary: FloatArray | None = None) -> bool:
            if int(x.sum()) >= p.k_max or not pool.any():
                return False
            g = gain - wc * p.comm_cost[:, x].sum(axis=1)
            key = np.where(pool, g, -np.inf)
            if primary is not None:
                key = np.where(pool, primary * 1e6 + g, -np.inf)
            i = int(np.argmax(key))
            x[i] = True
            cnt[feas.inst[i]] += 1
            return True

        while True:
            uncovered = ~covers[x].any(axis=0) if x.any() else np.ones(len(p.skills), dtype=bool)
            if not uncovered.any():
                break
            newly = covers[:, uncovered].sum(axis=1).astype(float)
            pool = room() & (newly > 0)
            if not add_best(pool, newly):
                return None
        while int((x & p.senior).sum()) < p.min_senior:
            if not add_best(room() & p.senior):
                return None
        while int(x.sum()) < p.k_min:
            if not add_best(room()):
                return None
        return x

    def _local_search(self, p: TeamProblem, feas: _Feas, x: BoolArray) -> BoolArray:
        gain = p.unit_gain()
        wc = p.weights.communication
        c = p.comm_cost
        x = x.copy()
        for _ in range(self.max_rounds):
            link = c[:, x].sum(axis=1)
            g_add = gain - wc * link  # gain of adding i (for i ∉ T); loss of dropping i (i ∈ T)
            outs = np.flatnonzero(~x & p.allowed_mask)
            ins = np.flatnonzero(x & ~feas.locked)
            moves: list[tuple[float, int, int]] = []  # (gain, add, drop); -1 = none
            moves.extend((float(g_add[i]), int(i), -1) for i in outs if g_add[i] > _EPS)
            moves.extend((float(-g_add[j]), -1, int(j)) for j in ins if -g_add[j] > _EPS)
            if len(outs) and len(ins):
                sw = g_add[outs][None, :] - g_add[ins][:, None] + wc * c[np.ix_(ins, outs)]
                jj, ii = np.nonzero(sw > _EPS)
                moves.extend(
                    (float(sw[a, b]), int(outs[b]), int(ins[a]))
                    for a, b in zip(jj, ii, strict=True)
                )
            moves.sort(key=lambda t: -t[0])
            for _g, add, drop in moves:
                trial = x.copy()
                if add >= 0:
                    trial[add] = True
                if drop >= 0:
                    trial[drop] = False
                if feas.ok(trial):
                    x = trial
                    break
            else:
                return x
        logger.warning("greedy local search stopped after %d rounds", self.max_rounds)
        return x


class RarestFirstSolver:
    """Baseline RarestFirst (Lappas, Liu & Terzi 2009) with a best-effort repair.

    Uses allowed candidates only; may violate size, senior or institution constraints (and say
    so in ``checks``) but never raises :class:`InfeasibleError`.
    """

    name = "rarest_first"
    strict = False

    def solve(self, problem: TeamProblem) -> tuple[list[str], bool]:
        p = problem
        allowed = p.allowed_mask
        cov = p.covers & allowed[:, None]
        support = cov.sum(axis=0)
        coverable = np.flatnonzero(support > 0)
        x = np.zeros(p.n, dtype=bool)
        if len(coverable):
            rare = int(coverable[np.argmin(support[coverable])])
            best: tuple[float, float, BoolArray] | None = None
            for h in np.flatnonzero(cov[:, rare]):
                team = np.zeros(p.n, dtype=bool)
                team[h] = True
                for j in coverable:
                    if j == rare or cov[team, j].any():
                        continue
                    holders = np.flatnonzero(cov[:, j])
                    d = p.comm_cost[h, holders] - 1e-6 * p.relevance[holders]
                    team[holders[int(np.argmin(d))]] = True
                idx = np.flatnonzero(team)
                diam = float(p.comm_cost[np.ix_(idx, idx)].max())
                key = (diam, -float(p.relevance[idx].sum()))
                if best is None or key < best[:2]:
                    best = (key[0], key[1], team)
            assert best is not None
            x = best[2]
        x[p.locked_idx[allowed[p.locked_idx]]] = True
        gain = p.unit_gain()
        wc = p.weights.communication

        def add(pool: BoolArray) -> bool:
            if not pool.any() or int(x.sum()) >= p.k_max:
                return False
            g = np.where(pool, gain - wc * p.comm_cost[:, x].sum(axis=1), -np.inf)
            x[int(np.argmax(g))] = True
            return True

        while int((x & p.senior).sum()) < p.min_senior and add(allowed & ~x & p.senior):
            pass
        while int(x.sum()) < p.k_min and add(allowed & ~x):
            pass
        return [p.candidates[i] for i in np.flatnonzero(x)], False


class TopKSolver:
    """Baseline: locked (allowed) members, then the most relevant allowed up to ``k_max``."""

    name = "top_k"
    strict = False

    def solve(self, problem: TeamProblem) -> tuple[list[str], bool]:
        p = problem
        allowed = p.allowed_mask
        chosen = [int(i) for i in p.locked_idx if allowed[i]]
        order = np.argsort(-p.relevance, kind="stable")
        for i in order:
            if len(chosen) >= p.k_max:
                break
            if allowed[i] and int(i) not in chosen:
                chosen.append(int(i))
        return [p.candidates[i] for i in sorted(chosen)], False


class AutoTeamSolver:
    """The default policy: the proven optimum when it is cheap, else greedy, then the MILP briefly.

    When the problem has at most ``exhaustive_max_teams`` candidate teams
    (:meth:`ExhaustiveSolver.count`; a pool of 30 with ``k_max ≤ 5`` has 174,406),
    ``exhaustive`` scores every one of them and returns the proven optimum (15 ms against the
    MILP's 328 ms on the size-100 demands, ``results/bench-100.md``). Larger problems:
    ``greedy`` + local search (milliseconds), then, when at most ``exact_max_pool`` candidates
    are allowed, the ``exact`` MILP under ``exact_budget_s``; the better team wins, and it is
    marked optimal only when HiGHS proved it. HiGHS finds the optimum fast and spends most of
    its time proving it (the linearised pair costs make a weak bound).

    It delegates: :func:`solve_team` returns the solution of the solver it chose, under that
    solver's name and time (``exhaustive``, ``greedy`` or ``exact``), never ``auto``.

    Args:
        exhaustive_max_teams: Score every team when there are at most this many.
        exact_max_pool: Past that, try ``exact`` up to this many allowed candidates.
        exact_budget_s: Seconds the exact MILP gets after greedy.

    Example:
        >>> sol = solve_team(problem, AutoTeamSolver(exact_budget_s=0.05))  # doctest: +SKIP
    """

    name = "auto"
    strict = True

    def __init__(
        self,
        exhaustive_max_teams: int = 200_000,
        exact_max_pool: int = 40,
        exact_budget_s: float = 0.1,
    ) -> None:
        self.exhaustive_max_teams = exhaustive_max_teams
        self.exact_max_pool = exact_max_pool
        self.exact_budget_s = exact_budget_s

    def choose(self, problem: TeamProblem) -> TeamSolution:
        """The decoded solution of the solver this policy picks (see the class docstring).

        Raises:
            InfeasibleError: no team satisfies the hard constraints (from greedy or exhaustive).
        """
        if ExhaustiveSolver.count(problem) <= self.exhaustive_max_teams:
            return solve_team(problem, ExhaustiveSolver(max_teams=self.exhaustive_max_teams))
        best = solve_team(problem, "greedy")  # raises InfeasibleError with the reasons
        if int(problem.allowed_mask.sum()) > self.exact_max_pool:
            return best
        try:
            exact = solve_team(problem, ExactSolver(time_limit=self.exact_budget_s))
        except SolverError as exc:  # no incumbent within the budget: greedy stands
            logger.info("exact team MILP within %.2fs: %s", self.exact_budget_s, exc)
            return best
        if exact.optimal or exact.objective > best.objective + _EPS:
            return exact
        return best

    def solve(self, problem: TeamProblem) -> tuple[list[str], bool]:
        """The :class:`TeamSolver` view of :meth:`choose`: members and whether proven optimal."""
        sol = self.choose(problem)
        return list(sol.members), sol.optimal


SOLVER_MAP: dict[str, TeamSolver] = {
    "auto": AutoTeamSolver(),
    "greedy": GreedySolver(),
    "exact": ExactSolver(),
    "exhaustive": ExhaustiveSolver(),
    "rarest_first": RarestFirstSolver(),
    "top_k": TopKSolver(),
}
"""Team solvers by name. ``auto``, ``greedy``, ``exact`` and ``exhaustive`` guarantee the hard
constraints."""


def solve_team(problem: TeamProblem, solver: str | TeamSolver = "exact") -> TeamSolution:
    """Solve a team problem with a named (or given) solver; the one orchestrator.

    Args:
        problem: The encoded request.
        solver: A key of :data:`SOLVER_MAP` or a :class:`TeamSolver` instance.

    Returns:
        The decoded :class:`TeamSolution` with checks. Strict solvers' solutions always hold
        every check; baselines' may not, and say so.

    Raises:
        InfeasibleError: A strict solver found that no team satisfies the hard constraints;
            ``reasons`` name the culprits, ``advice`` says what to relax.
        SolverError: The solver failed otherwise (a bug, or a time limit without a solution).
        InvalidProblemError: ``solver`` is not a known name.
    """
    if isinstance(solver, str):
        if solver not in SOLVER_MAP:
            raise InvalidProblemError(
                f"unknown team solver {solver!r}; known: {sorted(SOLVER_MAP)}"
            )
        impl = SOLVER_MAP[solver]
    else:
        impl = solver
    if isinstance(impl, AutoTeamSolver):  # a policy: the chosen solver's own solution
        return impl.choose(problem)
    t0 = time.perf_counter()
    try:
        members, optimal = impl.solve(problem)
    except InfeasibleError as exc:
        logger.info("team solver %s: infeasible: %s", impl.name, exc.reasons)
        raise
    seconds = time.perf_counter() - t0
    sol = evaluate_team(problem, members, solver=impl.name, optimal=optimal, seconds=seconds)
    if impl.strict and not sol.feasible:  # a bug, not a user error
        raise SolverError(f"{impl.name} returned a team violating {[c.name for c in sol.violated]}")
    logger.debug(
        "team solver %s: %d members, objective %.4f in %.3fs",
        impl.name,
        len(members),
        sol.objective,
        seconds,
    )
    return sol


def propose_replacements(
    problem: TeamProblem,
    team: Sequence[str],
    remove: str,
    *,
    keep_locked: bool = True,
    n: int = 5,
) -> list[Replacement]:
    """Best single replacements for ``remove``, the rest of ``team`` fixed.

    Every proposal satisfies every hard constraint of ``problem`` (checked in full), never
    re-adds ``remove``, and never adds a member already in the team.

    Args:
        problem: The team problem the team was formed for.
        team: Current member ids.
        remove: The member to replace.
        keep_locked: Refuse to remove a member locked in ``problem``.
        n: How many proposals at most.

    Returns:
        Up to ``n`` :class:`Replacement`, best objective first.

    Raises:
        InvalidProblemError: ``remove`` is not in ``team``.
        InfeasibleError: ``remove`` is locked, or no candidate can replace it without breaking
            a hard constraint (the reasons say which).
    """
    p = problem
    if remove not in team:
        raise InvalidProblemError(f"{remove!r} is not in the team")
    if keep_locked and remove in p.locked:
        raise InfeasibleError(
            [Msg("swap.locked", f"{remove} is locked in this team", candidate=remove)],
            [Msg("advice.unlock", f"unlock {remove} first", candidate=remove)],
        )
    base = [m for m in team if m != remove]
    old = _objective(p, p.index(team))[0]
    out: list[Replacement] = []
    in_team = set(team)
    for i in np.flatnonzero(p.allowed_mask):
        cid = p.candidates[i]
        if cid in in_team:
            continue
        members = base + [cid]
        checks = check_team(p, members)
        if not all(c.holds for c in checks):
            continue
        obj = _objective(p, p.index(members))[0]
        ordered = tuple(p.candidates[j] for j in p.index(members))
        out.append(Replacement(cid, obj - old, obj, ordered, checks))
    out.sort(key=lambda r: (-r.objective, r.candidate))
    if not out:
        rest = check_team(p, base)
        failing = [c for c in rest if not c.holds]
        raise InfeasibleError(
            [
                Msg(
                    "swap.no_replacement",
                    f"no allowed candidate can replace {remove} without breaking a hard constraint",
                    candidate=remove,
                )
            ]
            + [
                Msg(
                    "swap.without",
                    f"without {remove}: {c.name}: {c.detail}",
                    candidate=remove,
                    check=c.name,
                    detail=code_of(c.detail),
                )
                for c in failing
            ],
            [Msg("advice.widen_pool", "widen the candidate pool or relax the constraints")],
        )
    return out[:n]
