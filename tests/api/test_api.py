"""HTTP API over the real Neo4j and model: auth, scopes, validation, pagination, sync, limits."""

from __future__ import annotations

import neo4j
from fastapi.testclient import TestClient

from api.config import get_settings
from api.main import create_app
from graph_schema.apikeys import create_key, revoke_key
from tests.api.conftest import auth


def _is_problem(resp, status: int, slug: str) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body = resp.json()
    assert body["type"] == f"/problems/{slug}" and body["status"] == status and body["title"]
    return body


def test_health(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"neo4j": "ok", "migrations": "ok", "model": "ok"}


def test_auth_failures_and_scopes(
    client: TestClient, keys: dict[str, str], api_graph: neo4j.Driver
) -> None:
    body = {"text": "电池热管理"}
    _is_problem(client.post("/v1/experts/search", json=body), 401, "unauthorized")
    _is_problem(
        client.post("/v1/experts/search", json=body, headers=auth("kx_nope_nope")),
        401,
        "unauthorized",
    )
    _is_problem(
        client.post("/v1/experts/search", json=body, headers={"Authorization": "Bearer garbage"}),
        401,
        "unauthorized",
    )
    assert (
        client.post(
            "/v1/experts/search", json=body, headers={"Authorization": f"Bearer {keys['read']}"}
        ).status_code
        == 200
    )
    forbidden = _is_problem(
        client.post(
            "/v1/sync/districts",
            json={"records": [{"code": "500101", "name": "万州区"}]},
            headers=auth(keys["read"]),
        ),
        403,
        "forbidden",
    )
    assert "write" in forbidden["detail"]
    plain, record = create_key(api_graph, name="to-revoke", scopes=["read"])
    assert client.get("/v1/experts", headers=auth(plain)).status_code == 200
    revoke_key(api_graph, record.id)
    client.app.state.key_cache.clear()  # the cache holds looked-up keys for 1 s
    _is_problem(client.get("/v1/experts", headers=auth(plain)), 401, "unauthorized")


def test_contact_data_only_for_the_contact_scope(client: TestClient, keys: dict[str, str]) -> None:
    body = {"text": "交通流预测 深度学习", "k": 3}
    plain = client.post("/v1/experts/search", json=body, headers=auth(keys["read"])).json()["data"]
    assert plain and all(r["contact"] is None for r in plain)
    rich = client.post("/v1/experts/search", json=body, headers=auth(keys["read+contact"])).json()[
        "data"
    ]
    s1 = next(r for r in rich if r["scientist_id"] == "S1")
    assert s1["contact"]["email"] == "zw@example.cn"
    assert (
        "email" not in client.get("/v1/experts/S1", headers=auth(keys["read"])).json()["scientist"]
    )
    assert (
        client.get("/v1/experts/S1", headers=auth(keys["admin"])).json()["scientist"]["email"]
        == "zw@example.cn"
    )


def test_validation_errors_name_the_field(client: TestClient, keys: dict[str, str]) -> None:
    body = _is_problem(
        client.post(
            "/v1/experts/search",
            json={"text": "", "k": 0, "filters": {"min_grade": "king"}},
            headers=auth(keys["read"]),
        ),
        422,
        "validation-error",
    )
    fields = {e["field"] for e in body["errors"]}
    assert {"text", "k", "filters.min_grade"} <= fields
    unknown = _is_problem(
        client.post(
            "/v1/experts/rank",
            json={"text": "电池", "candidates": ["S1", "NOPE"]},
            headers=auth(keys["read"]),
        ),
        422,
        "validation-error",
    )
    assert unknown["errors"][0]["field"] == "candidates" and "NOPE" in unknown["detail"]
    _is_problem(client.get("/v1/experts/NOPE", headers=auth(keys["read"])), 404, "not-found")
    _is_problem(
        client.get("/v1/experts?cursor=%%%", headers=auth(keys["read"])), 422, "validation-error"
    )


def test_search_and_rank(client: TestClient, keys: dict[str, str]) -> None:
    res = client.post(
        "/v1/experts/search",
        json={"text": "电动汽车电池热管理", "k": 2},
        headers=auth(keys["read"]),
    )
    data = res.json()["data"]
    assert data[0]["scientist_id"] == "S3"
    assert data[0]["explanation"]["evidence"][0]["title"]
    ranked = client.post(
        "/v1/experts/rank",
        json={
            "text": "电池",
            "candidates": ["S1", "S2", "S3"],
            "filters": {"conflict_with": ["E-AUTO"]},
        },
        headers=auth(keys["read"]),
    ).json()
    assert ranked["count"] == 3
    assert {r["scientist_id"] for r in ranked["data"] if not r["eligible"]} == {"S1", "S3"}


