"""Policy analytics on the real Neo4j: a small graph imported through the normal importer,
then every number of the three analyses asserted exactly."""

from __future__ import annotations

from pathlib import Path

import neo4j
import pytest
from typer.testing import CliRunner

from graph_schema import import_path
from graph_schema.analytics_queries import society_district_counts
from graph_schema.errors import NotFoundError
from matcher.analytics import PresenceThresholds
from matcher.analytics_service import (
    counterpart_suggestions,
    district_coverage,
    presence_suggestions,
)
from matcher.embedding import Embedder
from tests.utils.factories import write_csv, write_jsonl

SPB, NA, YB = "500106", "500108", "500112"


def analytics_dataset(folder: Path) -> Path:
    """Three districts, three municipal societies and one district-level society, four national
    societies (one paired), twelve scientists placed by work, by own district, or not at all."""
    write_jsonl(
        folder / "districts.jsonl",
        [
            {"code": SPB, "name": "沙坪坝区", "name_en": "Shapingba"},
            {"code": NA, "name": "南岸区", "name_en": "Nan'an"},
            {"code": YB, "name": "渝北区", "name_en": "Yubei"},
        ],
    )
    write_csv(
        folder / "disciplines.csv",
        ["code", "name", "name_en"],
        [
            ["150", "化学", "Chemistry"],
            ["520", "计算机科学技术", "Computer Science and Technology"],
            ["52020", "人工智能", "Artificial Intelligence"],
            ["580", "交通运输工程", "Transportation Engineering"],
        ],
    )
    write_jsonl(
        folder / "national_societies.jsonl",
        [
            {
                "id": "NS-CCF",
                "name": "中国计算机学会",
                "name_en": "China Computer Federation",
                "disciplines": ["520", "52020"],
            },
            {
                "id": "NS-CAAI",
                "name": "中国人工智能学会",
                "name_en": "Chinese Association for Artificial Intelligence",
                "disciplines": ["52020"],
            },
            {
                "id": "NS-CCTS",
                "name": "中国交通运输协会",
                "name_en": "China Communications and Transportation Association",
                "disciplines": ["580"],
            },
            {
                "id": "NS-CCS",
                "name": "中国化学会",
                "name_en": "Chinese Chemical Society",
                "disciplines": ["150"],
            },
        ],
    )
    write_jsonl(
        folder / "societies.jsonl",
        [
            {
                "id": "SOC-CS",
                "name": "重庆市计算机学会",
                "disciplines": ["520", "52020"],
                "counterparts": ["NS-CCF"],
                "district": SPB,
            },
            {"id": "SOC-TR", "name": "重庆市交通运输学会", "disciplines": ["580"]},
            {"id": "SOC-AI", "name": "重庆市人工智能学会", "disciplines": ["52020"]},
            {
                "id": "SOC-YB",
                "name": "渝北区计算机学会",
                "level": "district",
                "district": YB,
                "disciplines": ["520"],
            },
        ],
    )
    write_jsonl(
        folder / "universities.jsonl", [{"id": "U-CQU", "name": "重庆大学", "district": SPB}]
    )
    write_jsonl(
        folder / "enterprises.jsonl", [{"id": "E-AUTO", "name": "重庆渝新汽车", "district": NA}]
    )
    write_jsonl(folder / "institutes.jsonl", [{"id": "I-YB", "name": "渝北研究院", "district": YB}])
    scientists = [
        *(
            {"id": f"A{i}", "name": f"甲{i}", "institution": "E-AUTO", "disciplines": ["52020"]}
            for i in (1, 2, 3)
        ),
        *(
            {"id": f"T{i}", "name": f"乙{i}", "institution": "E-AUTO", "disciplines": ["580"]}
            for i in (1, 2)
        ),
        *(
            {"id": f"L{i}", "name": f"丙{i}", "institution": "I-YB", "disciplines": ["520"]}
            for i in (1, 2, 3)
        ),
        # Works in Shapingba although it lives in Yubei: work wins.
        {"id": "M1", "name": "丁", "institution": "U-CQU", "district": YB, "disciplines": ["520"]},
        {"id": "U1", "name": "戊", "district": SPB, "disciplines": ["580"]},  # own district only
        {"id": "X1", "name": "己", "district": YB, "disciplines": ["150"]},  # former job only
        {"id": "Z1", "name": "庚", "disciplines": ["580"]},  # nowhere
    ]
    write_jsonl(folder / "scientists.jsonl", scientists)
    write_jsonl(
        folder / "affiliations.jsonl",
        [
            {"scientist": "X1", "organization": "E-AUTO", "current": False},
        ],
    )
    write_jsonl(
        folder / "memberships.jsonl",
        [
            {"scientist": "A1", "society": "SOC-AI"},
            {"scientist": "L1", "society": "SOC-CS"},
            {"scientist": "M1", "society": "SOC-TR"},
        ],
    )
    write_jsonl(
        folder / "presences.jsonl",
        [
            {"society": "SOC-CS", "district": YB, "kind": "liaison_office"},
            {"society": "SOC-TR", "district": SPB, "kind": "branch"},
            {"society": "SOC-AI", "district": SPB, "kind": "liaison_office"},
        ],
    )
    return folder


