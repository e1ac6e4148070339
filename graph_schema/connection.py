"""Open a driver. The only place that builds one; everything else receives it."""

from __future__ import annotations

import logging

import neo4j

__all__ = ["open_driver"]

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
