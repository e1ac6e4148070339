from __future__ import annotations

from pathlib import Path

import neo4j

from graph_schema import import_path
from graph_schema.models import scientist_key
from tests.utils.factories import tiny_dataset, write_jsonl


def _scientists(driver: neo4j.Driver) -> dict[str, dict[str, object]]:
    rows = driver.execute_query("MATCH (s:Scientist) RETURN s.id AS id, properties(s) AS p").records
    return {r["id"]: r["p"] for r in rows}


def test_same_name_different_people(graph: neo4j.Driver, tmp_path: Path) -> None:
    assert import_path(graph, tiny_dataset(tmp_path / "d")).ok
    people = _scientists(graph)
    zhang = [sid for sid, p in people.items() if p["name"] == "张伟"]
    assert sorted(zhang) == ["S1", "S2"]
    # A record without id is keyed by name + institution, never by name alone.
    wang = scientist_key(id=None, orcid=None, name="王芳", institution="U-CQU")
    assert wang in people and wang.startswith("ni:")


def test_keys_are_stable_and_orcid_is_an_identity(graph: neo4j.Driver, tmp_path: Path) -> None:
    assert import_path(graph, tiny_dataset(tmp_path / "d")).ok
    write_jsonl(
        tmp_path / "e" / "scientists.jsonl",
        [
            # Same name + institution again: the same person, updated, not a duplicate.
            {"name": "王芳", "institution": "U-CQU", "title": "二级教授"},
            # Same name, other institution: another person.
            {"name": "王芳", "institution": "I-CIGIT"},
            # Identified by ORCID only.
            {"name": "Chen Hao", "orcid": "0000-0001-5109-3700"},
            # An ORCID that belongs to S1 claimed by another id: rejected, S1 untouched.
            {"id": "S99", "name": "张伟", "orcid": "0000-0002-1825-0097", "institution": "U-CQU"},
        ],
    )
    report = import_path(graph, tmp_path / "e")
    assert [(r.line, r.field) for r in report.rejects] == [(4, "orcid")]
    # It says the ORCID is taken, not by whom: a write key is no way to look up ORCIDs.
    assert "already held" in report.rejects[0].reason and "S1" not in report.rejects[0].reason
    people = _scientists(graph)
    assert sum(1 for p in people.values() if p["name"] == "王芳") == 2
    assert (
        people[scientist_key(id=None, orcid=None, name="王芳", institution="U-CQU")]["title"]
        == "二级教授"
    )
    assert "orcid:0000-0001-5109-3700" in people
    assert "S99" not in people


def test_contributors_may_be_referenced_by_orcid(graph: neo4j.Driver, tmp_path: Path) -> None:
    assert import_path(graph, tiny_dataset(tmp_path / "d")).ok
    rows = graph.execute_query(
        "MATCH (s:Scientist)-[c:CONTRIBUTED]->(:Evidence {id: 'P2'}) "
        "RETURN s.id AS id, c.position AS pos ORDER BY pos"
    ).records
    assert [(r["id"], r["pos"]) for r in rows] == [("S3", 1), ("S1", 2)]
