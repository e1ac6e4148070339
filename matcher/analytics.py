"""Policy analytics, as pure computations over plain rows (no driver).

Three analyses the municipal association asks for (policy items 3 and 14):

**District coverage.** A society *counts* in a district when it has a branch or a liaison office
there (``PRESENT_IN``), or when it is a district-level society located there. Each district is
held against ``target`` societies (20 by default): its *shortfall* is ``max(0, target - n)``.
The policy asks the city-wide *average* to exceed the target (平均…超过20家), so the average
passes only when it is strictly above ``target``; ``presences_needed`` is how many more
(society, district) presences would make it so.

**Branch vs liaison office.** For a municipal society and a district, *reach* is the number of
distinct scientists placed in the district who are its members or work in its disciplines.
With no presence there, reach ≥ ``branch`` suggests a branch, reach ≥ ``liaison`` a liaison
office; an existing liaison office with reach ≥ ``branch`` is suggested for an upgrade. New
presences in districts below target are ranked first: within each such district, the
suggestions with the largest reach that would close its shortfall are marked ``closes_gap``.

**National counterparts.** For each municipal society without ``COUNTERPART_OF``, national
societies are scored by a weighted sum of

* a *discipline overlap*: a soft Jaccard where an exact shared discipline counts 1 and a pair
  of different disciplines under the same level-1 discipline counts ``parent_weight`` (each
  discipline in at most one pair): ``(exact + w·pairs) / (|A ∪ B| - w·pairs)``, which is plain
  Jaccard at ``w = 0`` and Jaccard on level-1-merged sets at ``w = 1``;
* the *embedding cosine* of "name + discipline names" texts (clipped at 0), from the injected
  :class:`~matcher.embedding.Embedder`;
* the *bigram Dice* of the Chinese names after removing the boilerplate "重庆市…学会" / "中国…
  学会", since the default embedding model is English-trained.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from matcher.errors import MatchValidationError
from matcher.types import Msg

__all__ = [
    "DEFAULT_TARGET",
    "DEFAULT_BRANCH_THRESHOLD",
    "DEFAULT_LIAISON_THRESHOLD",
    "District",
    "Presence",
    "FieldCount",
    "DistrictCoverage",
    "CoverageReport",
    "compute_coverage",
    "field_matrix",
    "Reach",
    "PresenceThresholds",
    "PresenceSuggestion",
    "suggest_presences",
    "SocietyProfile",
    "NationalProfile",
    "CounterpartWeights",
    "DisciplineOverlap",
    "CounterpartCandidate",
    "CounterpartSuggestion",
    "PairingStats",
    "pairing_stats",
    "discipline_overlap",
    "name_core",
    "bigram_dice",
    "rank_counterparts",
]

DEFAULT_TARGET: Final = 20
DEFAULT_BRANCH_THRESHOLD: Final = 30
DEFAULT_LIAISON_THRESHOLD: Final = 5

PresenceKindCounted = Literal["branch", "liaison_office", "district_society"]
Action = Literal["open_branch", "open_liaison_office", "upgrade_to_branch"]


def _invalid(loc: str, msg: str) -> MatchValidationError:
    return MatchValidationError([{"loc": [loc], "msg": msg}])


# == district coverage ========================================================================
@dataclass(frozen=True)
class District:
    code: str
    name: str
    name_en: str | None = None

    @property
    def label(self) -> str:
        """A plot-safe label: the English name, else the code."""
        return self.name_en or self.code


@dataclass(frozen=True)
class Presence:
    society: str
    district: str
    kind: PresenceKindCounted | str


@dataclass(frozen=True)
class FieldCount:
    """Scientists placed in ``district`` with level-1 ``discipline`` (None: no discipline)."""

    district: str
    discipline: str | None
    scientists: int


@dataclass(frozen=True)
class DistrictCoverage:
    """One district against the target.

    Attributes:
        societies: distinct societies counted there (a society with both a branch and a
            liaison office counts once).
        shortfall: ``max(0, target - societies)``.
        scientists: distinct scientists placed there.
    """

    code: str
    name: str
    name_en: str | None
    societies: int
    branches: int
    liaison_offices: int
    district_societies: int
    target: int
    shortfall: int
    scientists: int = 0

    @property
    def meets_target(self) -> bool:
        return self.shortfall == 0

    @property
    def label(self) -> str:
        return self.name_en or self.code


@dataclass(frozen=True)
class CoverageReport:
    """Coverage of every district, the city-wide average, and scientists per field.

    Attributes:
        districts: one per district, by code.
        average: mean societies per district (0 with no districts).
        average_exceeds_target: ``average > target`` (the policy's 超过).
        presences_needed: more presences needed for the average to exceed the target.
        fields: scientists per (district, level-1 discipline).
        unplaced_scientists: scientists with no district at all.
        unknown_districts: district codes in presences or counts that are not District nodes.
    """

    target: int
    districts: tuple[DistrictCoverage, ...]
    average: float
    average_exceeds_target: bool
    presences_needed: int
    fields: tuple[FieldCount, ...] = ()
    unplaced_scientists: int = 0
    unknown_districts: tuple[str, ...] = ()

    @property
    def short_districts(self) -> tuple[DistrictCoverage, ...]:
        """Districts below target, the largest shortfall first."""
        return tuple(
            sorted((d for d in self.districts if d.shortfall), key=lambda d: (-d.shortfall, d.code))
        )

    @property
    def total_shortfall(self) -> int:
        return sum(d.shortfall for d in self.districts)

    def by_code(self) -> dict[str, DistrictCoverage]:
        return {d.code: d for d in self.districts}


def compute_coverage(
    districts: Sequence[District],
    presences: Iterable[Presence],
    *,
    target: int = DEFAULT_TARGET,
    scientists: Mapping[str | None, int] | None = None,
    fields: Iterable[FieldCount] = (),
) -> CoverageReport:
    """Count societies per district and hold each district and the average against ``target``.

    Args:
        districts: every district (the average is over all of them, covered or not).
        presences: (society, district, kind) rows; duplicates of a society in one district
            count once in ``societies`` but each kind is counted in its own column.
        target: societies wanted per district (> 0).
        scientists: distinct scientists per district code; the key None holds the unplaced.
        fields: scientists per (district, level-1 discipline), passed through sorted.

    Returns:
        A :class:`CoverageReport`.

    Raises:
        MatchValidationError: ``target`` is not positive.

    Example:
        >>> r = compute_coverage([District("500106", "沙坪坝区")],
        ...                      [Presence("A", "500106", "branch")], target=2)
        >>> r.districts[0].shortfall, r.average, r.presences_needed
        (1, 1.0, 2)
    """
    if target <= 0:
        raise _invalid("target", "must be a positive number of societies")
    known = {d.code for d in districts}
    societies: dict[str, set[str]] = defaultdict(set)
    kinds: dict[tuple[str, str], set[str]] = defaultdict(set)
    unknown: set[str] = set()
    for p in presences:
        if p.district not in known:
            unknown.add(p.district)
            continue
        societies[p.district].add(p.society)
        kinds[(p.district, p.kind)].add(p.society)
    scientists = scientists or {}
    rows = []
    for d in sorted(districts, key=lambda d: d.code):
        n = len(societies[d.code])
        rows.append(
            DistrictCoverage(
                code=d.code,
                name=d.name,
                name_en=d.name_en,
                societies=n,
                branches=len(kinds[(d.code, "branch")]),
                liaison_offices=len(kinds[(d.code, "liaison_office")]),
                district_societies=len(kinds[(d.code, "district_society")]),
                target=target,
                shortfall=max(0, target - n),
                scientists=int(scientists.get(d.code, 0)),
            )
        )
    total = sum(r.societies for r in rows)
    average = total / len(rows) if rows else 0.0
    # The sum must reach target * n + 1 for the average to be strictly above the target.
    needed = max(0, target * len(rows) + 1 - total) if rows else 0
    unknown |= {k for k in scientists if k is not None and k not in known}
    field_rows = [f for f in fields if f.district in known]
    unknown |= {f.district for f in fields if f.district not in known}
    return CoverageReport(
        target=target,
        districts=tuple(rows),
        average=average,
        average_exceeds_target=bool(rows) and average > target,
        presences_needed=needed,
        fields=tuple(sorted(field_rows, key=lambda f: (f.district, f.discipline or ""))),
        unplaced_scientists=int(scientists.get(None, 0)),
        unknown_districts=tuple(sorted(unknown)),
    )


def field_matrix(
    fields: Iterable[FieldCount],
    districts: Sequence[str],
    disciplines: Sequence[str] | None = None,
) -> tuple[list[str], list[str], npt.NDArray[np.int64]]:
    """Scientists per (district, discipline) as a matrix for a heatmap.

    Args:
        fields: the counts; rows with a None discipline are left out.
        districts: row order (district codes).
        disciplines: column order; default every discipline seen, sorted.

    Returns:
        ``(districts, disciplines, counts)``; counts has shape [len(districts), len(disciplines)].
    """
    rows = [f for f in fields if f.discipline is not None]
    cols = (
        list(disciplines)
        if disciplines is not None
        else sorted({f.discipline for f in rows if f.discipline is not None})
    )
    r_index = {c: i for i, c in enumerate(districts)}
    c_index = {c: i for i, c in enumerate(cols)}
    out = np.zeros((len(districts), len(cols)), dtype=np.int64)
    for f in rows:
        i, j = r_index.get(f.district), c_index.get(f.discipline or "")
        if i is not None and j is not None:
            out[i, j] += f.scientists
    return list(districts), cols, out


# == branch vs liaison office ================================================================
@dataclass(frozen=True)
class Reach:
    """A society's members and field scientists placed in one district; ``reach`` = their union."""

    society: str
    district: str
    members: int
    field_scientists: int
    reach: int


@dataclass(frozen=True)
class PresenceThresholds:
    """Scientists a district needs for a society to open a branch / a liaison office there.

    Raises:
        MatchValidationError: a threshold below 1, or ``branch < liaison``.
    """

    branch: int = DEFAULT_BRANCH_THRESHOLD
    liaison: int = DEFAULT_LIAISON_THRESHOLD

    def __post_init__(self) -> None:
        if self.liaison < 1:
            raise _invalid("liaison", "must be at least 1")
        if self.branch < self.liaison:
            raise _invalid("branch", f"must be at least the liaison threshold ({self.liaison})")


@dataclass(frozen=True)
class PresenceSuggestion:
    """Open a branch or liaison office, or upgrade a liaison office, with the numbers behind it.

    Attributes:
        action: ``open_branch``, ``open_liaison_office`` or ``upgrade_to_branch``.
        kind: the presence kind suggested (``branch`` or ``liaison_office``).
        existing: the society's current presence in the district (None or ``liaison_office``).
        district_societies: societies the district counts now; ``district_shortfall`` its gap.
        closes_gap: this new presence is among those that would close the district's shortfall.
        rank: 1-based position in the ranking.
        reasons: readable lines explaining the suggestion.
    """

    society: str
    society_name: str
    district: str
    district_name: str
    action: Action
    kind: Literal["branch", "liaison_office"]
    existing: str | None
    members: int
    field_scientists: int
    reach: int
    district_societies: int
    district_shortfall: int
    closes_gap: bool
    rank: int = 0
    reasons: tuple[str, ...] = ()


_ACTION_ORDER: Final = {"open_branch": 0, "open_liaison_office": 1, "upgrade_to_branch": 2}


def suggest_presences(
    reach: Iterable[Reach],
    existing: Iterable[Presence],
    coverage: CoverageReport,
    *,
    thresholds: PresenceThresholds | None = None,
    society_names: Mapping[str, str] | None = None,
) -> tuple[PresenceSuggestion, ...]:
    """Suggest branches and liaison offices from where each society's scientists are.

    Args:
        reach: per (society, district) counts; pairs not listed have no scientists.
        existing: current presences (only ``branch`` / ``liaison_office`` of the society matter).
        coverage: the district coverage the ranking works to improve.
        thresholds: branch and liaison thresholds.
        society_names: display names by society id.

    Returns:
        Suggestions ranked by impact: new presences that close a district's shortfall first
        (the largest shortfall first), then other new presences in short districts, then new
        presences elsewhere, then upgrades; ties by kind (branch first), reach, ids.

    Example:
        >>> cov = compute_coverage([District("500106", "沙坪坝区")], [], target=20)
        >>> [s.action for s in suggest_presences([Reach("A", "500106", 2, 40, 40)], [], cov)]
        ['open_branch']
    """
    th = thresholds or PresenceThresholds()
    names = society_names or {}
    by_code = coverage.by_code()
    current: dict[tuple[str, str], set[str]] = defaultdict(set)
    for p in existing:
        current[(p.society, p.district)].add(p.kind)
    drafts: list[PresenceSuggestion] = []
    for r in reach:
        d = by_code.get(r.district)
        if d is None:
            continue
        kinds = current.get((r.society, r.district), set())
        action: Action | None = None
        prior: str | None = None
        if "branch" in kinds or "district_society" in kinds:
            continue
        if "liaison_office" in kinds:
            prior = "liaison_office"
            if r.reach >= th.branch:
                action = "upgrade_to_branch"
        elif r.reach >= th.branch:
            action = "open_branch"
        elif r.reach >= th.liaison:
            action = "open_liaison_office"
        if action is None:
            continue
        drafts.append(
            PresenceSuggestion(
                society=r.society,
                society_name=names.get(r.society, r.society),
                district=r.district,
                district_name=d.name,
                action=action,
                kind="liaison_office" if action == "open_liaison_office" else "branch",
                existing=prior,
                members=r.members,
                field_scientists=r.field_scientists,
                reach=r.reach,
                district_societies=d.societies,
                district_shortfall=d.shortfall,
                closes_gap=False,
            )
        )
    # Within each short district the largest-reach new presences close the gap first.
    closing: set[tuple[str, str]] = set()
    per_district: dict[str, list[PresenceSuggestion]] = defaultdict(list)
    for s in drafts:
        if s.action != "upgrade_to_branch" and s.district_shortfall > 0:
            per_district[s.district].append(s)
    for code, items in per_district.items():
        items.sort(key=lambda s: (-s.reach, _ACTION_ORDER[s.action], s.society))
        closing |= {(s.society, code) for s in items[: by_code[code].shortfall]}

    def key(s: PresenceSuggestion) -> tuple[int, int, int, int, str, str]:
        new = s.action != "upgrade_to_branch"
        tier = (
            0
            if (s.society, s.district) in closing
            else (1 if new and s.district_shortfall else 2 if new else 3)
        )
        return (
            tier,
            -s.district_shortfall,
            _ACTION_ORDER[s.action],
            -s.reach,
            s.district,
            s.society,
        )

    out = []
    for i, s in enumerate(sorted(drafts, key=key), 1):
        closes = (s.society, s.district) in closing
        out.append(
            replace(
                s,
                closes_gap=closes,
                rank=i,
                reasons=_presence_reasons(s, th, closes, coverage.target),
            )
        )
    return tuple(out)


def _presence_reasons(
    s: PresenceSuggestion, th: PresenceThresholds, closes: bool, target: int
) -> tuple[str, ...]:
    threshold = th.branch if s.kind == "branch" else th.liaison
    where = {"district": s.district, "district_name": s.district_name}
    lines: list[str] = [
        Msg(
            "presence.reach",
            f"{s.reach} of its scientists are placed in {s.district_name} ({s.members} members, "
            f"{s.field_scientists} in its disciplines) ≥ {s.kind.replace('_', ' ')} threshold "
            f"{threshold}",
            reach=s.reach,
            members=s.members,
            field_scientists=s.field_scientists,
            kind=s.kind,
            threshold=threshold,
            **where,
        ),
        Msg("presence.has_liaison", "it has a liaison office there")
        if s.existing
        else Msg("presence.none_yet", "it has no presence there yet"),
    ]
    if s.action == "open_liaison_office":
        lines.append(
            Msg(
                "presence.below_branch",
                f"below the branch threshold {th.branch}",
                threshold=th.branch,
            )
        )
    if s.district_shortfall:
        lines.append(
            Msg(
                "presence.district_short",
                f"{s.district_name} counts {s.district_societies} of {target} societies "
                f"(short by {s.district_shortfall})"
                + ("; this presence helps close the gap" if closes else ""),
                societies=s.district_societies,
                target=target,
                shortfall=s.district_shortfall,
                closes=closes,
                **where,
            )
        )
    else:
        lines.append(
            Msg(
                "presence.district_meets",
                f"{s.district_name} already meets the target ({s.district_societies} ≥ {target})",
                societies=s.district_societies,
                target=target,
                **where,
            )
        )
    if s.action == "upgrade_to_branch":
        lines.append(
            Msg("presence.upgrade_same_count", "an upgrade does not change the district's count")
        )
    return tuple(lines)


# == national counterparts ===================================================================
@dataclass(frozen=True)
class SocietyProfile:
    """A local society (``counterparts`` are national ids) or, reused, any society's profile."""

    id: str
    name: str
    name_en: str | None = None
    disciplines: tuple[str, ...] = ()
    counterparts: tuple[str, ...] = ()
    level: str = "municipal"


@dataclass(frozen=True)
class NationalProfile:
    id: str
    name: str
    name_en: str | None = None
    disciplines: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()


@dataclass(frozen=True)
class CounterpartWeights:
    """Weights of the three parts of a counterpart score, and of a level-1 (parent) match.

    Weights are normalised to sum to 1; with no embedder the embedding weight is dropped and
    the others renormalised.
    """

    discipline: float = 0.5
    embedding: float = 0.2
    bigram: float = 0.3
    parent_weight: float = 0.5

    def __post_init__(self) -> None:
        for name in ("discipline", "embedding", "bigram"):
            if getattr(self, name) < 0:
                raise _invalid(name, "must not be negative")
        if self.discipline + self.embedding + self.bigram <= 0:
            raise _invalid("discipline", "at least one weight must be positive")
        if not 0 <= self.parent_weight <= 1:
            raise _invalid("parent_weight", "must be between 0 and 1")

    def normalised(self, *, with_embedding: bool) -> tuple[float, float, float]:
        e = self.embedding if with_embedding else 0.0
        total = self.discipline + e + self.bigram
        if total <= 0:  # only the embedding had weight, and there is no embedder
            return 0.5, 0.0, 0.5
        return self.discipline / total, e / total, self.bigram / total


@dataclass(frozen=True)
class DisciplineOverlap:
    """Exact shared disciplines, (local, national) pairs under one level-1 parent, and the score."""

    exact: tuple[str, ...]
    parent_pairs: tuple[tuple[str, str], ...]
    score: float


def _level1(code: str) -> str:
    return code[:3]


def discipline_overlap(
    local: Iterable[str], national: Iterable[str], *, parent_weight: float = 0.5
) -> DisciplineOverlap:
    """Soft Jaccard of two discipline sets (see module docstring).

    Example:
        >>> discipline_overlap({"520", "52020"}, {"520"}).score
        0.5
        >>> discipline_overlap({"52020"}, {"52010"}, parent_weight=0.5).score
        0.3333333333333333
    """
    a, b = set(local), set(national)
    union = len(a | b)
    if not union:
        return DisciplineOverlap((), (), 0.0)
    exact = a & b
    rest_b = sorted(b - exact)
    pairs: list[tuple[str, str]] = []
    for x in sorted(a - exact):
        for y in rest_b:
            if _level1(x) == _level1(y):
                pairs.append((x, y))
                rest_b.remove(y)
                break
    w = parent_weight * len(pairs)
    return DisciplineOverlap(tuple(sorted(exact)), tuple(pairs), (len(exact) + w) / (union - w))


_PREFIXES: Final = ("中华人民共和国", "重庆市", "重庆", "中国", "中华", "全国")
_SUFFIXES: Final = ("联合会", "研究会", "促进会", "协会", "学会", "联盟", "总会", "会")
_NON_CJK: Final = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffA-Za-z0-9]")


