"""Team, panel and consortium formation against the real Neo4j with the real default model.

The tiny dataset is extended with experts for battery thermal management and data analysis,
co-authorships, a second enterprise, an unavailable expert, a declared conflict and a topic, so
that a team of 2–3 covering 2 skills is a real choice. Every proposal is checked here
*independently* of the solver's own checks.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest

from benchmarks.formation_bench import bench_formation
from graph_schema import NotFoundError, clear_graph, import_path
from graph_schema import ties as T
from graph_schema.formation_queries import feedback_stats, pair_ties, panel_exposure
from matcher import ExpertMatcher, InfeasibleError, MatchValidationError, embed_graph
from matcher.embedding import SentenceTransformerEmbedder
from matcher.formation import FormationService, TeamProposal, demand_skills, is_senior
from matcher.optimise import solve_team
from tests.utils.factories import tiny_dataset, write_csv, write_jsonl

COI = {"S1", "S3", "S9"}  # S3 works at E-AUTO; S1 and S9 declared conflicts with it
UNAVAILABLE = {"S8"}

MORE = {
    "universities": [
        {"id": "U-CQU", "name": "重庆大学", "district": "500106", "disciplines": ["520"]},
        {"id": "U-SWU", "name": "西南大学", "district": "500106", "disciplines": ["580", "520"]},
    ],
    "enterprises": [
        {
            "id": "E-AUTO",
            "name": "重庆渝新智能汽车有限公司",
            "district": "500112",
            "industry": "智能网联新能源汽车",
            "disciplines": ["580"],
        },
        {
            "id": "E-CHIP",
            "name": "重庆芯测科技有限公司",
            "district": "500106",
            "industry": "集成电路",
            "disciplines": ["520"],
        },
    ],
    "scientists": [
        {
            "id": "S5",
            "name": "陈刚",
            "institution": "U-SWU",
            "birth_year": 1970,
            "title": "教授",
            "disciplines": ["580"],
        },
        {
            "id": "S6",
            "name": "刘洋",
            "institution": "I-CIGIT",
            "birth_year": 1993,
            "title": "副研究员",
            "talent_kinds": ["young_scientist"],
            "disciplines": ["52020"],
        },
        {
            "id": "S7",
            "name": "赵敏",
            "institution": "E-CHIP",
            "birth_year": 1982,
            "title": "高级工程师",
            "talent_kinds": ["enterprise_innovator"],
            "disciplines": ["520"],
        },
        {
            "id": "S8",
            "name": "孙磊",
            "institution": "U-CQU",
            "birth_year": 1965,
            "title": "教授",
            "disciplines": ["580"],
            "availability": "unavailable",
        },
        {
            "id": "S9",
            "name": "周杰",
            "institution": "U-SWU",
            "birth_year": 1978,
            "title": "研究员",
            "disciplines": ["580"],
        },
    ],
    "publications": [
        {
            "id": "P6",
            "title": "锂离子动力电池热管理与热失控仿真",
            "abstract": "电池热管理系统液冷设计与温度场有限元仿真。",
            "year": 2023,
            "contributors": ["S5", "S6"],
            "disciplines": ["580"],
        },
        {
            "id": "P7",
            "title": "工业大数据分析与机器学习建模方法",
            "abstract": "面向制造过程的数据分析、异常检测与预测。",
            "year": 2022,
            "contributors": ["S6"],
            "disciplines": ["52020"],
        },
        {
            "id": "P8",
            "title": "电池管理系统运行数据分析平台",
            "abstract": "基于车辆运行数据分析电池健康状态。",
            "year": 2021,
            "contributors": ["S7"],
            "disciplines": ["520"],
        },
        {
            "id": "P9",
            "title": "动力电池热管理冷却结构优化",
            "abstract": "电池包热管理风冷与液冷比较。",
            "year": 2020,
            "contributors": ["S8"],
            "disciplines": ["580"],
        },
        {
            "id": "P10",
            "title": "电池热管理系统温度均衡控制",
            "abstract": "电池热管理策略与数据分析。",
            "year": 2022,
            "contributors": ["S9"],
            "disciplines": ["580"],
        },
        {
            "id": "P11",
            "title": "芯片测试数据分析与良率预测",
            "abstract": "晶圆测试数据分析与机器学习。",
            "year": 2023,
            "contributors": ["S7", "S6"],
            "disciplines": ["520"],
        },
    ],
    "memberships": [
        {"scientist": "S1", "society": "SOC-CS", "grade": "fellow", "role": "president"},
        {"scientist": "S2", "society": "SOC-CS", "grade": "member"},
        {"scientist": "S3", "society": "SOC-TR", "grade": "senior_member"},
        {"scientist": "S5", "society": "SOC-TR", "grade": "fellow"},
        {"scientist": "S6", "society": "SOC-CS", "grade": "member"},
        {"scientist": "S7", "society": "SOC-CS", "grade": "senior_member"},
        {"scientist": "S8", "society": "SOC-TR", "grade": "fellow"},
        {"scientist": "S9", "society": "SOC-TR", "grade": "senior_member"},
    ],
    "conflicts": [
        {"scientist": "S1", "target": "E-AUTO", "reason": "consultant to the company"},
        {"scientist": "S9", "target": "E-AUTO", "reason": "board member"},
    ],
    "demands": [
        {
            "id": "D1",
            "title": "动力电池热管理优化",
            "text": "需要电池热管理与交通流数据分析专家。",
            "enterprise": "E-AUTO",
            "disciplines": ["580"],
            "skills": ["电池热管理", "数据分析"],
        },
        {
            "id": "D2",
            "title": "芯片测试数据分析",
            "text": "晶圆测试数据分析与良率预测，需要机器学习建模。",
            "enterprise": "E-CHIP",
            "disciplines": ["520"],
        },
    ],
    "topics": [
        {
            "id": "T1",
            "title": "新能源汽车动力电池产业发展研究",
            "text": "研究电池热管理、数据分析与智能交通对产业的影响。",
            "issuer": "重庆市经济和信息化委员会",
            "disciplines": ["580", "520"],
        },
    ],
}


@pytest.fixture(scope="module")
def loaded(
    driver: neo4j.Driver,
    embedder: SentenceTransformerEmbedder,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[neo4j.Driver]:
    clear_graph(driver)
    folder = tiny_dataset(tmp_path_factory.mktemp("f") / "data")
    write_csv(
        folder / "disciplines.csv",
        ["code", "name", "name_en"],
        [
            ["520", "计算机科学技术", "Computer Science and Technology"],
            ["52020", "人工智能", "Artificial Intelligence"],
            ["580", "交通运输工程", "Transportation Engineering"],
        ],
    )
    tiny_sci = list((folder / "scientists.jsonl").read_text(encoding="utf-8").splitlines())
    for stem, rows in MORE.items():
        if stem == "scientists":
            write_jsonl(folder / "scientists.jsonl", [*tiny_sci, *rows])
        else:
            write_jsonl(folder / f"{stem}.jsonl", rows)
    report = import_path(driver, folder)
    assert report.ok, [str(r) for r in report.rejects]
    embed_graph(driver, embedder)
    yield driver


@pytest.fixture()
def svc(loaded: neo4j.Driver, embedder: SentenceTransformerEmbedder) -> Iterator[FormationService]:
    yield FormationService(loaded, embedder)
    loaded.execute_query("MATCH (n) WHERE n:Team OR n:Panel OR n:Consortium DETACH DELETE n")


def _independent_team_checks(
    svc: FormationService,
    team: TeamProposal,
    *,
    k_min: int,
    k_max: int,
    threshold: float,
    max_per_inst: int,
) -> None:
    ids = team.member_ids
    assert k_min <= len(ids) <= k_max
    assert not set(ids) & COI and not set(ids) & UNAVAILABLE
    facts = {r.scientist_id: r for r in svc.matcher.rank_experts("x", candidates=list(ids))}
    assert any(
        is_senior(
            f.explanation.facts["best_grade"],
            f.explanation.facts["title"],
            f.explanation.facts["talent_kinds"],
        )
        for f in facts.values()
    )
    insts = [f.explanation.facts["institution"]["id"] for f in facts.values()]
    assert max(insts.count(i) for i in insts) <= max_per_inst
    for skill in team.skills:
        scores = [r.score for r in svc.matcher.rank_experts(skill, candidates=list(ids))]
        assert max(scores) >= threshold, (skill, scores)
    assert all(c.holds for c in team.checks), [str(c) for c in team.checks]
    assert {c.name for c in team.checks} >= {
        "allowed",
        "team_size",
        "skill_coverage",
        "min_senior",
        "max_per_institution",
    }


@pytest.mark.parametrize("solver", ["auto", "greedy", "exact"])
def test_every_team_satisfies_every_hard_constraint(svc: FormationService, solver: str) -> None:
    team = svc.propose_team("D1", k_min=2, k_max=3, solver=solver)
    _independent_team_checks(svc, team, k_min=2, k_max=3, threshold=0.3, max_per_inst=2)
    assert team.skills == ("电池热管理", "数据分析")
    assert all(m.skills or m.relevance > 0 for m in team.members)
    assert any(m.role == "lead" for m in team.members)
    excluded = {e.id: e.reasons for e in team.excluded}
    assert any("E-AUTO" in r for reasons in excluded.values() for r in reasons)
    data = team.to_dict()
    assert data["feasible"] and data["objective"]["relevance_sum"] > 0 and "problem" not in data


def test_exact_is_at_least_as_good_as_greedy_and_ties_explain_cohesion(
    svc: FormationService,
) -> None:
    problem, ctx = svc.team_problem("D1", k_min=2, k_max=3)
    greedy = solve_team(problem, "greedy")
    exact = solve_team(problem, "exact")
    assert exact.objective >= greedy.objective - 1e-9
    ties = pair_ties(svc.driver, ["S5", "S6", "S7", "S2"])
    by = {(t.a, t.b): t for t in ties}
    assert by[("S5", "S6")].coauthored == 1 and by[("S6", "S7")].coauthored == 1
    assert by[("S2", "S6")].same_institution and by[("S2", "S6")].shared_societies == 1


def test_derived_skills_and_locked_and_excluded(svc: FormationService) -> None:
    problem, _ = svc.team_problem("D2")
    assert 2 <= len(problem.skills) <= 6  # D2 has no skills: derived from its text
    team = svc.propose_team("D1", k_min=2, k_max=3, locked=["S2"], excluded=["S7"])
    assert "S2" in team.member_ids and "S7" not in team.member_ids
    assert any("excluded by staff" in r for e in team.excluded for r in e.reasons)
    # D2 is posted by E-CHIP, where S7 works; without S6 nobody covers its skills: say who.
    with pytest.raises(InfeasibleError) as info:
        svc.propose_team("D2", k_min=1, k_max=3, excluded=["S6"])
    text = " ".join(info.value.reasons)
    assert "S6 excluded by staff" in text and "S7 conflict of interest with E-CHIP" in text


def test_a_derived_skill_nobody_covers_is_left_out_and_said_so(
    svc: FormationService, loaded: neo4j.Driver, tmp_path: Path
) -> None:
    """A request for an expert who "knows quantum gravity": the phrase nobody in the pool
    covers is left out of the constraints and named; required by staff, it makes the request
    infeasible, naming it."""
    text = (
        "Looking for an expert who can solve battery thermal management problems "
        "and knows quantum gravity."
    )
    demand = {"id": "D3", "title": text, "text": text, "enterprise": "E-CHIP"}
    write_jsonl(tmp_path / "demands.jsonl", [demand])
    assert import_path(loaded, tmp_path).ok
    try:
        derived = demand_skills(text, text)
        assert "quantum gravity" in derived and not {"looking", "who", "solve"} & set(derived)
        team = svc.propose_team("D3", k_min=1, k_max=3, min_senior=0)
        assert "quantum gravity" in team.skills_dropped
        assert "none of the" in team.skills_dropped["quantum gravity"]
        assert set(team.skills) | set(team.skills_dropped) == set(derived)
        assert team.feasible and all(team.skills_covered[sk] for sk in team.skills)
        assert team.to_dict()["skills_dropped"] == dict(team.skills_dropped)
        with pytest.raises(InfeasibleError, match="quantum gravity"):
            svc.propose_team("D3", k_min=1, k_max=3, min_senior=0, skills=["quantum gravity"])
    finally:
        loaded.execute_query("MATCH (d:Demand {id: 'D3'}) DETACH DELETE d")


def test_infeasible_requests_say_why(svc: FormationService) -> None:
    with pytest.raises(InfeasibleError) as info:
        svc.propose_team("D1", k_min=2, k_max=3, skills=["深海生物采样"])
    assert "深海生物采样" in info.value.reasons[0] and info.value.advice
    with pytest.raises(InfeasibleError) as info:
        svc.propose_team("D1", k_min=2, k_max=3, locked=["S3"])
    assert any("S3" in r and "E-AUTO" in r for r in info.value.reasons)
    with pytest.raises(InfeasibleError, match="senior"):
        svc.propose_team("D1", k_min=2, k_max=2, min_senior=3)
    with pytest.raises(NotFoundError):
        svc.propose_team("NOPE")


def test_persistence_round_trip_and_feedback_prior(svc: FormationService) -> None:
    team = svc.propose_team("D1", k_min=2, k_max=3)
    tid = svc.save_team(team)
    rec = svc.get(tid)
    assert rec.kind == "team" and rec.status == "proposed" and rec.request_id == "D1"
    assert {m.id for m in rec.members} == set(team.member_ids)
    assert rec.props["skills"] == ["电池热管理", "数据分析"] and rec.props[
        "objective"
    ] == pytest.approx(team.objective["objective"])
    rows = svc.driver.execute_query(
        "MATCH (:Team {id: $id})-[:FOR_DEMAND]->(d:Demand) RETURN d.id AS d", id=tid
    ).records
    assert [r["d"] for r in rows] == ["D1"]
    svc.confirm(tid)
    assert svc.get(tid).status == "confirmed"

    member = team.members[0].id
    before = svc.matcher.rank_experts("电池热管理", candidates=[member])[0]
    svc.feedback(tid, member, accepted=True, rating=5, comment="很专业")
    got = {m.id: m for m in svc.get(tid).members}[member]
    assert (got.accepted, got.rating, got.comment) == (True, 5, "很专业")
    stats = feedback_stats(svc.driver, [member])[member]
    assert stats.n_rated == 1 and stats.mean_rating == 5.0 and stats.n_accepted == 1
    after = svc.matcher.rank_experts("电池热管理", candidates=[member])[0]
    assert after.components["graph"] > before.components["graph"]
    assert 0.0 <= after.score <= 1.0 and after.score >= before.score
    assert after.explanation.facts["feedback"]["n_rated"] == 1

    with pytest.raises(MatchValidationError):
        svc.feedback(tid, member, rating=9)
    with pytest.raises(NotFoundError):
        svc.feedback(tid, "S1", accepted=True)
    with pytest.raises(NotFoundError):
        svc.confirm("TEAM-NOPE")


def test_declined_expert_is_not_proposed_again(svc: FormationService) -> None:
    first = svc.propose_team("D1", k_min=2, k_max=3)
    tid = svc.save_team(first)
    who = first.members[0].id
    svc.feedback(tid, who, accepted=False, comment="no time")
    svc.decline(tid)
    again = svc.propose_team("D1", k_min=2, k_max=3)
    assert who not in again.member_ids
    assert any(e.id == who and any("declined" in r for r in e.reasons) for e in again.excluded)
    batch = svc.assign_batch(["D1"])
    for s in batch.solutions.values():
        assert who not in s.assignment["D1"]


def test_swap_keeps_every_constraint(svc: FormationService) -> None:
    team = svc.propose_team("D1", k_min=2, k_max=3, min_senior=1)
    tid = svc.save_team(team)
    for remove in team.member_ids:
        try:
            swap = svc.swap_member(tid, remove)
        except InfeasibleError as exc:
            assert exc.reasons  # nobody can replace them: said why
            continue
        for opt in swap.options:
            assert remove not in opt.members and opt.candidate not in COI | UNAVAILABLE
            assert all(c.holds for c in opt.checks)
            assert len(opt.members) == len(team.member_ids)
    swap = svc.swap_member(tid, team.members[-1].id)
    if swap.options:
        add = swap.options[0].candidate
        svc.apply_swap(tid, team.members[-1].id, add)
        assert add in {m.id for m in svc.get(tid).members}
    with pytest.raises(MatchValidationError):
        svc.swap_member(tid, "S1")


def test_panel_quotas_hold_and_rotation(svc: FormationService) -> None:
    counts = {
        "senior": 1,
        "young": 1,
        "enterprise": 1,
        "academic": 1,
        "disciplines": 2,
        "per_institution": 2,
    }
    panel = svc.propose_panel("T1", size=4, quota_counts=counts)
    assert panel.feasible, [str(c) for c in panel.checks]
    ms = panel.members
    assert len(ms) == 4
    year = _dt.date.today().year
    births = {
        r.scientist_id: r.explanation.facts["birth_year"]
        for r in svc.matcher.rank_experts("x", candidates=list(panel.member_ids))
    }
    assert sum(1 for m in ms if births[m.id] and year - births[m.id] <= 45) >= 1
    assert sum(1 for m in ms if m.grade in {"fellow", "senior_member"}) >= 1
    assert any(m.sector == "enterprise" for m in ms) and any(m.sector == "academic" for m in ms)
    assert len({d for m in ms for d in m.disciplines}) >= 2
    assert panel.diversity["n_institutions"] >= 3

    pid = svc.save_panel(panel)
    svc.confirm(pid)
    exposure, total = panel_exposure(svc.driver, list(panel.member_ids))
    assert total == 1 and all(exposure[m] == 1 for m in panel.member_ids)
    later = svc.propose_panel("T1", size=4, quota_counts=counts)
    assert all(m.prior_share == 1.0 for m in later.members if m.id in panel.member_ids)

    lot = svc.propose_panel("T1", size=4, quota_counts=counts, lottery_q=0.8, seed=1)
    assert lot.feasible and lot.lottery is not None
    assert all(p <= 0.8 + 1e-6 for p in lot.lottery["selection_probability"].values())
    assert all(m.selection_probability is not None for m in lot.members)

    with pytest.raises(InfeasibleError, match="young"):
        svc.propose_panel("T1", size=4, quota_counts={**counts, "young": 4})
    relaxed = svc.propose_panel("T1", size=4, quota_counts={**counts, "young": 4}, relax=True)
    assert "young" in relaxed.relaxed
    # lowered to what the pool allows, not dropped: as many young members as before the ask
    (young,) = [r for r in relaxed.relaxations if r["quota"] == "young"]
    assert young["from_count"] == 4 and 0 < young["to_count"] < 4
    assert sum(m.young for m in relaxed.members) >= young["to_count"]


def test_consortium_has_industry_and_academia(svc: FormationService) -> None:
    # The module's graph was imported without a refresh: ties are counted live.
    live = svc.propose_consortium("新能源汽车动力电池热管理与数据分析", max_size=5, min_size=3)
    assert live.ties_as_of is None and set(live.member_ids) <= set(live.candidates)
    refreshed = T.refresh_org_ties(svc.driver)
    cons = svc.propose_consortium("新能源汽车动力电池热管理与数据分析", max_size=5, min_size=3)
    # Stored ties: the same consortium, the same ties, and it says when they were counted.
    assert cons.ties_as_of == refreshed.computed_from
    assert cons.member_ids == live.member_ids and cons.objective == live.objective
    assert [m.ties for m in cons.members] == [m.ties for m in live.members]
    assert cons.feasible, [str(c) for c in cons.checks]
    kinds = {m.kind for m in cons.members}
    assert "enterprise" in kinds and kinds & {"university", "institute"}
    assert all(m.contribution for m in cons.members)
    assert cons.theme_disciplines
    cid = svc.save_consortium(cons)
    assert {m.id for m in svc.get(cid).members} == set(cons.member_ids)


def test_consortium_command_says_where_its_ties_came_from(
    svc: FormationService, cli_on_test_server: None
) -> None:
    from typer.testing import CliRunner

    from kexie.cli import app

    theme = ["consortium", "--theme", "新能源汽车动力电池热管理与数据分析"]
    refreshed = T.refresh_org_ties(svc.driver)
    out = CliRunner().invoke(app, theme)
    assert out.exit_code == 0, out.output
    assert f"ties as stored at {refreshed.computed_from}" in out.output
    assert re.search(r"Chosen from \d+ organisations", out.output)
    # An import that changes an affiliation: the next consortium counts its ties live.
    svc.driver.execute_query(
        "MATCH (s:Scientist {id: 'S5'}), (o:Organization {id: 'E-CHIP'}) MERGE (s)-[:WORKS_AT]->(o)"
    )
    with svc.driver.session() as session:
        session.execute_write(T.mark_ties_changed)
    try:
        out = CliRunner().invoke(app, theme)
        assert out.exit_code == 0 and "ties counted now" in out.output, out.output
    finally:
        svc.driver.execute_query(
            "MATCH (:Scientist {id: 'S5'})-[w:WORKS_AT]->(:Organization {id: 'E-CHIP'}) DELETE w"
        )


def test_batch_respects_capacities_and_conflicts(svc: FormationService) -> None:
    svc.driver.execute_query("MATCH (s:Scientist) SET s.max_active_teams = 1")
    try:
        res = svc.assign_batch(["D1", "D2"], team_min=1, team_max=2)
        p = res.problem
        for name, sol in res.solutions.items():
            assert sol.feasible, name
            for e, load in sol.load.items():
                assert load <= p.capacity[p.experts.index(e)] <= 1
            assert not set(sol.assignment["D1"]) & COI
            assert "S7" not in sol.assignment["D2"]
        assert res.solutions["global"].objective >= res.solutions["greedy"].objective - 1e-9
    finally:
        svc.driver.execute_query("MATCH (s:Scientist) SET s.max_active_teams = 3")


def test_load_counts_saved_teams(svc: FormationService) -> None:
    svc.driver.execute_query("MATCH (s:Scientist) SET s.max_active_teams = 1")
    try:
        first = svc.propose_team("D1", k_min=2, k_max=3, min_senior=0, locked=["S6"])
        tid = svc.save_team(first)
        # S6 alone covers D2's skills and now sits on an active team at their limit.
        with pytest.raises(InfeasibleError, match=r"S6 already on 1 active teams \(limit 1\)"):
            svc.propose_team("D2", k_min=1, k_max=2, min_senior=0)
        svc.decline(tid)  # a declined team frees its members' load
        assert "S6" in svc.propose_team("D2", k_min=1, k_max=2, min_senior=0).member_ids
    finally:
        svc.driver.execute_query("MATCH (s:Scientist) SET s.max_active_teams = 3")


def test_bench_runs_every_solver(svc: FormationService) -> None:
    out = bench_formation(svc, truth={"D1": {"S5": 2, "S6": 1}}, k_min=2, k_max=3, panel_size=4)
    solvers = {r["solver"] for r in out["teams"] if r.get("demand") == "D1"}
    assert solvers == {"greedy", "auto", "exact", "exhaustive", "rarest_first", "top_k"}
    row = {r["solver"]: r for r in out["teams"] if r.get("demand") == "D1"}
    assert row["exact"]["gap"] == 0 and "precision" in row["exact"]
    assert row["exhaustive"]["objective"] == pytest.approx(row["exact"]["objective"], abs=1e-4)
    # a small pool: auto scores every team, so it is the optimum too
    assert row["greedy"]["objective"] <= row["auto"]["objective"]
    assert row["auto"]["objective"] == pytest.approx(row["exact"]["objective"], abs=1e-4)
    assert {r["solver"] for r in out["batch"]} == {"global", "greedy"}
    assert out["panels"]


def test_matcher_used_by_service_is_shared(svc: FormationService) -> None:
    assert isinstance(svc.matcher, ExpertMatcher)
