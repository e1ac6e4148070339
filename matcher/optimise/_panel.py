"""Think-tank panels: relevance with balance, under explicit quotas that staff configure.

A panel of exactly ``size`` allowed candidates maximises

    Σ_{i∈P} (relevance_i − exposure_penalty · prior_share_i)  +  diversity_weight · #disciplines(P)

subject to quotas given as data (:class:`Quota`), e.g. "≥ 2 fellows or senior members",
"≥ 1 young", "≥ 1 enterprise", "≥ 1 academic", "≥ 3 distinct disciplines", "≤ 2 per institution".
The distinct-disciplines count is linear with one continuous ``z_d ∈ [0, 1]`` per discipline and
``z_d ≤ Σ_{i has d} x_i`` (so ``z_d > 0`` only if someone holds ``d``); the same device encodes
``min_distinct`` quotas. Solved exactly as a MILP (HiGHS via :func:`scipy.optimize.milp`).

When the quotas cannot all hold, :func:`diagnose_panel` says *which* and *why*:

1. each quota alone (with the panel size) is tested against the allowed pool, and a quota that
   fails alone is explained from the pool (how many match, who was excluded and why);
2. otherwise a deletion filter (Chinneck & Dravnieks 1991) finds an irreducible set of quotas
   that cannot be met together — relaxing any one of them restores feasibility.

With ``on_infeasible="relax"`` :func:`solve_panel` repeats step 2, dropping the lowest-priority
quota of each conflicting set until the rest is feasible, solves, and marks the relaxed quotas
(their checks say whether they happen to hold anyway).

Exposure (rotation): ``prior_share`` is each expert's share of this period's panels; above
``max_prior_share`` an expert is excluded (with the reason), below it the share can be penalised.
For randomised selection with bounded selection probabilities see :mod:`._rotation`.

Diversity is measured and reported (:class:`PanelDiversity`): mean pairwise cosine distance of
the members' embeddings, number of distinct disciplines and institutions, normalised Shannon
entropy and Gini coefficient of the institution shares, and sector / grade mixes.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from matcher.errors import InfeasibleError, InvalidProblemError, SolverError
from matcher.optimise._arrays import BoolArray, FloatArray, IntArray, as_bool, as_float, frozen
from matcher.optimise._milp import Model, deletion_filter
from matcher.types import Check, Checked

__all__ = [
    "GRADES",
    "SECTORS",
    "Quota",
    "PanelProblem",
    "PanelDiversity",
    "PanelSolution",
    "default_panel_quotas",
    "build_panel_model",
    "diagnose_panel",
    "solve_panel",
    "check_panel",
    "evaluate_panel",
    "panel_diversity",
]

logger = logging.getLogger(__name__)

GRADES = ("student_member", "member", "senior_member", "fellow")
SECTORS = ("enterprise", "academic", "research")

QuotaKind = Literal["min", "max", "min_distinct", "max_per_value"]
Attribute = Literal["grade", "is_young", "sector", "institution", "discipline"]
QuotaValue = str | bool | tuple[str, ...] | None


@dataclass(frozen=True)
class Quota:
    """One configurable balance rule on a panel.

    Args:
        name: Stable name, shown in checks and reasons (e.g. ``"senior"``).
        kind: ``"min"`` / ``"max"``: at least / at most ``count`` members whose ``attribute``
            matches ``value`` (a value or a tuple of accepted values); ``"min_distinct"``: at
            least ``count`` distinct values of ``attribute``; ``"max_per_value"``: at most
            ``count`` members sharing any one value of ``attribute``.
        attribute: ``grade``, ``is_young``, ``sector``, ``institution`` or ``discipline``
            (a candidate matches a discipline value if it lists it).
        value: Required for ``min`` / ``max``; ignored otherwise.
        count: The bound.
        priority: Higher is more important; when relaxing, lower priorities are dropped first.

    Example:
        >>> Quota("senior", "min", "grade", ("fellow", "senior_member"), 2).describe()
        '≥ 2 with grade in {fellow, senior_member}'
    """

    name: str
    kind: QuotaKind
    attribute: Attribute
    value: QuotaValue = None
    count: int = 1
    priority: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ("min", "max", "min_distinct", "max_per_value"):
            raise InvalidProblemError(f"quota {self.name!r}: unknown kind {self.kind!r}")
        if self.attribute not in ("grade", "is_young", "sector", "institution", "discipline"):
            raise InvalidProblemError(f"quota {self.name!r}: unknown attribute {self.attribute!r}")
        if self.kind in ("min", "max") and self.value is None:
            raise InvalidProblemError(f"quota {self.name!r}: kind {self.kind} needs a value")
        if self.count < 0:
            raise InvalidProblemError(f"quota {self.name!r}: count must be ≥ 0")

    @property
    def values(self) -> frozenset[str | bool]:
        if isinstance(self.value, tuple):
            return frozenset(self.value)
        return frozenset() if self.value is None else frozenset([self.value])

    def describe(self) -> str:
        vals = "{" + ", ".join(sorted(str(v) for v in self.values)) + "}"
        if self.kind == "min":
            return f"≥ {self.count} with {self.attribute} in {vals}"
        if self.kind == "max":
            return f"≤ {self.count} with {self.attribute} in {vals}"
        if self.kind == "min_distinct":
            return f"≥ {self.count} distinct {self.attribute} values"
        return f"≤ {self.count} per {self.attribute}"


def default_panel_quotas(
    *,
    min_senior: int = 2,
    min_young: int = 1,
    min_enterprise: int = 1,
    min_academic: int = 1,
    min_disciplines: int = 3,
    max_per_institution: int = 2,
) -> tuple[Quota, ...]:
    """The balance rules of the brief, as data staff can edit."""
    return (
        Quota("senior", "min", "grade", ("fellow", "senior_member"), min_senior, priority=3),
        Quota("young", "min", "is_young", True, min_young, priority=1),
        Quota("enterprise", "min", "sector", "enterprise", min_enterprise, priority=2),
        Quota("academic", "min", "sector", "academic", min_academic, priority=2),
        Quota("disciplines", "min_distinct", "discipline", None, min_disciplines, priority=1),
        Quota(
            "per_institution", "max_per_value", "institution", None, max_per_institution, priority=2
        ),
    )


@dataclass(frozen=True, eq=False)
class PanelProblem:
    """A think-tank panel request, encoded.

    Args:
        candidates: Ids, length n.
        relevance: Relevance to the topic, shape [n], in [0, 1].
        grade: Member grade per candidate (one of :data:`GRADES`, or any label).
        is_young: Young-scientist flag per candidate, shape [n] (age band computed by caller).
        sector: ``"enterprise"`` / ``"academic"`` / ``"research"`` per candidate.
        disciplines: Disciplines per candidate.
        institution: Institution per candidate.
        size: Panel size k.
        quotas: Balance rules.
        embeddings: Optional vectors, shape [n, d], for measuring diversity.
        allowed: Mask [n]; ``False`` for COI / unavailable. Default all.
        excluded_reasons: id → why excluded.
        locked: Ids that must be on the panel.
        diversity_weight: Objective weight per distinct discipline on the panel.
        prior_share: Share of this period's panels each expert already served on, shape [n].
        max_prior_share: Experts with ``prior_share > max_prior_share`` are excluded.
        exposure_penalty: Objective penalty per unit of ``prior_share``.
    """

    candidates: tuple[str, ...]
    relevance: FloatArray
    grade: tuple[str, ...]
    is_young: BoolArray
    sector: tuple[str, ...]
    disciplines: tuple[tuple[str, ...], ...]
    institution: tuple[str, ...]
    size: int
    quotas: tuple[Quota, ...] = ()
    embeddings: FloatArray | None = None
    allowed: BoolArray | None = None
    excluded_reasons: Mapping[str, str] = field(default_factory=dict)
    locked: tuple[str, ...] = ()
    diversity_weight: float = 0.05
    prior_share: FloatArray | None = None
    max_prior_share: float | None = None
    exposure_penalty: float = 0.0

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        cands = tuple(str(c) for c in self.candidates)
        n = len(cands)
        if len(set(cands)) != n:
            raise InvalidProblemError("candidate ids are not unique")
        set_(self, "candidates", cands)
        set_(self, "relevance", as_float("relevance", self.relevance, (n,)))
        for name in ("grade", "sector", "institution", "disciplines"):
            val = getattr(self, name)
            if len(val) != n:
                raise InvalidProblemError(f"{name} has length {len(val)}, expected {n}")
        set_(self, "grade", tuple(self.grade))
        set_(self, "sector", tuple(self.sector))
        set_(self, "institution", tuple(self.institution))
        set_(self, "disciplines", tuple(tuple(d) for d in self.disciplines))
        set_(self, "is_young", as_bool("is_young", self.is_young, n, False))
        set_(self, "allowed", as_bool("allowed", self.allowed, n, True))
        if self.embeddings is not None:
            e = np.asarray(self.embeddings, dtype=float)
            if e.ndim != 2 or e.shape[0] != n:
                raise InvalidProblemError(f"embeddings has shape {e.shape}, expected ({n}, d)")
            set_(self, "embeddings", frozen(e))
        if self.prior_share is not None:
            set_(self, "prior_share", as_float("prior_share", self.prior_share, (n,)))
        set_(self, "quotas", tuple(self.quotas))
        names = [q.name for q in self.quotas]
        if len(set(names)) != len(names):
            raise InvalidProblemError("quota names are not unique")
        set_(self, "excluded_reasons", dict(self.excluded_reasons))
        set_(self, "locked", tuple(self.locked))
        if any(c not in cands for c in self.locked):
            raise InvalidProblemError("locked ids not among candidates")
        if self.size < 1:
            raise InvalidProblemError("panel size must be ≥ 1")
        if self.diversity_weight < 0 or self.exposure_penalty < 0:
            raise InvalidProblemError("weights must be ≥ 0")

    @property
    def n(self) -> int:
        return len(self.candidates)

    @property
    def allowed_mask(self) -> BoolArray:
        """Allowed and under the exposure cap, shape [n]."""
        assert self.allowed is not None
        mask = np.array(self.allowed)
        if self.prior_share is not None and self.max_prior_share is not None:
            mask &= self.prior_share <= self.max_prior_share + 1e-12
        return mask

    def reason(self, i: int) -> str:
        """Why candidate ``i`` is excluded."""
        cid = self.candidates[i]
        assert self.allowed is not None
        if not self.allowed[i]:
            return self.excluded_reasons.get(cid, "not allowed")
        if self.prior_share is not None and self.max_prior_share is not None:
            return (
                f"served on {self.prior_share[i]:.0%} of this period's panels "
                f"(cap {self.max_prior_share:.0%})"
            )
        return "not allowed"  # pragma: no cover

    def index(self, ids: Sequence[str]) -> IntArray:
        pos = {c: i for i, c in enumerate(self.candidates)}
        try:
            return np.array(sorted(pos[c] for c in ids), dtype=np.int64)
        except KeyError as exc:
            raise InvalidProblemError(f"unknown candidate id {exc.args[0]!r}") from exc

    def unit_gain(self) -> FloatArray:
        """Linear objective per candidate, shape [n]."""
        g = np.array(self.relevance, dtype=float)
        if self.prior_share is not None:
            g -= self.exposure_penalty * self.prior_share
        return g

    def attr_values(self, attribute: str, i: int) -> frozenset[str | bool]:
        """The set of values candidate ``i`` has for ``attribute``."""
        if attribute == "grade":
            return frozenset([self.grade[i]])
        if attribute == "is_young":
            assert self.is_young is not None
            return frozenset([bool(self.is_young[i])])
        if attribute == "sector":
            return frozenset([self.sector[i]])
        if attribute == "institution":
            return frozenset([self.institution[i]])
        return frozenset(self.disciplines[i])

    def matches(self, quota: Quota) -> BoolArray:
        """Shape [n]: candidate matches a ``min``/``max`` quota's value."""
        vals = quota.values
        return np.array(
            [bool(self.attr_values(quota.attribute, i) & vals) for i in range(self.n)], dtype=bool
        )

    def all_values(self, attribute: str) -> list[str | bool]:
        seen: dict[str | bool, None] = {}
        for i in range(self.n):
            for v in sorted(self.attr_values(attribute, i), key=str):
                seen.setdefault(v, None)
        return list(seen)

    def replace(self, **changes: Any) -> PanelProblem:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class PanelDiversity:
    """How varied a panel is.

    Args:
        mean_cosine_distance: Mean pairwise ``1 − cos`` of member embeddings (``None`` without).
        n_disciplines: Distinct disciplines among members.
        n_institutions: Distinct institutions.
        institution_entropy: Shannon entropy of institution shares / log(k) (1 = all distinct).
        institution_gini: Gini coefficient of members per institution (0 = even).
        sectors: sector → count; ``grades``: grade → count; ``n_young``: young members.
    """

    mean_cosine_distance: float | None
    n_disciplines: int
    n_institutions: int
    institution_entropy: float
    institution_gini: float
    sectors: Mapping[str, int]
    grades: Mapping[str, int]
    n_young: int


