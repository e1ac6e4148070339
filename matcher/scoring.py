"""Scoring a scientist against a text: component affinities and their fusion. Pure: no driver.

Every component is an *absolute* affinity in [0, 1] that depends only on the (text, scientist)
pair and fixed corpus statistics — never on the other candidates — so scores compare across
queries (thresholds, quotas and batch assignment rely on this):

- ``dense``: cosine of the query to the scientist's profile vector (the recency-weighted mean
  of their evidence vectors), calibrated against the cosine of a query to unrelated evidence
  (measured by the embedding job); without a profile, the mean of their best items' cosines.
- ``lexical``: BM25 of each evidence item over the query's terms (words and character
  bigrams, :mod:`matcher.text`), divided by that of an item of mean length saying what the
  text says (:attr:`matcher.text.LexicalQuery.norm`); the mean of the best three items,
  weighted by recency.
- ``discipline``: 1 when a scientist's discipline (declared or of their evidence) equals a
  query discipline at level 2, 0.5 at level 1 only, else 0.
- ``graph``: a prior from the graph — best society grade and recent activity, shifted by at
  most ±``FEEDBACK_WEIGHT`` by staff feedback (ratings 1–5 and accepted/declined on past teams
  and panels, shrunk towards neutral when there is little of it; see :func:`feedback_shift`).

The fused score is the weighted mean of the available components. Weights depend on the query
language: when the embedding model was not trained on the query's language (an English model
on Chinese), the dense weight drops and the lexical path carries the ranking.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from matcher.text import Lang, LexicalQuery, bm25_item

__all__ = [
    "Calibration",
    "FusionWeights",
    "FusionConfig",
    "EvidenceMatch",
    "ComponentScores",
    "score_candidate",
    "fuse",
    "text_match",
    "weights_for",
    "graph_prior",
    "feedback_shift",
]

Component = Literal["dense", "lexical", "discipline", "graph"]
COMPONENTS: Final[tuple[Component, ...]] = ("dense", "lexical", "discipline", "graph")
GRADE_PRIOR: Final = {"student_member": 0.25, "member": 0.5, "senior_member": 0.8, "fellow": 1.0}


@dataclass(frozen=True)
class Calibration:
    """Cosine of a query to unrelated evidence for the current model (measured by the
    embedding job, over long and short queries): a logistic curve centred ``center`` spreads
    above that mean, ``scale`` spreads wide, maps a cosine to an affinity in (0, 1). Models
    differ widely (all-MiniLM-L6-v2: mean ~0.1, spread ~0.1; multilingual-e5-small: ~0.84 and
    ~0.02), so the curve follows the spread. It never clips: a short query (a title, keywords)
    has low cosines to everything, and a floor at "one spread above unrelated" flattened most
    of them to 0, losing their order (dense alone on titles of the outside benchmark: 0.502
    against 0.562 with the curve; `python -m benchmarks.outside_ablation`). Centre 1 and scale 1 sit in the middle of the settings
    that measured best there."""

    background_mean: float = 0.1
    background_std: float = 0.1
    center: float = 1.0
    scale: float = 1.0

    def dense(self, cos: float) -> float:
        std = max(self.background_std, 1e-6)
        z = (cos - self.background_mean - self.center * std) / (self.scale * std)
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


@dataclass(frozen=True)
class FusionWeights:
    """Weights of the four components (normalised over those available).

    Dense against lexical was chosen on the outside development benchmark of real Chinese
    papers (`kexie eval --benchmark`, benchmarks README "Matching on real texts"): with the
    default model's profile vectors, dense shares of 0.15 and 0.20 of the text part lifted
    nDCG@10 over plain BM25 by at least 0.059 and 0.056 on every query kind, 0.10 and 0.25 by
    0.046 and 0.049 (`python -m benchmarks.outside_ablation`); 0.15 here. Discipline and graph
    keep their earlier shares (chosen on the demo ground truth).
    """

    dense: float = 0.12
    lexical: float = 0.68
    discipline: float = 0.12
    graph: float = 0.08

    def as_dict(self) -> dict[str, float]:
        return {
            "dense": self.dense,
            "lexical": self.lexical,
            "discipline": self.discipline,
            "graph": self.graph,
        }


@dataclass(frozen=True)
class FusionConfig:
    """Weights per situation. ``covered``: the model knows the query's language; ``uncovered``:
    it does not (an English model on Chinese), so dense is nearly silenced."""

    covered: FusionWeights = FusionWeights()
    uncovered: FusionWeights = FusionWeights(dense=0.0, lexical=0.85, discipline=0.10, graph=0.05)
    mixed_dense_factor: float = 0.5
    recency_half_life: float = 8.0


def weights_for(config: FusionConfig, lang: Lang, model_languages: frozenset[str]) -> FusionWeights:
    """The fusion weights for a query language and the model's languages."""
    if lang == "mixed":
        if {"zh", "en"} <= model_languages:
            return config.covered
        c, u = config.covered, config.uncovered
        f = config.mixed_dense_factor
        return FusionWeights(
            dense=f * c.dense + (1 - f) * u.dense,
            lexical=f * c.lexical + (1 - f) * u.lexical,
            discipline=f * c.discipline + (1 - f) * u.discipline,
            graph=f * c.graph + (1 - f) * u.graph,
        )
    return config.covered if lang in model_languages else config.uncovered