@pytest.fixture()
def loaded(graph: neo4j.Driver, tmp_path: Path) -> neo4j.Driver:
    report = import_path(graph, analytics_dataset(tmp_path / "data"))
    assert report.ok, [str(r) for r in report.rejects]
    return graph


def test_district_coverage_counts_presences_and_scientists(loaded: neo4j.Driver) -> None:
    report = district_coverage(loaded, target=2)
    rows = {d.code: d for d in report.districts}
    assert [
        (
            c,
            rows[c].societies,
            rows[c].branches,
            rows[c].liaison_offices,
            rows[c].district_societies,
            rows[c].shortfall,
            rows[c].scientists,
        )
        for c in (SPB, NA, YB)
    ] == [
        (SPB, 2, 1, 1, 0, 0, 2),  # TR branch, AI liaison office; M1 and U1
        (NA, 0, 0, 0, 0, 2, 5),  # nobody present; A1-3, T1-2
        (YB, 2, 0, 1, 1, 0, 4),  # CS liaison office, the district society; L1-3, X1
    ]
    assert report.average == pytest.approx(4 / 3)
    assert not report.average_exceeds_target
    assert report.presences_needed == 3  # 2 * 3 + 1 - 4
    assert [d.code for d in report.short_districts] == [NA]
    assert report.unplaced_scientists == 1
    assert {(f.district, f.discipline): f.scientists for f in report.fields} == {
        (SPB, "520"): 1,
        (SPB, "580"): 1,
        (NA, "520"): 3,
        (NA, "580"): 2,
        (YB, "520"): 3,
        (YB, "150"): 1,
    }
    # With the policy's target every district is short.
    default = district_coverage(loaded)
    assert default.target == 20
    assert [d.shortfall for d in default.districts] == [18, 20, 18]
    assert default.presences_needed == 20 * 3 + 1 - 4


def test_society_district_counts_read_members_and_field(loaded: neo4j.Driver) -> None:
    rows = {
        (c.society, c.district): (c.members, c.field_scientists, c.reach)
        for c in society_district_counts(loaded)
    }
    assert rows == {
        ("SOC-AI", NA): (1, 3, 3),
        ("SOC-CS", SPB): (0, 1, 1),
        ("SOC-CS", NA): (0, 3, 3),  # 52020 is a subfield of 520
        ("SOC-CS", YB): (1, 3, 3),
        ("SOC-TR", SPB): (1, 1, 2),
        ("SOC-TR", NA): (0, 2, 2),
    }


def test_presence_suggestions_are_ranked_by_impact(loaded: neo4j.Driver) -> None:
    plan = presence_suggestions(
        loaded, thresholds=PresenceThresholds(branch=3, liaison=2), target=2
    )
    got = [(s.society, s.district, s.action, s.closes_gap, s.reach) for s in plan.suggestions]
    assert got == [
        ("SOC-AI", NA, "open_branch", True, 3),
        ("SOC-CS", NA, "open_branch", True, 3),
        ("SOC-TR", NA, "open_liaison_office", False, 2),
        ("SOC-CS", YB, "upgrade_to_branch", False, 3),
    ]
    assert [s.rank for s in plan.suggestions] == [1, 2, 3, 4]
    first = plan.suggestions[0]
    assert (first.members, first.field_scientists, first.district_shortfall) == (1, 3, 2)
    assert first.society_name == "重庆市人工智能学会"
    assert any("short by 2" in r for r in first.reasons)
    assert plan.suggestions[3].existing == "liaison_office"
    # The policy's defaults (30 / 5) find nothing in so small a graph.
    assert presence_suggestions(loaded).suggestions == ()