@dataclass(frozen=True, eq=False)
class PanelSolution(Checked):
    """A proposed panel.

    Args:
        members: Member ids in candidate order.
        objective: Objective value (module docstring).
        relevance_sum: Σ relevance; ``relevance_mean`` its mean.
        checks: ``allowed``, ``locked``, ``size``, then ``quota:<name>`` for every quota.
        diversity: Measured diversity.
        relaxed: Names of quotas relaxed to make the problem feasible (their checks may fail).
        reasons: Why relaxation was needed (empty if it was not).
        solver: Name of the method; ``optimal`` whether proven optimal; ``seconds`` wall time.
    """

    members: tuple[str, ...]
    objective: float
    relevance_sum: float
    relevance_mean: float
    checks: tuple[Check, ...]
    diversity: PanelDiversity
    relaxed: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    solver: str = "exact"
    optimal: bool = False
    seconds: float = 0.0


# ---------------------------------------------------------------------------------------------


def _gini(counts: Sequence[int]) -> float:
    x = np.sort(np.asarray(counts, dtype=float))
    if x.size == 0 or x.sum() == 0:
        return 0.0
    k = x.size
    return float((2 * np.arange(1, k + 1) - k - 1) @ x / (k * x.sum()))


def panel_diversity(p: PanelProblem, members: Sequence[str]) -> PanelDiversity:
    """Measure the diversity of ``members`` (see :class:`PanelDiversity`)."""
    idx = p.index(members)
    k = len(idx)
    mcd: float | None = None
    if p.embeddings is not None and k >= 2:
        e = p.embeddings[idx]
        norms = np.linalg.norm(e, axis=1, keepdims=True)
        e = e / np.where(norms > 0, norms, 1.0)
        sim = e @ e.T
        iu = np.triu_indices(k, 1)
        mcd = float(np.mean(1.0 - sim[iu]))
    inst: dict[str, int] = {}
    for i in idx:
        inst[p.institution[i]] = inst.get(p.institution[i], 0) + 1
    shares = np.array(list(inst.values()), dtype=float) / max(k, 1)
    ent = float(-(shares * np.log(shares)).sum()) if k else 0.0
    ent_norm = ent / math.log(k) if k > 1 else 1.0
    sectors: dict[str, int] = {}
    grades: dict[str, int] = {}
    for i in idx:
        sectors[p.sector[i]] = sectors.get(p.sector[i], 0) + 1
        grades[p.grade[i]] = grades.get(p.grade[i], 0) + 1
    assert p.is_young is not None
    return PanelDiversity(
        mean_cosine_distance=mcd,
        n_disciplines=len({d for i in idx for d in p.disciplines[i]}),
        n_institutions=len(inst),
        institution_entropy=ent_norm,
        institution_gini=_gini(list(inst.values())),
        sectors=sectors,
        grades=grades,
        n_young=int(p.is_young[idx].sum()),
    )


