"""Organisation ties stored for the whole graph, so a consortium need not count them live.

Counting the ties among a consortium's ~40 candidate organisations walks every person and every
evidence item of each (at 100×, seconds per request). The counts change only when people,
affiliations, memberships or evidence are imported, so :func:`refresh_org_ties` counts them
once for every pair of organisations and stores them, and :func:`org_ties` reads the stored
counts while they are current.

**Never stale counts.** Every import batch that creates or deletes a relationship of a kind
that can change a tie (who works where, who is a member of which society, who contributed to
what) bumps the state's ``version`` in its own transaction (:func:`mark_ties_changed`), so the
bump commits exactly when the change does. A refresh notes the version before it counts;
stored ties are read only while the version is still that one; otherwise :func:`org_ties`
counts live, as before, and says so (``as_of`` is None). Counterpart links (one relationship
per pair) are always read live. A renamed person or retitled item (no relationship changes)
does not bump the version: the stored *examples* keep the old name until the next refresh.

**Never half a refresh.** A refresh writes a new *generation* beside the current one and then
flips the state to it in one write; readers ask for the generation the state names. The
generation before stays until the next refresh, so a read that began before a flip finds its
generation whole. One refresh runs at a time.

Nodes: one ``(:KexieOrgTieState {id: 'current'})`` and ``(:KexieOrgTie {a, b, generation, …})``
per linked pair ``a < b`` and generation; both are bookkeeping, never shown as graph entities.
"""

from __future__ import annotations

import datetime as _dt
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import combinations
from typing import Any, Final

import neo4j

from graph_schema.errors import translate
from graph_schema.formation_queries import OrgTie
from graph_schema.formation_queries import org_ties as live_org_ties
from graph_schema.labels import ORG_TIE, ORG_TIE_STATE
from graph_schema.labels import Label as L
from graph_schema.labels import Rel as R

__all__ = [
    "TIE_KINDS",
    "OrgTies",
    "TieState",
    "TieRefresh",
    "RefreshRunningError",
    "org_ties",
    "refresh_org_ties",
    "mark_ties_changed",
    "tie_state",
]

logger = logging.getLogger(__name__)

#: Record kinds (file stems) whose import can change a shared person or a joint evidence item:
#: who works where, who is a member of which society, who contributed to what.
TIE_KINDS: Final = frozenset(
    {
        "scientists",
        "affiliations",
        "memberships",
        "publications",
        "projects",
        "patents",
        "standards",
        "awards",
    }
)

