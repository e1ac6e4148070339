"""Vectors in the graph: what needs embedding, writing vectors, vector indexes, corpus statistics.

Each embedded node carries ``embedding`` (float32 list), ``embedding_model`` (the embedder's
fingerprint, ``model#dimension``) and, for evidence, ``embedded_hash`` (the text hash it was
made from) and ``terms`` (the lexical terms of that text). One ``(:KexieEmbeddingState)`` node
records the model the indexes were built for, so retrieval can refuse to compare vectors of two
models.

**Corpus statistics, kept incrementally.** ``(:KexieCorpusStats {id: 'evidence'})`` holds the
number of evidence items and each term's document frequency, counted over every item's stored
``terms`` (an item without ``terms`` is not counted yet). Every vector write also writes, in
the same transaction, a ``(:KexieCorpusDelta)`` with what it changed in those counts (the
item's new terms in, its old ones out), so the counts can be brought up to date by folding the
deltas in (:func:`fold_corpus_deltas`) instead of reading every item again
(:func:`recount_corpus_stats`). A job that dies after some writes leaves its deltas behind; the
next fold takes them. ``df_all_json`` holds every term's count; ``df_json``, which retrieval
reads, only those seen more than once. ``n_tokens`` sums the items' lengths in terms (BM25's mean
length), kept the same way.

**The tokenizer.** An item's ``terms`` are its text's terms in sequence, with repeats (term
frequencies and length come from them). The stats node stamps the tokenizer version they were
made with (``tokenizer``) and its user dictionary (``user_words``, from the graph's vocabulary:
:func:`vocabulary`); a query is tokenized with the same dictionary, read from there. When the
version changes, :func:`retokenize_evidence` derives every item's terms again and the counts
are recounted.

**Writes are idempotent.** :func:`write_evidence_vectors` writes an item only while it is
still pending for the text hash it was read with; a batch written twice (a retried task whose
first attempt committed, two jobs over the same range) changes nothing the second time: no
vector, no corpus delta. Each item's ``embed_writes`` counts its writes, so "every pending item
written exactly once" can be checked after a job (:func:`evidence_embed_writes`).
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

import neo4j

from graph_schema.errors import translate
from graph_schema.labels import CORPUS_DELTA, CORPUS_STATS, EMBEDDING_STATE
from graph_schema.labels import Label as L
from graph_schema.labels import Rel as R

__all__ = [
    "EmbeddingState",
    "VECTOR_INDEXES",
    "read_state",
    "write_state",
    "count_pending_evidence",
    "pending_evidence",
    "pending_evidence_ids",
    "pending_evidence_in_range",
    "write_evidence_vectors",
    "evidence_embed_writes",
    "scientists_needing_profiles",
    "evidence_vectors_of",
    "write_profile_vectors",
    "drop_vector_indexes",
    "remove_vectors_not_of",
    "create_vector_indexes",
    "vector_index_quantization",
    "VECTOR_QUANTIZATION",
    "evidence_texts",
    "CorpusCounts",
    "fold_corpus_deltas",
    "recount_corpus_stats",
    "read_corpus_stats",
    "read_corpus_counts",
    "count_evidence",
    "all_evidence_vectors",
    "CorpusSnapshot",
    "read_corpus_snapshot",
    "vocabulary",
    "stamp_tokenizer",
    "retokenize_evidence",
]

#: index name -> (label, property)
VECTOR_INDEXES: Final = {
    "evidence_embedding": (L.EVIDENCE, "embedding"),
    "scientist_embedding": (L.SCIENTIST, "embedding"),
}

#: How the vector indexes quantize. Neo4j 2026.08's default is BINARY; on the size-10 graph
#: SCALAR (int8) found the exact top 10 far more often (recall@10 asking for 200: 0.87 against
#: 0.79; within 0.01 of the exact 10th cosine 0.993 against 0.978) at the same latency
#: (benchmarks/README.md). Neo4j 5 knows only on (int8) or off: SCALAR and NONE map there.
VECTOR_QUANTIZATION: Final[str] = "SCALAR"


@dataclass(frozen=True)
class EmbeddingState:
    fingerprint: str
    model: str
    dimension: int
    background_mean: float
    background_std: float


_READ_STATE = f"MATCH (s:{EMBEDDING_STATE} {{id: 'current'}}) RETURN properties(s) AS p"
_WRITE_STATE = (
    f"MERGE (s:{EMBEDDING_STATE} {{id: 'current'}}) "
    "SET s.fingerprint = $fingerprint, s.model = $model, s.dimension = $dimension, "
    "s.background_mean = $background_mean, s.background_std = $background_std, "
    "s.updated_at = datetime()"
)

_PENDING_WHERE = "e.embedding IS NULL OR e.embedding_model <> $fp OR e.embedded_hash <> e.text_hash"
_COUNT_PENDING = f"MATCH (e:{L.EVIDENCE}) WHERE {_PENDING_WHERE} RETURN count(e) AS n"
_PENDING = (
    f"MATCH (e:{L.EVIDENCE}) WHERE e.id > $after AND ({_PENDING_WHERE}) "
    "RETURN e.id AS id, e.text AS text, e.text_hash AS hash ORDER BY e.id LIMIT $limit"
)
_PENDING_IN_RANGE = (
    f"MATCH (e:{L.EVIDENCE}) WHERE e.id > $after AND e.id <= $upto AND ({_PENDING_WHERE}) "
    "RETURN e.id AS id, e.text AS text, e.text_hash AS hash ORDER BY e.id"
)
_PENDING_IDS = (
    f"MATCH (e:{L.EVIDENCE}) WHERE e.id > $after AND ({_PENDING_WHERE}) "
    "RETURN e.id AS id ORDER BY e.id LIMIT $limit"
)
# Only an item still pending for this text is written: a batch written again (a retried task
# whose first attempt committed, a second job over the same items) changes nothing, counts no
# term delta and does not bump ``embed_writes``. The terms the item was counted with before
# this write come back, for the corpus delta.
_WRITE_EVIDENCE = f"""
UNWIND $rows AS row
MATCH (e:{L.EVIDENCE} {{id: row.id}})
WHERE e.embedding IS NULL OR coalesce(e.embedding_model, '') <> $fp
   OR coalesce(e.embedded_hash, '') <> coalesce(row.hash, '')
