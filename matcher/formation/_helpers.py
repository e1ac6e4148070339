"""Pure helpers of the encoders: seniority, youth, sectors, locality, communication costs,
organisation relevance and tie strength, quota overrides, and team precision."""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping, Sequence

import numpy as np

from graph_schema.formation_queries import OrgTie, PairTie
from graph_schema.labels import SENIOR_GRADES
from graph_schema.titles import title_level
from matcher.errors import MatchValidationError

__all__ = [
    "SENIOR_HONOURS",
    "SENIOR_KINDS",
    "comm_cost_matrix",
    "is_senior",
    "locality_score",
    "sector_of",
    "is_young",
    "org_relevance",
    "org_tie_strength",
    "parse_quota_overrides",
    "team_precision",
]

#: Honours that make anyone senior whatever their title field says (院士 inside 中国工程院院士 too).
SENIOR_HONOURS = ("院士", "首席科学家", "首席专家", "academician", "chief scientist")
SENIOR_KINDS = frozenset({"strategic_scientist", "leading_talent"})


def comm_cost_matrix(ids: Sequence[str], ties: Sequence[PairTie]) -> np.ndarray:
    """Communication cost in [0, 1] from graph ties, shape [n, n], symmetric, zero diagonal.

    ``cost = exp(−(0.7·coauthored + 0.6·served_together + 0.25·shared_societies +
    0.3·same_institution))``: 1 for strangers, ≈0.5 for one joint paper, lower with more.
    """
    pos = {c: i for i, c in enumerate(ids)}
    n = len(ids)
    c = np.ones((n, n))
    for t in ties:
        if t.a in pos and t.b in pos:
            s = (
                0.7 * t.coauthored
                + 0.6 * t.served_together
                + 0.25 * t.shared_societies
                + 0.3 * float(t.same_institution)
            )
            i, j = pos[t.a], pos[t.b]
            c[i, j] = c[j, i] = math.exp(-s)
    np.fill_diagonal(c, 0.0)
    return c


def is_senior(grade: str | None, title: str | None, talent_kinds: Sequence[str] = ()) -> bool:
    """Senior: a fellow or senior member of a society, a full-senior (正高) professional title, an
    honour (院士, 首席科学家…), or a strategic-scientist / leading-talent kind.

    The title is read by its level (:func:`graph_schema.titles.title_level`), never by a suffix:
    助理研究员 is 中级 and 高级工程师 副高, so neither is senior by title.

    Example:
        >>> is_senior(None, "教授"), is_senior("member", "副教授"), is_senior("fellow", None)
        (True, False, True)
        >>> is_senior("student_member", "助理研究员"), is_senior(None, "中国工程院院士")
        (False, True)
    """
    if grade in SENIOR_GRADES or SENIOR_KINDS & set(talent_kinds):
        return True
    if title_level(title) == "full_senior":
        return True
    t = (title or "").strip().lower()
    return any(h in t for h in SENIOR_HONOURS)


def locality_score(candidate_districts: Sequence[str | None], target: str | None) -> float:
    """1 when the expert works in the enterprise's district, 0.2 elsewhere, 0.5 when unknown."""
    known = {d for d in candidate_districts if d}
    if not target or not known:
        return 0.5
    return 1.0 if target in known else 0.2


def sector_of(org_kind: str | None) -> str:
    """Panel sector of an institution kind: enterprise, academic (university), research."""
    return {"enterprise": "enterprise", "university": "academic", "institute": "research"}.get(
        org_kind or "", "research"
    )


def is_young(birth_year: int | None, *, age_max: int = 45, today: _dt.date | None = None) -> bool:
    """Whether the scientist's age is at most ``age_max`` (unknown age: not young)."""
    if birth_year is None:
        return False
    return (today or _dt.date.today()).year - int(birth_year) <= age_max


def org_relevance(expert_scores: Sequence[float]) -> float:
    """An organisation's relevance from its experts' absolute scores: 0.7·best + 0.3·mean(top 3)."""
    if not expert_scores:
        return 0.0
    top = sorted(expert_scores, reverse=True)[:3]
    return min(1.0, 0.7 * top[0] + 0.3 * sum(top) / len(top))


def org_tie_strength(tie: OrgTie) -> float:
    """Tie strength in [0, 1]: counterpart link 0.8, else saturating in shared people and joint
    evidence."""
    s = 1.0 - math.exp(-(0.5 * tie.shared_people + 0.4 * tie.joint_evidence))
    return min(1.0, max(s, 0.8 if tie.counterpart else 0.0))


def parse_quota_overrides(items: Sequence[str]) -> dict[str, int]:
    """``["senior=3", "young=0"]`` → ``{"senior": 3, "young": 0}``.

    Raises:
        MatchValidationError: an item is not ``name=int``.
    """
    out: dict[str, int] = {}
    for it in items:
        name, sep, val = it.partition("=")
        if not sep or not val.strip().lstrip("-").isdigit():
            raise MatchValidationError(
                [{"loc": ["quota"], "msg": f"expected name=count, got {it!r}"}]
            )
        out[name.strip()] = int(val)
    return out


def team_precision(members: Sequence[str], relevant: Mapping[str, int]) -> float:
    """Share of members that the ground truth grades ≥ 1."""
    if not members:
        return 0.0
    return sum(1 for m in members if relevant.get(m, 0) >= 1) / len(members)
