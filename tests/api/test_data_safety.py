"""Creates that happen once, leave nothing behind when they fail, and formations that only move
along their allowed states, each over HTTP against the real Neo4j (issue 17)."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import neo4j
import pytest
import uvicorn
from fastapi.encoders import jsonable_encoder
from fastapi.testclient import TestClient

from api.config import get_settings
from api.idempotency import WAIT_S
from api.main import create_app
from api.schemas import DemandCreate
from graph_schema import apikeys as K
from graph_schema.formation_queries import save_formation
from matcher.embedding import SentenceTransformerEmbedder
from tests.api.conftest import auth

TEAM = {"k_min": 1, "k_max": 2, "min_senior": 0}


def _count(driver: neo4j.Driver, query: str, **params: Any) -> int:
    return int(driver.execute_query(query, params).records[0]["n"])


def _is_problem(r: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    assert body["type"] == f"/problems/{slug}"
    return body


@pytest.fixture(scope="module", autouse=True)
def _room_for_many_teams(api_graph: neo4j.Driver) -> None:
    # The tests here create many teams that the one allowed expert would otherwise fill up.
    api_graph.execute_query("MATCH (s:Scientist) SET s.max_active_teams = 100")


# -- idempotency under concurrency ----------------------------------------------------------
@pytest.fixture(scope="module")
def server_url(api_graph: neo4j.Driver, embedder: SentenceTransformerEmbedder) -> Iterator[str]:
    """A real uvicorn server on a free port, so requests run truly in parallel."""
    app = create_app(
        get_settings(), driver=api_graph, embedder=embedder, rate_limit_per_minute=10_000
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


def test_parallel_requests_with_one_idempotency_key_create_once(
    server_url: str, keys: dict[str, str], api_graph: neo4j.Driver
) -> None:
    title = "并发幂等探针需求"
    body = {
        "title": title,
        "text": "需要深度学习交通流预测方面的专家。",
        "enterprise_id": "E-AUTO",
        "skills": ["交通流预测"],
        "team": TEAM,
    }
    headers = auth(keys["read+write"]) | {"Idempotency-Key": "parallel-1"}
    n = 4
    barrier = threading.Barrier(n)
    answers: list[httpx.Response | BaseException] = [RuntimeError("not run")] * n

    def post(i: int) -> None:
        try:
            with httpx.Client(base_url=server_url, timeout=120) as http:
                barrier.wait()
                answers[i] = http.post("/v1/demands", json=body, headers=headers)
        except BaseException as exc:  # reported below, with the others
            answers[i] = exc

    threads = [threading.Thread(target=post, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    responses = [a for a in answers if isinstance(a, httpx.Response)]
    assert len(responses) == n, answers

    demands = _count(api_graph, "MATCH (d:Demand {title: $t}) RETURN count(d) AS n", t=title)
    teams = _count(
        api_graph,
        "MATCH (:Demand {title: $t})<-[:FOR_DEMAND]-(f:Team) RETURN count(f) AS n",
        t=title,
    )
    assert (demands, teams) == (1, 1)
    created = [r for r in responses if r.status_code == 201]
    assert created, [r.text for r in responses]
    assert all(r.json() == created[0].json() for r in created)
    assert sum(r.headers.get("Idempotent-Replayed") != "true" for r in created) == 1
    for r in responses:
        if r.status_code != 201:
            problem = _is_problem(r, 409, "conflict")
            assert "in progress" in problem["detail"] and int(r.headers["Retry-After"]) >= 1
    # Once done, the key replays; with another body it is a conflict, as before.
    with httpx.Client(base_url=server_url, timeout=120) as http:
        again = http.post("/v1/demands", json=body, headers=headers)
        assert again.json() == created[0].json() and again.headers["Idempotent-Replayed"] == "true"
        other = http.post("/v1/demands", json=body | {"title": "另一个"}, headers=headers)
        _is_problem(other, 409, "conflict")


def test_a_failed_create_releases_its_idempotency_key(
    client: TestClient, keys: dict[str, str], api_graph: neo4j.Driver
) -> None:
    headers = auth(keys["read+write"]) | {"Idempotency-Key": "fails-then-works"}
    bad = {"id": "dem-retry", "title": "重试探针", "enterprise_id": "E-AUTO", "team": TEAM}
    bad = bad | {"team": {"k_min": 3, "k_max": 2}}
    _is_problem(client.post("/v1/demands", json=bad, headers=headers), 422, "validation-error")
    # Nothing is stored for the key or the demand, so the same request fails the same way again
    # (no replay) and a corrected request with a fresh key succeeds.
    again = client.post("/v1/demands", json=bad, headers=headers)
    assert again.status_code == 422 and "Idempotent-Replayed" not in again.headers
    assert _count(api_graph, "MATCH (d:Demand {id: 'dem-retry'}) RETURN count(d) AS n") == 0
    good = bad | {"team": TEAM, "skills": ["交通流预测"]}
    fixed = client.post(
        "/v1/demands", json=good, headers=headers | {"Idempotency-Key": "fails-then-works-2"}
    )
    assert fixed.status_code == 201, fixed.text


# -- creates: an existing id is a conflict, a failure leaves nothing -------------------------
def test_posting_an_existing_demand_id_is_a_conflict_not_an_overwrite(
    client: TestClient, keys: dict[str, str], api_graph: neo4j.Driver
) -> None:
    w = auth(keys["read+write"])
    ent = client.post(
        "/v1/sync/enterprises",
        json={"records": [{"id": "E-OTHER", "name": "重庆另一家科技有限公司"}]},
        headers=w,
    )
    assert ent.status_code == 200 and ent.json()["accepted"] == 1, ent.text
    before = client.get("/v1/demands/D1", headers=w).json()
    body = {
        "id": "D1",
        "title": "覆盖探针",
        "enterprise_id": "E-OTHER",
        "skills": ["交通流预测"],
        "team": TEAM,
    }
    problem = _is_problem(client.post("/v1/demands", json=body, headers=w), 409, "conflict")
    assert "D1" in problem["detail"]
    after = client.get("/v1/demands/D1", headers=w).json()
    assert after == before and after["enterprise_id"] == "E-AUTO"
    posted = _count(
        api_graph, "MATCH (e:Enterprise)-[:POSTED]->(:Demand {id: 'D1'}) RETURN count(e) AS n"
    )
    assert posted == 1

    made = client.post(
        "/v1/topics",
        json={"id": "top-once", "title": "交通与能源", "panel": {"size": 2, "relax": True}},
        headers=w,
    )
    assert made.status_code == 201, made.text
    dup = {"id": "top-once", "title": "覆盖", "panel": {"size": 2, "relax": True}}
    _is_problem(client.post("/v1/topics", json=dup, headers=w), 409, "conflict")
    assert client.get("/v1/topics/top-once", headers=w).json()["title"] == "交通与能源"


def test_a_create_that_fails_leaves_no_demand_or_topic(
    client: TestClient, keys: dict[str, str], api_graph: neo4j.Driver
) -> None:
    w = auth(keys["read+write"])
    # The team part is invalid (k_min > k_max): found only after the demand was stored, before.
    bad_team = {"id": "dem-half", "title": "半截探针", "enterprise_id": "E-AUTO"}
    bad_team |= {"team": {"k_min": 3, "k_max": 2}}
    _is_problem(client.post("/v1/demands", json=bad_team, headers=w), 422, "validation-error")
    _is_problem(client.get("/v1/demands/dem-half", headers=w), 404, "not-found")
    # An infeasible team, and a generated id: nothing with that title is left either.
    infeasible = {
        "title": "不可能的需求探针",
        "enterprise_id": "E-AUTO",
        "skills": ["交通流预测"],
        "team": {"k_min": 3, "k_max": 3, "max_per_institution": 1, "min_senior": 3},
    }
    _is_problem(client.post("/v1/demands", json=infeasible, headers=w), 422, "infeasible")
    n = _count(
        api_graph, "MATCH (d:Demand {title: $t}) RETURN count(d) AS n", t=infeasible["title"]
    )
    assert n == 0
    # The README's topic example answers 422 on a small graph; it must not leave its topic.
    readme = {
        "title": "成渝地区新能源汽车产业链协同发展",
        "panel": {"size": 5, "quota_counts": {"young": 1}},
    }
    r = client.post("/v1/topics", json=readme, headers=w)
    assert r.status_code == 422, r.text
    n = _count(api_graph, "MATCH (t:Topic {title: $t}) RETURN count(t) AS n", t=readme["title"])
    assert n == 0
    # The same id can then be created for real.
    good = bad_team | {"team": TEAM, "skills": ["交通流预测"]}
    assert client.post("/v1/demands", json=good, headers=w).status_code == 201


# -- formation states and kinds -------------------------------------------------------------
def _new_team(client: TestClient, w: dict[str, str], title: str) -> str:
    body = {"title": title, "enterprise_id": "E-AUTO", "skills": ["交通流预测"], "team": TEAM}
    r = client.post("/v1/demands", json=body, headers=w)
    assert r.status_code == 201, r.text
    return str(r.json()["formation_id"])


def test_formation_moves_only_along_allowed_states(
    client: TestClient, keys: dict[str, str]
) -> None:
    w = auth(keys["read+write"])
    team = _new_team(client, w, "状态机探针")

    def move(action: str) -> httpx.Response:
        return client.post(f"/v1/teams/{team}/{action}", headers=w)

    assert move("confirm").json()["status"] == "confirmed"
    # Repeating the move that led to the current state changes nothing (a retry is safe).
    assert move("confirm").json()["status"] == "confirmed"
    assert move("decline").json()["status"] == "declined"
    problem = _is_problem(move("confirm"), 409, "conflict")
    assert "declined" in problem["detail"] and "confirm" in problem["detail"]
    assert client.get(f"/v1/teams/{team}", headers=w).json()["status"] == "declined"
    assert move("decline").json()["status"] == "declined"


def test_routes_accept_only_ids_of_their_own_kind(
    client: TestClient, keys: dict[str, str], api_graph: neo4j.Driver
) -> None:
    w = auth(keys["read+write"])
    team = _new_team(client, w, "类型探针")
    cons = save_formation(api_graph, "consortium", "CONS-kindprobe", "主题", [{"id": "E-AUTO"}])
    for path in (f"/v1/panels/{team}/confirm", f"/v1/consortia/{team}/decline"):
        _is_problem(client.post(path, headers=w), 404, "not-found")
    fb = client.post(f"/v1/panels/{team}/feedback", json={"member": "S2", "rating": 4}, headers=w)
    _is_problem(fb, 404, "not-found")
    assert client.get(f"/v1/teams/{team}", headers=w).json()["status"] == "proposed"
    for path in (f"/v1/teams/{cons}", f"/v1/panels/{cons}", f"/v1/consortia/{team}"):
        _is_problem(client.get(path, headers=w), 404, "not-found")
    assert client.get(f"/v1/consortia/{cons}", headers=w).json()["id"] == cons
    swap = client.post(f"/v1/teams/{cons}/swap", json={"remove": "E-AUTO"}, headers=w)
    _is_problem(swap, 404, "not-found")


def test_a_request_while_its_key_is_held_is_told_to_retry(
    client: TestClient, keys: dict[str, str], api_graph: neo4j.Driver
) -> None:
    body = {"title": "占用探针", "enterprise_id": "E-AUTO", "skills": ["交通流预测"], "team": TEAM}
    # What the API hashes: the validated body with its defaults.
    dumped = jsonable_encoder(DemandCreate.model_validate(body).model_dump())
    digest = hashlib.sha256(
        json.dumps(dumped, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    plain = keys["read+write"]
    held = K.claim_idempotency(api_graph, plain.split("_", 2)[1], "held-key", digest)
    assert isinstance(held, K.IdempotencyClaim)
    headers = auth(plain) | {"Idempotency-Key": "held-key"}
    started = time.monotonic()
    r = client.post("/v1/demands", json=body, headers=headers)
    assert time.monotonic() - started >= WAIT_S  # it waited for the holder first
    assert "in progress" in _is_problem(r, 409, "conflict")["detail"]
    assert r.headers["Retry-After"] == "1"
    n = _count(api_graph, "MATCH (d:Demand {title: $t}) RETURN count(d) AS n", t=body["title"])
    assert n == 0