def name_core(name: str) -> str:
    """The distinctive part of a society name: without "重庆市/中国…" and "…学会/协会".

    Example:
        >>> name_core("重庆市计算机学会"), name_core("中国计算机学会")
        ('计算机', '计算机')
    """
    core = _NON_CJK.sub("", name)
    for p in _PREFIXES:
        if core.startswith(p):
            core = core[len(p) :] if len(core) > len(p) else core
            break
    for s in _SUFFIXES:  # longest first; the first that ends the name decides
        if core.endswith(s):
            core = core[: -len(s)] if len(core) > len(s) else core
            break
    return core


def _grams(text: str) -> set[str]:
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


def bigram_dice(a: str, b: str) -> float:
    """Dice coefficient of the character bigrams of two names' cores (unigram if one char).

    Example:
        >>> bigram_dice("重庆市计算机学会", "中国计算机学会")
        1.0
    """
    x, y = _grams(name_core(a)), _grams(name_core(b))
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


@dataclass(frozen=True)
class CounterpartCandidate:
    """A national society suggested as counterpart, with each part of its score."""

    national: str
    national_name: str
    score: float
    discipline_score: float
    embedding_cosine: float | None
    bigram: float
    shared_disciplines: tuple[str, ...]
    parent_pairs: tuple[tuple[str, str], ...]
    partners: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class CounterpartSuggestion:
    society: str
    society_name: str
    disciplines: tuple[str, ...]
    candidates: tuple[CounterpartCandidate, ...]


