"""The embedding job: embed what changed, build scientist profiles, keep the indexes right.

Incremental by default: only evidence whose vector is missing, of another model, or made from
an older text is embedded. A scientist's profile vector is the recency-weighted mean of their
evidence vectors (no extra model call), redone when any of their evidence changed. When the
configured model differs from the one the graph's vectors were made by, the old vectors and
vector indexes are dropped first and everything is re-embedded: two models never mix. The
corpus term counts (lexical IDF) are updated from what the vector writes changed
(:func:`graph_schema.vectors.fold_corpus_deltas`); every item is counted again only when the
vectors were rebuilt or the counts do not add up.

The evidence stage is pluggable (:class:`EvidenceStage`): this process by default, or a Ray
Data pipeline (:mod:`matcher.indexing_ray`) for a national graph; the steps before and after it
are the same for both.
"""

from __future__ import annotations

import datetime as _dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import neo4j
import numpy as np

from graph_schema import vectors as V
from matcher.embedding import Embedder
from matcher.text import Tokenizer

__all__ = [
    "EmbedReport",
    "EvidenceOutcome",
    "EvidenceStage",
    "InProcessEvidence",
    "embed_graph",
    "evidence_rows",
    "recency_weights",
]

logger = logging.getLogger(__name__)

ProgressFn = Callable[[str, int, int], None]


@dataclass(frozen=True)
class EmbedReport:
    model: str
    dimension: int
    evidence_embedded: int
    profiles_built: int
    rebuilt_indexes: bool
    seconds: float
    embed_seconds: float
    #: Wall seconds per stage: ``evidence`` (finding what changed, the model, writing vectors),
    #: ``profiles``, ``indexes`` (building them, when needed) and ``statistics`` (the no-affinity
    #: background and the corpus term frequencies).
    stage_seconds: dict[str, float] = field(default_factory=dict)
    #: What became of the corpus term counts: ``unchanged``, ``updated for N changed items``
    #: (the deltas written with the vectors, folded in) or ``recounted (why)`` over every item.
    statistics: str = "unchanged"
    #: The tokenizer of the stored terms, and how many items' terms were derived again because
    #: it changed (0: none).
    tokenizer: str = ""
    retokenized: int = 0
    #: What embedded the evidence: ``process`` (this process) or ``ray`` (a Ray Data pipeline;
    #: its ``embed_seconds`` are the pipeline's wall seconds, graph reads and writes included).
    engine: str = "process"

    @property
    def texts_per_second(self) -> float:
        return self.evidence_embedded / self.embed_seconds if self.embed_seconds else 0.0


def recency_weights(
    years: list[int | None], *, half_life: float = 8.0, floor: float = 0.3
) -> np.ndarray:
    """Weight of each item by age: 1 this year, halving every ``half_life`` years, at least ``floor``."""
    this_year = _dt.date.today().year
    out = []
    for y in years:
        age = max(0, this_year - y) if y else half_life
        out.append(max(floor, 0.5 ** (age / half_life)))
    return np.asarray(out, dtype=np.float32)


@dataclass(frozen=True)
class EvidenceOutcome:
    """What an evidence stage did: items it embedded, items it wrote (fewer when a write found
    an item already current: see :func:`graph_schema.vectors.write_evidence_vectors`) and the
    seconds its throughput is measured over."""

    embedded: int
    written: int
    embed_seconds: float


class EvidenceStage(Protocol):
    """The evidence stage of :func:`embed_graph`: embed every pending item of ``fingerprint``
    and write it back with its ``tokenizer`` terms through
    :func:`graph_schema.vectors.write_evidence_vectors`. Everything before (model switch,
    tokenizer) and after (profiles, indexes, state, corpus counts) is :func:`embed_graph`'s."""

    @property
    def engine(self) -> str:
        """``process`` (this process) or ``ray``."""
        ...

    def __call__(
        self,
        driver: neo4j.Driver,
        embedder: Embedder,
        tokenizer: Tokenizer,
        *,
        database: str | None,
        on_progress: ProgressFn | None,
    ) -> EvidenceOutcome: ...


