"""The ``kexie`` command line: the local Neo4j, migrations, import, demo data, matching,
formation, analytics and the HTTP API.

Every command reads its configuration from the environment / ``.env`` (see ``api.config``)
and prints a readable table, or JSON with ``--json``. Errors are one clear line on stderr and a
non-zero exit code, never a traceback for an expected failure.

The package is laid out one module per command group, with what they share in one place:

* :mod:`kexie.cli.common` — consoles, ``--json``, ``fail``, ``connect``, ``make_embedder``;
* :mod:`kexie.cli.neo4j_server` — ``kexie neo4j``;
* :mod:`kexie.cli.database` — ``kexie db``;
* :mod:`kexie.cli.graph_data` — ``kexie import``, ``stats``, ``embed``, ``ties``;
* :mod:`kexie.cli.matching` — ``kexie experts``, ``eval``;
* :mod:`kexie.cli.demo_graph` — ``kexie demo``;
* :mod:`kexie.cli.serving` — ``kexie serve``, ``apikey``;
* :mod:`kexie.cli.policy_analytics` — ``kexie analytics``;
* :mod:`kexie.cli.team_formation` — ``kexie team``, ``panel``, ``consortium``, ``assign``,
  ``confirm``, ``decline``, ``feedback``;
* :mod:`kexie.cli.review` — ``kexie review-panel``, ``review-round``, ``review-audit``.

This module only assembles them into :data:`app`; the group modules import
:mod:`kexie.cli.common` and never this module. The benchmarks have a command line of their
own (``python -m benchmarks``).
"""

from __future__ import annotations

import logging

import typer

from kexie.cli import (
    database,
    demo_graph,
    graph_data,
    matching,
    neo4j_server,
    policy_analytics,
    review,
    serving,
    team_formation,
)

__all__ = ["app", "main"]

app = typer.Typer(
    help="Kexie Match: expert teams, think-tank panels and consortia from a Neo4j graph.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# Commands, in the order `kexie --help` lists them.
app.command("import")(graph_data.import_cmd)
app.command("stats")(graph_data.stats)
app.command("embed")(graph_data.embed)
app.command("experts")(matching.experts)
app.command("eval")(matching.eval_cmd)
app.command("serve")(serving.serve)
app.command("panel")(team_formation.panel)
app.command("consortium")(team_formation.consortium)
app.command("assign")(team_formation.assign)
app.command("confirm")(team_formation.confirm)
app.command("decline")(team_formation.decline)
app.command("feedback")(team_formation.feedback)
review.register(app)  # review-panel, review-round, review-audit

# Command groups, listed after the commands.
app.add_typer(neo4j_server.neo4j_app, name="neo4j")
app.add_typer(database.db_app, name="db")
app.add_typer(demo_graph.demo_app, name="demo")
app.add_typer(graph_data.ties_app, name="ties")
app.add_typer(serving.apikey_app, name="apikey")
app.add_typer(policy_analytics.analytics_app, name="analytics")
app.add_typer(team_formation.team_app, name="team")


def main() -> None:
    """The console script ``kexie``."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()
