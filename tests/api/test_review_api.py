"""The review routes over HTTP: scopes, an independent panel, a round, audits, bad input."""

from __future__ import annotations

import neo4j
import pytest
from fastapi.testclient import TestClient

from graph_schema import clear_graph, import_path
from matcher import embed_graph
from matcher.embedding import SentenceTransformerEmbedder
from tests.api.conftest import auth
from tests.integration.test_review import dataset

CONFLICTED = {"A1", "CO_IN", "COL_IN", "DECL"}


@pytest.fixture(scope="module")
def api_graph(
    driver: neo4j.Driver,
    embedder: SentenceTransformerEmbedder,
    tmp_path_factory: pytest.TempPathFactory,
) -> neo4j.Driver:
    clear_graph(driver)
    assert import_path(driver, dataset(tmp_path_factory.mktemp("rapi") / "d")).ok
    embed_graph(driver, embedder)
    return driver


def test_scopes(client: TestClient, keys: dict[str, str]) -> None:
    body = {"size": 3, "no_quotas": True}
    assert client.post("/v1/evaluations/IT-1/panel", json=body).status_code == 401
    r = client.post("/v1/evaluations/IT-1/panel", json=body, headers=auth(keys["read"]))
    assert r.status_code == 403
    assert (
        client.post("/v1/rounds/RND-1/assign", json={}, headers=auth(keys["read"])).status_code
        == 403
    )
    assert client.get("/v1/rounds/RND-1", headers=auth(keys["read"])).status_code == 200


def test_panel_is_independent_saved_audited_and_confirmable(
    client: TestClient, keys: dict[str, str]
) -> None:
    w = auth(keys["read+write"])
    r = client.post("/v1/evaluations/IT-1/panel", json={"size": 3, "no_quotas": True}, headers=w)
    assert r.status_code == 200, r.text
    out = r.json()
    members = {m["id"] for m in out["proposal"]["members"]}
    assert len(members) == 3 and not members & CONFLICTED
    excluded = {e["id"]: e["reasons"] for e in out["proposal"]["excluded"]}
    assert "CO_IN" in excluded and any("P-CO-IN" in x for x in excluded["CO_IN"])
    pid = out["saved_as"]
    assert client.post(f"/v1/panels/{pid}/confirm", headers=w).status_code == 200
    audits = client.get(f"/v1/audits/{pid}", headers=w).json()
    assert audits[0]["props"]["kind"] == "evaluation_panel"
    item = client.get("/v1/evaluations/IT-1", headers=w).json()
    assert [p["status"] for p in item["panels"]] == ["confirmed"]


def test_round_assignment_over_http(client: TestClient, keys: dict[str, str]) -> None:
    w = auth(keys["read+write"])
    r = client.post("/v1/rounds/RND-1/assign", json={"solver": "fair"}, headers=w)
    assert r.status_code == 200, r.text
    prop = r.json()["proposal"]
    assert all(len(v) == 2 for v in prop["assignment"].values())
    assert max(prop["load"].values()) <= 2
    assert prop["baseline"]["solver"] == "greedy"
    stored = client.get("/v1/rounds/RND-1", headers=w).json()["assignment"]
    assert sorted(stored) == ["IT-1", "IT-2", "IT-3"]


def test_bad_input(client: TestClient, keys: dict[str, str]) -> None:
    w = auth(keys["read+write"])
    r = client.post("/v1/evaluations/NOPE/panel", json={}, headers=w)
    assert r.status_code == 404 and "NOPE" in r.text
    assert client.post("/v1/rounds/NOPE/assign", json={}, headers=w).status_code == 404
    r = client.post(
        "/v1/rounds/RND-1/assign", json={"k": 3, "max_load": 1, "per_item": 3}, headers=w
    )
    assert r.status_code == 422
    problem = r.json()
    assert any("9 reviews" in x and "short" in x for x in problem["reasons"]), problem
    r = client.post("/v1/rounds/RND-1/assign", json={"solver": "magic"}, headers=w)
    assert r.status_code == 422 and "solver" in r.text
    r = client.post("/v1/evaluations/IT-1/panel", json={"quota_counts": {"nope": 1}}, headers=w)
    assert r.status_code == 422 and "nope" in r.text


def test_sync_accepts_rounds_and_items(client: TestClient, keys: dict[str, str]) -> None:
    w = auth(keys["read+write"])
    r = client.post(
        "/v1/sync/evaluation_items",
        json={
            "records": [
                {
                    "id": "IT-9",
                    "title": "标准草案",
                    "kind": "standard_draft",
                    "applicants": ["A2"],
                    "round": "NO-ROUND",
                }
            ]
        },
        headers=w,
    )
    assert r.status_code == 200 and r.json()["records"][0]["outcome"] == "rejected"
    assert "round" in r.json()["records"][0]["field"]
    r = client.post(
        "/v1/sync/review_rounds",
        json={
            "records": [
                {"id": "RND-1", "name": "x", "exclude": ["coauthor"], "disclose": ["coauthor"]}
            ]
        },
        headers=w,
    )
    assert r.json()["records"][0]["outcome"] == "rejected"
    r = client.post(
        "/v1/sync/evaluation_items",
        json={"records": [{"id": "IT-3", "title": "动力电池热失控预警方法", "applicants": ["A1"]}]},
        headers=w,
    )
    assert r.json()["records"][0] == {
        **r.json()["records"][0],
        "outcome": "changed",
        "changed": ["applicants"],
    }