@dataclass(frozen=True)
class InProcessEvidence:
    """The evidence stage in this process: pending items by id, ``page`` at a time."""

    page: int = 512
    engine: str = "process"

    def __call__(
        self,
        driver: neo4j.Driver,
        embedder: Embedder,
        tokenizer: Tokenizer,
        *,
        database: str | None,
        on_progress: ProgressFn | None,
    ) -> EvidenceOutcome:
        fp = embedder.fingerprint()
        total = V.count_pending_evidence(driver, fp, database=database)
        done = written = 0
        embed_seconds = 0.0
        after = ""
        while True:
            rows = V.pending_evidence(driver, fp, after=after, limit=self.page, database=database)
            if not rows:
                break
            t0 = time.perf_counter()
            vecs = embedder.embed_documents([r["text"] or "" for r in rows])
            embed_seconds += time.perf_counter() - t0
            written += V.write_evidence_vectors(
                driver, fp, evidence_rows(rows, vecs, tokenizer), database=database
            )
            done += len(rows)
            after = rows[-1]["id"]
            if on_progress:
                on_progress("evidence", done, total)
        return EvidenceOutcome(done, written, embed_seconds)


def evidence_rows(
    rows: list[dict[str, str]], vecs: np.ndarray, tokenizer: Tokenizer
) -> list[dict[str, Any]]:
    """The writer's rows for pending items and their vectors (shape [n, dim]): the one place
    both engines build them, so what they write is the same."""
    return [
        {
            "id": r["id"],
            "vec": np.asarray(v, dtype=np.float32).tolist(),
            "hash": r["hash"],
            "terms": tokenizer.tokenize(r["text"] or ""),
        }
        for r, v in zip(rows, vecs, strict=True)
    ]


