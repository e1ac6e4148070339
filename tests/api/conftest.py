from __future__ import annotations

from collections.abc import Iterator

import neo4j
import pytest
from fastapi.testclient import TestClient

from api.config import get_settings
from api.main import create_app
from graph_schema import clear_graph, import_path
from graph_schema.apikeys import create_key
from matcher import embed_graph
from matcher.embedding import SentenceTransformerEmbedder
from tests.utils.factories import tiny_dataset


@pytest.fixture(scope="module")
def api_graph(
    driver: neo4j.Driver,
    embedder: SentenceTransformerEmbedder,
    tmp_path_factory: pytest.TempPathFactory,
) -> neo4j.Driver:
    clear_graph(driver)
    assert import_path(driver, tiny_dataset(tmp_path_factory.mktemp("api") / "d")).ok
    embed_graph(driver, embedder)
    return driver


@pytest.fixture(scope="module")
def client(api_graph: neo4j.Driver, embedder: SentenceTransformerEmbedder) -> Iterator[TestClient]:
    app = create_app(
        get_settings(), driver=api_graph, embedder=embedder, rate_limit_per_minute=10_000
    )
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def keys(api_graph: neo4j.Driver) -> dict[str, str]:
    out = {}
    for scopes in (["read"], ["read", "write"], ["read", "contact"], ["admin"]):
        plain, _ = create_key(api_graph, name="test-" + "-".join(scopes), scopes=scopes)
        out["+".join(scopes)] = plain
    return out


def auth(key: str) -> dict[str, str]:
    return {"X-API-Key": key}
