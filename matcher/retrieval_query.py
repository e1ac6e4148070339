"""Query planning for retrieval: a text as retrieval reads it. Pure: no driver.

A text becomes a :class:`Query`: its language (:func:`graph_schema.language.detect_lang`), its
BM25-weighted terms (:class:`matcher.text.LexicalQuery`, over the corpus statistics of a
:class:`Corpus` snapshot), the fusion weights for its language and the mode
(:func:`fusion_weights`), and the Lucene query the fulltext index is sent (:func:`lucene`).
:func:`validate` checks a request's arguments and names each bad one; :func:`infer_disciplines`
votes a text's disciplines from the evidence the indexes find for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from matcher.errors import MatchValidationError
from matcher.retrieval_config import RetrievalConfig
from matcher.scoring import Calibration, FusionConfig, FusionWeights, weights_for
from matcher.text import (
    Lang,
    LexicalQuery,
    Tokenizer,
    bm25_item,
    detect_lang,
    display_term,
    is_word,
)
from matcher.types import ExpertFilters, Mode

if TYPE_CHECKING:
    from graph_schema import search as S

__all__ = [
    "Corpus",
    "Query",
    "plan_query",
    "fusion_weights",
    "lucene",
    "lucene_words",
    "validate",
    "infer_disciplines",
]


@dataclass
class Corpus:
    """A snapshot of the graph's corpus statistics (kept for the matcher's ``stats_ttl``)."""

    n_docs: int
    df: dict[str, int]
    calibration: Calibration
    fingerprint: str | None
    loaded_at: float
    #: Discipline code → name, filled as codes are met; dropped with the snapshot.
    names: dict[str, str]
    #: Mean evidence length in terms (BM25's length normalisation).
    avgdl: float = 1.0
    #: The tokenizer the stored terms were made with (its user dictionary included).
    tokenizer: Tokenizer = field(default_factory=Tokenizer)


@dataclass(frozen=True)
class Query:
    """A text as retrieval reads it: language, weighted query terms, fusion weights."""

    text: str
    lang: Lang
    lexical: LexicalQuery
    weights: FusionWeights
    #: The fulltext query ('' in dense mode or without usable words).
    lucene: str

    @property
    def qweights(self) -> Mapping[str, float]:
        """Each scored term's BM25 weight (query term frequency × idf); read-only, shared."""
        return self.lexical.weights

    def item_lexical(self, terms: Sequence[str], dl: int) -> float:
        """BM25 of an item holding ``terms`` (the query's, with repeats) in ``dl`` terms."""
        counts: dict[str, int] = {}
        for t in terms:
            counts[t] = counts.get(t, 0) + 1
        return bm25_item(self.lexical, counts, dl)

    @property
    def words(self) -> list[str]:
        """The text's words that scoring weighs, heaviest first (what explanations show)."""
        w = self.lexical.weights
        return sorted((t for t in w if is_word(t)), key=lambda t: (-w[t], t))

    @property
    def scores_dense(self) -> bool:
        """Whether its dense part has a weight: not in lexical mode, nor in a language the
        model does not cover (its vector then serves discipline inference only)."""
        return self.weights.dense > 0


def plan_query(
    text: str,
    mode: Mode,
    corpus: Corpus,
    *,
    fusion: FusionConfig,
    model_languages: frozenset[str],
    config: RetrievalConfig,
) -> Query:
    """The :class:`Query` of ``text``: at most ``config.scored_terms`` weighed terms, the
    heaviest ``config.query_terms`` of them (and the text's Latin words) sent to the fulltext
    index unless the mode is dense."""
    lang = detect_lang(text)
    lexical = LexicalQuery.build(
        corpus.tokenizer.tokenize(text),
        corpus.df,
        corpus.n_docs,
        corpus.avgdl,
        max_terms=config.scored_terms,
    )
    top_terms = list(lexical.weights)[: config.query_terms]
    return Query(
        text=text,
        lang=lang,
        lexical=lexical,
        weights=fusion_weights(mode, lang, fusion, model_languages),
        lucene=lucene(lucene_words(text, top_terms, config.query_terms)) if mode != "dense" else "",
    )


