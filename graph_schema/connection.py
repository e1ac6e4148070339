"""Open a driver. The only place that builds one; everything else receives it."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import neo4j

__all__ = ["open_driver", "ping", "warm_page_cache", "WarmReport"]

logger = logging.getLogger(__name__)


def open_driver(
    uri: str,
    user: str,
    password: str,
    *,
    max_pool_size: int = 50,
    connection_timeout: float = 5.0,
    max_retry_time: float | None = None,
) -> neo4j.Driver:
    """Build a driver for any Neo4j: local ``bolt://``, a cluster ``neo4j://``, Aura ``neo4j+s://``.

    The driver is lazy: it connects on first use. ``connection_timeout`` keeps a request from
    hanging when the server is down; ``max_retry_time`` (default ``2 × connection_timeout``)
    bounds how long a transaction is retried on transient failures. Batch jobs want it long;
    the API wants it short, so that a request answers 503 quickly when Neo4j is gone.
    """
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    return neo4j.GraphDatabase.driver(
        uri,
        auth=(user, password),
        max_connection_pool_size=max_pool_size,
        connection_timeout=connection_timeout,
        connection_acquisition_timeout=connection_timeout * 2,
        max_transaction_retry_time=connection_timeout * 2
        if max_retry_time is None
        else max_retry_time,
    )


def ping(driver: neo4j.Driver, *, database: str | None = None) -> None:
    """Run ``RETURN 1`` once, as a plain auto-commit query, to see whether the server answers.

    Unlike ``execute_query`` it does not retry (which would take up to 30 s), so a caller that
    polls a starting server sees each failure at once. The driver's exceptions pass through
    untranslated (``AuthError``, ``ServiceUnavailable``, …): the caller tells them apart.
    """
    with driver.session(database=database) as session:
        session.run("RETURN 1").consume()


@dataclass(frozen=True)
class WarmReport:
    nodes: int
    relationships: int
    seconds: float


def warm_page_cache(driver: neo4j.Driver, *, database: str | None = None) -> WarmReport:
    """Read every node's and relationship's properties once, so that Neo4j's page cache holds
    the store before the first request instead of filling on it.

    Neo4j Community has no page-cache warm-up of its own (Enterprise restores the cache's
    profile on start). On a store larger than the page cache this only cycles it; the page
    cache should hold the store (``KEXIE_NEO4J_PAGECACHE``). Read-only and safe under traffic.
    """
    started = time.perf_counter()
    nodes = driver.execute_query(
        "MATCH (n) RETURN count(properties(n)) AS c",
        database_=database,
        routing_=neo4j.RoutingControl.READ,
    ).records[0]["c"]
    rels = driver.execute_query(
        "MATCH ()-[r]->() RETURN count(properties(r)) AS c",
        database_=database,
        routing_=neo4j.RoutingControl.READ,
    ).records[0]["c"]
    return WarmReport(int(nodes), int(rels), round(time.perf_counter() - started, 1))