WITH e, row, e.terms AS old
CALL db.create.setNodeVectorProperty(e, 'embedding', row.vec)
SET e.embedding_model = $fp, e.embedded_hash = row.hash, e.terms = row.terms,
    e.embed_writes = coalesce(e.embed_writes, 0) + 1
RETURN row.id AS id, old
"""
_WRITE_DELTA = (
    f"CREATE (:{CORPUS_DELTA} {{id: $id, items: $items, n: $n, tokens: $tokens, "
    "df_json: $df_json, created_at: datetime()})"
)
_SCIENTISTS_NEEDING_PROFILES = f"""
MATCH (s:{L.SCIENTIST})
WHERE s.id > $after AND (s.embedding_model IS NULL OR s.embedding_model <> $fp OR s.profile_stale)
RETURN s.id AS id ORDER BY s.id LIMIT $limit
"""
_EVIDENCE_VECTORS_OF = f"""
UNWIND $ids AS sid
MATCH (s:{L.SCIENTIST} {{id: sid}})-[:{R.CONTRIBUTED}]->(e:{L.EVIDENCE})
WHERE e.embedding_model = $fp
RETURN sid AS id, collect([e.embedding, e.year]) AS pairs
"""
_WRITE_PROFILES = f"""
UNWIND $rows AS row
MATCH (s:{L.SCIENTIST} {{id: row.id}})
CALL db.create.setNodeVectorProperty(s, 'embedding', row.vec)
SET s.embedding_model = $fp, s.profile_stale = false
"""
_MARK_PROFILES_STALE = f"""
UNWIND $ids AS eid
MATCH (:{L.EVIDENCE} {{id: eid}})<-[:{R.CONTRIBUTED}]-(s:{L.SCIENTIST})
SET s.profile_stale = true
"""
_EVIDENCE_TEXTS = f"MATCH (e:{L.EVIDENCE}) WHERE e.id > $after RETURN e.id AS id, e.text AS text ORDER BY e.id LIMIT $limit"
#: Each item's stored terms (null: never embedded, so not counted) and, for an item embedded
#: before terms were stored with vectors, its text.
_EVIDENCE_TERMS = (
    f"MATCH (e:{L.EVIDENCE}) WHERE e.id > $after "
    "RETURN e.id AS id, e.terms AS terms, "
    "CASE WHEN e.terms IS NULL AND e.embedding IS NOT NULL THEN e.text END AS text "
    "ORDER BY e.id LIMIT $limit"
)
_SET_TERMS = f"UNWIND $rows AS row MATCH (e:{L.EVIDENCE} {{id: row.id}}) SET e.terms = row.terms"
_ALL_EVIDENCE_VECTORS = (
    f"MATCH (e:{L.EVIDENCE}) WHERE e.id > $after AND e.embedding_model = $fp "
    "RETURN e.id AS id, e.embedding AS vec ORDER BY e.id LIMIT $limit"
)
# Writers of the counts take the stats node's lock first (the SET), so folds and recounts
# never interleave; readers of ``df_json`` are not blocked.
_LOCK_STATS = (
    f"MERGE (c:{CORPUS_STATS} {{id: 'evidence'}}) SET c.locked_at = datetime() "
    "RETURN c.n_docs AS n, c.df_all_json AS df_all, c.n_tokens AS n_tokens"
)
_WRITE_STATS = (
    f"MATCH (c:{CORPUS_STATS} {{id: 'evidence'}}) "
    "SET c.n_docs = $n_docs, c.df_json = $df_json, c.df_all_json = $df_all_json, "
    "c.n_tokens = $n_tokens, c.updated_at = datetime()"
)
_STAMP_TOKENIZER = (
    f"MERGE (c:{CORPUS_STATS} {{id: 'evidence'}}) "
    "SET c.tokenizer = $version, c.user_words = $user_words"
)
_READ_SNAPSHOT = (
    f"MATCH (c:{CORPUS_STATS} {{id: 'evidence'}}) RETURN c.n_docs AS n, c.df_json AS df, "
    "c.n_tokens AS n_tokens, c.tokenizer AS tokenizer, c.user_words AS user_words"
)
_VOCABULARY = f"""
CALL () {{ MATCH (d:{L.DISCIPLINE}) RETURN collect(d.name) AS names }}
CALL () {{ MATCH (m:{L.DEMAND}) UNWIND coalesce(m.skills, []) AS skill RETURN collect(DISTINCT skill) AS skills }}
RETURN names + skills AS words
"""
_READ_STATS = f"MATCH (c:{CORPUS_STATS} {{id: 'evidence'}}) RETURN c.n_docs AS n, c.df_json AS df"
_READ_COUNTS = (
    f"MATCH (c:{CORPUS_STATS} {{id: 'evidence'}}) "
    "RETURN c.n_docs AS n, c.df_all_json AS df_all, c.n_tokens AS n_tokens"
)
_DELTA_IDS = f"MATCH (d:{CORPUS_DELTA}) RETURN d.id AS id"
_READ_DELTAS = (
    f"MATCH (d:{CORPUS_DELTA}) RETURN d.id AS id, d.items AS items, d.n AS n, "
    "coalesce(d.tokens, 0) AS tokens, d.df_json AS df"
)
_DELETE_DELTAS = f"UNWIND $ids AS id MATCH (d:{CORPUS_DELTA} {{id: id}}) DELETE d"
_COUNT_EVIDENCE = f"MATCH (e:{L.EVIDENCE}) RETURN count(e) AS n"


def read_state(driver: neo4j.Driver, *, database: str | None = None) -> EmbeddingState | None:
    with translate():
        recs = driver.execute_query(
            _READ_STATE, database_=database, routing_=neo4j.RoutingControl.READ
        ).records
    if not recs:
        return None
    p = recs[0]["p"]
    return EmbeddingState(
        fingerprint=p["fingerprint"],
        model=p["model"],
        dimension=int(p["dimension"]),
        background_mean=float(p.get("background_mean", 0.0)),
        background_std=float(p.get("background_std", 0.1)),
    )


def write_state(
    driver: neo4j.Driver, state: EmbeddingState, *, database: str | None = None
) -> None:
    with translate():
        driver.execute_query(
            _WRITE_STATE,
            fingerprint=state.fingerprint,
            model=state.model,
            dimension=state.dimension,
            background_mean=state.background_mean,
            background_std=state.background_std,
            database_=database,
        )


def count_pending_evidence(
    driver: neo4j.Driver, fingerprint: str, *, database: str | None = None
) -> int:
    with translate():
        return int(
            driver.execute_query(_COUNT_PENDING, fp=fingerprint, database_=database).records[0]["n"]
        )


def pending_evidence(
    driver: neo4j.Driver,
    fingerprint: str,
    *,
    after: str = "",
    limit: int = 512,
    database: str | None = None,
) -> list[dict[str, str]]:
    """Evidence whose vector is missing, of another model, or of an older text; by id, paged."""
    with translate():
        recs = driver.execute_query(
            _PENDING, fp=fingerprint, after=after, limit=limit, database_=database
        ).records
    return [r.data() for r in recs]


def pending_evidence_ids(
    driver: neo4j.Driver,
    fingerprint: str,
    *,
    after: str = "",
    limit: int = 10_000,
    database: str | None = None,
) -> list[str]:
    """The ids of pending evidence (as :func:`pending_evidence`), without their texts: what a
    distributed job cuts into id ranges."""
    with translate():
        recs = driver.execute_query(
            _PENDING_IDS, fp=fingerprint, after=after, limit=limit, database_=database
        ).records
    return [r["id"] for r in recs]


def pending_evidence_in_range(
    driver: neo4j.Driver,
    fingerprint: str,
    *,
    after: str,
    upto: str,
    database: str | None = None,
) -> list[dict[str, str]]:
    """Pending evidence with ``after < id <= upto`` (as :func:`pending_evidence`), by id."""
    with translate():
        recs = driver.execute_query(
            _PENDING_IN_RANGE, fp=fingerprint, after=after, upto=upto, database_=database
        ).records
    return [r.data() for r in recs]


def write_evidence_vectors(
    driver: neo4j.Driver,
    fingerprint: str,
    rows: list[dict[str, Any]],
    *,
    database: str | None = None,
) -> int:
    """Store vectors and lexical terms (rows of ``{id, vec, hash, terms}``), mark the authors'
    profiles stale and record what the new terms change in the corpus counts, all in one
    transaction: a write is never kept without its profile marks or its corpus delta.

    Idempotent: a row whose item already holds a vector of ``fingerprint`` made from the same
    text hash is skipped (no vector, no delta, no profile mark), so a batch may be written
    again after a failure that left its outcome unknown. Each item written counts one more in
    its ``embed_writes``.

    Returns:
        How many items were written (rows skipped as already current are not).
    """

    def work(tx: neo4j.ManagedTransaction) -> int:
        old = {r["id"]: r["old"] for r in tx.run(_WRITE_EVIDENCE, rows=rows, fp=fingerprint)}
        if not old:
            return 0
        tx.run(_MARK_PROFILES_STALE, ids=list(old)).consume()
        changes = [(old[r["id"]], r["terms"]) for r in rows if r["id"] in old]
        n, df, tokens = _term_delta(changes)
        if n or df or tokens:
            tx.run(
                _WRITE_DELTA,
                id=uuid.uuid4().hex,
                items=len(changes),
                n=n,
                tokens=tokens,
                df_json=json.dumps(df, ensure_ascii=False),
            ).consume()
        return len(changes)

    with translate(), driver.session(database=database) as session:
        return session.execute_write(work)


_EMBED_WRITES = (
    f"MATCH (e:{L.EVIDENCE}) WHERE e.id > $after "
    "RETURN e.id AS id, coalesce(e.embed_writes, 0) AS n ORDER BY e.id LIMIT $limit"
)


def evidence_embed_writes(
    driver: neo4j.Driver, *, page: int = 10_000, database: str | None = None
) -> dict[str, int]:
    """How many times each evidence item's vector was written (0: never)."""
    out: dict[str, int] = {}
    after = ""
    with translate():
        while True:
            recs = driver.execute_query(
                _EMBED_WRITES, after=after, limit=page, database_=database
            ).records
            if not recs:
                return out
            out.update((r["id"], int(r["n"])) for r in recs)
            after = recs[-1]["id"]