_MARK_CHANGED: Final = (
    f"MERGE (k:{ORG_TIE_STATE} {{id: 'current'}}) "
    "SET k.version = coalesce(k.version, 0) + 1, k.changed_at = datetime()"
)
_READ_STATE: Final = f"""
MATCH (k:{ORG_TIE_STATE} {{id: 'current'}})
RETURN k.generation AS generation, k.pairs AS pairs, k.seconds AS seconds,
       coalesce(k.version, 0) AS version, k.computed_version AS computed_version,
       k.computed_from AS computed_from, k.computed_at AS computed_at,
       k.changed_at AS changed_at
"""
# Claim the refresh (one at a time; a claim older than two hours is a refresh that died) and
# note the version it counts: a change committed after this is not in the counts.
_CLAIM: Final = f"""
MERGE (k:{ORG_TIE_STATE} {{id: 'current'}})
WITH k
WHERE k.refreshing IS NULL OR k.refreshing_since < datetime() - duration('PT2H')
SET k.refreshing = $token, k.refreshing_since = datetime()
RETURN coalesce(k.generation, 0) AS generation, coalesce(k.version, 0) AS version,
       datetime() AS now
"""
_RUNNING: Final = (
    f"MATCH (k:{ORG_TIE_STATE} {{id: 'current'}}) RETURN toString(k.refreshing_since) AS since"
)
_RELEASE: Final = (
    f"MATCH (k:{ORG_TIE_STATE} {{id: 'current'}}) WHERE k.refreshing = $token "
    "REMOVE k.refreshing, k.refreshing_since"
)
_FLIP: Final = f"""
MATCH (k:{ORG_TIE_STATE} {{id: 'current'}}) WHERE k.refreshing = $token
SET k.generation = $generation, k.computed_version = $version,
    k.computed_from = $computed_from, k.computed_at = datetime(), k.pairs = $pairs,
    k.seconds = $seconds
REMOVE k.refreshing, k.refreshing_since
RETURN k.generation AS generation
"""
_DELETE_GENERATIONS: Final = f"""
MATCH (t:{ORG_TIE}) WHERE t.generation < $below OR t.generation > $above
CALL (t) {{ DELETE t }} IN TRANSACTIONS OF 10000 ROWS
"""
_WRITE: Final = f"""
UNWIND $rows AS row
CREATE (:{ORG_TIE} {{a: row.a, b: row.b, generation: $generation,
  shared_people: row.shared_people, joint_evidence: row.joint_evidence,
  people_examples: row.people_examples, evidence_examples: row.evidence_examples}})
"""
# Every pair of organisations / societies with a person at (or a member of) both.
_ALL_SHARED_PEOPLE: Final = f"""
MATCH (s:{L.SCIENTIST})-[:{R.WORKS_AT}|{R.MEMBER_OF}]->(o)
WITH s, collect(DISTINCT o.id) AS held
WHERE size(held) > 1
UNWIND held AS a
UNWIND held AS b
WITH a, b, s WHERE a < b
RETURN a, b, count(DISTINCT s) AS n, collect(DISTINCT s.name)[..3] AS examples
"""
# Every pair of organisations with an evidence item by a person at each (two different people).
_ALL_JOINT_EVIDENCE: Final = f"""
MATCH (o:{L.ORGANIZATION})<-[:{R.WORKS_AT}]-(s:{L.SCIENTIST})-[:{R.CONTRIBUTED}]->(x:{L.EVIDENCE})
WITH x, collect(DISTINCT [o.id, s.id]) AS held
WHERE size(held) > 1
UNWIND held AS h1
UNWIND held AS h2
WITH h1[0] AS a, h2[0] AS b, x WHERE h1[0] < h2[0] AND h1[1] <> h2[1]
RETURN a, b, count(DISTINCT x) AS n, collect(DISTINCT x.title)[..3] AS examples
"""
_READ_STORED: Final = f"""
UNWIND $pairs AS p
MATCH (t:{ORG_TIE} {{a: p[0], b: p[1]}}) WHERE t.generation = $generation
RETURN t.a AS a, t.b AS b, t.shared_people AS shared_people, t.joint_evidence AS joint_evidence,
       t.people_examples AS people_examples, t.evidence_examples AS evidence_examples
"""
_COUNTERPARTS: Final = f"""
UNWIND $ids AS oid
MATCH (a:{L.SOCIETY} {{id: oid}})-[:{R.COUNTERPART_OF}]->(b:{L.NATIONAL_SOCIETY})
WHERE b.id IN $ids
RETURN DISTINCT a.id AS a, b.id AS b
"""


class RefreshRunningError(RuntimeError):
    """Another refresh of the stored ties is running."""


@dataclass(frozen=True)
class TieState:
    """The stored ties: their generation, when counting began and ended, and whether an import
    has changed the graph since (``version`` moved past ``computed_version``: not read)."""

    generation: int | None
    pairs: int | None
    version: int
    computed_version: int | None
    computed_from: str | None
    computed_at: str | None
    changed_at: str | None
    seconds: float | None = None

    @property
    def current(self) -> bool:
        return self.generation is not None and self.computed_version == self.version


@dataclass(frozen=True)
class OrgTies:
    """Ties among some organisations, and where they came from.

    ``as_of`` is the time the stored counts were taken from (ISO 8601), or None when they were
    counted live for this request (nothing stored yet, or an import changed the graph since)."""

    ties: list[OrgTie]
    as_of: str | None


