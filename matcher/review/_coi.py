"""The conflict-of-interest policy of a review round, applied to the ties the graph holds.

:func:`graph_schema.review_queries.coi_ties` returns every tie between candidate reviewers and
items with its evidence and whether it falls inside its window; :func:`judge` turns them into,
per (item, reviewer), the reasons that **exclude** the reviewer and the ties that are only
**disclosed**. A tie kind in ``policy.exclude`` excludes when inside its window; co-authorship,
institution and service ties outside their windows are disclosed (never excluded); kinds in
``policy.disclose`` are disclosed; others are ignored. Pure: no driver.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from graph_schema.labels import COI_TIES
from graph_schema.review_queries import RoundInfo, TieRow
from matcher.errors import MatchValidationError
from matcher.types import Msg

__all__ = ["CoiPolicy", "Finding", "judge", "describe_tie", "DEFAULT_EXCLUDE", "DEFAULT_DISCLOSE"]

DEFAULT_EXCLUDE: tuple[str, ...] = (
    "applicant",
    "coauthor",
    "institution",
    "service",
    "declared",
    "organisation",
)
DEFAULT_DISCLOSE: tuple[str, ...] = ("society_council", "district")


@dataclass(frozen=True)
class CoiPolicy:
    """Which ties exclude a reviewer, which are disclosed, and the windows (in years).

    Args:
        year: The year windows count back from (the round's year; default this year).
        coauthor_years: Co-contribution on evidence within this many years excludes.
        institution_years: A shared institution whose overlap ended within this many years.
        service_years: Service together on a confirmed team or panel within this many years.
        exclude: Tie kinds that exclude (``applicant`` always does).
        disclose: Tie kinds shown but allowed.

    Raises:
        MatchValidationError: an unknown tie kind, a kind in both lists, or a negative window.
    """

    year: int = field(default_factory=lambda: _dt.date.today().year)
    coauthor_years: int = 5
    institution_years: int = 3
    service_years: int = 5
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    disclose: tuple[str, ...] = DEFAULT_DISCLOSE

    def __post_init__(self) -> None:
        errors = []
        for name in ("exclude", "disclose"):
            unknown = sorted(set(getattr(self, name)) - set(COI_TIES))
            if unknown:
                errors.append(
                    {"loc": ["policy", name], "msg": f"unknown ties {unknown}; known {COI_TIES}"}
                )
        both = sorted(set(self.exclude) & set(self.disclose))
        if both:
            errors.append({"loc": ["policy"], "msg": f"ties {both} both excluded and disclosed"})
        for name in ("coauthor_years", "institution_years", "service_years"):
            if getattr(self, name) < 0:
                errors.append({"loc": ["policy", name], "msg": "must be ≥ 0"})
        if errors:
            raise MatchValidationError(errors)
        if "applicant" not in self.exclude:
            object.__setattr__(self, "exclude", ("applicant", *self.exclude))

    @classmethod
    def of_round(cls, info: RoundInfo) -> CoiPolicy:
        """The policy a stored round declares."""
        return cls(
            year=info.year or _dt.date.today().year,
            coauthor_years=info.coauthor_years,
            institution_years=info.institution_years,
            service_years=info.service_years,
            exclude=tuple(info.exclude),
            disclose=tuple(info.disclose),
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "year": self.year,
            "coauthor_years": self.coauthor_years,
            "institution_years": self.institution_years,
            "service_years": self.service_years,
            "exclude": list(self.exclude),
            "disclose": list(self.disclose),
        }


@dataclass(frozen=True)
class Finding:
    """What the policy says about one reviewer for one item."""

    excluded: tuple[str, ...] = ()
    disclosed: tuple[str, ...] = ()


def _years(a: int | None, b: int | None) -> str:
    return f"{a or '?'}–{b or 'now'}"


def describe_tie(t: TieRow, policy: CoiPolicy) -> Msg:
    """One line that names the tie's evidence (the shared item and year, the institution and
    the periods); a :class:`Msg` whose code (``coi.<kind>``) and params let pages say it in
    their own language."""
    name = t.applicant_name or ""
    who = f"applicant {name}" if t.applicant else name
    base = {"name": name, "applicant": bool(t.applicant), "within": bool(t.within)}
    if t.kind == "applicant":
        return Msg("coi.applicant", "is an applicant of this item")
    if t.kind == "coauthor":
        when = str(t.year) if t.year is not None else "undated"
        window = (
            f"within {policy.coauthor_years} years"
            if t.within
            else f"outside the {policy.coauthor_years}-year window"
        )
        return Msg(
            "coi.coauthor",
            f"co-contributor with {who} on 《{t.what}》 ({when}; {window})",
            **base,
            title=t.what,
            year=t.year,
            window=policy.coauthor_years,
        )
    if t.kind == "institution":
        window = (
            f"within {policy.institution_years} years"
            if t.within
            else f"outside the {policy.institution_years}-year window"
        )
        return Msg(
            "coi.institution",
            f"worked at {t.what} with {who} (applicant {_years(t.a_from, t.a_to)}, reviewer "
            f"{_years(t.c_from, t.c_to)}; together until {t.year}; {window})",
            **base,
            org=t.what,
            a_from=t.a_from,
            a_to=t.a_to,
            c_from=t.c_from,
            c_to=t.c_to,
            until=t.year,
            window=policy.institution_years,
        )
    if t.kind == "service":
        window = "within" if t.within else "outside"
        return Msg(
            "coi.service",
            f"served with {who} on confirmed team/panel {t.what} ({t.year}; {window} "
            f"{policy.service_years} years)",
            **base,
            formation=t.what,
            year=t.year,
            window=policy.service_years,
        )
    if t.kind == "declared":
        return Msg(
            "coi.declared",
            f"declared conflict with {who}" + (f": {t.what}" if t.what else ""),
            **base,
            reason=t.what or "",
        )
    if t.kind == "organisation":
        return Msg("coi.organisation", f"works at {t.what}, which submits this item", org=t.what)
    if t.kind == "society_council":
        return Msg(
            "coi.society_council",
            f"on the council of {t.what} with {who}",
            **base,
            society=t.what,
        )
    if t.kind == "district":
        return Msg(
            "coi.district", f"in the same district ({t.what}) as {who}", **base, district=t.what
        )
    return Msg("coi.other", f"{t.kind} tie with {who}", **base, kind=t.kind)


def judge(ties: Iterable[TieRow], policy: CoiPolicy) -> dict[tuple[str, str], Finding]:
    """Per ``(item, reviewer)`` with any tie: the reasons that exclude, the ties disclosed.

    Example:
        >>> row = TieRow("I1", "coauthor", "S2", "S1", "王芳", "电池热管理", 2015, None, None,
        ...              None, None, False)
        >>> judge([row], CoiPolicy(year=2025))[("I1", "S2")].disclosed[0][:30]
        'co-contributor with applicant 王芳 on 《电池热'
    """
    excl: dict[tuple[str, str], list[Msg]] = {}
    disc: dict[tuple[str, str], list[Msg]] = {}
    windowed = {"coauthor", "institution", "service"}
    for t in ties:
        key = (t.item, t.candidate)
        text = describe_tie(t, policy)
        if t.kind in policy.exclude and (t.within or t.kind not in windowed):
            target = excl
        elif t.kind in policy.disclose or (t.kind in windowed and t.kind in policy.exclude):
            target = disc
        else:
            continue
        lst = target.setdefault(key, [])
        if text not in lst:
            lst.append(text)
    keys = set(excl) | set(disc)
    return {
        k: Finding(tuple(sorted(excl.get(k, []))), tuple(sorted(disc.get(k, [])))) for k in keys
    }


def reasons_by_reviewer(
    findings: Mapping[tuple[str, str], Finding], item: str
) -> dict[str, Finding]:
    """The findings of one item, by reviewer."""
    return {r: f for (i, r), f in findings.items() if i == item}