def _term_delta(
    changes: Iterable[tuple[list[str] | None, list[str]]],
) -> tuple[int, dict[str, int], int]:
    """What items going from their old terms (None: not counted yet) to new ones change in the
    corpus counts: items counted, per term documents gained or lost (zeros left out), and the
    change in the summed item length."""
    n = tokens = 0
    df: Counter[str] = Counter()
    for old, new in changes:
        if old is None:
            n += 1
        else:
            df.subtract(set(old))
            tokens -= len(old)
        df.update(set(new))
        tokens += len(new)
    return n, {t: c for t, c in df.items() if c}, tokens


def scientists_needing_profiles(
    driver: neo4j.Driver,
    fingerprint: str,
    *,
    after: str = "",
    limit: int = 1000,
    database: str | None = None,
) -> list[str]:
    with translate():
        recs = driver.execute_query(
            _SCIENTISTS_NEEDING_PROFILES,
            fp=fingerprint,
            after=after,
            limit=limit,
            database_=database,
        ).records
    return [r["id"] for r in recs]


def evidence_vectors_of(
    driver: neo4j.Driver, fingerprint: str, ids: list[str], *, database: str | None = None
) -> dict[str, tuple[list[list[float]], list[int | None]]]:
    with translate():
        recs = driver.execute_query(
            _EVIDENCE_VECTORS_OF, ids=ids, fp=fingerprint, database_=database
        ).records
    # Pairs, not two lists: collect() drops nulls, so undated items would shift the years.
    return {r["id"]: ([p[0] for p in r["pairs"]], [p[1] for p in r["pairs"]]) for r in recs}