@dataclass(frozen=True)
class TieRefresh:
    generation: int
    pairs: int
    shared_people_pairs: int
    joint_evidence_pairs: int
    count_seconds: float
    write_seconds: float
    seconds: float
    computed_from: str


def tie_state(driver: neo4j.Driver, *, database: str | None = None) -> TieState | None:
    """The stored ties' state, or None when ties were never stored nor marked changed."""
    with translate():
        records = driver.execute_query(
            _READ_STATE, database_=database, routing_=neo4j.RoutingControl.READ
        ).records
    if not records:
        return None
    r = records[0]
    return TieState(
        generation=r["generation"],
        pairs=r["pairs"],
        version=int(r["version"]),
        computed_version=r["computed_version"],
        computed_from=_iso(r["computed_from"]),
        computed_at=_iso(r["computed_at"]),
        changed_at=_iso(r["changed_at"]),
        seconds=r["seconds"],
    )


def mark_ties_changed(tx: neo4j.ManagedTransaction) -> None:
    """Within the transaction that changes who works where, belongs to a society or
    contributed to what: stored ties counted before it are not read again until the next
    refresh. (It write-locks the one state node until commit: batches that change ties commit
    one after another; others are not held.)"""
    tx.run(_MARK_CHANGED).consume()


def org_ties(driver: neo4j.Driver, ids: Sequence[str], *, database: str | None = None) -> OrgTies:
    """The ties among ``ids`` (only linked pairs, ``a < b``): stored ones while they are
    current, else counted live (:func:`graph_schema.formation_queries.org_ties`)."""
    ids = list(dict.fromkeys(ids))
    if len(ids) < 2:
        return OrgTies([], None)
    state = tie_state(driver, database=database)
    if state is None or not state.current:
        return OrgTies(live_org_ties(driver, ids, database=database), None)
    pairs = [[a, b] for a, b in combinations(sorted(ids), 2)]
    with translate():
        stored = driver.execute_query(
            _READ_STORED,
            pairs=pairs,
            generation=state.generation,
            database_=database,
            routing_=neo4j.RoutingControl.READ,
        ).records
        counterparts = driver.execute_query(
            _COUNTERPARTS, ids=ids, database_=database, routing_=neo4j.RoutingControl.READ
        ).records
    found: dict[tuple[str, str], OrgTie] = {}
    for r in stored:
        examples: dict[str, tuple[str, ...]] = {}
        if r["shared_people"]:
            examples["shared_people"] = tuple(r["people_examples"] or ())
        if r["joint_evidence"]:
            examples["joint_evidence"] = tuple(r["evidence_examples"] or ())
        found[(r["a"], r["b"])] = OrgTie(
            r["a"],
            r["b"],
            shared_people=int(r["shared_people"]),
            joint_evidence=int(r["joint_evidence"]),
            examples=examples,
        )
    for r in counterparts:
        a, b = min(r["a"], r["b"]), max(r["a"], r["b"])
        tie = found.get((a, b), OrgTie(a, b))
        found[(a, b)] = replace(tie, counterpart=True, examples={**tie.examples, "counterpart": ()})
    ties = [found[pair] for pair in sorted(found)]
    return OrgTies(ties, state.computed_from)


