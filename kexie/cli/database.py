"""``kexie db``: schema migrations and maintenance of the graph."""

from __future__ import annotations

import typer

from api.config import get_settings
from graph_schema import apply_migrations, pending_migrations
from kexie.cli.common import connect, console

__all__ = ["db_app", "db_migrate"]

db_app = typer.Typer(help="Schema migrations and maintenance of the graph.")


@db_app.command("migrate")
def db_migrate() -> None:
    """Create constraints and indexes: apply the migrations not yet recorded in the graph."""
    settings = get_settings()
    with connect(settings) as driver:
        applied = apply_migrations(driver, database=settings.neo4j_database)
    if not applied:
        console.print("Schema is current: nothing to apply.")
    for m in applied:
        console.print(f"applied {m.version}: {m.name}")


@db_app.command("status")
def db_status() -> None:
    """List pending migrations (exit 4 when some are pending)."""
    settings = get_settings()
    with connect(settings) as driver:
        pending = pending_migrations(driver, database=settings.neo4j_database)
    if not pending:
        console.print("Schema is current.")
        return
    for m in pending:
        console.print(f"pending {m.version}: {m.name}")
    raise typer.Exit(4)


@db_app.command("warm")
def db_warm() -> None:
    """Read the whole store once so Neo4j's page cache holds it (after a restart of a big graph)."""
    from graph_schema.connection import warm_page_cache

    settings = get_settings()
    with connect(settings) as driver:
        rep = warm_page_cache(driver, database=settings.neo4j_database)
    console.print(
        f"read {rep.nodes:,} nodes and {rep.relationships:,} relationships with their "
        f"properties in {rep.seconds} s"
    )