def write_profile_vectors(
    driver: neo4j.Driver,
    fingerprint: str,
    rows: list[dict[str, Any]],
    *,
    database: str | None = None,
) -> None:
    with translate():
        driver.execute_query(_WRITE_PROFILES, rows=rows, fp=fingerprint, database_=database)


def drop_vector_indexes(driver: neo4j.Driver, *, database: str | None = None) -> None:
    with translate():
        for name in VECTOR_INDEXES:
            # Index names are our constants, not input.
            driver.execute_query(f"DROP INDEX {name} IF EXISTS", database_=database)


def remove_vectors_not_of(
    driver: neo4j.Driver, fingerprint: str, *, database: str | None = None
) -> None:
    """Remove every vector made by another model, so two models' vectors never mix."""
    with translate(), driver.session(database=database) as session:
        for label in (L.EVIDENCE, L.SCIENTIST):
            session.run(
                f"MATCH (n:{label}) WHERE n.embedding IS NOT NULL AND n.embedding_model <> $fp "
                "CALL (n) { REMOVE n.embedding, n.embedding_model } IN TRANSACTIONS OF 5000 ROWS",
                fp=fingerprint,
            ).consume()


_INDEX_STATES = (
    "SHOW INDEXES YIELD name, state, populationPercent, failureMessage "
    "WHERE name IN $names RETURN name, state, populationPercent, failureMessage"
)


