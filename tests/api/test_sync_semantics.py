"""Sync semantics at the API edge: patch semantics, per-record answers, graph invariants, and no
500 after a write. Each test reproduces a finding of issue 17 on the code before it."""

from __future__ import annotations

from typing import Any

import neo4j
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import auth


def _sync(client: TestClient, key: str, kind: str, records: list[dict[str, Any]], **extra: Any):  # type: ignore[no-untyped-def]
    return client.post(f"/v1/sync/{kind}", json={"records": records, **extra}, headers=auth(key))


def _one(driver: neo4j.Driver, query: str, **params: Any) -> Any:
    rows = driver.execute_query(query, params).records
    return rows[0][0] if rows else None


@pytest.fixture()
def w(keys: dict[str, str]) -> str:
    return keys["read+write"]


def test_a_repeated_id_and_null_or_blank_contacts_are_answered_per_record_not_500(
    client: TestClient, w: str, api_graph: neo4j.Driver
) -> None:
    records = [
        {"id": "sci-x1", "name": "探针一", "institution": "U-CQU"},
        {"id": "sci-x1", "name": "探针一乙", "institution": "U-CQU", "email": None},
        {"id": "sci-x2", "name": "探针二", "institution": "U-CQU", "email": None, "phone": " "},
        {"id": "sci-x3", "name": "探针三", "institution": "U-CQU", "email": ""},
    ]
    dry = _sync(client, w, "scientists", records, dry_run=True)
    assert dry.status_code == 200, dry.text
    assert _one(api_graph, "MATCH (s:Scientist {id: 'sci-x2'}) RETURN count(s)") == 0

    r = _sync(client, w, "scientists", records)

    assert r.status_code == 200, r.text
    body = r.json()
    assert body["accepted"] == 4 and body["rejected"] == 0
    outcomes = [x["outcome"] for x in body["records"]]
    assert outcomes[0] == "created" and outcomes[2] == "created"
    assert outcomes[1] in ("changed", "unchanged")
    assert _one(api_graph, "MATCH (s:Scientist {id: 'sci-x1'}) RETURN s.name") == "探针一乙"


def test_a_partial_record_changes_only_what_it_gives(
    client: TestClient, w: str, api_graph: neo4j.Driver
) -> None:
    full = {
        "id": "sci-p1",
        "name": "部分更新",
        "institution": "U-CQU",
        "district": "500106",
        "disciplines": ["52020"],
        "availability": "limited",
        "max_active_teams": 5,
        "email": "p1@example.cn",
    }
    assert _sync(client, w, "scientists", [full]).json()["records"][0]["outcome"] == "created"

    r = _sync(client, w, "scientists", [{"id": "sci-p1", "name": "部分更新", "title": "教授"}])

    rec = r.json()["records"][0]
    assert rec["outcome"] == "changed" and rec["changed"] == ["title"]
    row = api_graph.execute_query(
        "MATCH (s:Scientist {id: 'sci-p1'}) RETURN s.availability AS a, s.max_active_teams AS m, "
        "s.email AS e, [(s)-[:SPECIALIZES_IN]->(d) | d.code] AS ds, "
        "[(s)-[:LOCATED_IN]->(d) | d.code] AS loc, s.title AS t"
    ).records[0]
    assert (row["a"], row["m"], row["e"], row["t"]) == ("limited", 5, "p1@example.cn", "教授")
    assert row["ds"] == ["52020"] and row["loc"] == ["500106"]
    # Clearing takes an explicit null (or an empty list for a list).
    r = _sync(
        client,
        w,
        "scientists",
        [{"id": "sci-p1", "name": "部分更新", "email": None, "disciplines": []}],
    )
    assert set(r.json()["records"][0]["changed"]) >= {"email", "disciplines"}
    row = api_graph.execute_query(
        "MATCH (s:Scientist {id: 'sci-p1'}) RETURN s.email AS e, "
        "[(s)-[:SPECIALIZES_IN]->(d) | d.code] AS ds"
    ).records[0]
    assert row["e"] is None and row["ds"] == []
    # The same record again changes nothing, and says so.
    again = _sync(client, w, "scientists", [{"id": "sci-p1", "name": "部分更新", "title": "教授"}])
    assert again.json()["records"][0]["outcome"] == "unchanged"


def test_one_current_affiliation_after_an_institution_change(
    client: TestClient, w: str, api_graph: neo4j.Driver
) -> None:
    _sync(client, w, "scientists", [{"id": "sci-m1", "name": "调动", "institution": "U-CQU"}])
    r = _sync(client, w, "scientists", [{"id": "sci-m1", "name": "调动", "institution": "I-CIGIT"}])
    assert "institution" in r.json()["records"][0]["changed"]
    current = api_graph.execute_query(
        "MATCH (:Scientist {id: 'sci-m1'})-[w:WORKS_AT {current: true}]->(o) RETURN o.id AS id"
    ).records
    assert [c["id"] for c in current] == ["I-CIGIT"]
    # The old one is kept as history, not current.
    assert (
        _one(
            api_graph,
            "MATCH (:Scientist {id: 'sci-m1'})-[w:WORKS_AT]->(:Organization {id: 'U-CQU'}) RETURN w.current",
        )
        is False
    )


def test_contributors_are_replaced_only_when_given(
    client: TestClient, w: str, api_graph: neo4j.Driver
) -> None:
    pub = {"id": "pub-c1", "title": "液冷板仿真", "contributors": ["S1", "S3"], "abstract": "摘要"}
    assert _sync(client, w, "publications", [pub]).status_code == 200
    r = _sync(client, w, "publications", [{"id": "pub-c1", "title": "液冷板仿真（修订）"}])
    assert r.json()["records"][0]["changed"] == ["title"]
    authors = api_graph.execute_query(
        "MATCH (s:Scientist)-[c:CONTRIBUTED]->(:Evidence {id: 'pub-c1'}) "
        "RETURN s.id AS id ORDER BY c.position"
    ).records
    assert [a["id"] for a in authors] == ["S1", "S3"]
    # The abstract it did not resend is kept in the text that is embedded and searched.
    text = _one(api_graph, "MATCH (e:Evidence {id: 'pub-c1'}) RETURN e.text")
    assert "摘要" in text and "修订" in text


def test_a_demand_has_one_posting_enterprise(
    client: TestClient, w: str, api_graph: neo4j.Driver
) -> None:
    _sync(client, w, "enterprises", [{"id": "E-OTHER", "name": "另一家企业"}])
    d = {"id": "dem-s1", "title": "电池热管理", "enterprise": "E-AUTO"}
    _sync(client, w, "demands", [d])
    _sync(client, w, "demands", [{**d, "enterprise": "E-OTHER"}])
    posted = api_graph.execute_query(
        "MATCH (e:Enterprise)-[:POSTED]->(:Demand {id: 'dem-s1'}) RETURN e.id AS id"
    ).records
    assert [p["id"] for p in posted] == ["E-OTHER"]
