from __future__ import annotations

import neo4j
import pytest

from graph_schema import MIGRATIONS, MigrationError, apply_migrations, pending_migrations
from graph_schema.labels import Label


def _schema(driver: neo4j.Driver) -> tuple[set[str], set[str]]:
    constraints = {r["name"] for r in driver.execute_query("SHOW CONSTRAINTS YIELD name").records}
    indexes = {r["name"] for r in driver.execute_query("SHOW INDEXES YIELD name").records}
    return constraints, indexes


def test_migrations_apply_once_and_record_themselves(driver: neo4j.Driver) -> None:
    # Drop the records (not the schema): every migration runs again, idempotently.
    driver.execute_query(f"MATCH (m:{Label.MIGRATION}) DELETE m")
    before = _schema(driver)
    first = apply_migrations(driver)
    assert [m.version for m in first] == [m.version for m in MIGRATIONS]
    after_first = _schema(driver)
    assert after_first == before or after_first[0] >= before[0]
    assert {"scientist_id", "scientist_orcid", "evidence_id"} <= after_first[0]
    assert {"evidence_text", "scientist_text"} <= after_first[1]

    second = apply_migrations(driver)
    assert second == []
    assert _schema(driver) == after_first
    assert pending_migrations(driver) == []
    recorded = driver.execute_query(
        f"MATCH (m:{Label.MIGRATION}) RETURN m.version AS v ORDER BY v"
    ).records
    assert [r["v"] for r in recorded] == [m.version for m in MIGRATIONS]


def test_edited_migration_is_detected(driver: neo4j.Driver) -> None:
    apply_migrations(driver)
    driver.execute_query(f"MATCH (m:{Label.MIGRATION} {{version: 1}}) SET m.checksum = 'tampered'")
    try:
        with pytest.raises(MigrationError, match="append-only"):
            pending_migrations(driver)
    finally:
        driver.execute_query(
            f"MATCH (m:{Label.MIGRATION} {{version: 1}}) SET m.checksum = $c",
            c=MIGRATIONS[0].checksum,
        )
    assert pending_migrations(driver) == []


def test_fulltext_index_uses_the_cjk_analyzer(driver: neo4j.Driver) -> None:
    rows = driver.execute_query(
        "SHOW FULLTEXT INDEXES YIELD name, options WHERE name = 'evidence_text' RETURN options"
    ).records
    assert rows and rows[0]["options"]["indexConfig"]["fulltext.analyzer"] == "cjk"