def _quota_check(p: PanelProblem, q: Quota, idx: IntArray) -> Check:
    name = f"quota:{q.name}"
    if q.kind in ("min", "max"):
        got = int(p.matches(q)[idx].sum())
        ok = got >= q.count if q.kind == "min" else got <= q.count
        return Check(name, ok, f"{got} members; need {q.describe()}")
    if q.kind == "min_distinct":
        vals = {v for i in idx for v in p.attr_values(q.attribute, int(i))}
        return Check(name, len(vals) >= q.count, f"{len(vals)} distinct; need {q.describe()}")
    per: dict[str | bool, int] = {}
    for i in idx:
        for v in p.attr_values(q.attribute, int(i)):
            per[v] = per.get(v, 0) + 1
    worst = max(per.items(), key=lambda kv: kv[1], default=("-", 0))
    ok = worst[1] <= q.count
    detail = f"at most {worst[1]} share one {q.attribute}" + ("" if ok else f" ({worst[0]})")
    return Check(name, ok, f"{detail}; need {q.describe()}")


def check_panel(p: PanelProblem, members: Sequence[str]) -> tuple[Check, ...]:
    """Every hard constraint on ``members``: allowed, locked, size, each quota."""
    idx = p.index(members)
    allowed = p.allowed_mask
    bad = [f"{p.candidates[i]} ({p.reason(int(i))})" for i in idx if not allowed[i]]
    out = [
        Check(
            "allowed",
            not bad,
            "all members allowed" if not bad else "not allowed: " + ", ".join(bad),
        )
    ]
    ids = {p.candidates[i] for i in idx}
    missing = [c for c in p.locked if c not in ids]
    out.append(
        Check(
            "locked",
            not missing,
            "all locked in" if not missing else "missing " + ", ".join(missing),
        )
    )
    out.append(Check("size", len(idx) == p.size, f"{len(idx)} members; need {p.size}"))
    out.extend(_quota_check(p, q, idx) for q in p.quotas)
    return tuple(out)