@dataclass(frozen=True)
class EvidenceMatch:
    id: str
    kind: str | None
    title: str
    year: int | None
    dense: float | None
    lexical: float
    score: float
    matched_terms: tuple[str, ...]


@dataclass(frozen=True)
class ComponentScores:
    dense: float | None
    lexical: float
    discipline: float | None
    graph: float
    matched_terms: tuple[str, ...]
    matched_disciplines: tuple[str, ...]
    evidence: tuple[EvidenceMatch, ...] = field(default=())

    def available(self) -> dict[str, float]:
        out: dict[str, float] = {"lexical": self.lexical, "graph": self.graph}
        if self.dense is not None:
            out["dense"] = self.dense
        if self.discipline is not None:
            out["discipline"] = self.discipline
        return out


def _recency(year: int | None, half_life: float, this_year: int) -> float:
    if not year:
        return 0.85
    age = max(0, this_year - int(year))
    return float(0.7 + 0.3 * 0.5 ** (age / half_life))


def discipline_affinity(query: set[str], scientist: set[str]) -> tuple[float, tuple[str, ...]]:
    """1 for a shared level-2 code (or a query level-1 code the scientist works in), 0.5 when only
    the level-1 parents meet, else 0; with the codes that matched."""
    if not query:
        return 0.0, ()
    exact = sorted(query & scientist)
    if exact:
        return 1.0, tuple(exact)
    sci_parents = {c[:3] for c in scientist}
    level1_query = {q for q in query if len(q) == 3}
    direct = sorted(level1_query & sci_parents)
    if direct:
        return 1.0, tuple(direct)
    parents = sorted({q[:3] for q in query} & sci_parents)
    return (0.5, tuple(parents)) if parents else (0.0, ())


FEEDBACK_WEIGHT: Final = 0.15
FEEDBACK_SHRINK: Final = 3.0


def feedback_shift(feedback: Mapping[str, Any] | None) -> float:
    """A small shift of the graph prior from staff feedback, in [-FEEDBACK_WEIGHT, +FEEDBACK_WEIGHT].

    Each rating r (1–5) is an outcome (r − 1) / 4, each acceptance 1 and each decline 0. The
    shift is ``FEEDBACK_WEIGHT · (2·mean − 1) · n / (n + FEEDBACK_SHRINK)``: neutral without
    feedback, and a single rating moves it only a quarter of the way.

    Args:
        feedback: ``n_rated, mean_rating, n_accepted, n_declined`` (missing keys count as 0).

    Example:
        >>> feedback_shift(None), round(feedback_shift({"n_rated": 3, "mean_rating": 5.0}), 3)
        (0.0, 0.075)
    """
    if not feedback:
        return 0.0
    n_rated = int(feedback.get("n_rated") or 0)
    mean = feedback.get("mean_rating")
    n_acc = int(feedback.get("n_accepted") or 0)
    n_dec = int(feedback.get("n_declined") or 0)
    total = 0.0
    n = n_acc + n_dec
    total += n_acc
    if n_rated and mean is not None:
        total += n_rated * (min(5.0, max(1.0, float(mean))) - 1.0) / 4.0
        n += n_rated
    if n == 0:
        return 0.0
    return FEEDBACK_WEIGHT * (2.0 * total / n - 1.0) * n / (n + FEEDBACK_SHRINK)


def graph_prior(
    best_grade: str | None,
    evidence_years: Sequence[int | None],
    feedback: Mapping[str, Any] | None = None,
) -> float:
    """Grade and recent activity (each half), shifted by :func:`feedback_shift`; in [0, 1]."""
    this_year = _dt.date.today().year
    recent = sum(1 for y in evidence_years if y and this_year - int(y) <= 5)
    base = 0.5 * GRADE_PRIOR.get(best_grade or "", 0.0) + 0.5 * min(1.0, recent / 5)
    return min(1.0, max(0.0, base + feedback_shift(feedback)))


def _top_mean(values: Sequence[float], k: int) -> float:
    if not values:
        return 0.0
    top = sorted(values, reverse=True)[: max(1, k)]
    return sum(top) / len(top)