def create_vector_indexes(
    driver: neo4j.Driver,
    dimension: int,
    *,
    database: str | None = None,
    timeout: float = 6 * 3600.0,
    poll: float = 5.0,
    on_progress: Callable[[str, float], None] | None = None,
) -> None:
    """Create the vector indexes for ``dimension`` (cosine) and wait until they are online.

    Building the HNSW graph takes time in proportion to the vectors: 2.45 million took more
    than the ten minutes ``db.awaitIndexes(600)`` allowed on two cores, so the population is
    polled instead, reported through ``on_progress(name, percent)``, until every index is
    ONLINE. Raises :class:`RuntimeError` when one FAILED or ``timeout`` seconds passed.
    """
    dim = int(dimension)
    if not 1 <= dim <= 4096:
        raise ValueError(f"vector dimension {dim} out of range")
    names = list(VECTOR_INDEXES)
    with translate():
        # Neo4j 5 has no quantization type, only on (int8) or off.
        legacy = driver.get_server_info().agent.startswith("Neo4j/5.")
        quantization = (
            f"`vector.quantization.enabled`: {str(VECTOR_QUANTIZATION != 'NONE').lower()}"
            if legacy
            else f"`vector.quantization.type`: '{VECTOR_QUANTIZATION}'"
        )
        for name, (label, prop) in VECTOR_INDEXES.items():
            # Names, labels and options are our constants, the dimension an int: no input.
            driver.execute_query(
                f"CREATE VECTOR INDEX {name} IF NOT EXISTS FOR (n:{label}) ON n.{prop} "
                f"OPTIONS {{indexConfig: {{`vector.dimensions`: {dim}, "
                f"`vector.similarity_function`: 'cosine', {quantization}}}}}",
                database_=database,
            )
        deadline = time.monotonic() + timeout
        while True:
            rows = driver.execute_query(_INDEX_STATES, names=names, database_=database).records
            failed = [r for r in rows if r["state"] == "FAILED"]
            if failed:
                raise RuntimeError(
                    f"vector index {failed[0]['name']} failed: {failed[0]['failureMessage']}"
                )
            if rows and all(r["state"] == "ONLINE" for r in rows):
                return
            for r in rows:
                if on_progress and r["state"] != "ONLINE":
                    on_progress(str(r["name"]), float(r["populationPercent"] or 0.0))
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"vector indexes not online after {timeout:.0f} s: "
                    + ", ".join(f"{r['name']} {r['populationPercent']:.0f}%" for r in rows)
                )
            time.sleep(poll)