def _objective(p: PanelProblem, idx: IntArray) -> float:
    n_disc = len({d for i in idx for d in p.disciplines[i]})
    return float(p.unit_gain()[idx].sum()) + p.diversity_weight * n_disc


def evaluate_panel(
    p: PanelProblem,
    members: Sequence[str],
    *,
    relaxed: Sequence[str] = (),
    reasons: Sequence[str] = (),
    solver: str = "exact",
    optimal: bool = False,
    seconds: float = 0.0,
) -> PanelSolution:
    """Decode ``members`` into a :class:`PanelSolution` (objective, checks, diversity)."""
    idx = p.index(members)
    rel = float(p.relevance[idx].sum())
    return PanelSolution(
        members=tuple(p.candidates[i] for i in idx),
        objective=_objective(p, idx),
        relevance_sum=rel,
        relevance_mean=rel / len(idx) if len(idx) else 0.0,
        checks=check_panel(p, [p.candidates[i] for i in idx]),
        diversity=panel_diversity(p, [p.candidates[i] for i in idx]),
        relaxed=tuple(relaxed),
        reasons=tuple(reasons),
        solver=solver,
        optimal=optimal,
        seconds=seconds,
    )


def build_panel_model(p: PanelProblem, *, objective: bool = True) -> tuple[Model, IntArray]:
    """The panel MILP over allowed candidates.

    Returns:
        ``(model, cand)`` where ``cand`` maps the first ``len(cand)`` variables to candidate
        indices. Groups: ``size`` and ``locked`` (fixed), ``quota:<name>`` (relaxable),
        ``diversity`` (fixed, objective only).
    """
    cand = np.flatnonzero(p.allowed_mask)
    model = Model(maximise=True)
    x = model.add_vars(len(cand), cost=p.unit_gain()[cand], integer=True)
    model.add_row("size", x, 1.0, lb=p.size, ub=p.size, fixed=True)
    pos = {int(c): k for k, c in enumerate(cand)}
    for c in p.index(p.locked):
        if int(c) in pos:
            model.add_row("locked", [x[pos[int(c)]]], 1.0, lb=1.0, fixed=True)
        else:
            model.add_row("locked", [], [], lb=1.0, fixed=True)  # locked but not allowed
    if objective and p.diversity_weight > 0:
        for d in p.all_values("discipline"):
            holders = np.array([d in p.disciplines[i] for i in cand], dtype=bool)
            z = model.add_vars(1, cost=p.diversity_weight, integer=False)
            model.add_row(
                "diversity",
                np.append(x[holders], z),
                np.append(-np.ones(holders.sum()), 1.0),
                ub=0.0,
                fixed=True,
            )
    for q in p.quotas:
        g = f"quota:{q.name}"
        if q.kind in ("min", "max"):
            mt = p.matches(q)[cand]
            if q.kind == "min":
                model.add_row(g, x[mt], 1.0, lb=q.count)
            else:
                model.add_row(g, x[mt], 1.0, ub=q.count)
        elif q.kind == "min_distinct":
            vals = p.all_values(q.attribute)
            zs = model.add_vars(len(vals), cost=0.0, integer=False)
            for v, z in zip(vals, zs, strict=True):
                holders = np.array(
                    [v in p.attr_values(q.attribute, int(i)) for i in cand], dtype=bool
                )
                model.add_row(
                    g, np.append(x[holders], z), np.append(-np.ones(holders.sum()), 1.0), ub=0.0
                )
            model.add_row(g, zs, 1.0, lb=q.count)
        else:
            for v in p.all_values(q.attribute):
                holders = np.array(
                    [v in p.attr_values(q.attribute, int(i)) for i in cand], dtype=bool
                )
                if holders.sum() > q.count:
                    model.add_row(g, x[holders], 1.0, ub=q.count)
        model.groups.setdefault(g, [])
    return model, cand


