"""Vectors in the graph: what needs embedding, writing vectors, vector indexes, corpus statistics.

Each embedded node carries ``embedding`` (float32 list), ``embedding_model`` (the embedder's
fingerprint, ``model#dimension``) and, for evidence, ``embedded_hash`` (the text hash it was
made from). One ``(:KexieEmbeddingState)`` node records the model the indexes were built for,
so retrieval can refuse to compare vectors of two models.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import neo4j

from graph_schema.errors import translate
from graph_schema.labels import CORPUS_STATS, EMBEDDING_STATE
from graph_schema.labels import Label as L
from graph_schema.labels import Rel as R

__all__ = [
    "EmbeddingState",
    "VECTOR_INDEXES",
    "read_state",
    "write_state",
    "count_pending_evidence",
    "pending_evidence",
    "write_evidence_vectors",
    "scientists_needing_profiles",
    "evidence_vectors_of",
    "write_profile_vectors",
    "drop_vector_indexes",
    "remove_vectors_not_of",
    "create_vector_indexes",
    "vector_index_quantization",
    "VECTOR_QUANTIZATION",
    "evidence_texts",
    "write_corpus_stats",
    "read_corpus_stats",
    "all_evidence_vectors",
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
_WRITE_EVIDENCE = f"""
UNWIND $rows AS row
MATCH (e:{L.EVIDENCE} {{id: row.id}})
CALL db.create.setNodeVectorProperty(e, 'embedding', row.vec)
SET e.embedding_model = $fp, e.embedded_hash = row.hash, e.terms = row.terms
"""
_SCIENTISTS_NEEDING_PROFILES = f"""
MATCH (s:{L.SCIENTIST})
WHERE s.id > $after AND (s.embedding_model IS NULL OR s.embedding_model <> $fp OR s.profile_stale)
RETURN s.id AS id ORDER BY s.id LIMIT $limit
"""
_EVIDENCE_VECTORS_OF = f"""
UNWIND $ids AS sid
MATCH (s:{L.SCIENTIST} {{id: sid}})-[:{R.CONTRIBUTED}]->(e:{L.EVIDENCE})
WHERE e.embedding_model = $fp
RETURN sid AS id, collect(e.embedding) AS vectors, collect(e.year) AS years
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
#: Stored terms when they belong to the current text (written with its vector), else the text.
_EVIDENCE_TERMS = (
    f"MATCH (e:{L.EVIDENCE}) WHERE e.id > $after "
    "WITH e, (e.terms IS NOT NULL AND e.embedded_hash = e.text_hash) AS current "
    "RETURN e.id AS id, CASE WHEN current THEN e.terms END AS terms, "
    "CASE WHEN current THEN null ELSE e.text END AS text ORDER BY e.id LIMIT $limit"
)
_ALL_EVIDENCE_VECTORS = (
    f"MATCH (e:{L.EVIDENCE}) WHERE e.id > $after AND e.embedding_model = $fp "
    "RETURN e.id AS id, e.embedding AS vec ORDER BY e.id LIMIT $limit"
)
_WRITE_STATS = (
    f"MERGE (c:{CORPUS_STATS} {{id: 'evidence'}}) "
    "SET c.n_docs = $n_docs, c.df_json = $df_json, c.updated_at = datetime()"
)
_READ_STATS = f"MATCH (c:{CORPUS_STATS} {{id: 'evidence'}}) RETURN c.n_docs AS n, c.df_json AS df"


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


def write_evidence_vectors(
    driver: neo4j.Driver,
    fingerprint: str,
    rows: list[dict[str, Any]],
    *,
    database: str | None = None,
) -> None:
    """Store vectors and lexical terms (rows of ``{id, vec, hash, terms}``); mark the authors'
    profiles stale."""
    with translate():
        driver.execute_query(_WRITE_EVIDENCE, rows=rows, fp=fingerprint, database_=database)
        driver.execute_query(_MARK_PROFILES_STALE, ids=[r["id"] for r in rows], database_=database)


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
    return {r["id"]: (r["vectors"], r["years"]) for r in recs}


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


def evidence_terms(
    driver: neo4j.Driver, *, after: str = "", limit: int = 5000, database: str | None = None
) -> list[tuple[str, list[str] | None, str]]:
    """Evidence by id: ``(id, terms, text)``, with the terms stored beside the vector when
    they are of the current text (``text`` then empty), else ``None`` and the text."""
    with translate():
        recs = driver.execute_query(
            _EVIDENCE_TERMS, after=after, limit=limit, database_=database
        ).records
    return [(r["id"], r["terms"], r["text"] or "") for r in recs]


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


def write_corpus_stats(
    driver: neo4j.Driver, n_docs: int, df: dict[str, int], *, database: str | None = None
) -> None:
    """Keep the corpus' term document frequencies in the graph (one JSON string), so any
    stateless API worker can compute the same absolute lexical scores."""
    with translate():
        driver.execute_query(
            _WRITE_STATS,
            n_docs=n_docs,
            df_json=json.dumps(df, ensure_ascii=False),
            database_=database,
        )


def read_corpus_stats(
    driver: neo4j.Driver, *, database: str | None = None
) -> tuple[int, dict[str, int]]:
    with translate():
        recs = driver.execute_query(
            _READ_STATS, database_=database, routing_=neo4j.RoutingControl.READ
        ).records
    if not recs:
        return 0, {}
    return int(recs[0]["n"]), json.loads(recs[0]["df"])
