"""``kexie serve`` and ``kexie apikey``: the HTTP API and its clients' keys."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from api.config import get_settings
from kexie.cli.common import JsonOpt, connect, console, err, fail, print_json

__all__ = ["apikey_app", "serve"]

apikey_app = typer.Typer(help="API keys of the HTTP API's clients (stored hashed).")


@apikey_app.command("create")
def apikey_create(
    name: Annotated[str, typer.Option(help="Who the key is for, e.g. science-china.")],
    scopes: Annotated[
        str, typer.Option(help="Comma-separated: read, write, contact, admin.")
    ] = "read",
    rate_limit: Annotated[
        int | None, typer.Option(min=1, help="Requests per minute (default: the server's).")
    ] = None,
) -> None:
    """Create a key and print it ONCE (only its hash is stored)."""
    from graph_schema.apikeys import create_key

    settings = get_settings()
    with connect(settings) as driver:
        try:
            plain, key = create_key(
                driver,
                name=name,
                scopes=[s.strip() for s in scopes.split(",") if s.strip()],
                rate_limit=rate_limit,
                database=settings.neo4j_database,
            )
        except ValueError as exc:
            raise fail(str(exc)) from exc
    err.print(
        f"Created key {key.id} for {key.name} with scopes {', '.join(key.scopes)}. It is shown only now:"
    )
    sys.stdout.write(plain + "\n")


@apikey_app.command("list")
def apikey_list(as_json: JsonOpt = False) -> None:
    """List keys (never their secrets)."""
    from graph_schema.apikeys import list_keys

    settings = get_settings()
    with connect(settings) as driver:
        keys = list_keys(driver, database=settings.neo4j_database)
    if as_json:
        print_json([k.__dict__ for k in keys])
        return
    table = Table(title="API keys")
    for col in ("id", "name", "scopes", "rate limit", "created", "revoked"):
        table.add_column(col)
    for k in keys:
        table.add_row(
            k.id,
            k.name,
            ",".join(k.scopes),
            str(k.rate_limit or "default"),
            k.created_at[:19],
            "yes" if k.revoked else "",
        )
    console.print(table)


@apikey_app.command("revoke")
def apikey_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (see `kexie apikey list`).")],
) -> None:
    """Revoke a key (takes effect within 10 seconds on every API worker)."""
    from graph_schema.apikeys import revoke_key

    settings = get_settings()
    with connect(settings) as driver:
        if not revoke_key(driver, key_id, database=settings.neo4j_database):
            raise fail(f"no key {key_id}")
    console.print(f"Revoked {key_id}.")


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
) -> None:
    """Serve the HTTP API and the staff web app with uvicorn."""
    import uvicorn

    uvicorn.run(
        "api.main:create_app", factory=True, host=host, port=port, workers=workers, log_level="info"
    )