def vector_index_dimensions(driver: neo4j.Driver, *, database: str | None = None) -> dict[str, int]:
    with translate():
        recs = driver.execute_query(
            "SHOW VECTOR INDEXES YIELD name, options RETURN name, options", database_=database
        ).records
    return {r["name"]: int(r["options"]["indexConfig"]["vector.dimensions"]) for r in recs}


def vector_index_quantization(
    driver: neo4j.Driver, *, database: str | None = None
) -> dict[str, str]:
    """Each vector index's quantization: BINARY, SCALAR or NONE (Neo4j 5: SCALAR when on)."""
    with translate():
        recs = driver.execute_query(
            "SHOW VECTOR INDEXES YIELD name, options RETURN name, options", database_=database
        ).records
    out = {}
    for r in recs:
        cfg = r["options"]["indexConfig"]
        if "vector.quantization.type" in cfg:
            out[r["name"]] = str(cfg["vector.quantization.type"]).upper()
        else:
            out[r["name"]] = "SCALAR" if cfg.get("vector.quantization.enabled", True) else "NONE"
    return out


def evidence_texts(
    driver: neo4j.Driver, *, after: str = "", limit: int = 5000, database: str | None = None
) -> list[tuple[str, str]]:
    with translate():
        recs = driver.execute_query(
            _EVIDENCE_TEXTS, after=after, limit=limit, database_=database
        ).records
    return [(r["id"], r["text"] or "") for r in recs]


def all_evidence_vectors(
    driver: neo4j.Driver,
    fingerprint: str,
    *,
    after: str = "",
    limit: int = 5000,
    database: str | None = None,
) -> list[tuple[str, list[float]]]:
    with translate():
        recs = driver.execute_query(
            _ALL_EVIDENCE_VECTORS, fp=fingerprint, after=after, limit=limit, database_=database
        ).records
    return [(r["id"], r["vec"]) for r in recs]


