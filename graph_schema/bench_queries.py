"""Reads and writes that only the benchmarks and the repository's scripts need.

:mod:`benchmarks` and ``scripts/`` call these instead of writing Cypher themselves: Cypher lives
only in :mod:`graph_schema`. Nothing in the service calls them; some change the graph in ways
a service never should (new texts for evidence, the evidence vector index rebuilt with other
settings), so run those on a benchmark graph only.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import neo4j

from graph_schema.errors import translate
from graph_schema.labels import Label, Rel
from graph_schema.vectors import VECTOR_INDEXES

__all__ = [
    "EVIDENCE_INDEX",
    "GraphSize",
    "RelationshipPattern",
    "change_evidence_texts",
    "evidence_contributor_count",
    "evidence_ids",
    "evidence_texts_of",
    "graph_size",
    "rebuild_evidence_vector_index",
    "relationship_patterns",
    "vector_index_node_ids",
]

#: The evidence vector index, the one the benchmarks measure and rebuild.
EVIDENCE_INDEX = "evidence_embedding"

_ALL_EVIDENCE_IDS = f"MATCH (e:{Label.EVIDENCE}) RETURN e.id AS id"
_TEXTS_OF = (
    f"UNWIND $ids AS eid MATCH (e:{Label.EVIDENCE} {{id: eid}}) RETURN e.id AS id, e.text AS text"
)
#: What an import of a changed text leaves behind: a new text whose hash the stored vector no
#: longer matches. Each chosen item takes the text of another item (``src``).
_CHANGE_TEXTS = (
    f"UNWIND $pairs AS p MATCH (e:{Label.EVIDENCE} {{id: p.id}}), (s:{Label.EVIDENCE} {{id: p.src}}) "
    "WITH e, s.text AS text, s.text_hash AS hash "
    "SET e.text = text, e.text_hash = hash, e.embedded_hash = 'changed by kexie bench'"
)
_GRAPH_SIZE = (
    f"MATCH (s:{Label.SCIENTIST}) WITH count(s) AS s "
    f"MATCH (e:{Label.EVIDENCE}) RETURN s, count(e) AS e"
)
_CONTRIBUTORS = (
    f"MATCH (e:{Label.EVIDENCE} {{id: $id}}) "
    f"RETURN COUNT {{ (e)<-[:{Rel.CONTRIBUTED}]-(:{Label.SCIENTIST}) }} AS n"
)
_QUERY_INDEX = (
    "CALL db.index.vector.queryNodes($index, $k, $vector) YIELD node RETURN collect(node.id) AS got"
)
_DROP_EVIDENCE_INDEX = f"DROP INDEX {EVIDENCE_INDEX} IF EXISTS"
_INDEX_STATE = "SHOW INDEXES YIELD name, state WHERE name = $name RETURN state"
_RELATIONSHIP_PATTERNS = (
    "MATCH (a)-[r]->(b) WITH labels(a) AS la, type(r) AS t, labels(b) AS lb "
    "RETURN DISTINCT la, t, lb"
)

Quantization = Literal["SCALAR", "BINARY", "NONE"]


@dataclass(frozen=True)
class GraphSize:
    """How many scientists and evidence items the graph holds."""

    scientists: int
    evidence: int


@dataclass(frozen=True)
class RelationshipPattern:
    """One (start labels)-[type]->(end labels) combination present in the graph."""

    start_labels: tuple[str, ...]
    type: str
    end_labels: tuple[str, ...]


def evidence_ids(driver: neo4j.Driver, *, database: str | None = None) -> list[str]:
    """Every evidence item's id, in the order the graph returns them."""
    with translate(), driver.session(database=database) as session:
        return [r["id"] for r in session.run(_ALL_EVIDENCE_IDS)]


def evidence_texts_of(
    driver: neo4j.Driver, ids: Sequence[str], *, database: str | None = None, batch: int = 5000
) -> dict[str, str]:
    """The text of each evidence item of ``ids`` that exists ('' for an item without text)."""
    out: dict[str, str] = {}
    with translate():
        for i in range(0, len(ids), batch):
            recs = driver.execute_query(
                _TEXTS_OF, ids=list(ids[i : i + batch]), database_=database
            ).records
            out.update({r["id"]: r["text"] or "" for r in recs})
    return out