def fusion_weights(
    mode: Mode, lang: Lang, fusion: FusionConfig, model_languages: frozenset[str]
) -> FusionWeights:
    """The fusion weights of a text: one component alone in ``dense`` or ``lexical`` mode,
    else by its language and the model's (:func:`matcher.scoring.weights_for`)."""
    if mode == "dense":
        return FusionWeights(dense=1.0, lexical=0.0, discipline=0.0, graph=0.0)
    if mode == "lexical":
        return FusionWeights(dense=0.0, lexical=1.0, discipline=0.0, graph=0.0)
    return weights_for(fusion, lang, model_languages)


def lucene(tokens: Iterable[str]) -> str:
    """A Lucene OR-query of quoted terms (terms are letters/digits/CJK; quotes escaped anyway).

    Example:
        >>> lucene(["电池", 'a"b'])
        '"电池" OR "ab"'
    """
    terms = []
    for t in tokens:
        clean = t.replace("\\", "").replace('"', "")
        if clean:
            terms.append(f'"{clean}"')
    return " OR ".join(terms)


def lucene_words(text: str, top_terms: list[str], limit: int) -> list[str]:
    """The words sent to the fulltext index, at most ``limit``: it holds unstemmed words, so
    the text's own Latin words and the weightiest Chinese words and bigrams (a quoted word is
    a phrase of its bigrams there)."""
    latin = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9\-]{1,}", text)]
    cjk = [display_term(t) for t in top_terms if not t.isascii()]
    return list(dict.fromkeys(cjk + [w for w in latin if len(w) > 2]))[:limit]


def validate(
    text: str,
    candidates: Sequence[str] | None,
    filters: ExpertFilters | Mapping[str, Any] | None,
    k: int,
    config: RetrievalConfig,
) -> ExpertFilters:
    """Check a request's arguments; returns its filters.

    Raises:
        MatchValidationError: every bad argument, each with its place (``loc``) and reason.
    """
    errors: list[dict[str, Any]] = []
    if not isinstance(text, str) or not text.strip():
        errors.append({"loc": ["text"], "msg": "text must not be empty"})
    elif len(text) > config.max_text:
        errors.append({"loc": ["text"], "msg": f"text longer than {config.max_text} characters"})
    if not 1 <= k <= 500:
        errors.append({"loc": ["k"], "msg": "k must be between 1 and 500"})
    if candidates is not None:
        if isinstance(candidates, str) or not all(isinstance(c, str) and c for c in candidates):
            errors.append(
                {"loc": ["candidates"], "msg": "candidates must be a list of scientist ids"}
            )
        elif len(candidates) > config.max_candidates:
            errors.append(
                {"loc": ["candidates"], "msg": f"at most {config.max_candidates} candidates"}
            )
    flt = ExpertFilters()
    if isinstance(filters, ExpertFilters):
        flt = filters
    elif filters is not None:
        try:
            flt = ExpertFilters.model_validate(dict(filters))
        except ValidationError as exc:
            errors.extend(
                {"loc": ["filters", *e["loc"]], "msg": e["msg"]}
                for e in exc.errors(include_url=False)
            )
    if errors:
        raise MatchValidationError(errors)
    return flt


def infer_disciplines(*hit_lists: list[S.EvidenceHit]) -> set[str]:
    """A text's disciplines from the evidence the indexes find for it: each of the first 30
    hits of each list votes ``1 / (rank + 5)`` for its codes; the best code, and the second
    when it has at least half the best's votes."""
    votes: dict[str, float] = {}
    for hits in hit_lists:
        for rank, h in enumerate(hits[:30]):
            for code in h.disciplines:
                votes[code] = votes.get(code, 0.0) + 1.0 / (rank + 5)
    if not votes:
        return set()
    ranked = sorted(votes.items(), key=lambda cv: (-cv[1], cv[0]))
    best = ranked[0][1]
    return {c for c, v in ranked[:2] if v >= 0.5 * best}
