"""``kexie neo4j``: start, stop and status of the local Neo4j server."""

from __future__ import annotations

from typing import Annotated

import typer

from api.config import get_settings
from kexie.cli.common import JsonOpt, console, fail, local_server, print_json
from kexie.localserver import LocalServerError

__all__ = ["neo4j_app"]

neo4j_app = typer.Typer(help="Run the local Neo4j server (no Docker: jars from Maven Central).")


@neo4j_app.command("start")
def neo4j_start(
    timeout: Annotated[float, typer.Option(help="Seconds to wait for Bolt to answer.")] = 180,
) -> None:
    """Start the local Neo4j (fetching its jars on first use) and wait until it answers."""
    settings = get_settings()
    if not settings.uses_local_server:
        raise fail(f"NEO4J_URI is set ({settings.neo4j_uri}): that server is not managed here")
    server = local_server(settings)
    try:
        with console.status("Starting Neo4j (the first start fetches ~150 MB of jars)…"):
            server.start(timeout=timeout)
    except LocalServerError as exc:
        raise fail(str(exc)) from exc
    st = server.status()
    console.print(f"Neo4j {st.version} is running on {st.uri} (pid {st.pid}, data in {st.home})")


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    """Stop the local Neo4j (cleanly; killed after 60 s)."""
    server = local_server(get_settings())
    console.print("Stopped." if server.stop() else "Neo4j was not running.")


@neo4j_app.command("status")
def neo4j_status(as_json: JsonOpt = False) -> None:
    """Say whether the local Neo4j runs, where, and which version. Exit 3 when stopped."""
    st = local_server(get_settings()).status()
    if as_json:
        print_json(
            {
                "running": st.running,
                "pid": st.pid,
                "uri": st.uri,
                "version": st.version,
                "home": str(st.home),
            }
        )
    elif st.running:
        console.print(f"running: Neo4j {st.version} on {st.uri} (pid {st.pid}, {st.home})")
    else:
        console.print(f"stopped ({st.home})")
    if not st.running:
        raise typer.Exit(3)