@dataclass(frozen=True)
class PairingStats:
    """How local societies and national societies are paired.

    Attributes:
        societies: local societies considered; ``with_counterpart`` of them have one.
        national_without_partner: national society ids no local society is paired with.
    """

    societies: int
    with_counterpart: int
    national_societies: int
    national_with_partner: int
    national_without_partner: tuple[str, ...] = field(default_factory=tuple)

    @property
    def without_counterpart(self) -> int:
        return self.societies - self.with_counterpart

    @property
    def share_with_counterpart(self) -> float:
        return self.with_counterpart / self.societies if self.societies else 0.0


def pairing_stats(
    societies: Sequence[SocietyProfile], nationals: Sequence[NationalProfile]
) -> PairingStats:
    """Count pairings; a national society is partnered when one of ``societies`` names it."""
    national_ids = {n.id for n in nationals}
    partnered = {c for s in societies for c in s.counterparts if c in national_ids}
    return PairingStats(
        societies=len(societies),
        with_counterpart=sum(1 for s in societies if s.counterparts),
        national_societies=len(nationals),
        national_with_partner=len(partnered),
        national_without_partner=tuple(sorted(national_ids - partnered)),
    )


def rank_counterparts(
    societies: Sequence[SocietyProfile],
    nationals: Sequence[NationalProfile],
    *,
    society_vectors: npt.NDArray[np.float32] | None = None,
    national_vectors: npt.NDArray[np.float32] | None = None,
    weights: CounterpartWeights | None = None,
    top_k: int = 3,
    min_score: float = 0.1,
    discipline_names: Mapping[str, str] | None = None,
    society_names: Mapping[str, str] | None = None,
) -> tuple[CounterpartSuggestion, ...]:
    """Rank national societies for each society in ``societies`` (callers pass the unpaired).

    Args:
        societies: the local societies to pair.
        nationals: every national society.
        society_vectors: unit vectors, shape [len(societies), dim], or None (no embedding part).
        national_vectors: unit vectors, shape [len(nationals), dim], or None.
        weights: score weights.
        top_k: candidates kept per society (≥ 1).
        min_score: candidates scoring below are dropped.
        discipline_names: code → name, for the explanations.
        society_names: local society id → name, for "already paired with" (ids otherwise).

    Returns:
        One suggestion per society (possibly with no candidate), in the order given.

    Raises:
        MatchValidationError: ``top_k`` < 1, or vector shapes that do not match the profiles.
    """
    if top_k < 1:
        raise _invalid("top_k", "must be at least 1")
    w = weights or CounterpartWeights()
    cosines: npt.NDArray[np.float32] | None = None
    if society_vectors is not None and national_vectors is not None:
        if society_vectors.shape[0] != len(societies) or national_vectors.shape[0] != len(
            nationals
        ):
            raise _invalid("vectors", "one vector per society and per national society is needed")
        cosines = np.clip(society_vectors @ national_vectors.T, -1.0, 1.0)
    use_vec = cosines is not None
    wd, we, wb = w.normalised(with_embedding=use_vec)
    names = discipline_names or {}
    out = []
    for i, s in enumerate(societies):
        cands = []
        for j, n in enumerate(nationals):
            ov = discipline_overlap(s.disciplines, n.disciplines, parent_weight=w.parent_weight)
            cos = float(cosines[i, j]) if cosines is not None else None
            bg = bigram_dice(s.name, n.name)
            score = wd * ov.score + we * max(0.0, cos or 0.0) + wb * bg
            if score < min_score or score <= 0:
                continue
            cands.append(
                CounterpartCandidate(
                    national=n.id,
                    national_name=n.name,
                    score=score,
                    discipline_score=ov.score,
                    embedding_cosine=cos,
                    bigram=bg,
                    shared_disciplines=ov.exact,
                    parent_pairs=ov.parent_pairs,
                    partners=n.partners,
                    reasons=_counterpart_reasons(
                        ov, cos, bg, n, (wd, we, wb), names, society_names or {}
                    ),
                )
            )
        cands.sort(key=lambda c: (-c.score, c.national))
        out.append(
            CounterpartSuggestion(
                society=s.id,
                society_name=s.name,
                disciplines=s.disciplines,
                candidates=tuple(cands[:top_k]),
            )
        )
    return tuple(out)