def change_evidence_texts(
    driver: neo4j.Driver,
    pairs: Sequence[Mapping[str, str]],
    *,
    database: str | None = None,
    batch: int = 5000,
) -> None:
    """Give each evidence item ``pair["id"]`` the text (and text hash) of item ``pair["src"]``,
    as an import of a changed text leaves it: its stored vector no longer matches, so the
    next embedding job embeds it again. Benchmark graphs only."""
    with translate():
        for i in range(0, len(pairs), batch):
            driver.execute_query(
                _CHANGE_TEXTS, pairs=[dict(p) for p in pairs[i : i + batch]], database_=database
            )


def graph_size(driver: neo4j.Driver, *, database: str | None = None) -> GraphSize:
    """Scientists and evidence items in the graph."""
    with translate():
        rec = driver.execute_query(_GRAPH_SIZE, database_=database).records[0]
    return GraphSize(scientists=int(rec["s"]), evidence=int(rec["e"]))


def evidence_contributor_count(
    driver: neo4j.Driver, evidence_id: str, *, database: str | None = None
) -> int | None:
    """How many scientists contributed to an evidence item (``None``: no such item)."""
    with translate():
        recs = driver.execute_query(_CONTRIBUTORS, id=evidence_id, database_=database).records
    return int(recs[0]["n"]) if recs else None


def vector_index_node_ids(
    driver: neo4j.Driver,
    vector: Sequence[float],
    k: int,
    *,
    index: str = EVIDENCE_INDEX,
    database: str | None = None,
) -> list[str]:
    """The ids of the ``k`` nodes the vector index returns for ``vector``, best first (the raw
    index, without retrieval's grouping by contributor)."""
    if index not in VECTOR_INDEXES:
        raise ValueError(f"unknown vector index {index!r} (known: {', '.join(VECTOR_INDEXES)})")
    with translate():
        recs = driver.execute_query(
            _QUERY_INDEX, index=index, k=int(k), vector=list(vector), database_=database
        ).records
    return [str(x) for x in recs[0]["got"]]


def rebuild_evidence_vector_index(
    driver: neo4j.Driver,
    dimension: int,
    *,
    m: int,
    ef_construction: int,
    quantization: Quantization,
    database: str | None = None,
    poll: float = 2.0,
) -> float:
    """Drop the evidence vector index and build it with these HNSW settings; wait until it is
    online and return the seconds the build took. Benchmark graphs only.

    Raises:
        ValueError: a quantization other than SCALAR, BINARY or NONE.
        RuntimeError: the index failed to build.
    """
    if quantization not in ("SCALAR", "BINARY", "NONE"):
        raise ValueError(f"quantization {quantization!r}: SCALAR, BINARY or NONE")
    label, prop = VECTOR_INDEXES[EVIDENCE_INDEX]
    # Index options cannot be parameters. Label, property and quantization are our constants
    # (checked above); the numbers are ints.
    create = (
        f"CREATE VECTOR INDEX {EVIDENCE_INDEX} FOR (n:{label}) ON n.{prop} OPTIONS "
        f"{{indexConfig: {{`vector.dimensions`: {int(dimension)}, "
        f"`vector.similarity_function`: 'cosine', `vector.quantization.type`: '{quantization}', "
        f"`vector.hnsw.m`: {int(m)}, `vector.hnsw.ef_construction`: {int(ef_construction)}}}}}"
    )
    with translate():
        driver.execute_query(_DROP_EVIDENCE_INDEX, database_=database)
        started = time.perf_counter()
        driver.execute_query(create, database_=database)
        while True:
            state = driver.execute_query(
                _INDEX_STATE, name=EVIDENCE_INDEX, database_=database
            ).records[0]["state"]
            if state == "ONLINE":
                return time.perf_counter() - started
            if state == "FAILED":
                raise RuntimeError(f"the vector index {EVIDENCE_INDEX} failed to build")
            time.sleep(poll)


def relationship_patterns(
    driver: neo4j.Driver, *, database: str | None = None
) -> list[RelationshipPattern]:
    """Every distinct (labels)-[type]->(labels) in the graph (a scan of all relationships)."""
    with translate():
        recs = driver.execute_query(
            _RELATIONSHIP_PATTERNS, database_=database, routing_=neo4j.RoutingControl.READ
        ).records
    return [RelationshipPattern(tuple(r["la"]), str(r["t"]), tuple(r["lb"])) for r in recs]