@dataclass(frozen=True)
class CorpusCounts:
    """The corpus counts: items counted, every term's document frequency and the items'
    summed length in terms."""

    n_docs: int
    df: dict[str, int]
    n_tokens: int = 0


def _write_counts(tx: neo4j.ManagedTransaction, counts: CorpusCounts) -> None:
    # Terms seen once carry little and would bloat what every API worker reads; an unseen term
    # gets the top IDF anyway. The complete counts stay beside them for the next fold.
    tx.run(
        _WRITE_STATS,
        n_docs=counts.n_docs,
        df_json=json.dumps({t: c for t, c in counts.df.items() if c > 1}, ensure_ascii=False),
        df_all_json=json.dumps(counts.df, ensure_ascii=False, sort_keys=True),
        n_tokens=counts.n_tokens,
    ).consume()


def fold_corpus_deltas(
    driver: neo4j.Driver, *, database: str | None = None
) -> tuple[CorpusCounts, int] | None:
    """Fold the corpus deltas written with vectors into the stored counts, in one transaction
    under the stats node's lock, and delete them.

    Returns:
        The counts now stored and how many written items the folded deltas covered (0: there
        was nothing to fold); None when there are no complete
        counts to fold into (never counted, or counted before the complete counts were kept):
        then :func:`recount_corpus_stats` must run.
    """

    def work(tx: neo4j.ManagedTransaction) -> tuple[CorpusCounts, int] | None:
        rec = tx.run(_LOCK_STATS).single()
        if rec is None or rec["df_all"] is None or rec["n"] is None:
            return None
        n = int(rec["n"])
        tokens = int(rec["n_tokens"] or 0)
        df: Counter[str] = Counter(json.loads(rec["df_all"]))
        deltas = tx.run(_READ_DELTAS).data()
        for d in deltas:
            n += int(d["n"])
            tokens += int(d["tokens"])
            df.update(json.loads(d["df"]))
        counts = CorpusCounts(n, {t: c for t, c in df.items() if c > 0}, tokens)
        if deltas:
            _write_counts(tx, counts)
            tx.run(_DELETE_DELTAS, ids=[d["id"] for d in deltas]).consume()
        return counts, sum(int(d["items"]) for d in deltas)

    with translate(), driver.session(database=database) as session:
        return session.execute_write(work)


def recount_corpus_stats(
    driver: neo4j.Driver,
    tokenize: Callable[[str], Iterable[str]],
    *,
    page: int = 5000,
    database: str | None = None,
) -> CorpusCounts:
    """Count every item's stored terms again and store the counts; the deltas written before
    the count began are in it and are deleted. An item embedded before terms were stored with
    vectors gets ``tokenize(text)`` stored as its terms, so it is counted from now on."""
    with translate():
        before = [r["id"] for r in driver.execute_query(_DELTA_IDS, database_=database).records]
        df: Counter[str] = Counter()
        n = tokens = 0
        after = ""
        while True:
            recs = driver.execute_query(
                _EVIDENCE_TERMS, after=after, limit=page, database_=database
            ).records
            if not recs:
                break
            missing = []
            for r in recs:
                terms = r["terms"]
                if terms is None and r["text"] is not None:
                    terms = list(tokenize(r["text"]))
                    missing.append({"id": r["id"], "terms": terms})
                if terms is not None:
                    df.update(set(terms))
                    n += 1
                    tokens += len(terms)
            if missing:
                driver.execute_query(_SET_TERMS, rows=missing, database_=database)
            after = recs[-1]["id"]
        counts = CorpusCounts(n, dict(df), tokens)

        def work(tx: neo4j.ManagedTransaction) -> None:
            tx.run(_LOCK_STATS).consume()
            _write_counts(tx, counts)
            tx.run(_DELETE_DELTAS, ids=before).consume()

        with driver.session(database=database) as session:
            session.execute_write(work)
    return counts


