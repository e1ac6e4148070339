"""Hostile files given to the importer: each is rejected with a clear reason, and the graph is
left exactly as it was (same labels, same counts)."""

from __future__ import annotations

import json
from pathlib import Path

import neo4j
import pytest

from graph_schema import graph_stats, import_path
from graph_schema.search import expert_profile

GOOD = {"id": "H1", "name": "王芳", "title": "教授", "bio": "智能网联汽车"}


def _snapshot(driver: neo4j.Driver) -> tuple[dict[str, int], dict[str, int]]:
    st = graph_stats(driver)
    return dict(st.labels), dict(st.relationships)


def _nested(depth: int) -> str:
    return '{"id": "N1", "name": ' + "[" * depth + "]" * depth + "}"


HOSTILE: dict[str, tuple[str, bytes]] = {
    "utf16_jsonl": ("scientists.jsonl", json.dumps(GOOD, ensure_ascii=False).encode("utf-16")),
    "gbk_jsonl": ("scientists.jsonl", json.dumps(GOOD, ensure_ascii=False).encode("gbk")),
    "gbk_csv": ("scientists.csv", "id,name\nH2,王芳\n".encode("gbk")),
    "binary_garbage": ("scientists.jsonl", bytes(range(256)) * 8),
    "huge_name": ("scientists.jsonl", json.dumps({"id": "H3", "name": "名" * 2_000_000}).encode()),
    "huge_id": ("scientists.jsonl", json.dumps({"id": "X" * 10_000, "name": "王芳"}).encode()),
    "huge_line_of_garbage": ("scientists.jsonl", b"{" + b"a" * 5_000_000 + b"\n"),
    "nul_in_name": ("scientists.jsonl", json.dumps({"id": "H4", "name": "王\u0000芳"}).encode()),
    "raw_nul_bytes": ("scientists.jsonl", b'{"id": "H5", "name": "\x00\x00"}\n'),
    "nul_in_csv": ("scientists.csv", b"id,name\nH6,\x00\n"),
    "deeply_nested_json": ("scientists.jsonl", _nested(100_000).encode()),
    "nested_object_as_name": (
        "scientists.jsonl",
        json.dumps({"id": "H7", "name": {"$ne": None}}).encode(),
    ),
    "array_line": ("scientists.jsonl", b'[{"id": "H8", "name": "x"}]\n'),
    "injection_in_id": (
        "scientists.jsonl",
        json.dumps({"id": "x'}) DETACH DELETE n //", "name": "a"}).encode(),
    ),
    "unknown_reference": (
        "scientists.jsonl",
        json.dumps(
            {"id": "H9", "name": "a", "institution": "nope') MATCH (n) DETACH DELETE n //"}
        ).encode(),
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE), ids=str)
def test_hostile_file_is_rejected_and_the_graph_is_unchanged(
    case: str, loaded_graph: neo4j.Driver, tmp_path: Path
) -> None:
    name, payload = HOSTILE[case]
    path = tmp_path / name
    path.write_bytes(payload)
    before = _snapshot(loaded_graph)
    report = import_path(loaded_graph, path)
    assert report.loaded == 0, (case, report.to_dict())
    assert report.rejects, case
    for r in report.rejects:
        assert r.reason and len(r.reason) < 2000, (
            r
        )  # a clear, bounded reason; never the payload echoed back
        assert r.file == name
    assert _snapshot(loaded_graph) == before


def test_injection_in_text_fields_is_stored_as_plain_text(
    loaded_graph: neo4j.Driver, tmp_path: Path
) -> None:
    """Strings are parameters, never Cypher: a hostile name is data, and nothing else changes."""
    hostile = "王芳'}) MATCH (n) DETACH DELETE n // \"; DROP INDEX x; <script>alert(1)</script>"
    path = tmp_path / "scientists.jsonl"
    path.write_text(
        json.dumps({"id": "H-INJ", "name": hostile, "bio": "${jndi:ldap://x}"}, ensure_ascii=False)
        + "\n"
    )
    before = _snapshot(loaded_graph)
    report = import_path(loaded_graph, path)
    assert report.ok and report.loaded == 1
    after = _snapshot(loaded_graph)
    assert after[0]["Scientist"] == before[0]["Scientist"] + 1
    assert {k: v for k, v in after[0].items() if k != "Scientist"} == {
        k: v for k, v in before[0].items() if k != "Scientist"
    }
    assert after[1] == before[1]
    profile = expert_profile(loaded_graph, "H-INJ")
    assert profile is not None and profile["scientist"]["name"] == hostile


def test_a_mixed_file_loads_the_good_lines_and_names_each_bad_one(
    loaded_graph: neo4j.Driver, tmp_path: Path
) -> None:
    path = tmp_path / "scientists.jsonl"
    lines = [
        json.dumps({"id": "M1", "name": "好人"}).encode(),
        "坏".encode("gbk"),
        _nested(50_000).encode(),
        b'{"id": "M2", "name": "\x00"}',
        json.dumps({"id": "M3", "name": "也好"}).encode(),
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    report = import_path(loaded_graph, path)
    assert report.loaded == 2
    assert sorted(r.line for r in report.rejects) == [2, 3, 4]
