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
) -> neo4j.Driver:
    """Build a driver for any Neo4j: local ``bolt://``, a cluster ``neo4j://``, Aura ``neo4j+s://``.

    The driver is lazy: it connects on first use. ``connection_timeout`` keeps a request from
    hanging when the server is down, so callers can answer 503 quickly.
    """
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    return neo4j.GraphDatabase.driver(
        uri,
        auth=(user, password),
        max_connection_pool_size=max_pool_size,
        connection_timeout=connection_timeout,
        connection_acquisition_timeout=connection_timeout * 2,
        max_transaction_retry_time=connection_timeout * 2,
    )