def embed_graph(
    driver: neo4j.Driver,
    embedder: Embedder,
    *,
    database: str | None = None,
    full: bool = False,
    page: int = 512,
    refresh_dictionary: bool = False,
    on_progress: ProgressFn | None = None,
    evidence: EvidenceStage | None = None,
) -> EmbedReport:
    """Bring the graph's vectors up to date with ``embedder``.

    Args:
        full: re-embed everything, even what is current.
        page: texts fetched and embedded per round trip (the in-process stage).
        refresh_dictionary: build the tokenizer's user dictionary from the graph's vocabulary
            again (discipline names, demand skills) and derive every item's terms with it;
            done anyway when the tokenizer's rules changed or none is stamped.
        on_progress: called with ``(stage, done, total)``.
        evidence: what embeds the pending evidence; default this process
            (:class:`InProcessEvidence`), or :class:`matcher.indexing_ray.RayEvidence`.

    Returns:
        What was embedded, and the embedding throughput.
    """
    started = time.perf_counter()
    stage_run = evidence or InProcessEvidence(page=page)
    fp = embedder.fingerprint()
    state = V.read_state(driver, database=database)
    dims = V.vector_index_dimensions(driver, database=database)
    switching = state is not None and state.fingerprint != fp
    rebuild = full or switching or any(d != embedder.dimension for d in dims.values())
    # Indexes of another quantization (Neo4j's BINARY default, before we set one) are built
    # again over the same vectors: nothing is re-embedded.
    quantized = V.vector_index_quantization(driver, database=database)
    requantize = not rebuild and any(q != V.VECTOR_QUANTIZATION for q in quantized.values())
    if rebuild:
        logger.info("Rebuilding vectors for %s (was %s)", fp, state.fingerprint if state else None)
        V.drop_vector_indexes(driver, database=database)
        V.remove_vectors_not_of(driver, fp if not full else "\x00none", database=database)
    elif requantize:
        logger.info("Rebuilding the vector indexes with %s quantization", V.VECTOR_QUANTIZATION)
        V.drop_vector_indexes(driver, database=database)

    stages: dict[str, float] = {}
    t_stage = time.perf_counter()
    tokenizer, retokenized = _tokenizer_for(
        driver, refresh_dictionary, database=database, on_progress=on_progress
    )
    stages["tokenizer"] = time.perf_counter() - t_stage
    t_stage = time.perf_counter()
    outcome = stage_run(driver, embedder, tokenizer, database=database, on_progress=on_progress)
    done = outcome.embedded
    if outcome.written != outcome.embedded:
        logger.info(
            "%s of %s embedded items were already current when written (left as they were)",
            outcome.embedded - outcome.written,
            outcome.embedded,
        )
    stages["evidence"] = time.perf_counter() - t_stage
    t_stage = time.perf_counter()
    profiles = _build_profiles(
        driver, fp, embedder.dimension, database=database, on_progress=on_progress
    )
    stages["profiles"] = time.perf_counter() - t_stage
    t_stage = time.perf_counter()
    if rebuild or requantize or len(dims) < len(V.VECTOR_INDEXES):
        V.create_vector_indexes(
            driver,
            embedder.dimension,
            database=database,
            on_progress=(lambda name, pct: on_progress(f"index {name}", int(pct), 100))
            if on_progress
            else None,
        )
    stages["indexes"] = time.perf_counter() - t_stage
    t_stage = time.perf_counter()
    # A run stopped between the state and the statistics (it happened at 100x) must not leave
    # the statistics missing for good: their absence alone is reason enough to compute them.
    stats_missing = V.read_corpus_stats(driver, database=database)[0] == 0
    statistics = "unchanged"
    if done or profiles or rebuild or retokenized or state is None or stats_missing:
        mean, std = _background(driver, embedder, fp, database=database)
        V.write_state(
            driver,
            V.EmbeddingState(fp, embedder.model_id, embedder.dimension, mean, std),
            database=database,
        )
    # The corpus counts: the deltas written with the vectors are folded in, unless everything
    # was embedded again or the counts do not add up (items removed outside the importer, or
    # counts kept before the complete ones were): then every item is counted again.
    if rebuild or stats_missing or retokenized:
        why = (
            "the vectors were rebuilt"
            if rebuild
            else "none were stored"
            if stats_missing
            else "the tokenizer changed"
        )
        statistics = _recount(driver, database, why, tokenizer)
    else:
        folded = V.fold_corpus_deltas(driver, database=database)
        n_items = V.count_evidence(driver, database=database)
        if folded is None:
            statistics = _recount(driver, database, "no complete counts were kept", tokenizer)
        elif folded[0].n_docs != n_items:
            statistics = _recount(
                driver,
                database,
                f"they counted {folded[0].n_docs:,} of {n_items:,} items",
                tokenizer,
            )
        elif folded[1]:
            statistics = f"updated for {folded[1]:,} changed item{'s' if folded[1] != 1 else ''}"
    stages["statistics"] = time.perf_counter() - t_stage
    return EmbedReport(
        model=embedder.model_id,
        dimension=embedder.dimension,
        evidence_embedded=done,
        profiles_built=profiles,
        rebuilt_indexes=rebuild or requantize,
        seconds=time.perf_counter() - started,
        embed_seconds=outcome.embed_seconds,
        stage_seconds={k: round(v, 3) for k, v in stages.items()},
        statistics=statistics,
        tokenizer=tokenizer.version(),
        retokenized=retokenized,
        engine=stage_run.engine,
    )


