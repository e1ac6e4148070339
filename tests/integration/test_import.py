from __future__ import annotations

import json
from pathlib import Path

import neo4j
import pytest

from graph_schema import graph_stats, import_path, load_records
from graph_schema.errors import ImportFileError
from tests.utils.factories import tiny_dataset, write_csv, write_jsonl


def _fingerprint(driver: neo4j.Driver) -> tuple[dict[str, int], dict[str, int], list[str]]:
    st = graph_stats(driver)
    props = driver.execute_query(
        "MATCH (n) WHERE NOT n:KexieMigration "
        "RETURN labels(n) AS l, properties(n) AS p ORDER BY coalesce(n.id, n.code)"
    ).records
    return (
        st.labels,
        st.relationships,
        [json.dumps([r["l"], r["p"]], sort_keys=True, default=str) for r in props],
    )


def test_good_files_load_and_rerun_is_idempotent(graph: neo4j.Driver, tmp_path: Path) -> None:
    folder = tiny_dataset(tmp_path / "data")
    first = import_path(graph, folder)
    assert first.ok, [str(r) for r in first.rejects]
    assert first.loaded == 24
    st = graph_stats(graph)
    assert st.labels["Scientist"] == 4
    assert st.labels["Organization"] == 3
    assert st.labels["Evidence"] == 3
    assert st.relationships["MEMBER_OF"] == 3
    assert st.relationships["CONTRIBUTED"] == 5
    assert st.relationships["SUBFIELD_OF"] == 1
    before = _fingerprint(graph)

    second = import_path(graph, folder)
    assert second.ok
    assert second.created == 0
    assert _fingerprint(graph) == before


def test_csv_and_jsonl_give_the_same_graph(graph: neo4j.Driver, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a" / "districts.jsonl", [{"code": "500106", "name": "沙坪坝区"}])
    write_csv(
        tmp_path / "b" / "districts.csv", ["code", "name", "name_en"], [["500106", "沙坪坝区", ""]]
    )
    import_path(graph, tmp_path / "a")
    a = _fingerprint(graph)
    import_path(graph, tmp_path / "b")
    assert _fingerprint(graph) == a


def test_bad_records_are_rejected_with_file_line_field_and_reason(
    graph: neo4j.Driver, tmp_path: Path
) -> None:
    folder = tiny_dataset(tmp_path / "data")
    import_path(graph, folder)
    bad = tmp_path / "bad"
    write_jsonl(
        bad / "scientists.jsonl",
        [
            {"id": "S10", "name": "赵敏", "institution": "U-CQU", "birth_year": 1980},  # good
            {"id": "S11", "name": "", "institution": "U-CQU"},  # empty name
            "{not json",
            {"id": "S12", "name": "钱坤", "birth_year": 1800, "institution": "U-CQU"},  # birth year
            {"id": "S13", "name": "孙丽", "institution": "NO-SUCH-ORG"},  # dangling reference
            {
                "id": "S14",
                "name": "周杰",
                "institution": "U-CQU",
                "colour": "blue",
            },  # unknown field
            {"name": "吴刚"},  # no identity: name alone is never an identity
            {
                "id": "S15",
                "name": "郑爽",
                "institution": "U-CQU",
                "orcid": "1234",
            },  # malformed ORCID
        ],
    )
    report = import_path(graph, bad)
    by_line = {r.line: r for r in report.rejects}
    assert (
        report.files[0].read == 8 and report.files[0].loaded == 1 and report.files[0].rejected == 7
    )
    assert by_line[2].field == "name" and by_line[2].file == "scientists.jsonl"
    assert "invalid JSON" in by_line[3].reason
    assert by_line[4].field == "birth_year"
    assert by_line[5].field == "institution" and "NO-SUCH-ORG" in by_line[5].reason
    assert by_line[6].field == "colour"
    assert "name with an institution" in by_line[7].reason
    assert by_line[8].field == "orcid"
    ids = {r["id"] for r in graph.execute_query("MATCH (s:Scientist) RETURN s.id AS id").records}
    assert "S10" in ids and not ids & {"S11", "S12", "S13", "S14", "S15"}


def test_a_failing_batch_leaves_the_graph_unchanged(graph: neo4j.Driver, tmp_path: Path) -> None:
    import_path(graph, tiny_dataset(tmp_path / "data"))
    before = _fingerprint(graph)
    # A database-level failure mid-batch: a constraint the records violate together.
    graph.execute_query(
        "CREATE CONSTRAINT test_unique_name IF NOT EXISTS FOR (s:Scientist) REQUIRE s.bio IS UNIQUE"
    )
    try:
        rows = [
            (i + 1, {"id": f"B{i}", "name": f"测试{i}", "institution": "U-CQU", "bio": "same"})
            for i in range(5)
        ]
        report, rejects = load_records(
            graph, "scientists", rows, source="batch.jsonl", batch_size=10
        )
    finally:
        graph.execute_query("DROP CONSTRAINT test_unique_name IF EXISTS")
    assert report.loaded == 0 and report.rejected == 5
    assert all("batch failed" in r.reason for r in rejects)
    assert _fingerprint(graph) == before


def test_dry_run_writes_nothing(graph: neo4j.Driver, tmp_path: Path) -> None:
    report = import_path(graph, tiny_dataset(tmp_path / "data"), dry_run=True)
    assert graph_stats(graph).labels.get("Scientist", 0) == 0
    # Without the earlier files written, references fail: the dry run checked them for real.
    assert any(r.field == "institution" for r in report.rejects)


def test_unreadable_files_are_reported(graph: neo4j.Driver, tmp_path: Path) -> None:
    (tmp_path / "districts.csv").write_bytes("code,name\n500106,沙坪坝区\n".encode("gb18030"))
    (tmp_path / "notes.txt").write_text("hello")
    report = import_path(graph, tmp_path)
    assert report.rejects[0].file == "districts.csv" and "not UTF-8" in report.rejects[0].reason
    assert any("notes.txt" in w for w in report.warnings)
    with pytest.raises(ImportFileError):
        import_path(graph, tmp_path / "missing")
    with pytest.raises(ImportFileError):
        import_path(graph, tmp_path / "notes.txt")


def test_hostile_strings_are_stored_verbatim(graph: neo4j.Driver, tmp_path: Path) -> None:
    evil = "x'}) DETACH DELETE n //"
    write_jsonl(tmp_path / "districts.jsonl", [{"code": "500101", "name": evil}])
    assert import_path(graph, tmp_path).ok
    rows = graph.execute_query("MATCH (d:District) RETURN d.name AS name").records
    assert [r["name"] for r in rows] == [evil]