def test_presence_suggestions_for_one_society(loaded: neo4j.Driver) -> None:
    plan = presence_suggestions(
        loaded, society="SOC-TR", thresholds=PresenceThresholds(3, 2), target=2
    )
    assert [(s.society, s.district, s.action) for s in plan.suggestions] == [
        ("SOC-TR", NA, "open_liaison_office")
    ]
    with pytest.raises(NotFoundError):
        presence_suggestions(loaded, society="SOC-NOPE")


def test_counterparts_without_embedder_are_exact(loaded: neo4j.Driver) -> None:
    report = counterpart_suggestions(loaded, None)
    st = report.stats
    assert (st.societies, st.with_counterpart, st.without_counterpart) == (3, 1, 2)
    assert (st.national_societies, st.national_with_partner) == (4, 1)
    assert st.national_without_partner == ("NS-CAAI", "NS-CCS", "NS-CCTS")
    by = {s.society: s for s in report.suggestions}
    assert set(by) == {"SOC-AI", "SOC-TR"}  # SOC-CS is paired; SOC-YB is district-level
    ai = by["SOC-AI"].candidates
    assert [c.national for c in ai] == ["NS-CAAI", "NS-CCF"]
    assert (ai[0].discipline_score, ai[0].bigram, ai[0].embedding_cosine) == (1.0, 1.0, None)
    assert ai[0].score == pytest.approx(1.0)
    assert ai[1].discipline_score == pytest.approx(0.5) and ai[1].bigram == 0.0
    assert ai[1].score == pytest.approx(0.5 * 0.5 / 0.8)  # weights 0.5 / 0.3 renormalised
    assert ai[1].partners == ("SOC-CS",)
    assert any("人工智能 (52020)" in r for r in ai[0].reasons)
    assert [c.national for c in by["SOC-TR"].candidates] == ["NS-CCTS"]


def test_counterparts_with_the_real_embedder(loaded: neo4j.Driver, embedder: Embedder) -> None:
    report = counterpart_suggestions(loaded, embedder, top_k=2)
    assert report.embedding_model == embedder.model_id
    by = {s.society: s for s in report.suggestions}
    top = by["SOC-AI"].candidates[0]
    assert top.national == "NS-CAAI"
    assert top.embedding_cosine is not None and 0.3 < top.embedding_cosine <= 1.0 + 1e-6
    assert by["SOC-TR"].candidates[0].national == "NS-CCTS"


def test_cli_commands_print_json(
    loaded: neo4j.Driver, test_server: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from api.config import get_settings
    from kexie.cli import app

    uri = test_server.uri
    monkeypatch.setenv("NEO4J_URI", uri)
    monkeypatch.setenv("NEO4J_PASSWORD", test_server.password())
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        res = runner.invoke(app, ["analytics", "districts", "--json", "--target", "2"])
        assert res.exit_code == 0, res.output
        data = json.loads(res.output)
        assert data["presences_needed"] == 3
        assert [d["shortfall"] for d in data["districts"]] == [0, 2, 0]
        res = runner.invoke(
            app,
            [
                "analytics",
                "presence",
                "--json",
                "--target",
                "2",
                "--branch-threshold",
                "3",
                "--liaison-threshold",
                "2",
            ],
        )
        assert res.exit_code == 0, res.output
        assert [s["action"] for s in json.loads(res.output)["suggestions"]] == [
            "open_branch",
            "open_branch",
            "open_liaison_office",
            "upgrade_to_branch",
        ]
        res = runner.invoke(
            app, ["analytics", "presence", "--branch-threshold", "1", "--liaison-threshold", "2"]
        )
        assert res.exit_code != 0
        res = runner.invoke(app, ["analytics", "counterparts", "--json", "--no-embed"])
        assert res.exit_code == 0, res.output
        assert json.loads(res.output)["stats"]["with_counterpart"] == 1
        res = runner.invoke(app, ["analytics", "districts", "--target", "2"])
        assert res.exit_code == 0 and "南岸区" in res.output and "short" in res.output
    finally:
        get_settings.cache_clear()
