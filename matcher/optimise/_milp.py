"""A thin model builder over :func:`scipy.optimize.milp` (HiGHS), with grouped constraints.

Every formation problem (team, panel, consortium, batch) is a 0/1 programme whose constraints come
in *groups* that a person can name: "cover skill X", "≥ 2 fellows", "≤ 2 per institution". Keeping
the groups lets one model answer three questions:

* :meth:`Model.solve` — the optimum with all groups;
* :meth:`Model.feasible` — is a subset of groups satisfiable (objective ignored)?
* :func:`deletion_filter` — an *irreducible infeasible subset* (IIS) of groups: infeasible, but
  feasible as soon as any one group is dropped. This is the classic deletion filter of Chinneck &
  Dravnieks (1991), "Locating minimal infeasible constraint sets in linear programs", ORSA J. on
  Computing 3(2), applied to groups rather than rows. Groups marked *fixed* (e.g. the panel size)
  are always kept, so the answer names only what a person may relax.

Status codes of ``scipy.optimize.milp``: 0 optimal, 1 iteration/time limit, 2 infeasible,
3 unbounded, 4 other.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from matcher.errors import SolverError

__all__ = ["Model", "MilpResult", "deletion_filter"]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class MilpResult:
    """Outcome of one MILP solve.

    Args:
        status: scipy status (0 optimal, 1 limit, 2 infeasible, 3 unbounded, 4 other).
        x: Variable values, shape [n_vars], or ``None`` when no solution was found.
        objective: Objective value in the model's own sense (maximised if the model maximises).
        optimal: Whether HiGHS proved optimality.
        gap: Relative MIP gap reported by HiGHS (0 when optimal), ``nan`` if unknown.
    """

    status: int
    x: FloatArray | None
    objective: float
    optimal: bool
    gap: float


@dataclass
class _Row:
    idx: npt.NDArray[np.int64]
    val: FloatArray
    lb: float
    ub: float


@dataclass
class Model:
    """A mutable builder for a 0/1 (or mixed) linear programme with named constraint groups.

    Example:
        >>> m = Model(maximise=True)
        >>> x = m.add_vars(3, cost=[1.0, 2.0, 3.0], integer=True)
        >>> m.add_row("size", x, [1, 1, 1], lb=1, ub=2)
        >>> round(m.solve().objective)
        5
    """

    maximise: bool = True
    lb: list[float] = field(default_factory=list)
    ub: list[float] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    integer: list[int] = field(default_factory=list)
    groups: dict[str, list[_Row]] = field(default_factory=dict)
    fixed: set[str] = field(default_factory=set)

    @property
    def n_vars(self) -> int:
        return len(self.cost)

    def add_vars(
        self,
        count: int,
        *,
        cost: Sequence[float] | FloatArray | float = 0.0,
        lb: float = 0.0,
        ub: float = 1.0,
        integer: bool = True,
    ) -> npt.NDArray[np.int64]:
        """Add ``count`` variables; return their indices, shape [count]."""
        start = self.n_vars
        costs = np.broadcast_to(np.asarray(cost, dtype=float), (count,))
        self.cost.extend(float(c) for c in costs)
        self.lb.extend([lb] * count)
        self.ub.extend([ub] * count)
        self.integer.extend([1 if integer else 0] * count)
        return np.arange(start, start + count, dtype=np.int64)

    def fix(self, index: int, value: float) -> None:
        """Fix one variable by its bounds (used for locked members)."""
        self.lb[index] = value
        self.ub[index] = value

    def add_row(
        self,
        group: str,
        idx: Sequence[int] | npt.NDArray[np.int64],
        val: Sequence[float] | FloatArray | float,
        *,
        lb: float = -np.inf,
        ub: float = np.inf,
        fixed: bool = False,
    ) -> None:
        """Add ``lb ≤ Σ val·x[idx] ≤ ub`` to ``group`` (created on first use)."""
        ids = np.asarray(idx, dtype=np.int64)
        vals = np.broadcast_to(np.asarray(val, dtype=float), ids.shape).copy()
        self.groups.setdefault(group, []).append(_Row(ids, vals, float(lb), float(ub)))
        if fixed:
            self.fixed.add(group)

    def _rows(self, groups: Iterable[str]) -> list[_Row]:
        rows: list[_Row] = []
        for g in groups:
            rows.extend(self.groups.get(g, []))
        return rows

    def solve(
        self,
        groups: Iterable[str] | None = None,
        *,
        objective: bool = True,
        time_limit: float | None = None,
        cost: FloatArray | None = None,
    ) -> MilpResult:
        """Solve with ``groups`` (default: all) and return a :class:`MilpResult`.

        Args:
            groups: Names of the constraint groups to include; ``None`` means all.
            objective: ``False`` solves a pure feasibility problem (zero objective).
            time_limit: Seconds for HiGHS; on expiry the best solution found is returned.
            cost: Override of the objective vector, shape [n_vars] (model sense).

        Raises:
            SolverError: If scipy fails for a reason other than infeasibility or the limit.
        """
        names = list(self.groups) if groups is None else list(groups)
        rows = self._rows(names)
        n = self.n_vars
        c = np.asarray(self.cost if cost is None else cost, dtype=float)
        if not objective:
            c = np.zeros(n)
        sign = -1.0 if self.maximise else 1.0
        constraints: list[LinearConstraint] = []
        if rows:
            r = np.concatenate(
                [np.full(row.idx.size, k, dtype=np.int64) for k, row in enumerate(rows)]
            )
            cols = np.concatenate([row.idx for row in rows])
            vals = np.concatenate([row.val for row in rows])
            a = coo_matrix((vals, (r, cols)), shape=(len(rows), n)).tocsr()
            constraints.append(
                LinearConstraint(a, [row.lb for row in rows], [row.ub for row in rows])
            )
        options: dict[str, float | bool] = {"disp": False}
        if time_limit is not None:
            options["time_limit"] = float(time_limit)
        try:
            res = milp(
                sign * c,
                constraints=constraints,
                integrality=np.asarray(self.integer),
                bounds=Bounds(np.asarray(self.lb), np.asarray(self.ub)),
                options=options,
            )
        except (ValueError, TypeError, np.linalg.LinAlgError) as exc:  # pragma: no cover
            raise SolverError(f"scipy.optimize.milp failed: {exc}") from exc
        status = int(res.status)
        if status in (3, 4):
            raise SolverError(f"MILP solver returned status {status}: {res.message}")
        x = None if res.x is None else np.asarray(res.x, dtype=float)
        fun = float("nan") if res.fun is None else sign * float(res.fun)
        gap = float(getattr(res, "mip_gap", float("nan")) or 0.0) if x is not None else float("nan")
        return MilpResult(status=status, x=x, objective=fun, optimal=status == 0, gap=gap)

    def feasible(self, groups: Iterable[str]) -> bool:
        """Whether the listed groups are satisfiable together."""
        return self.solve(groups, objective=False).status != 2


def deletion_filter(model: Model, candidates: Sequence[str] | None = None) -> list[str]:
    """Return an irreducible infeasible subset of the relaxable groups.

    Groups in ``model.fixed`` are always kept and never reported. The model must be infeasible
    with all groups; the result is a list of groups that are infeasible together (with the fixed
    ones) while dropping any one of them restores feasibility.

    Args:
        model: The model, infeasible as built.
        candidates: Relaxable groups to examine, in the order to try dropping them;
            default all non-fixed groups.

    Returns:
        The IIS, in the order of ``candidates``; empty if the fixed groups alone are infeasible.
    """
    relaxable = [g for g in (candidates or list(model.groups)) if g not in model.fixed]
    fixed = [g for g in model.groups if g in model.fixed]
    if not model.feasible(fixed):
        return []
    keep = list(relaxable)
    for g in relaxable:
        trial = [h for h in keep if h != g]
        if not model.feasible(fixed + trial):
            keep = trial
    logger.debug("deletion filter: IIS %s of %d groups", keep, len(relaxable))
    return keep