def score_candidate(
    evidence: Sequence[Mapping[str, Any]],
    *,
    lexical_query: LexicalQuery,
    query_disciplines: set[str],
    scientist_disciplines: set[str],
    best_grade: str | None,
    calibration: Calibration,
    weights: FusionWeights,
    half_life: float = 8.0,
    top_evidence: int = 3,
    aggregate_top: tuple[int, int] = (3, 3),
    feedback: Mapping[str, Any] | None = None,
    union_terms: Sequence[str] | None = None,
    evidence_years: Sequence[int | None] | None = None,
    profile_cos: float | None = None,
) -> ComponentScores:
    """Component affinities of one scientist.

    Lexical: each item's BM25 over the query (:func:`matcher.text.bm25_item`) divided by that
    of an item of mean length saying what the text says (:attr:`~matcher.text.LexicalQuery.norm`),
    at most 1; dense: each item's calibrated cosine. Each is weighted by the item's recency and
    aggregated as the mean of the scientist's best ``aggregate_top`` items (lexical, dense): a
    scientist is judged by a few papers that fit, not by one lucky one nor by the mean of a
    long career (top-3 measured best of max, top-2, top-3 and the old 0.6 best + 0.4 top-3 on
    the outside benchmark, benchmarks README).

    Args:
        evidence: items with ``id, kind, title, year, cos`` (cosine or None), ``terms`` (the
            query terms the item holds, with repeats) and ``dl`` (its length in terms).
        lexical_query: the text's BM25 weights (:class:`matcher.text.LexicalQuery`).
        query_disciplines: discipline codes of the request (may be empty).
        scientist_disciplines: declared codes plus those of their evidence.
        best_grade: the scientist's highest society grade.
        feedback: staff feedback statistics (see :func:`feedback_shift`), or None.
        union_terms: query terms found in any of their evidence (default: those of ``evidence``),
            when ``evidence`` holds only the best items.
        evidence_years: years of all their evidence (default: those of ``evidence``).
        profile_cos: cosine of the query to their profile vector (the recency-weighted mean
            of their evidence vectors): when given, the dense affinity is its calibrated value,
            which measured better than any aggregate of item cosines (benchmarks README).
    """
    items: list[EvidenceMatch] = []
    dense_vals: list[float] = []
    lex_vals: list[float] = []
    seen_terms: dict[str, None] = {}
    has_dense = False
    norm = lexical_query.norm
    this_year = _dt.date.today().year
    w_dense, w_lex = weights.dense, weights.lexical
    qw = lexical_query.weights
    for e in evidence:
        terms = e.get("terms") or []
        counts: dict[str, int] = {}
        for t in terms:
            counts[t] = counts.get(t, 0) + 1
        seen_terms.update(dict.fromkeys(counts))
        bm25 = bm25_item(lexical_query, counts, int(e.get("dl") or len(terms)))
        lex = min(1.0, bm25 / norm) if norm > 0 else 0.0
        year = e.get("year")
        rec = _recency(year, half_life, this_year)
        cos = e.get("cos")
        item_dense = calibration.dense(float(cos)) if cos is not None else None
        if item_dense is not None:
            has_dense = True
            dense_vals.append(item_dense * rec)
            denom = (w_dense + w_lex) or 1.0
            item_score = (w_dense * item_dense + w_lex * lex) / denom
        else:
            item_score = lex
        lex_vals.append(lex * rec)
        matched = sorted(counts, key=lambda t: -qw.get(t, 0.0))
        items.append(
            EvidenceMatch(
                id=str(e["id"]),
                kind=e.get("kind"),
                title=str(e.get("title") or ""),
                year=year,
                dense=item_dense,
                lexical=lex,
                score=item_score * rec,
                matched_terms=tuple(matched),
            )
        )
    all_terms = list(union_terms) if union_terms is not None else list(seen_terms)
    union_matched = sorted(set(all_terms) & set(qw), key=lambda t: (-qw[t], t))
    disc, matched_disc = discipline_affinity(query_disciplines, scientist_disciplines)
    items.sort(key=lambda m: -m.score)
    lex_top, dense_top = aggregate_top
    dense: float | None
    if profile_cos is not None:
        dense = calibration.dense(float(profile_cos))
    else:
        dense = _top_mean(dense_vals, dense_top) if has_dense else None
    return ComponentScores(
        dense=dense,
        lexical=min(1.0, _top_mean(lex_vals, lex_top)),
        discipline=disc if query_disciplines else None,
        graph=graph_prior(
            best_grade,
            list(evidence_years)
            if evidence_years is not None
            else [e.get("year") for e in evidence],
            feedback,
        ),
        matched_terms=tuple(union_matched),
        matched_disciplines=matched_disc,
        evidence=tuple(items[:top_evidence]),
    )


def fuse(components: ComponentScores, weights: FusionWeights) -> tuple[float, dict[str, float]]:
    """Weighted mean of the available components; returns the score and the weights used."""
    parts = components.available()
    w = {k: v for k, v in weights.as_dict().items() if k in parts and v > 0}
    total = sum(w.values())
    if total <= 0:
        return 0.0, {}
    used = {k: v / total for k, v in w.items()}
    return sum(used[k] * parts[k] for k in used), used


def text_match(components: Mapping[str, float], used: Mapping[str, float]) -> float:
    """How well the text itself matched: the dense and lexical affinities by their fusion
    weights (discipline and graph left out: a senior scientist of the inferred discipline is no
    match for a text none of whose words nor meaning they share).

    Example:
        >>> text_match({"dense": 0.5, "lexical": 1.0, "graph": 1.0}, {"dense": 0.5, "lexical": 0.5})
        0.75
    """
    parts = {k: used[k] for k in ("dense", "lexical") if used.get(k, 0.0) > 0 and k in components}
    total = sum(parts.values())
    return sum(w * components[k] for k, w in parts.items()) / total if total > 0 else 0.0