def _excluded_text(p: PanelProblem, mask: BoolArray) -> str:
    allowed = p.allowed_mask
    excl = [i for i in np.flatnonzero(mask) if not allowed[i]]
    if not excl:
        return ""
    return (
        f" ({len(excl)} excluded: "
        + ", ".join(f"{p.candidates[i]} {p.reason(int(i))}" for i in excl)
        + ")"
    )


def _alone_reason(p: PanelProblem, q: Quota) -> str:
    allowed = p.allowed_mask
    head = f"quota {q.name!r} ({q.describe()}) cannot be met in a panel of {p.size}: "
    if q.kind == "min":
        mt = p.matches(q)
        have = int((mt & allowed).sum())
        if q.count > p.size:
            return head + "it needs more members than the panel has"
        return (
            head
            + f"only {have} allowed candidate{'s' if have != 1 else ''} match"
            + _excluded_text(p, mt)
        )
    if q.kind == "max":
        other = int((~p.matches(q) & allowed).sum())
        return head + f"only {other} allowed candidates fall outside it, {p.size - q.count} needed"
    if q.kind == "min_distinct":
        vals = {v for i in np.flatnonzero(allowed) for v in p.attr_values(q.attribute, int(i))}
        if len(vals) < q.count:
            return head + f"the allowed pool has only {len(vals)} distinct {q.attribute} values"
        return head + f"{p.size} members cannot span {q.count} distinct {q.attribute} values"
    return head + f"too few allowed candidates outside the largest {q.attribute} groups"


