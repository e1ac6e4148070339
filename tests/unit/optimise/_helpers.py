"""Independent checkers and brute force for the optimisation tests.

They never trust a solver's ``checks``.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence

import numpy as np

from matcher.optimise import PanelProblem, Quota, TeamProblem, TeamWeights


def tiny_team(
    seed: int,
    n: int,
    s: int,
    *,
    k_min: int = 1,
    k_max: int = 3,
    min_senior: int = 1,
    cap: int | None = 2,
    p_allowed: float = 0.8,
    p_cover: float = 0.35,
    locked: int = 0,
    weights: TeamWeights | None = None,
) -> TeamProblem:
    rng = np.random.default_rng(seed)
    c = rng.random((n, n))
    c = (c + c.T) / 2
    allowed = rng.random(n) < p_allowed
    ids = tuple(f"S{i}" for i in range(n))
    lock = (
        tuple(ids[i] for i in rng.choice(n, size=min(locked, n), replace=False)) if locked else ()
    )
    return TeamProblem(
        candidates=ids,
        relevance=rng.random(n),
        skills=tuple(f"k{j}" for j in range(s)),
        coverage=np.where(rng.random((n, s)) < p_cover, 0.9, 0.1),
        comm_cost=c,
        institution=tuple(f"u{int(v)}" for v in rng.integers(0, 3, n)),
        senior=rng.random(n) < 0.4,
        locality=rng.random(n),
        allowed=allowed,
        excluded_reasons={ids[i]: "COI" for i in range(n) if not allowed[i]},
        locked=lock,
        k_min=k_min,
        k_max=max(k_max, k_min),
        min_senior=min_senior,
        max_per_institution=cap,
        weights=weights or TeamWeights(1.0, 0.5, 0.2),
    )


def team_constraints(p: TeamProblem, members: Sequence[str]) -> dict[str, bool]:
    """Each hard constraint evaluated from the raw arrays."""
    pos = {c: i for i, c in enumerate(p.candidates)}
    idx = [pos[m] for m in members]
    assert p.allowed is not None
    inst = Counter(p.institution[i] for i in idx)
    return {
        "allowed": all(bool(p.allowed[i]) for i in idx),
        "locked": set(p.locked) <= set(members),
        "team_size": p.k_min <= len(idx) <= p.k_max,
        "skill_coverage": all(
            any(p.coverage[i, j] >= p.cover_threshold for i in idx) for j in range(len(p.skills))
        ),
        "min_senior": sum(bool(p.senior[i]) for i in idx) >= p.min_senior,
        "max_per_institution": p.max_per_institution is None
        or max(inst.values(), default=0) <= p.max_per_institution,
    }


def team_ok(p: TeamProblem, members: Sequence[str]) -> bool:
    return all(team_constraints(p, members).values()) and len(set(members)) == len(members)


def team_objective(p: TeamProblem, members: Sequence[str]) -> float:
    pos = {c: i for i, c in enumerate(p.candidates)}
    idx = [pos[m] for m in members]
    w = p.weights
    loc = 0.0 if p.locality is None else sum(p.locality[i] for i in idx)
    comm = sum(p.comm_cost[i, j] for i, j in itertools.combinations(idx, 2))
    return (
        w.relevance * sum(p.relevance[i] for i in idx) - w.communication * comm + w.locality * loc
    )


def team_brute_force(p: TeamProblem) -> float | None:
    best: float | None = None
    for k in range(p.k_min, p.k_max + 1):
        for combo in itertools.combinations(p.candidates, k):
            if team_ok(p, combo):
                v = team_objective(p, combo)
                best = v if best is None or v > best else best
    return best


def quota_holds(p: PanelProblem, q: Quota, members: Sequence[str]) -> bool:
    pos = {c: i for i, c in enumerate(p.candidates)}
    idx = [pos[m] for m in members]

    def vals(i: int) -> set[object]:
        assert p.is_young is not None
        return {
            "grade": {p.grade[i]},
            "is_young": {bool(p.is_young[i])},
            "sector": {p.sector[i]},
            "institution": {p.institution[i]},
            "discipline": set(p.disciplines[i]),
        }[q.attribute]

    wanted = set(q.value) if isinstance(q.value, tuple) else {q.value}
    if q.kind == "min":
        return sum(bool(vals(i) & wanted) for i in idx) >= q.count
    if q.kind == "max":
        return sum(bool(vals(i) & wanted) for i in idx) <= q.count
    if q.kind == "min_distinct":
        return len(set().union(*[vals(i) for i in idx])) >= q.count
    per = Counter(v for i in idx for v in vals(i))
    return max(per.values(), default=0) <= q.count


def panel_ok(p: PanelProblem, members: Sequence[str], skip: Sequence[str] = ()) -> bool:
    pos = {c: i for i, c in enumerate(p.candidates)}
    allowed = p.allowed_mask
    return (
        len(members) == p.size
        and len(set(members)) == len(members)
        and all(bool(allowed[pos[m]]) for m in members)
        and set(p.locked) <= set(members)
        and all(quota_holds(p, q, members) for q in p.quotas if q.name not in skip)
    )


def panel_objective(p: PanelProblem, members: Sequence[str]) -> float:
    pos = {c: i for i, c in enumerate(p.candidates)}
    idx = [pos[m] for m in members]
    gain = p.unit_gain()
    return float(sum(gain[i] for i in idx)) + p.diversity_weight * len(
        {d for i in idx for d in p.disciplines[i]}
    )


def panel_brute_force(p: PanelProblem) -> float | None:
    best: float | None = None
    for combo in itertools.combinations(p.candidates, p.size):
        if panel_ok(p, combo):
            v = panel_objective(p, combo)
            best = v if best is None or v > best else best
    return best