def _build_profiles(
    driver: neo4j.Driver, fp: str, dim: int, *, database: str | None, on_progress: ProgressFn | None
) -> int:
    built = 0
    after = ""
    while True:
        ids = V.scientists_needing_profiles(driver, fp, after=after, limit=1000, database=database)
        if not ids:
            break
        vectors = V.evidence_vectors_of(driver, fp, ids, database=database)
        rows = []
        for sid in ids:
            vecs, years = vectors.get(sid, ([], []))
            if not vecs:
                continue
            m = np.asarray(vecs, dtype=np.float32)
            w = recency_weights(years)
            profile = (m * w[:, None]).sum(axis=0)
            norm = float(np.linalg.norm(profile))
            if norm > 0:
                rows.append({"id": sid, "vec": (profile / norm).tolist()})
        if rows:
            V.write_profile_vectors(driver, fp, rows, database=database)
        built += len(rows)
        after = ids[-1]
        if on_progress:
            on_progress("profiles", built, built)
    return built


def _background(
    driver: neo4j.Driver,
    embedder: Embedder,
    fp: str,
    *,
    database: str | None,
    sample: int = 2000,
    queries: int = 100,
) -> tuple[float, float]:
    """Mean and spread of the cosine of a query to unrelated evidence: the floor of 'no
    affinity'. Query side to document side, as retrieval compares them: ``queries`` evidence
    texts are embedded as queries and compared with the other items of a sample (a model with
    query and passage prefixes, e5, puts the two sides apart; a random pair of items is almost
    always unrelated)."""
    rows = V.all_evidence_vectors(driver, fp, limit=sample, database=database)
    if len(rows) < 10:
        return 0.1, 0.1
    ids = [i for i, _ in rows]
    m = np.asarray([v for _, v in rows], dtype=np.float32)
    rng = np.random.default_rng(0)
    texts = dict(V.evidence_texts(driver, limit=sample, database=database))
    picked = [i for i in rng.permutation(len(ids))[:queries] if texts.get(ids[i])]
    # Half as long texts (a pasted demand), half as their first words (a title, keywords):
    # short queries sit lower against everything.
    q = embedder.embed_queries(
        [texts[ids[i]][:2000] if n % 2 else texts[ids[i]][:24] for n, i in enumerate(picked)]
    )
    sims = q @ m.T  # [queries, sample]
    for row, i in enumerate(picked):
        sims[row, i] = np.nan  # an item against its own text is no background
    vals = sims[~np.isnan(sims)]
    return float(vals.mean()), float(max(vals.std(), 0.02))


def _recount(driver: neo4j.Driver, database: str | None, why: str, tokenizer: Tokenizer) -> str:
    # Every item's stored terms are exactly ``tokenizer.tokenize(text)`` of the text it was
    # embedded from; only items embedded before terms were stored are tokenized again.
    logger.info("Counting the corpus terms of every evidence item (%s)", why)
    V.recount_corpus_stats(driver, tokenizer.tokenize, database=database)
    return f"recounted ({why})"


def _tokenizer_for(
    driver: neo4j.Driver,
    refresh: bool,
    *,
    database: str | None,
    on_progress: ProgressFn | None,
) -> tuple[Tokenizer, int]:
    """The tokenizer of the graph's stored terms: the stamped one while its rules are this
    release's (and no refresh is asked for); else a new one, with a user dictionary built from
    the graph's vocabulary, whose terms replace every item's stored ones. Returns it and how
    many items were tokenized again."""
    snap = V.read_corpus_snapshot(driver, database=database)
    current = Tokenizer(snap.user_words)
    if not refresh and snap.tokenizer is not None and snap.tokenizer == current.version():
        return current, 0
    tokenizer = Tokenizer(V.vocabulary(driver, database=database))
    logger.info(
        "Tokenizer %s -> %s: deriving the stored terms again", snap.tokenizer, tokenizer.version()
    )
    done = V.retokenize_evidence(
        driver,
        tokenizer.tokenize,
        database=database,
        on_progress=(lambda n: on_progress("terms", n, n)) if on_progress else None,
    )
    V.stamp_tokenizer(driver, tokenizer.version(), tokenizer.user_words, database=database)
    return tokenizer, done