def diagnose_panel(p: PanelProblem) -> tuple[list[str], list[str], list[str]]:
    """Explain why a panel problem is infeasible.

    Returns:
        ``(reasons, conflicting quota names, advice)``: quotas that fail alone, or else one
        irreducible set of quotas that cannot hold together. All empty if feasible.
    """
    model, cand = build_panel_model(p, objective=False)
    fixed = sorted(model.fixed)
    if not model.feasible(fixed):
        allowed = p.allowed_mask
        reasons: list[str] = []
        if len(cand) < p.size:
            reasons.append(f"only {len(cand)} candidates allowed; panel size is {p.size}")
        for c in p.index(p.locked):
            if not allowed[c]:
                reasons.append(
                    f"locked candidate {p.candidates[c]} is not allowed ({p.reason(int(c))})"
                )
        if len(p.locked) > p.size:
            reasons.append(f"{len(p.locked)} locked members exceed the panel size {p.size}")
        return (
            reasons or ["panel size and locks cannot hold"],
            [],
            ["widen the pool or change the panel size"],
        )
    groups = [f"quota:{q.name}" for q in p.quotas]
    alone = [q for q, g in zip(p.quotas, groups, strict=True) if not model.feasible(fixed + [g])]
    if alone:
        return (
            [_alone_reason(p, q) for q in alone],
            [q.name for q in alone],
            [f"relax quota {q.name!r} or widen the pool" for q in alone],
        )
    if model.feasible(fixed + groups):
        return [], [], []
    iis = deletion_filter(model, groups)
    names = [g[len("quota:") :] for g in iis]
    by = {q.name: q for q in p.quotas}
    text = "; ".join(f"{nm!r} ({by[nm].describe()})" for nm in names)
    return (
        [f"quotas {text} cannot be met together in a panel of {p.size} from the allowed pool"],
        names,
        ["relax one of: " + ", ".join(repr(nm) for nm in names)],
    )