def _counterpart_reasons(
    ov: DisciplineOverlap,
    cos: float | None,
    bg: float,
    n: NationalProfile,
    weights: tuple[float, float, float],
    names: Mapping[str, str],
    society_names: Mapping[str, str],
) -> tuple[str, ...]:
    def nm(code: str) -> str:
        return f"{names[code]} ({code})" if code in names else code

    def named(code: str) -> dict[str, str]:
        return {"code": code, "name": names.get(code, code)}

    wd, we, wb = weights
    lines: list[str] = []
    if ov.exact:
        lines.append(
            Msg(
                "counterpart.shared_disciplines",
                "shared disciplines: " + ", ".join(nm(c) for c in ov.exact),
                disciplines=[named(c) for c in ov.exact],
            )
        )
    if ov.parent_pairs:
        lines.append(
            Msg(
                "counterpart.same_field",
                "same level-1 field: "
                + ", ".join(f"{nm(a)} ~ {nm(b)}" for a, b in ov.parent_pairs),
                pairs=[[named(a), named(b)] for a, b in ov.parent_pairs],
            )
        )
    lines.append(
        Msg(
            "counterpart.discipline_overlap",
            f"discipline overlap {ov.score:.2f} × {wd:.2f}",
            value=round(ov.score, 2),
            weight=round(wd, 2),
        )
    )
    if cos is not None:
        lines.append(
            Msg(
                "counterpart.embedding",
                f"embedding cosine {cos:.2f} × {we:.2f}",
                value=round(cos, 2),
                weight=round(we, 2),
            )
        )
    lines.append(
        Msg(
            "counterpart.name_overlap",
            f"name bigram overlap {bg:.2f} × {wb:.2f}",
            value=round(bg, 2),
            weight=round(wb, 2),
        )
    )
    if n.partners:
        lines.append(
            Msg(
                "counterpart.already_paired",
                "already paired with " + ", ".join(society_names.get(p, p) for p in n.partners),
                societies=[society_names.get(p, p) for p in n.partners],
            )
        )
    return tuple(lines)
