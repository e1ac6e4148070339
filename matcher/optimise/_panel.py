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

With ``on_infeasible="relax"`` :func:`solve_panel` repeats step 2 and loosens the lowest-priority
quota of each conflicting set to the tightest bound the pool allows with the others ("≥ 5
young" becomes "≥ 4" when four can be seated), until every quota can hold; it solves and
reports each relaxation with its old and new bound (the checks stay against the bounds staff
asked for, so they show the shortfall).

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
from matcher.types import Check, Checked, Msg

__all__ = [
    "QuotaRelaxation",
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

    def describe(self) -> Msg:
        """The rule in words (a :class:`Msg` coded ``quota.<kind>``)."""
        values = sorted(str(v) for v in self.values)
        vals = "{" + ", ".join(values) + "}"
        params: dict[str, Any] = {
            "quota": self.name,
            "attribute": self.attribute,
            "values": values,
            "count": self.count,
        }
        if self.kind == "min":
            return Msg("quota.min", f"≥ {self.count} with {self.attribute} in {vals}", **params)
        if self.kind == "max":
            return Msg("quota.max", f"≤ {self.count} with {self.attribute} in {vals}", **params)
        if self.kind == "min_distinct":
            return Msg(
                "quota.min_distinct", f"≥ {self.count} distinct {self.attribute} values", **params
            )
        return Msg("quota.max_per_value", f"≤ {self.count} per {self.attribute}", **params)


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


@dataclass(frozen=True)
class QuotaRelaxation:
    """A quota loosened to what the allowed pool permits together with the other quotas.

    Args:
        quota: The quota's name.
        kind: Its kind (``min``, ``max``, ``min_distinct``, ``max_per_value``).
        from_count: The bound staff asked for.
        to_count: The tightest bound that can hold (``0`` for a minimum: dropped).
    """

    quota: str
    kind: QuotaKind
    from_count: int
    to_count: int

    @property
    def by(self) -> int:
        """How far the bound moved."""
        return abs(self.from_count - self.to_count)


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
        relaxations: How far each relaxed quota was loosened (to what the pool allows).
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
    relaxations: tuple[QuotaRelaxation, ...] = ()


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
        need = q.describe()
        return Check(
            name,
            ok,
            Msg("check.quota", f"{got} members; need {need}", have=got, need=need.as_code()),
        )
    if q.kind == "min_distinct":
        vals = {v for i in idx for v in p.attr_values(q.attribute, int(i))}
        need = q.describe()
        return Check(
            name,
            len(vals) >= q.count,
            Msg(
                "check.quota_distinct",
                f"{len(vals)} distinct; need {need}",
                have=len(vals),
                need=need.as_code(),
            ),
        )
    per: dict[str | bool, int] = {}
    for i in idx:
        for v in p.attr_values(q.attribute, int(i)):
            per[v] = per.get(v, 0) + 1
    worst = max(per.items(), key=lambda kv: kv[1], default=("-", 0))
    ok = worst[1] <= q.count
    detail = f"at most {worst[1]} share one {q.attribute}" + ("" if ok else f" ({worst[0]})")
    need = q.describe()
    return Check(
        name,
        ok,
        Msg(
            "check.quota_per_value",
            f"{detail}; need {need}",
            have=worst[1],
            value=None if ok else str(worst[0]),
            attribute=q.attribute,
            need=need.as_code(),
        ),
    )


def check_panel(p: PanelProblem, members: Sequence[str]) -> tuple[Check, ...]:
    """Every hard constraint on ``members``: allowed, locked, size, each quota."""
    idx = p.index(members)
    allowed = p.allowed_mask
    bad_idx = [int(i) for i in idx if not allowed[i]]
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
    ids = {p.candidates[i] for i in idx}
    missing = [c for c in p.locked if c not in ids]
    out.append(
        Check(
            "locked",
            not missing,
            Msg("check.all_locked_in", "all locked in")
            if not missing
            else Msg("check.locked_missing", "missing " + ", ".join(missing), candidates=missing),
        )
    )
    out.append(
        Check(
            "size",
            len(idx) == p.size,
            Msg(
                "check.panel_size",
                f"{len(idx)} members; need {p.size}",
                have=len(idx),
                need=p.size,
            ),
        )
    )
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


def _excluded(p: PanelProblem, mask: BoolArray) -> list[int]:
    allowed = p.allowed_mask
    return [int(i) for i in np.flatnonzero(mask) if not allowed[i]]


def _excluded_text(p: PanelProblem, excl: Sequence[int]) -> str:
    if not excl:
        return ""
    return (
        f" ({len(excl)} excluded: "
        + ", ".join(f"{p.candidates[i]} {p.reason(int(i))}" for i in excl)
        + ")"
    )


def _alone_reason(p: PanelProblem, q: Quota) -> Msg:
    allowed = p.allowed_mask
    desc = q.describe()
    head = f"quota {q.name!r} ({desc}) cannot be met in a panel of {p.size}: "
    base: dict[str, Any] = {"quota": q.name, "rule": desc.as_code(), "size": p.size}
    if q.kind == "min":
        mt = p.matches(q)
        have = int((mt & allowed).sum())
        if q.count > p.size:
            return Msg(
                "panel.quota_over_size", head + "it needs more members than the panel has", **base
            )
        excl = _excluded(p, mt)
        return Msg(
            "panel.quota_too_few_match",
            head
            + f"only {have} allowed candidate{'s' if have != 1 else ''} match"
            + _excluded_text(p, excl),
            have=have,
            candidates=[p.candidates[i] for i in excl],
            reasons=[p.reason(i) for i in excl],
            **base,
        )
    if q.kind == "max":
        other = int((~p.matches(q) & allowed).sum())
        return Msg(
            "panel.quota_too_few_outside",
            head + f"only {other} allowed candidates fall outside it, {p.size - q.count} needed",
            have=other,
            need=p.size - q.count,
            **base,
        )
    if q.kind == "min_distinct":
        vals = {v for i in np.flatnonzero(allowed) for v in p.attr_values(q.attribute, int(i))}
        if len(vals) < q.count:
            return Msg(
                "panel.quota_too_few_distinct",
                head + f"the allowed pool has only {len(vals)} distinct {q.attribute} values",
                have=len(vals),
                **base,
            )
        return Msg(
            "panel.quota_cannot_span",
            head + f"{p.size} members cannot span {q.count} distinct {q.attribute} values",
            **base,
        )
    return Msg(
        "panel.quota_groups_too_large",
        head + f"too few allowed candidates outside the largest {q.attribute} groups",
        **base,
    )


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
            reasons.append(
                Msg(
                    "panel.too_few_allowed",
                    f"only {len(cand)} candidates allowed; panel size is {p.size}",
                    have=len(cand),
                    size=p.size,
                )
            )
        for c in p.index(p.locked):
            if not allowed[c]:
                reasons.append(
                    Msg(
                        "panel.locked_not_allowed",
                        f"locked candidate {p.candidates[c]} is not allowed ({p.reason(int(c))})",
                        candidate=p.candidates[c],
                        reason=p.reason(int(c)),
                    )
                )
        if len(p.locked) > p.size:
            reasons.append(
                Msg(
                    "panel.too_many_locked",
                    f"{len(p.locked)} locked members exceed the panel size {p.size}",
                    locked=len(p.locked),
                    size=p.size,
                )
            )
        return (
            reasons or [Msg("panel.size_and_locks", "panel size and locks cannot hold")],
            [],
            [Msg("advice.widen_pool_or_size", "widen the pool or change the panel size")],
        )
    groups = [f"quota:{q.name}" for q in p.quotas]
    alone = [q for q, g in zip(p.quotas, groups, strict=True) if not model.feasible(fixed + [g])]
    if alone:
        return (
            [_alone_reason(p, q) for q in alone],
            [q.name for q in alone],
            [
                Msg(
                    "advice.relax_quota_or_widen",
                    f"relax quota {q.name!r} or widen the pool",
                    quota=q.name,
                )
                for q in alone
            ],
        )
    if model.feasible(fixed + groups):
        return [], [], []
    iis = deletion_filter(model, groups)
    names = [g[len("quota:") :] for g in iis]
    by = {q.name: q for q in p.quotas}
    text = "; ".join(f"{nm!r} ({by[nm].describe()})" for nm in names)
    return (
        [
            Msg(
                "panel.quotas_conflict",
                f"quotas {text} cannot be met together in a panel of {p.size} from the allowed pool",
                quotas=names,
                rules=[by[nm].describe().as_code() for nm in names],
                size=p.size,
            )
        ],
        names,
        [
            Msg(
                "advice.relax_one_of",
                "relax one of: " + ", ".join(repr(nm) for nm in names),
                quotas=names,
            )
        ],
    )


def _loosened(q: Quota, size: int) -> list[int]:
    """A quota's looser bounds, tightest first: counts below a minimum, above a maximum."""
    if q.kind in ("min", "min_distinct"):
        return list(range(q.count - 1, -1, -1))
    return list(range(q.count + 1, size + 1))


def _relax_quotas(p: PanelProblem) -> list[QuotaRelaxation]:
    """Loosen quotas until the panel is feasible, each only as far as it must go.

    Each round finds an irreducible set of quotas that cannot hold together (a deletion
    filter), picks its lowest-priority quota (the later one on ties) and moves that quota's
    bound to the tightest value at which the set can hold; rounds repeat until every quota can
    hold. A quota may be loosened in several rounds; its relaxation reports the final bound.

    Raises:
        InfeasibleError: When size and locks cannot hold with every quota dropped.
    """
    quotas = {q.name: q for q in p.quotas}
    order = {q.name: k for k, q in enumerate(p.quotas)}
    original = dict(quotas)
    for _ in range(sum(max(q.count, p.size) + 1 for q in p.quotas) + 1):
        current = p.replace(quotas=tuple(quotas.values()))
        model, _cand = build_panel_model(current, objective=False)
        fixed = sorted(model.fixed)
        groups = [f"quota:{nm}" for nm in quotas]
        if model.feasible(fixed + groups):
            return [
                QuotaRelaxation(nm, q.kind, original[nm].count, q.count)
                for nm, q in quotas.items()
                if q.count != original[nm].count
            ]
        iis = [g[len("quota:") :] for g in deletion_filter(model, groups)]
        if not iis:
            reasons, _names, advice = diagnose_panel(p)
            raise InfeasibleError(reasons, advice)
        pick = min(iis, key=lambda nm: (quotas[nm].priority, -order[nm]))
        q = quotas[pick]
        for bound in _loosened(q, p.size):
            trial = dict(quotas)
            trial[pick] = dataclasses.replace(q, count=bound)
            t_model, _ = build_panel_model(
                p.replace(quotas=tuple(trial[nm] for nm in iis)), objective=False
            )
            if t_model.feasible(sorted(t_model.fixed) + [f"quota:{nm}" for nm in iis]):
                quotas[pick] = trial[pick]
                break
        else:  # even at its loosest the set cannot hold: drop the quota's force entirely
            loosest = 0 if q.kind in ("min", "min_distinct") else p.size
            quotas[pick] = dataclasses.replace(q, count=loosest)
    raise SolverError("panel relaxation did not converge")  # pragma: no cover


def solve_panel(
    problem: PanelProblem,
    *,
    on_infeasible: Literal["raise", "relax"] = "raise",
    time_limit: float = 20.0,
) -> PanelSolution:
    """Optimal panel under the quotas (exact MILP).

    Args:
        problem: The encoded topic request.
        on_infeasible: ``"raise"`` raises :class:`InfeasibleError`; ``"relax"`` loosens the
            lowest-priority quota of each conflict to the tightest bound that can hold
            (:func:`_relax_quotas`), solves, and reports them in ``relaxed``, ``relaxations``
            and ``reasons``.
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
    relaxations: list[QuotaRelaxation] = []
    relaxed_problem = p
    if res.status == 2:
        reasons, names, advice = diagnose_panel(p)
        if on_infeasible == "raise" or not names:
            raise InfeasibleError(reasons, advice)
        relaxations = _relax_quotas(p)
        relaxed = [r.quota for r in relaxations]
        logger.info("panel: relaxed quotas %s", relaxations)
        lowered = {r.quota: r.to_count for r in relaxations}
        relaxed_problem = p.replace(
            quotas=tuple(
                dataclasses.replace(q, count=lowered[q.name]) if q.name in lowered else q
                for q in p.quotas
            )
        )
        model, cand = build_panel_model(relaxed_problem)
        res = model.solve(time_limit=time_limit)
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
    if relaxations:
        must += [
            c
            for c in check_panel(relaxed_problem, sol.members)
            if c.name.startswith("quota:") and c.name[len("quota:") :] in relaxed
        ]
        sol = dataclasses.replace(sol, relaxations=tuple(relaxations))
    if not all(c.holds for c in must):
        raise SolverError(
            f"panel MILP returned a panel violating {[c.name for c in must if not c.holds]}"
        )
    return sol
