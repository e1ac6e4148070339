"""Evaluation panels and review rounds on a graph built for the purpose (real Neo4j, real model).

Round year 2025, co-authorship window 5 years, institution window 3 years. Applicant A1 works
at U-X since 2015. Around A1: a co-author of 2023 (inside the window), a co-author of 2012
(outside it), a former colleague at U-X until 2023 (inside), a colleague at U-X until 2016
(outside), a declared conflict and an expert who served with A1 on a confirmed panel. Eight
clean experts in the same field make the pool large enough for panels and a round.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest

from graph_schema import NotFoundError, clear_graph, import_path
from graph_schema import review_queries as RQ
from matcher import InfeasibleError, embed_graph
from matcher.embedding import SentenceTransformerEmbedder
from matcher.formation import FormationService
from matcher.review import CoiPolicy, ReviewService
from tests.utils.factories import write_jsonl

TOPIC = "动力电池热管理与液冷仿真"
CLEAN = [f"R{i}" for i in range(1, 9)]


def _pub(pid: str, year: int, contributors: list[str], title: str = TOPIC) -> dict[str, object]:
    return {
        "id": pid,
        "title": f"{title}研究 {pid}",
        "abstract": "锂离子动力电池热管理系统液冷设计、温度场仿真与热失控预警。",
        "year": year,
        "contributors": contributors,
        "disciplines": ["580"],
    }


def dataset(folder: Path) -> Path:
    write_jsonl(folder / "districts.jsonl", [{"code": "500106", "name": "沙坪坝区"}])
    write_jsonl(folder / "disciplines.jsonl", [{"code": "580", "name": "交通运输工程"}])
    write_jsonl(
        folder / "universities.jsonl",
        [
            {"id": "U-X", "name": "重庆甲大学", "district": "500106"},
            {"id": "U-Y", "name": "重庆乙大学", "district": "500106"},
            {"id": "U-Z", "name": "重庆丙大学", "district": "500106"},
        ],
    )
    write_jsonl(folder / "enterprises.jsonl", [{"id": "E-B", "name": "重庆电池有限公司"}])
    people = {
        "A1": ("申报人甲", "U-X"),
        "A2": ("申报人乙", "U-Z"),
        "CO_IN": ("近期合作者", "U-Y"),
        "CO_OUT": ("早年合作者", "U-Y"),
        "COL_IN": ("前同事", "U-Y"),
        "COL_OUT": ("老同事", "U-Y"),
        "DECL": ("声明回避者", "U-Y"),
        "SERV": ("同组专家", "U-Y"),
        "STAFF": ("企业工程师", "E-B"),
        **{r: (f"专家{r}", "U-Y" if i % 2 else "U-Z") for i, r in enumerate(CLEAN)},
    }
    write_jsonl(
        folder / "scientists.jsonl",
        [
            {
                "id": sid,
                "name": name,
                "institution": inst,
                "birth_year": 1970,
                "title": "教授",
                "disciplines": ["580"],
            }
            for sid, (name, inst) in people.items()
        ],
    )
    pubs = [
        _pub("P-CO-IN", 2023, ["A1", "CO_IN"]),
        _pub("P-CO-OUT", 2012, ["A1", "CO_OUT"]),
        _pub("P-A2", 2022, ["A2"]),
    ]
    pubs += [_pub(f"P-{s}", 2021, [s]) for s in people if s not in {"A1", "A2"}]
    write_jsonl(folder / "publications.jsonl", pubs)
    write_jsonl(
        folder / "affiliations.jsonl",
        [
            {"scientist": "A1", "organization": "U-X", "since": 2015, "current": True},
            {
                "scientist": "COL_IN",
                "organization": "U-X",
                "since": 2010,
                "until": 2023,
                "current": False,
            },
            {
                "scientist": "COL_OUT",
                "organization": "U-X",
                "since": 2005,
                "until": 2016,
                "current": False,
            },
        ],
    )
    write_jsonl(
        folder / "conflicts.jsonl",
        [{"scientist": "DECL", "target": "A1", "reason": "师生关系"}],
    )
    write_jsonl(
        folder / "review_rounds.jsonl",
        [
            {
                "id": "RND-1",
                "name": "2025年度重庆市科技奖励推荐评审",
                "kind": "award",
                "year": 2025,
                "reviewers_per_item": 2,
                "max_items_per_reviewer": 2,
            }
        ],
    )
    write_jsonl(
        folder / "evaluation_items.jsonl",
        [
            {
                "id": "IT-1",
                "kind": "award_nomination",
                "title": f"{TOPIC}关键技术及应用",
                "text": "动力电池热管理系统液冷设计与热失控预警。",
                "disciplines": ["580"],
                "applicants": ["A1"],
                "organizations": ["U-X"],
                "round": "RND-1",
            },
            {
                "id": "IT-2",
                "kind": "award_nomination",
                "title": "电池包液冷仿真平台",
                "text": "电池包温度场仿真与液冷结构优化。",
                "disciplines": ["580"],
                "applicants": ["A2"],
                "organizations": ["E-B"],
                "round": "RND-1",
            },
            {
                "id": "IT-3",
                "kind": "achievement",
                "title": "动力电池热失控预警方法",
                "text": "基于温度场的热失控预警。",
                "disciplines": ["580"],
                "applicants": ["A2", "A1"],
                "round": "RND-1",
            },
        ],
    )
    return folder


@pytest.fixture(scope="module")
def loaded(
    driver: neo4j.Driver,
    embedder: SentenceTransformerEmbedder,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[neo4j.Driver]:
    clear_graph(driver)
    report = import_path(driver, dataset(tmp_path_factory.mktemp("rev") / "d"))
    assert report.ok, [str(r) for r in report.rejects]
    # SERV sat with A1 on a confirmed panel (this year: inside the 5-year service window).
    driver.execute_query(
        "CREATE (p:Panel {id: 'PANEL-OLD', status: 'confirmed', created_at: datetime()}) "
        "WITH p MATCH (s:Scientist) WHERE s.id IN ['A1', 'SERV'] CREATE (s)-[:SERVED_ON]->(p)"
    )
    embed_graph(driver, embedder)
    yield driver


@pytest.fixture()
def svc(loaded: neo4j.Driver, embedder: SentenceTransformerEmbedder) -> Iterator[ReviewService]:
    yield ReviewService(loaded, embedder)
    loaded.execute_query(
        "MATCH (n) WHERE (n:Panel AND n.id <> 'PANEL-OLD') OR n:ReviewAudit DETACH DELETE n"
    )


def test_import_gives_items_their_applicants_organisations_and_round(loaded: neo4j.Driver) -> None:
    item = RQ.load_item(loaded, "IT-3")
    assert [a for a, _ in item.applicants] == ["A2", "A1"]  # in the order given
    assert item.round_id == "RND-1" and item.kind == "achievement"
    rnd = RQ.load_round(loaded, "RND-1")
    assert (rnd.reviewers_per_item, rnd.max_items_per_reviewer, rnd.n_items) == (2, 2, 3)
    assert rnd.coauthor_years == 5 and "coauthor" in rnd.exclude


def test_conflicts_name_their_evidence_and_respect_the_windows(svc: ReviewService) -> None:
    pool = ["A1", "CO_IN", "CO_OUT", "COL_IN", "COL_OUT", "DECL", "SERV", "STAFF", *CLEAN]
    found = svc.conflicts(["IT-1"], pool, svc.policy_for("RND-1"))
    excluded = {sid: f.excluded for (_, sid), f in found.items() if f.excluded}
    assert set(excluded) == {"A1", "CO_IN", "COL_IN", "DECL", "SERV"}
    assert any("P-CO-IN" in r and "2023" in r for r in excluded["CO_IN"])
    assert any("重庆甲大学" in r and "2010–2023" in r for r in excluded["COL_IN"])
    assert any("师生关系" in r for r in excluded["DECL"])
    # Outside their windows: disclosed, not excluded.
    assert not found[("IT-1", "CO_OUT")].excluded
    assert any("2012" in d for d in found[("IT-1", "CO_OUT")].disclosed)
    assert not found[("IT-1", "COL_OUT")].excluded
    # A wider window per round excludes the old co-author too.
    wide = svc.conflicts(["IT-1"], pool, CoiPolicy(year=2025, coauthor_years=15))
    assert wide[("IT-1", "CO_OUT")].excluded


def test_panel_never_seats_a_conflicted_expert(svc: ReviewService) -> None:
    panel = svc.propose_panel("IT-1", size=5, quotas=(), pool_size=30)
    seated = set(panel.member_ids)
    assert len(seated) == 5
    assert not seated & {"A1", "CO_IN", "COL_IN", "DECL", "SERV"}
    assert all(c.holds for c in panel.checks), [str(c) for c in panel.checks]
    reasons = {e.id: e.reasons for e in panel.excluded}
    assert "CO_IN" in reasons and any("P-CO-IN" in r for r in reasons["CO_IN"])


def test_a_coauthor_outside_the_window_may_be_seated(svc: ReviewService) -> None:
    panel = svc.propose_panel("IT-1", size=3, quotas=(), locked=["CO_OUT"])
    member = next(m for m in panel.members if m.id == "CO_OUT")
    assert any("outside the 5-year window" in d for d in member.disclosed)


def test_locking_a_conflicted_expert_is_infeasible_with_the_reason(svc: ReviewService) -> None:
    with pytest.raises(InfeasibleError) as err:
        svc.propose_panel("IT-1", size=3, quotas=(), locked=["COL_IN"])
    assert "重庆甲大学" in " ".join(err.value.reasons)


def test_saved_panel_has_an_audit_record_and_confirms_like_any_panel(
    svc: ReviewService, loaded: neo4j.Driver
) -> None:
    panel = svc.propose_panel("IT-1", size=3, quotas=())
    pid = svc.save_panel(panel)
    FormationService(loaded, None, matcher=svc.matcher).confirm(pid, kind="panel")
    (audit,) = svc.audits(pid)
    assert audit.props["kind"] == "evaluation_panel"
    assert set(audit.props["considered"]) >= set(panel.member_ids)
    assert {e["id"] for e in audit.props["excluded"]} >= {"CO_IN"}
    assert audit.props["chosen"] == {"IT-1": list(panel.member_ids)}
    assert [p["status"] for p in RQ.item_panels(loaded, "IT-1")] == ["confirmed"]


def test_round_gives_every_item_k_reviewers_within_loads_and_no_conflict(
    svc: ReviewService, loaded: neo4j.Driver
) -> None:
    policy = svc.policy_for("RND-1")
    for solver in ("exact", "fair", "greedy"):
        rnd = svc.assign_round("RND-1", solver=solver)
        load: dict[str, int] = {}
        for item, revs in rnd.assignment.items():
            assert len(revs) == 2, (solver, item)
            for r in revs:
                load[r.id] = load.get(r.id, 0) + 1
        assert max(load.values()) <= 2
        # Independently of the solver's own checks: no assigned pair has an excluding tie.
        ids = sorted(load)
        bad = svc.conflicts([i for i, _ in rnd.items], ids, policy)
        for item, revs in rnd.assignment.items():
            for r in revs:
                assert not bad.get((item, r.id), None) or not bad[(item, r.id)].excluded
    aid = svc.save_round(rnd)
    stored = RQ.round_assignment(loaded, "RND-1")
    assert {i: len(v) for i, v in stored.items()} == {"IT-1": 2, "IT-2": 2, "IT-3": 2}
    (audit,) = svc.audits("RND-1")
    assert audit.props["params"]["assignment_id"] == aid
    assert any(e["item"] == "IT-3" and e["id"] == "CO_IN" for e in audit.props["excluded"])


def test_round_infeasible_says_by_how_much(svc: ReviewService) -> None:
    with pytest.raises(InfeasibleError) as err:
        svc.assign_round("RND-1", k=3, max_load=1, per_item=3)
    text = " ".join(err.value.reasons)
    assert "9 reviews" in text and "short" in text


def test_unknown_item_and_round(svc: ReviewService) -> None:
    with pytest.raises(NotFoundError):
        svc.propose_panel("NO-SUCH-ITEM")
    with pytest.raises(NotFoundError):
        svc.assign_round("NO-SUCH-ROUND")


@pytest.mark.usefixtures("cli_on_test_server")
def test_cli_review_panel_and_round(loaded: neo4j.Driver) -> None:
    import json

    from typer.testing import CliRunner

    from kexie.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["review-panel", "IT-1", "--size", "3", "--no-quotas", "--json"])
    assert res.exit_code == 0, res.output
    seated = {m["id"] for m in json.loads(res.stdout)["members"]}
    assert len(seated) == 3 and not seated & {"A1", "CO_IN", "COL_IN", "DECL", "SERV"}
    res = runner.invoke(
        app, ["review-round", "RND-1", "--k", "3", "--max-load", "1", "--per-item", "2"]
    )
    assert res.exit_code == 2 and "short" in res.output
    res = runner.invoke(app, ["review-round", "RND-1", "--solver", "fair", "--save"])
    assert res.exit_code == 0 and "stored as ASSIGN-RND-1" in res.output, res.output
    res = runner.invoke(app, ["review-audit", "RND-1", "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)[0]["kind"] == "review_round"
