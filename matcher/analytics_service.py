"""The policy analytics over the graph: read with :mod:`graph_schema.analytics_queries`, compute with
:mod:`matcher.analytics`.

One thin function per analysis, for the CLI, the API and notebooks::

    report = district_coverage(driver, target=20)
    plan = presence_suggestions(driver, thresholds=PresenceThresholds(branch=30, liaison=5))
    pairs = counterpart_suggestions(driver, embedder)

Definitions and thresholds: ``docs/analytics.md`` and the docstring of :mod:`matcher.analytics`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import neo4j
import numpy as np

from graph_schema.analytics_queries import (
    read_disciplines,
    read_districts,
    read_national_societies,
    read_presences,
    read_societies,
    scientists_per_district,
    scientists_per_district_field,
    society_district_counts,
)
from graph_schema.errors import NotFoundError
from matcher.analytics import (
    DEFAULT_TARGET,
    CounterpartSuggestion,
    CounterpartWeights,
    CoverageReport,
    District,
    FieldCount,
    NationalProfile,
    PairingStats,
    Presence,
    PresenceSuggestion,
    PresenceThresholds,
    Reach,
    SocietyProfile,
    compute_coverage,
    pairing_stats,
    rank_counterparts,
    suggest_presences,
)
from matcher.embedding import Embedder
from matcher.errors import EmbeddingError

__all__ = [
    "PresenceReport",
    "CounterpartReport",
    "district_coverage",
    "presence_suggestions",
    "counterpart_suggestions",
    "profile_text",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PresenceReport:
    """Ranked presence suggestions, with the thresholds and coverage they were made against."""

    thresholds: PresenceThresholds
    coverage: CoverageReport
    suggestions: tuple[PresenceSuggestion, ...]


@dataclass(frozen=True)
class CounterpartReport:
    """Pairing statistics and suggestions for the local societies without a counterpart.

    Attributes:
        discipline_names: code → name of every discipline, for display.
        embedding_model: the model behind the cosines, or None when no embedder was given.
    """

    stats: PairingStats
    suggestions: tuple[CounterpartSuggestion, ...]
    national_names: dict[str, str]
    discipline_names: dict[str, str]
    embedding_model: str | None


def district_coverage(
    driver: neo4j.Driver, *, target: int = DEFAULT_TARGET, database: str | None = None
) -> CoverageReport:
    """Societies per district against ``target``, the city average, scientists per field.

    Raises:
        MatchValidationError: ``target`` is not positive.
        GraphUnavailableError: Neo4j cannot be reached.
    """
    return _coverage(driver, target, database)[0]


def _coverage(
    driver: neo4j.Driver, target: int, database: str | None
) -> tuple[CoverageReport, list[Presence]]:
    districts = [
        District(d.code, d.name, d.name_en) for d in read_districts(driver, database=database)
    ]
    presences = [
        Presence(p.society, p.district, p.kind) for p in read_presences(driver, database=database)
    ]
    totals = {c.district: c.scientists for c in scientists_per_district(driver, database=database)}
    fields = [
        FieldCount(c.district, c.discipline, c.scientists)
        for c in scientists_per_district_field(driver, database=database)
        if c.district is not None
    ]
    report = compute_coverage(districts, presences, target=target, scientists=totals, fields=fields)
    return report, presences


def presence_suggestions(
    driver: neo4j.Driver,
    *,
    society: str | None = None,
    thresholds: PresenceThresholds | None = None,
    target: int = DEFAULT_TARGET,
    database: str | None = None,
) -> PresenceReport:
    """Branch / liaison-office suggestions for every municipal society (or one), ranked.

    Raises:
        MatchValidationError: bad thresholds or target.
        NotFoundError: ``society`` names no society.
        GraphUnavailableError: Neo4j cannot be reached.
    """
    thresholds = thresholds or PresenceThresholds()
    societies = read_societies(driver, database=database)
    if society is not None and society not in {s.id for s in societies}:
        raise NotFoundError("society", society)
    coverage, presences = _coverage(driver, target, database)
    reach = [
        Reach(c.society, c.district, c.members, c.field_scientists, c.reach)
        for c in society_district_counts(driver, society=society, database=database)
    ]
    suggestions = suggest_presences(
        reach,
        presences,
        coverage,
        thresholds=thresholds,
        society_names={s.id: s.name for s in societies},
    )
    return PresenceReport(thresholds=thresholds, coverage=coverage, suggestions=suggestions)


def profile_text(
    name: str, name_en: str | None, disciplines: tuple[str, ...], names: dict[str, str]
) -> str:
    """What is embedded for a society: its names and its disciplines' names."""
    head = f"{name_en} ({name})" if name_en else name
    fields = "; ".join(names.get(c, c) for c in disciplines)
    return f"{head}: {fields}" if fields else head


def counterpart_suggestions(
    driver: neo4j.Driver,
    embedder: Embedder | None,
    *,
    top_k: int = 3,
    min_score: float = 0.1,
    weights: CounterpartWeights | None = None,
    include_district_level: bool = False,
    database: str | None = None,
) -> CounterpartReport:
    """Suggest national counterparts for the local societies that have none.

    Args:
        embedder: embeds "name + discipline names"; None leaves the embedding part out.
        include_district_level: also consider district-level societies (default: municipal only).

    Raises:
        MatchValidationError: bad ``top_k`` or weights.
        EmbeddingError: the embedder fails.
        GraphUnavailableError: Neo4j cannot be reached.
    """
    disciplines = read_disciplines(driver, database=database)
    # English names embed better with an English model; Chinese stays for the bigram part.
    embed_names = {d.code: (f"{d.name_en} {d.name}" if d.name_en else d.name) for d in disciplines}
    shown = {d.code: d.name for d in disciplines}
    locals_ = [
        SocietyProfile(s.id, s.name, s.name_en, s.disciplines, s.counterparts, s.level)
        for s in read_societies(driver, database=database)
        if include_district_level or s.level == "municipal"
    ]
    nationals = [
        NationalProfile(n.id, n.name, n.name_en, n.disciplines, n.partners)
        for n in read_national_societies(driver, database=database)
    ]
    stats = pairing_stats(locals_, nationals)
    unpaired = [s for s in locals_ if not s.counterparts]
    s_vec = n_vec = None
    if embedder is not None and unpaired and nationals:
        texts = [profile_text(s.name, s.name_en, s.disciplines, embed_names) for s in unpaired]
        texts += [profile_text(n.name, n.name_en, n.disciplines, embed_names) for n in nationals]
        try:
            vecs = np.asarray(embedder.embed_documents(texts), dtype=np.float32)
        except EmbeddingError:
            raise
        except Exception as exc:  # a third-party embedder's own failure
            raise EmbeddingError(f"embedding society profiles failed: {exc}") from exc
        s_vec, n_vec = vecs[: len(unpaired)], vecs[len(unpaired) :]
    suggestions = rank_counterparts(
        unpaired,
        nationals,
        society_vectors=s_vec,
        national_vectors=n_vec,
        weights=weights,
        top_k=top_k,
        min_score=min_score,
        discipline_names=shown,
        society_names={s.id: s.name for s in locals_},
    )
    logger.info("counterparts: %s unpaired of %s local societies", len(unpaired), len(locals_))
    return CounterpartReport(
        stats=stats,
        suggestions=suggestions,
        national_names={n.id: n.name for n in nationals},
        discipline_names=shown,
        embedding_model=embedder.model_id if embedder is not None else None,
    )
