"""Demands → teams, topics → panels, consortia and their life cycle, over HTTP."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import auth


def test_demand_to_team_confirm_feedback(client: TestClient, keys: dict[str, str]) -> None:
    w = auth(keys["read+write"]) | {"Idempotency-Key": "demand-1"}
    body = {
        "title": "交通流预测模型咨询",
        "text": "需要深度学习交通流预测方面的专家。",
        "enterprise_id": "E-AUTO",
        "skills": ["交通流预测"],
        "team": {"k_min": 1, "k_max": 2, "min_senior": 0},
    }
    r = client.post("/v1/demands", json=body, headers=w)
    assert r.status_code == 201, r.text
    created = r.json()
    proposal = created["proposal"]
    members = {m["id"] for m in proposal["members"]}
    # COI: S3 works at the enterprise, S1 declared a conflict with it.
    assert members and not members & {"S1", "S3"}
    assert all(c["holds"] for c in proposal["checks"])
    excluded = {e["id"] if "id" in e else e.get("scientist_id") for e in proposal["excluded"]}
    assert {"S1", "S3"} <= excluded
    # An idempotent retry replays the same answer and creates nothing new.
    again = client.post("/v1/demands", json=body, headers=w)
    assert (
        again.status_code == 201
        and again.json() == created
        and again.headers["Idempotent-Replayed"] == "true"
    )

    team_id = created["formation_id"]
    got = client.get(f"/v1/teams/{team_id}", headers=auth(keys["read"])).json()
    assert got["status"] == "proposed"
    assert (
        client.post(f"/v1/teams/{team_id}/confirm", headers=auth(keys["read+write"])).json()[
            "status"
        ]
        == "confirmed"
    )
    member = next(iter(members))
    fb = client.post(
        f"/v1/teams/{team_id}/feedback",
        json={"member": member, "accepted": True, "rating": 5},
        headers=auth(keys["read+write"]),
    )
    assert fb.status_code == 200, fb.text
    bad = client.post(
        f"/v1/teams/{team_id}/feedback",
        json={"member": member, "rating": 9},
        headers=auth(keys["read+write"]),
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "rating"
    assert (
        client.post(f"/v1/teams/{team_id}/confirm", headers=auth(keys["read"])).status_code == 403
    )


def test_infeasible_demand_says_why(client: TestClient, keys: dict[str, str]) -> None:
    body = {
        "title": "不可能的需求",
        "enterprise_id": "E-AUTO",
        "skills": ["交通流预测"],
        "team": {"k_min": 3, "k_max": 3, "max_per_institution": 1, "min_senior": 3},
    }
    r = client.post("/v1/demands", json=body, headers=auth(keys["read+write"]))
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["type"] == "/problems/infeasible" and problem["reasons"] and problem["advice"]


def test_unknown_enterprise_is_a_validation_error(client: TestClient, keys: dict[str, str]) -> None:
    r = client.post(
        "/v1/demands",
        json={"title": "x", "enterprise_id": "NOPE"},
        headers=auth(keys["read+write"]),
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "enterprise"


def test_topic_to_panel_and_consortium(client: TestClient, keys: dict[str, str]) -> None:
    w = auth(keys["read+write"])
    t = client.post(
        "/v1/topics",
        json={
            "title": "智能交通与新能源汽车协同发展",
            "text": "交通流预测、电池热管理与产业政策研究。",
            "panel": {
                "size": 2,
                "quota_counts": {
                    "senior": 1,
                    "young": 0,
                    "enterprise": 0,
                    "academic": 1,
                    "disciplines": 1,
                },
                "relax": True,
            },
        },
        headers=w,
    )
    assert t.status_code == 201, t.text
    panel = t.json()["proposal"]
    assert len(panel["members"]) == 2
    assert (
        client.get(f"/v1/panels/{t.json()['formation_id']}", headers=auth(keys["read"])).status_code
        == 200
    )
    c = client.post(
        "/v1/consortia",
        json={"theme": "智能网联新能源汽车", "max_size": 3, "min_size": 2},
        headers=w,
    )
    assert c.status_code in (201, 422), c.text
    if c.status_code == 201:
        kinds = {m["kind"] for m in c.json()["proposal"]["members"]}
        assert "enterprise" in kinds and kinds & {"university", "institute"}


def test_demands_and_topics_are_listed_and_read_with_their_proposals(
    client: TestClient, keys: dict[str, str]
) -> None:
    r, w = auth(keys["read"]), auth(keys["read+write"])
    # Demands synced from the platform (no team yet), then a team for the first.
    ent = client.post(
        "/v1/sync/enterprises",
        json={
            "records": [{"id": "E-LIST", "name": "重庆列表测试科技有限公司", "district": "500112"}]
        },
        headers=w,
    )
    assert ent.status_code == 200 and ent.json()["accepted"] == 1, ent.text
    demands = [
        {
            "id": f"dem-list-{i}",
            "title": f"交通流预测咨询 {i}",
            "text": "需要深度学习交通流预测方面的专家。",
            "enterprise": "E-LIST",
            "skills": ["交通流预测"],
        }
        for i in range(3)
    ]
    synced = client.post("/v1/sync/demands", json={"records": demands}, headers=w)
    assert synced.status_code == 200 and synced.json()["accepted"] == 3, synced.text
    made = client.post(
        "/v1/demands/dem-list-0/teams",
        json={"team": {"k_min": 1, "k_max": 2, "min_senior": 0}},
        headers=w,
    )
    assert made.status_code == 201, made.text
    ids = [("dem-list-0", made.json()["formation_id"])]

    # Cursor pagination walks every demand exactly once, in id order.
    seen: list[str] = []
    cursor = None
    while True:
        page = client.get(
            "/v1/demands", params={"limit": 2, **({"cursor": cursor} if cursor else {})}, headers=r
        )
        assert page.status_code == 200, page.text
        body = page.json()
        assert body["count"] == len(body["data"]) <= 2
        seen += [d["id"] for d in body["data"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert {"dem-list-0", "dem-list-1", "dem-list-2"} <= set(seen)

    demand_id, team_id = ids[0]
    one = client.get(f"/v1/demands/{demand_id}", headers=r)
    assert one.status_code == 200, one.text
    d = one.json()
    assert d["enterprise_id"] == "E-LIST" and d["skills"] == ["交通流预测"]
    assert [t["id"] for t in d["teams"]] == [team_id] and d["teams"][0]["status"] == "proposed"
    listed = client.get("/v1/demands", params={"limit": 200}, headers=r).json()["data"]
    assert next(x for x in listed if x["id"] == demand_id)["teams"][0]["id"] == team_id

    assert client.get("/v1/demands/nope", headers=r).json()["type"] == "/problems/not-found"
    bad = client.get("/v1/demands", params={"cursor": "garbage"}, headers=r)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.cursor"
    assert client.get("/v1/demands").status_code == 401
    empty = client.get("/v1/demands/dem-list-1", headers=r).json()
    assert empty["teams"] == [] and empty["title"] == "交通流预测咨询 1"
    client.post(f"/v1/teams/{team_id}/decline", headers=w)

    t = client.post(
        "/v1/topics",
        json={
            "id": "top-list-1",
            "title": "交通与能源协同",
            "text": "交通流预测与电池热管理。",
            "panel": {"size": 2, "relax": True},
        },
        headers=w,
    )
    assert t.status_code == 201, t.text
    topic = client.get("/v1/topics/top-list-1", headers=r).json()
    assert [p["id"] for p in topic["panels"]] == [t.json()["formation_id"]]
    topics = client.get("/v1/topics", headers=r).json()
    assert "top-list-1" in {x["id"] for x in topics["data"]}