def test_cursor_pagination_walks_every_scientist_once(
    client: TestClient, keys: dict[str, str]
) -> None:
    seen, cursor = [], None
    while True:
        params = {"limit": 1} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/experts", params=params, headers=auth(keys["read"])).json()
        seen += [r["id"] for r in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 4


def test_sync_reports_each_record_and_is_idempotent(
    client: TestClient, keys: dict[str, str], api_graph: neo4j.Driver
) -> None:
    records = [
        {"id": "S50", "name": "陈静", "institution": "U-CQU", "birth_year": 1988},
        {"id": "S51", "name": "", "institution": "U-CQU"},
        {"id": "S52", "name": "林峰", "institution": "NOWHERE"},
    ]
    headers = auth(keys["read+write"]) | {"Idempotency-Key": "sync-001"}
    first = client.post("/v1/sync/scientists", json={"records": records}, headers=headers)
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["received"], body["accepted"], body["rejected"]) == (3, 1, 2)
    assert {(r["index"], r["field"]) for r in body["rejects"]} == {(1, "name"), (2, "institution")}
    again = client.post("/v1/sync/scientists", json={"records": records}, headers=headers)
    assert again.json() == body and again.headers["Idempotent-Replayed"] == "true"
    n = api_graph.execute_query("MATCH (s:Scientist {id: 'S50'}) RETURN count(s) AS n").records[0][
        "n"
    ]
    assert n == 1
    _is_problem(
        client.post("/v1/sync/scientists", json={"records": records[:1]}, headers=headers),
        409,
        "conflict",
    )
    _is_problem(
        client.post(
            "/v1/sync/unicorns", json={"records": records}, headers=auth(keys["read+write"])
        ),
        404,
        "not-found",
    )
    dry = client.post(
        "/v1/sync/districts",
        json={"records": [{"code": "500101", "name": "万州区"}], "dry_run": True},
        headers=auth(keys["read+write"]),
    ).json()
    assert dry["accepted"] == 1
    assert not api_graph.execute_query("MATCH (d:District {code: '500101'}) RETURN d").records


def test_size_limit(client: TestClient, keys: dict[str, str]) -> None:
    huge = {"text": "电" * 2_000_000}
    _is_problem(
        client.post("/v1/experts/search", json=huge, headers=auth(keys["read"])),
        413,
        "payload-too-large",
    )


def test_rate_limit_answers_429_with_retry_after(
    client: TestClient, api_graph: neo4j.Driver
) -> None:
    plain, _ = create_key(api_graph, name="slow", scopes=["read"], rate_limit=3)
    codes = [client.get("/v1/experts", headers=auth(plain)).status_code for _ in range(4)]
    assert codes[:3] == [200, 200, 200]
    last = client.get("/v1/experts", headers=auth(plain))
    body = _is_problem(last, 429, "rate-limited")
    assert int(last.headers["Retry-After"]) >= 1 and "3 requests" in body["detail"]


def test_openapi_is_complete(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ours = {
        k: v
        for k, v in spec["components"]["schemas"].items()
        if k not in {"HTTPValidationError", "ValidationError"}
    }
    assert {
        "ExpertSearch",
        "ExpertRank",
        "ExpertPublic",
        "SyncRequest",
        "SyncResult",
        "ExpertFilters",
    } <= ours.keys()
    for name, schema in ours.items():
        missing = [p for p, v in schema.get("properties", {}).items() if not v.get("description")]
        assert not missing, (name, missing)
    assert spec["components"]["schemas"]["ExpertSearch"]["examples"][0]["text"].startswith("新能源")


def test_neo4j_down_gives_503(embedder) -> None:
    # How soon is the driver's configuration (one attempt, a connect timeout), checked in
    # tests/reliability/test_faults.py; here: the answer.
    from graph_schema import open_driver

    dead = open_driver("bolt://127.0.0.1:9", "neo4j", "x", connection_timeout=1.0)
    app = create_app(get_settings(), driver=dead, embedder=embedder)
    with TestClient(app) as c:
        r = c.get("/v1/experts", headers=auth("kx_abc_def"))
        _is_problem(r, 503, "graph-unavailable")
        assert r.headers["Retry-After"]
        ready = c.get("/readyz")
        assert ready.status_code == 503 and "unreachable" in ready.json()["checks"]["neo4j"]
    dead.close()


def test_analytics_endpoints(client: TestClient, keys: dict[str, str]) -> None:
    d = client.get("/v1/analytics/districts", params={"target": 1}, headers=auth(keys["read"]))
    assert d.status_code == 200, d.text
    report = d.json()["report"]
    assert d.json()["kind"] == "districts" and report
    p = client.get(
        "/v1/analytics/presence",
        params={"liaison_threshold": 1, "branch_threshold": 2},
        headers=auth(keys["read"]),
    )
    assert p.status_code == 200, p.text
    c = client.get("/v1/analytics/counterparts", headers=auth(keys["read"]))
    assert c.status_code == 200, c.text
    _is_problem(
        client.get("/v1/analytics/districts", params={"target": 0}, headers=auth(keys["read"])),
        422,
        "validation-error",
    )
    _is_problem(client.get("/v1/analytics/districts"), 401, "unauthorized")