def refresh_org_ties(
    driver: neo4j.Driver,
    *,
    database: str | None = None,
    batch_size: int = 10_000,
    on_progress: Callable[[str, int], None] | None = None,
) -> TieRefresh:
    """Count every organisation pair's shared people and joint evidence, store them as a new
    generation, make it the current one, and drop generations older than the one before.

    Raises:
        RefreshRunningError: another refresh holds the claim (younger than two hours).
    """
    started = time.perf_counter()
    token = uuid.uuid4().hex
    with translate():
        claimed = driver.execute_query(_CLAIM, token=token, database_=database).records
    if not claimed:
        since = driver.execute_query(_RUNNING, database_=database).records[0]["since"]
        raise RefreshRunningError(f"another refresh of the stored ties is running since {since}")
    generation = int(claimed[0]["generation"]) + 1
    # Every change committed before the claim is visible to the counts below; one committed
    # after it has bumped the version past this one, so the counts are not read.
    version = int(claimed[0]["version"])
    computed_from = claimed[0]["now"]
    try:
        with translate():
            # Leftovers of a refresh that died after writing part of its generation.
            _in_transactions(driver, _DELETE_GENERATIONS, database, below=0, above=generation - 1)
            pairs: dict[tuple[str, str], dict[str, Any]] = {}
            t0 = time.perf_counter()
            n_shared = n_joint = 0
            for query, kind in (
                (_ALL_SHARED_PEOPLE, "shared_people"),
                (_ALL_JOINT_EVIDENCE, "joint_evidence"),
            ):
                with driver.session(database=database) as session:
                    for r in session.run(query):
                        # One order for the pair, the one lookups use (Python's, not Cypher's).
                        key = (min(r["a"], r["b"]), max(r["a"], r["b"]))
                        cur = pairs.setdefault(key, {})
                        cur[kind] = int(r["n"])
                        cur[kind + "_examples"] = sorted(str(x) for x in r["examples"])
                        if kind == "shared_people":
                            n_shared += 1
                        else:
                            n_joint += 1
                if on_progress:
                    on_progress(f"counted {kind}", len(pairs))
            count_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            rows = [
                {
                    "a": a,
                    "b": b,
                    "shared_people": v.get("shared_people", 0),
                    "joint_evidence": v.get("joint_evidence", 0),
                    "people_examples": v.get("shared_people_examples", []),
                    "evidence_examples": v.get("joint_evidence_examples", []),
                }
                for (a, b), v in sorted(pairs.items())
            ]
            for i in range(0, len(rows), batch_size):
                driver.execute_query(
                    _WRITE, rows=rows[i : i + batch_size], generation=generation, database_=database
                )
                if on_progress:
                    on_progress("written", min(i + batch_size, len(rows)))
            write_s = time.perf_counter() - t0
            seconds = time.perf_counter() - started
            flipped = driver.execute_query(
                _FLIP,
                token=token,
                generation=generation,
                version=version,
                computed_from=computed_from,
                pairs=len(rows),
                seconds=round(seconds, 2),
                database_=database,
            ).records
            if not flipped:
                raise RefreshRunningError(
                    "the refresh lost its claim (it ran longer than two hours and another began)"
                )
            # Readers that read the state just before the flip still find the generation before.
            _in_transactions(
                driver, _DELETE_GENERATIONS, database, below=generation - 1, above=generation
            )
    except BaseException:
        with translate():
            driver.execute_query(_RELEASE, token=token, database_=database)
        raise
    logger.info(
        "Stored %d organisation ties (generation %d) in %.1f s", len(rows), generation, seconds
    )
    return TieRefresh(
        generation=generation,
        pairs=len(rows),
        shared_people_pairs=n_shared,
        joint_evidence_pairs=n_joint,
        count_seconds=round(count_s, 2),
        write_seconds=round(write_s, 2),
        seconds=round(time.perf_counter() - started, 2),
        computed_from=_iso(computed_from) or "",
    )


def _in_transactions(driver: neo4j.Driver, query: str, database: str | None, **params: Any) -> None:
    # CALL … IN TRANSACTIONS runs only in an auto-commit transaction.
    with driver.session(database=database) as session:
        session.run(query, params).consume()


def _iso(value: Any) -> str | None:
    """A Neo4j DateTime as ISO 8601 in milliseconds (``2026-12-01T05:27:49.295+00:00``)."""
    if value is None:
        return None
    native = value.to_native() if hasattr(value, "to_native") else value
    if isinstance(native, _dt.datetime):
        return native.isoformat(timespec="milliseconds")
    return str(native)
