"""Stored organisation ties against counting them live, on the real Neo4j: they agree, they are
never read once an import changed who works, belongs or contributed where, and a refresh never
shows half of itself."""

from __future__ import annotations

from pathlib import Path

import neo4j
import pytest
from typer.testing import CliRunner

from graph_schema import import_path
from graph_schema import ties as T
from graph_schema.formation_queries import OrgTie, org_ties
from tests.utils.factories import tiny_dataset, write_jsonl

runner = CliRunner()

ORGS = ["U-CQU", "I-CIGIT", "E-AUTO", "SOC-CS", "SOC-TR", "NS-CCF"]


def _counts(ties: list[OrgTie]) -> dict[tuple[str, str], tuple[int, int, bool]]:
    return {(t.a, t.b): (t.shared_people, t.joint_evidence, t.counterpart) for t in ties}


def _agree(driver: neo4j.Driver) -> T.OrgTies:
    read = T.org_ties(driver, ORGS)
    live = org_ties(driver, ORGS)
    assert _counts(read.ties) == _counts(live)
    for a, b in zip(read.ties, live, strict=True):
        for kind, names in b.examples.items():
            assert set(a.examples[kind]) == set(names), (a, b)
    return read


def test_stored_ties_agree_with_live_and_stop_being_read_when_an_import_changes_them(
    graph: neo4j.Driver, tmp_path: Path
) -> None:
    assert import_path(graph, tiny_dataset(tmp_path / "data")).ok
    # Imported, never refreshed: counted live.
    state = T.tie_state(graph)
    assert state is not None and state.version >= 1 and not state.current
    assert _agree(graph).as_of is None

    first = T.refresh_org_ties(graph)
    assert first.generation == 1 and first.pairs == len(
        [t for t in org_ties(graph, ORGS) if t.shared_people or t.joint_evidence]
    )
    assert first.shared_people_pairs >= 3 and first.joint_evidence_pairs >= 1
    stored = _agree(graph)
    assert stored.as_of == first.computed_from and T.tie_state(graph).current  # type: ignore[union-attr]
    assert any(t.counterpart for t in stored.ties)  # counterparts are read live beside them

    # Re-importing the same files changes no relationship: the ties stay current.
    assert import_path(graph, tmp_path / "data").created == 0
    assert T.tie_state(graph).current  # type: ignore[union-attr]
    # Neither does a dry run, nor a kind that cannot change a tie.
    write_jsonl(
        tmp_path / "new" / "affiliations.jsonl", [{"scientist": "S2", "organization": "U-CQU"}]
    )
    import_path(graph, tmp_path / "new", dry_run=True)
    write_jsonl(
        tmp_path / "demand" / "demands.jsonl",
        [{"id": "D9", "title": "数据分析", "enterprise": "E-AUTO", "disciplines": ["520"]}],
    )
    import_path(graph, tmp_path / "demand")
    assert T.tie_state(graph).current  # type: ignore[union-attr]

    # S2 (I-CIGIT) now also works at U-CQU: a new shared person. The stored counts are not
    # read; the live ones already show it.
    assert import_path(graph, tmp_path / "new").ok
    assert not T.tie_state(graph).current  # type: ignore[union-attr]
    read = _agree(graph)
    assert read.as_of is None
    assert _counts(read.ties)[("I-CIGIT", "U-CQU")][0] == 1

    second = T.refresh_org_ties(graph)
    assert second.generation == 2
    assert _agree(graph).as_of == second.computed_from
    # A contributor removed from an evidence item (DELETE, no new relationship) also counts.
    write_jsonl(
        tmp_path / "p1" / "publications.jsonl",
        [
            {
                "id": "P1",
                "title": "基于深度学习的交通流预测",
                "year": 2021,
                "contributors": ["S1"],
                "disciplines": ["52020"],
            }
        ],
    )
    assert import_path(graph, tmp_path / "p1").ok
    assert not T.tie_state(graph).current  # type: ignore[union-attr]
    T.refresh_org_ties(graph)
    _agree(graph)

    # The generation before the current one stays for readers mid-read; older ones go.
    gens = graph.execute_query(
        "MATCH (t:KexieOrgTie) RETURN collect(DISTINCT t.generation) AS g"
    ).records[0]["g"]
    assert sorted(gens) == [2, 3]


def test_a_dead_refresh_neither_blocks_nor_shows_and_two_never_run_at_once(
    graph: neo4j.Driver, tmp_path: Path
) -> None:
    assert import_path(graph, tiny_dataset(tmp_path / "data")).ok
    done = T.refresh_org_ties(graph)
    # A refresh that died after writing part of its generation: readers never see it.
    graph.execute_query(
        "CREATE (:KexieOrgTie {a: 'E-AUTO', b: 'U-CQU', generation: $g, shared_people: 99, "
        "joint_evidence: 99, people_examples: [], evidence_examples: []})",
        g=done.generation + 1,
    )
    assert _agree(graph).as_of == done.computed_from
    # A refresh running now holds the claim: a second one is refused, saying since when.
    graph.execute_query(
        "MATCH (k:KexieOrgTieState) SET k.refreshing = 'other', k.refreshing_since = datetime()"
    )
    with pytest.raises(T.RefreshRunningError, match="running since"):
        T.refresh_org_ties(graph)
    # A claim older than two hours is a dead refresh: taken over, its leftovers replaced.
    graph.execute_query(
        "MATCH (k:KexieOrgTieState) SET k.refreshing_since = datetime() - duration('PT3H')"
    )
    again = T.refresh_org_ties(graph)
    assert again.generation == done.generation + 1
    assert _agree(graph).as_of == again.computed_from
    state = graph.execute_query("MATCH (k:KexieOrgTieState) RETURN k.refreshing AS r").records[0][
        "r"
    ]
    assert state is None


def test_import_refreshes_them_and_status_says_whether_they_are_current(
    graph: neo4j.Driver, tmp_path: Path, cli_on_test_server: None
) -> None:
    from kexie.cli import app

    folder = tiny_dataset(tmp_path / "data")
    out = runner.invoke(app, ["import", str(folder)])
    assert out.exit_code == 0, out.output
    assert "stored organisation ties:" in out.output and "generation 1" in out.output
    status = runner.invoke(app, ["ties", "status"])
    assert status.exit_code == 0 and "current:" in status.output

    write_jsonl(
        tmp_path / "new" / "affiliations.jsonl", [{"scientist": "S2", "organization": "U-CQU"}]
    )
    out = runner.invoke(app, ["import", str(tmp_path / "new"), "--no-ties"])
    assert out.exit_code == 0 and "stored organisation ties" not in out.output
    status = runner.invoke(app, ["ties", "status"])
    assert status.exit_code == 3 and "not current" in status.output

    refreshed = runner.invoke(app, ["ties", "refresh", "--json"])
    assert refreshed.exit_code == 0, refreshed.output
    assert '"generation": 2' in refreshed.output
    assert runner.invoke(app, ["ties", "status"]).exit_code == 0