def solve_panel(
    problem: PanelProblem,
    *,
    on_infeasible: Literal["raise", "relax"] = "raise",
    time_limit: float = 20.0,
) -> PanelSolution:
    """Optimal panel under the quotas (exact MILP).

    Args:
        problem: The encoded topic request.
        on_infeasible: ``"raise"`` raises :class:`InfeasibleError`; ``"relax"`` drops a minimal
            set of quotas (lowest priority first within each conflict), solves, and reports them
            in ``relaxed`` and ``reasons``.
        time_limit: Seconds for HiGHS.

    Raises:
        InfeasibleError: Naming the quotas that cannot be met (alone or together) and why; also
            with ``"relax"`` when size, locks and the pool alone are infeasible.
        SolverError: HiGHS gave no solution within the time limit.
    """
    p = problem
    t0 = time.perf_counter()
    model, cand = build_panel_model(p)
    res = model.solve(time_limit=time_limit)
    relaxed: list[str] = []
    reasons: list[str] = []
    if res.status == 2:
        reasons, names, advice = diagnose_panel(p)
        if on_infeasible == "raise" or not names:
            raise InfeasibleError(reasons, "; ".join(advice))
        by = {q.name: q for q in p.quotas}
        active = [q.name for q in p.quotas]
        fixed = sorted(model.fixed)
        while not model.feasible(fixed + [f"quota:{a}" for a in active]):
            iis = deletion_filter(model, [f"quota:{a}" for a in active])
            if not iis:  # pragma: no cover
                raise InfeasibleError(reasons, "; ".join(advice))
            order = {nm: k for k, nm in enumerate(active)}
            drop = min(
                (g[len("quota:") :] for g in iis), key=lambda nm: (by[nm].priority, -order[nm])
            )
            active.remove(drop)
            relaxed.append(drop)
        logger.info("panel: relaxed quotas %s", relaxed)
        res = model.solve(
            [
                g
                for g in model.groups
                if not (g.startswith("quota:") and g[len("quota:") :] in relaxed)
            ],
            time_limit=time_limit,
        )
    if res.x is None:
        raise SolverError(f"panel MILP: no solution (status {res.status})")
    idx = cand[res.x[: len(cand)] > 0.5]
    sol = evaluate_panel(
        p,
        [p.candidates[i] for i in idx],
        relaxed=relaxed,
        reasons=reasons,
        optimal=res.optimal,
        seconds=time.perf_counter() - t0,
    )
    must = [
        c
        for c in sol.checks
        if not (c.name.startswith("quota:") and c.name[len("quota:") :] in relaxed)
    ]
    if not all(c.holds for c in must):
        raise SolverError(
            f"panel MILP returned a panel violating {[c.name for c in must if not c.holds]}"
        )
    return sol
