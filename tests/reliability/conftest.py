"""Fixtures of the reliability tests: a loaded little graph, the real app, keys, and a
SEPARATE Neo4j instance (temp folder, free port) for the tests that stop and start it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import neo4j
import pytest

from api.config import get_settings
from benchmarks.server import free_port
from graph_schema import apply_migrations, clear_graph, import_path, open_driver
from graph_schema.apikeys import create_key
from kexie.localserver import LocalNeo4j
from matcher import embed_graph
from matcher.embedding import SentenceTransformerEmbedder
from tests.utils.factories import tiny_dataset


@pytest.fixture(scope="module")
def loaded_graph(
    driver: neo4j.Driver,
    embedder: SentenceTransformerEmbedder,
    tmp_path_factory: pytest.TempPathFactory,
) -> neo4j.Driver:
    """The shared test server with the tiny dataset imported and embedded."""
    clear_graph(driver)
    assert import_path(driver, tiny_dataset(tmp_path_factory.mktemp("rel") / "d")).ok
    embed_graph(driver, embedder)
    return driver


@pytest.fixture(scope="module")
def rw_key(loaded_graph: neo4j.Driver) -> str:
    plain, _ = create_key(
        loaded_graph, name="reliability", scopes=["read", "write"], rate_limit=10_000_000
    )
    return plain


@pytest.fixture(scope="module")
def own_server(
    test_server: LocalNeo4j, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalNeo4j]:
    """A Neo4j of these tests alone (never the shared test server): they stop and start it."""
    server = LocalNeo4j(
        tmp_path_factory.mktemp("faults") / "neo4j",
        port=free_port(),
        jar_cache=test_server.jar_cache,
        heap=os.environ.get("KEXIE_TEST_NEO4J_HEAP", "512m"),
        pagecache="128m",
        java_home=get_settings().java_home,
    )
    server.start(timeout=240)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def own_driver(own_server: LocalNeo4j) -> Iterator[neo4j.Driver]:
    drv = open_driver(own_server.uri, "neo4j", own_server.password())
    drv.verify_connectivity()
    apply_migrations(drv, database="neo4j")
    yield drv
    drv.close()