def read_corpus_counts(driver: neo4j.Driver, *, database: str | None = None) -> CorpusCounts | None:
    """The complete stored counts (terms seen once included); None when not kept."""
    with translate():
        recs = driver.execute_query(_READ_COUNTS, database_=database).records
    if not recs or recs[0]["df_all"] is None or recs[0]["n"] is None:
        return None
    return CorpusCounts(
        int(recs[0]["n"]), json.loads(recs[0]["df_all"]), int(recs[0]["n_tokens"] or 0)
    )


def count_evidence(driver: neo4j.Driver, *, database: str | None = None) -> int:
    """Evidence items in the graph (Neo4j's count store: no scan)."""
    with translate():
        return int(driver.execute_query(_COUNT_EVIDENCE, database_=database).records[0]["n"])


def read_corpus_stats(
    driver: neo4j.Driver, *, database: str | None = None
) -> tuple[int, dict[str, int]]:
    with translate():
        recs = driver.execute_query(
            _READ_STATS, database_=database, routing_=neo4j.RoutingControl.READ
        ).records
    if not recs or recs[0]["n"] is None:
        return 0, {}
    return int(recs[0]["n"]), json.loads(recs[0]["df"] or "{}")


@dataclass(frozen=True)
class CorpusSnapshot:
    """What a query needs of the corpus: items, document frequencies (terms seen more than
    once), summed length, and the tokenizer (version and user dictionary) of the stored terms."""

    n_docs: int
    df: dict[str, int]
    n_tokens: int
    tokenizer: str | None
    user_words: tuple[str, ...]

    @property
    def avgdl(self) -> float:
        """Mean item length in terms (1 when nothing is counted)."""
        return self.n_tokens / self.n_docs if self.n_docs and self.n_tokens else 1.0


def read_corpus_snapshot(driver: neo4j.Driver, *, database: str | None = None) -> CorpusSnapshot:
    """The corpus statistics and tokenizer stamp retrieval reads (empty when never counted)."""
    with translate():
        recs = driver.execute_query(
            _READ_SNAPSHOT, database_=database, routing_=neo4j.RoutingControl.READ
        ).records
    if not recs:
        return CorpusSnapshot(0, {}, 0, None, ())
    r = recs[0]
    return CorpusSnapshot(
        int(r["n"] or 0),
        json.loads(r["df"] or "{}"),
        int(r["n_tokens"] or 0),
        r["tokenizer"],
        tuple(r["user_words"] or ()),
    )


def vocabulary(driver: neo4j.Driver, *, database: str | None = None) -> list[str]:
    """The graph's own vocabulary for the tokenizer's user dictionary: discipline names and
    demand skills."""
    with translate():
        recs = driver.execute_query(_VOCABULARY, database_=database).records
    return sorted({w for w in (recs[0]["words"] if recs else []) if isinstance(w, str)})


def stamp_tokenizer(
    driver: neo4j.Driver, version: str, user_words: Iterable[str], *, database: str | None = None
) -> None:
    """Record the tokenizer the stored terms are made with."""
    with translate():
        driver.execute_query(
            _STAMP_TOKENIZER, version=version, user_words=list(user_words), database_=database
        )


_EMBEDDED_TEXTS = (
    f"MATCH (e:{L.EVIDENCE}) WHERE e.id > $after AND e.terms IS NOT NULL "
    "RETURN e.id AS id, e.text AS text ORDER BY e.id LIMIT $limit"
)


def retokenize_evidence(
    driver: neo4j.Driver,
    tokenize: Callable[[str], Iterable[str]],
    *,
    page: int = 2000,
    database: str | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Derive the stored terms of every counted item again with ``tokenize`` (the vectors stay);
    the caller recounts the corpus afterwards. Returns the items rewritten."""
    done = 0
    after = ""
    with translate():
        while True:
            recs = driver.execute_query(
                _EMBEDDED_TEXTS, after=after, limit=page, database_=database
            ).records
            if not recs:
                return done
            rows = [{"id": r["id"], "terms": list(tokenize(r["text"] or ""))} for r in recs]
            driver.execute_query(_SET_TERMS, rows=rows, database_=database)
            done += len(rows)
            after = recs[-1]["id"]
            if on_progress:
                on_progress(done)
