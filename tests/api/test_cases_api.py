"""Case lists, organisation type-ahead, stored proposals and Excel meeting sheets, over HTTP."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.api.conftest import auth

DEMAND = {
    "title": "=交通流预测模型咨询",  # a title that looks like a formula must stay text
    "text": "需要深度学习交通流预测方面的专家。",
    "enterprise_id": "E-AUTO",
    "skills": ["交通流预测"],
    "team": {"k_min": 1, "k_max": 2, "min_senior": 0},
}


def _team(client: TestClient, keys: dict[str, str]) -> dict[str, Any]:
    r = client.post("/v1/demands", json=DEMAND, headers=auth(keys["read+write"]))
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


def test_organisations_by_chinese_or_english_name_and_kind(
    client: TestClient, keys: dict[str, str]
) -> None:
    r = client.get("/v1/organisations", params={"q": "渝新"}, headers=auth(keys["read"]))
    assert r.status_code == 200, r.text
    assert [o["id"] for o in r.json()["data"]] == ["E-AUTO"]
    assert r.json()["data"][0]["name"] == "重庆渝新智能汽车有限公司"
    assert r.json()["data"][0]["kind"] == "enterprise"
    # kind filter: 重庆 matches the university, the enterprise and both societies
    r = client.get(
        "/v1/organisations", params={"q": "重庆", "kind": "university"}, headers=auth(keys["read"])
    )
    assert [o["id"] for o in r.json()["data"]] == ["U-CQU"]
    r = client.get("/v1/organisations", params={"q": "computer fed"}, headers=auth(keys["read"]))
    assert [o["id"] for o in r.json()["data"]] == ["NS-CCF"]
    # the exact id finds it too; a part of an id does not
    assert (
        client.get("/v1/organisations", params={"q": "e-auto"}, headers=auth(keys["read"])).json()[
            "count"
        ]
        == 1
    )
    assert (
        client.get("/v1/organisations", params={"q": "AUTO"}, headers=auth(keys["read"])).json()[
            "count"
        ]
        == 0
    )


def test_organisations_bad_input_and_scope(client: TestClient, keys: dict[str, str]) -> None:
    r = client.get(
        "/v1/organisations", params={"q": "重庆", "kind": "bank"}, headers=auth(keys["read"])
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.kind", r.text
    r = client.get("/v1/organisations", headers=auth(keys["read"]))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.q", r.text
    assert client.get("/v1/organisations", params={"q": "重庆"}).status_code == 401
    assert client.get(
        "/v1/organisations", params={"q": "重庆"}, headers=auth(keys["admin"])
    ).status_code in (200, 403)


def test_formations_list_filters_and_pages(client: TestClient, keys: dict[str, str]) -> None:
    first, second = _team(client, keys), _team(client, keys)
    r_ = auth(keys["read"])
    r = client.get("/v1/formations", params={"kind": "team", "limit": 1}, headers=r_)
    assert r.status_code == 200, r.text
    page1 = r.json()
    assert page1["count"] == 1 and page1["next_cursor"]
    # newest first
    assert page1["data"][0]["id"] == second["formation_id"]
    row = page1["data"][0]
    assert row["title"] == DEMAND["title"] and row["enterprise_name"] == "重庆渝新智能汽车有限公司"
    assert row["status"] == "proposed" and row["members"] >= 1 and row["kind"] == "team"
    page2 = client.get(
        "/v1/formations",
        params={"kind": "team", "limit": 1, "cursor": page1["next_cursor"]},
        headers=r_,
    ).json()
    assert page2["data"][0]["id"] == first["formation_id"]
    # status and text filters
    client.post(f"/v1/teams/{first['formation_id']}/confirm", headers=auth(keys["read+write"]))
    confirmed = client.get("/v1/formations", params={"status": "confirmed"}, headers=r_).json()[
        "data"
    ]
    assert [x["id"] for x in confirmed] == [first["formation_id"]]
    assert client.get("/v1/formations", params={"q": "渝新智能"}, headers=r_).json()["count"] >= 2
    assert client.get("/v1/formations", params={"q": "没有这个"}, headers=r_).json()["count"] == 0
    # date filter: nothing was proposed before 2000
    assert (
        client.get("/v1/formations", params={"until": "1999-12-31"}, headers=r_).json()["count"]
        == 0
    )
    # demands: text and status filters
    d = client.get("/v1/demands", params={"q": "交通流", "status": "confirmed"}, headers=r_)
    assert d.status_code == 200 and d.json()["count"] == 1, d.text
    assert (
        client.get("/v1/demands", params={"status": "open"}, headers=r_).json()["data"][0]["id"]
        == "D1"
    )
    _free(client, keys, first, second)


def _free(client: TestClient, keys: dict[str, str], *teams: dict[str, Any]) -> None:
    """Decline the teams, so their members' load is free for the next test's team."""
    for t in teams:
        r = client.post(f"/v1/teams/{t['formation_id']}/decline", headers=auth(keys["read+write"]))
        assert r.status_code == 200 and r.json()["status"] == "declined", r.text


def test_formations_list_bad_input(client: TestClient, keys: dict[str, str]) -> None:
    r_ = auth(keys["read"])
    for params, field in (
        ({"kind": "committee"}, "query.kind"),
        ({"status": "done"}, "query.status"),
        ({"since": "yesterday"}, "query.since"),
        ({"since": "2025-02-01", "until": "2025-01-01"}, "query.since"),
        ({"cursor": "not-a-cursor"}, "query.cursor"),
        ({"cursor": "djE6RDE="}, "query.cursor"),  # "v1:D1": a demand cursor, not this list's
    ):
        r = client.get("/v1/formations", params=params, headers=r_)
        assert r.status_code == 422, (params, r.text)
        assert r.json()["errors"][0]["field"] == field, (params, r.json())
    r = client.get("/v1/demands", params={"status": "maybe"}, headers=r_)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.status"
    assert client.get("/v1/formations").status_code == 401


def test_saved_team_comes_back_with_its_proposal_and_names(
    client: TestClient, keys: dict[str, str]
) -> None:
    created = _team(client, keys)
    members = [m["id"] for m in created["proposal"]["members"]]
    assert created["labels"]["E-AUTO"]["name"] == "重庆渝新智能汽车有限公司"
    got = client.get(f"/v1/teams/{created['formation_id']}", headers=auth(keys["read"])).json()
    assert got["proposal"] == created["proposal"]
    assert "proposal_json" not in got["props"]
    assert got["request"]["title"] == DEMAND["title"]
    assert got["request"]["enterprise_name"] == "重庆渝新智能汽车有限公司"
    assert set(got["members_info"]) == set(members)
    assert all("email" not in x for x in got["members_info"].values())
    with_contact = client.get(
        f"/v1/teams/{created['formation_id']}", headers=auth(keys["read+contact"])
    ).json()
    assert all("email" in x for x in with_contact["members_info"].values())
    _free(client, keys, created)


def _sheet(content: bytes) -> list[tuple[Any, ...]]:
    wb = load_workbook(io.BytesIO(content))
    return [tuple(r) for r in wb.active.iter_rows(values_only=True)]  # type: ignore[union-attr]


def test_team_exports_as_excel_with_contact_only_for_contact_keys(
    client: TestClient, keys: dict[str, str]
) -> None:
    created = _team(client, keys)
    tid = created["formation_id"]
    r = client.get(f"/v1/teams/{tid}/export.xlsx", headers=auth(keys["read"]))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    rows = _sheet(r.content)
    assert rows[0][0] == "专家服务队：" + DEMAND["title"]
    facts = {row[0]: row[1] for row in rows[1:7] if row[0]}
    assert facts["需求"] == DEMAND["title"]  # stays text: openpyxl reads a formula back as "="…
    assert facts["企业"] == "重庆渝新智能汽车有限公司" and facts["状态"] == "待确认"
    header = next(row for row in rows if row[0] == "序号")
    assert "职称" in header and "单位" in header and "推荐理由" in header
    assert "电子邮箱" not in header
    names = {row[1] for row in rows[rows.index(header) + 1 :]}
    assert names == {m["name"] for m in created["proposal"]["members"]}
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.active["B2"].data_type == "s"  # type: ignore[index]
    with_contact = _sheet(
        client.get(f"/v1/teams/{tid}/export.xlsx", headers=auth(keys["read+contact"])).content
    )
    assert "电子邮箱" in next(row for row in with_contact if row[0] == "序号")
    en = _sheet(
        client.get(
            f"/v1/teams/{tid}/export.xlsx", params={"lang": "en"}, headers=auth(keys["read"])
        ).content
    )
    assert en[0][0].startswith("Expert service team: ")
    # a team id under /panels is a 404; a bad language a 422
    assert (
        client.get(f"/v1/panels/{tid}/export.xlsx", headers=auth(keys["read"])).status_code == 404
    )
    bad = client.get(
        f"/v1/teams/{tid}/export.xlsx", params={"lang": "fr"}, headers=auth(keys["read"])
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.lang"
    assert client.get(f"/v1/teams/{tid}/export.xlsx").status_code == 401


def test_consortium_comes_back_and_exports(client: TestClient, keys: dict[str, str]) -> None:
    r = client.post(
        "/v1/consortia",
        json={"theme": "智能网联汽车与交通大数据", "min_size": 2, "max_size": 3},
        headers=auth(keys["read+write"]),
    )
    assert r.status_code == 201, r.text
    created = r.json()
    cid = created["formation_id"]
    got = client.get(f"/v1/consortia/{cid}", headers=auth(keys["read"])).json()
    assert got["proposal"]["members"] == created["proposal"]["members"]
    assert got["request"]["title"] == "智能网联汽车与交通大数据"
    rows = _sheet(
        client.get(f"/v1/consortia/{cid}/export.xlsx", headers=auth(keys["read"])).content
    )
    header = next(row for row in rows if row[0] == "序号")
    assert header[1] == "单位" and "贡献" in header
    orgs = {row[1] for row in rows[rows.index(header) + 1 :]}
    assert orgs == {m["name"] for m in created["proposal"]["members"]}


def test_district_report_counts_short_districts(client: TestClient, keys: dict[str, str]) -> None:
    rep = client.get(
        "/v1/analytics/districts", params={"target": 1}, headers=auth(keys["read"])
    ).json()["report"]
    short = [d for d in rep["districts"] if d["shortfall"] > 0]
    assert rep["short_districts"] == len(short) >= 1
    assert rep["total_shortfall"] == sum(d["shortfall"] for d in short)
