"""Versioned, idempotent schema migrations.

Each :class:`Migration` is a list of ``CREATE … IF NOT EXISTS`` statements. ``apply_migrations``
runs those not yet recorded and records each as a ``(:KexieMigration {version, name, checksum,
applied_at})`` node, so a second run changes nothing. A recorded migration whose checksum no
longer matches the code is an error: migrations are append-only.

Vector indexes are not here: their dimension depends on the configured model, so the embedding
job creates them (see :mod:`graph_schema.vectors`).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import neo4j

from graph_schema.errors import MigrationError, translate
from graph_schema.labels import (
    CORPUS_STATS,
    EMBEDDING_STATE,
    IDEMPOTENCY,
    ORG_TIE,
    ORG_TIE_STATE,
    Label,
)

__all__ = ["Migration", "MIGRATIONS", "apply_migrations", "pending_migrations", "AppliedMigration"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]

    @property
    def checksum(self) -> str:
        return hashlib.sha256("\n".join(self.statements).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class AppliedMigration:
    version: int
    name: str
    checksum: str
    applied_at: str


def _unique(name: str, label: str, prop: str) -> str:
    return f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{prop} IS UNIQUE"


def _index(name: str, label: str, prop: str) -> str:
    return f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"


L = Label

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "unique keys",
        (
            _unique("migration_version", L.MIGRATION, "version"),
            _unique("scientist_id", L.SCIENTIST, "id"),
            _unique("scientist_orcid", L.SCIENTIST, "orcid"),
            _unique("society_id", L.SOCIETY, "id"),
            _unique("national_society_id", L.NATIONAL_SOCIETY, "id"),
            _unique("organization_id", L.ORGANIZATION, "id"),
            _unique("district_code", L.DISTRICT, "code"),
            _unique("discipline_code", L.DISCIPLINE, "code"),
            _unique("evidence_id", L.EVIDENCE, "id"),
            _unique("demand_id", L.DEMAND, "id"),
            _unique("topic_id", L.TOPIC, "id"),
            _unique("team_id", L.TEAM, "id"),
            _unique("panel_id", L.PANEL, "id"),
            _unique("consortium_id", L.CONSORTIUM, "id"),
            _unique("api_key_id", L.API_KEY, "id"),
        ),
    ),
    Migration(
        2,
        "lookup indexes",
        (
            _index("scientist_name", L.SCIENTIST, "name"),
            _index("scientist_birth_year", L.SCIENTIST, "birth_year"),
            _index("evidence_year", L.EVIDENCE, "year"),
            _index("evidence_embedded_by", L.EVIDENCE, "embedding_model"),
            _index("organization_name", L.ORGANIZATION, "name"),
            _index("api_key_hash", L.API_KEY, "hash"),
        ),
    ),
    Migration(
        3,
        "fulltext indexes (CJK bigrams)",
        (
            "CREATE FULLTEXT INDEX evidence_text IF NOT EXISTS FOR (n:Evidence) "
            "ON EACH [n.title, n.abstract] OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}",
            "CREATE FULLTEXT INDEX scientist_text IF NOT EXISTS FOR (n:Scientist) "
            "ON EACH [n.name, n.name_en, n.bio] OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}",
            "CREATE FULLTEXT INDEX organization_text IF NOT EXISTS "
            "FOR (n:Organization|Society|NationalSociety) ON EACH [n.name, n.name_en] "
            "OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}",
        ),
    ),
    Migration(
        4,
        "api bookkeeping",
        (
            _unique("idempotency_id", IDEMPOTENCY, "id"),
            _unique("embedding_state_id", EMBEDDING_STATE, "id"),
            _unique("corpus_stats_id", CORPUS_STATS, "id"),
        ),
    ),
    Migration(
        5,
        "formation lookups (status, request, creation time)",
        (
            _index("team_status", L.TEAM, "status"),
            _index("team_demand", L.TEAM, "demand_id"),
            _index("team_created_at", L.TEAM, "created_at"),
            _index("panel_status", L.PANEL, "status"),
            _index("panel_topic", L.PANEL, "topic_id"),
            _index("panel_created_at", L.PANEL, "created_at"),
            _index("consortium_status", L.CONSORTIUM, "status"),
        ),
    ),
    Migration(
        6,
        "stored organisation ties (pair lookup, generations, state)",
        (
            f"CREATE INDEX org_tie_pair IF NOT EXISTS FOR (n:{ORG_TIE}) ON (n.a, n.b)",
            _index("org_tie_generation", ORG_TIE, "generation"),
            _unique("org_tie_state_id", ORG_TIE_STATE, "id"),
        ),
    ),
    Migration(
        7,
        "evaluation items, review rounds and their audit records",
        (
            _unique("evaluation_item_id", L.EVALUATION_ITEM, "id"),
            _unique("review_round_id", L.REVIEW_ROUND, "id"),
            _unique("review_audit_id", L.REVIEW_AUDIT, "id"),
            _index("panel_item", L.PANEL, "item_id"),
        ),
    ),
)

_READ_APPLIED = (
    f"MATCH (m:{L.MIGRATION}) RETURN m.version AS version, m.name AS name, "
    "m.checksum AS checksum, toString(m.applied_at) AS applied_at ORDER BY version"
)
_RECORD = (
    f"MERGE (m:{L.MIGRATION} {{version: $version}}) "
    "SET m.name = $name, m.checksum = $checksum, m.applied_at = datetime()"
)


def applied_migrations(
    driver: neo4j.Driver, *, database: str | None = None
) -> list[AppliedMigration]:
    with translate():
        records = driver.execute_query(
            _READ_APPLIED, database_=database, routing_=neo4j.RoutingControl.READ
        ).records
    return [AppliedMigration(**r.data()) for r in records]


def pending_migrations(driver: neo4j.Driver, *, database: str | None = None) -> list[Migration]:
    """Migrations in the code that the graph has not recorded; raises on a checksum mismatch."""
    done = {m.version: m for m in applied_migrations(driver, database=database)}
    pending: list[Migration] = []
    for migration in MIGRATIONS:
        record = done.get(migration.version)
        if record is None:
            pending.append(migration)
        elif record.checksum != migration.checksum:
            raise MigrationError(
                f"migration {migration.version} ({migration.name}) was applied with checksum "
                f"{record.checksum} but the code has {migration.checksum}: migrations are "
                "append-only; add a new one instead of editing"
            )
    return pending


def apply_migrations(driver: neo4j.Driver, *, database: str | None = None) -> list[Migration]:
    """Apply pending migrations in order and record them; return those applied (may be empty)."""
    applied: list[Migration] = []
    for migration in pending_migrations(driver, database=database):
        logger.info("Applying migration %s: %s", migration.version, migration.name)
        with translate():
            try:
                for statement in migration.statements:
                    driver.execute_query(statement, database_=database)
                driver.execute_query("CALL db.awaitIndexes(300)", database_=database)
                driver.execute_query(
                    _RECORD,
                    version=migration.version,
                    name=migration.name,
                    checksum=migration.checksum,
                    database_=database,
                )
            except neo4j.exceptions.Neo4jError as exc:
                raise MigrationError(
                    f"migration {migration.version} failed: {exc.message}"
                ) from exc
        applied.append(migration)
    return applied
